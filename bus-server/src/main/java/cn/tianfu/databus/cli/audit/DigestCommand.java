package cn.tianfu.databus.cli.audit;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.KeyHasher;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code databus audit digest}: the exchange log's keyed digest of delivered bytes, and whether the log names it for
 * an exchange. Needs the bus's secret, so it runs on the bus machine ({@code --data-dir}), as {@code trace} does.
 */
@Command(name = "digest", mixinStandardHelpOptions = true,
        header = "Compute the log's valueDigest of a delivered record's bytes; with --exchange, compare it with the log.",
        footer = {"", "Exit codes: 0 printed or matching, 1 the log names another digest or no such exchange, 2 usage."})
public final class DigestCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Parameters(index = "0", paramLabel = "FILE", description = "The value bytes exactly as delivered (the Kafka record's"
            + " value, registry framing included).")
    Path file;

    @Option(names = "--exchange", paramLabel = "ID", description = "An exchange id: compare with its entry's valueDigest.")
    String exchangeId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        KeyHasher hasher = connection.keyHasher();
        String digest;
        try {
            digest = hasher.valueDigest(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(digest);
        if (exchangeId == null) {
            out.flush();
            return ExitCode.OK;
        }
        List<ExchangeEntry> found = new ArrayList<>();
        try (AuditReader reader = connection.reader(null)) {
            reader.forEachEntry((partition, position, logOffset, e) -> {
                if (e.exchangeId().equals(exchangeId)) {
                    found.add(e);
                }
            });
        }
        if (found.isEmpty()) {
            out.printf("no exchange %s in the log%n", exchangeId);
            out.flush();
            return ExitCode.SOFTWARE;
        }
        boolean match = found.stream().allMatch(e -> digest.equals(e.valueDigest()));
        out.printf("%s: the log's valueDigest for exchange %s %s%n", match ? "MATCH" : "DIFFERS", exchangeId,
                match ? "is this value's" : "is " + found.get(0).valueDigest());
        out.flush();
        return match ? ExitCode.OK : ExitCode.SOFTWARE;
    }
}
