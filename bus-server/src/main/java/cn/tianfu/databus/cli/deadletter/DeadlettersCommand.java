package cn.tianfu.databus.cli.deadletter;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.ObjectMapper;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.DeadLetterReader;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus deadletters}: lists what the bus rejected, newest last: {@code bus.deadletter} (written by the bus
 * alone) and the dead letters of the departments' CDC runners ({@code src.<dept>._cdc.<runner>.deadletters}), whose
 * component is shown as {@code <dept>/<component>}: the department is the topic's, which only it can write, not what the
 * record says.
 */
@Command(name = "deadletters", mixinStandardHelpOptions = true,
        header = "List the dead letters of the bus: what was rejected, by which component, why, and where it came from.")
public final class DeadlettersCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus (its bus.properties names the endpoints; default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--reason", paramLabel = "R", description = "Only this reason code, e.g. MALFORMED_BYTES, NOT_THE_PROVIDER.")
    String reason;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N, the most recent (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        }
        Optional<String> only = Optional.ofNullable(reason);
        try {
            DeadLetterReader.check(only, limit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--reason " + e.getMessage());
        }
        DeadLetterReader.Listing listing = DeadLetterReader.read(ClientFiles.bus(dataDir), only, limit, "databus-cli-deadletters");
        List<DeadLetter> sorted = listing.letters();
        int unreadable = listing.unreadable();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (DeadLetter dl : sorted) {
                out.println(mapper.writeValueAsString(DeadLetterReader.toMap(dl)));
            }
        } else {
            out.printf("%-24s  %-16s  %-18s  %-40s  %s%n", "TIME", "COMPONENT", "REASON", "SOURCE", "MESSAGE");
            for (DeadLetter dl : sorted) {
                out.printf("%-24s  %-16s  %-18s  %-40s  %s%n", dl.getTime(), dl.getComponent(), dl.getReason(),
                        DeadLetterReader.position(dl), dl.getMessage());
            }
            out.println(sorted.size() + " dead letter(s)" + (reason == null ? "" : " with reason " + reason)
                    + (unreadable > 0 ? "; " + unreadable + " record(s) of " + Topics.DEADLETTER + " could not be read" : ""));
        }
        out.flush();
        return ExitCode.OK;
    }
}
