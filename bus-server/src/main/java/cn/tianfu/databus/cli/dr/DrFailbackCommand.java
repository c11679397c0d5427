package cn.tianfu.databus.cli.dr;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.dr.DrConfig;
import cn.tianfu.databus.dr.DrStatus;
import cn.tianfu.databus.dr.Failback;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus dr failback}: back to the repaired primary. Copies the disaster-recovery cluster back to the primary
 * with MirrorMaker 2 (aliases swapped) until there is no lag, stops it, then promotes the primary as
 * {@code dr promote} does (its prepared data directory, its keys, the exchange log verified there); docs/dr.md.
 */
@Command(name = "failback", mixinStandardHelpOptions = true,
        header = "Copy the disaster-recovery cluster back to the repaired primary until no lag, then promote the primary.",
        footer = {"", "Stop the bus serving on the disaster-recovery cluster first.",
                "Exit codes: 0 the primary is ready to serve, 1 not caught up, occupied topics, or its log does not verify."})
public final class DrFailbackCommand implements Callable<Integer> {

    @Option(names = "--primary", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the primary cluster (the destination).")
    Path primary;

    @Option(names = "--dr", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the disaster-recovery cluster (the source).")
    Path dr;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "The primary's data directory ('databus init' against the primary, the bus's keys/).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "The DrConfig file 'dr start' ran with (its aliases are swapped for the way back).")
    Path config;

    @Option(names = "--timeout-seconds", paramLabel = "N", defaultValue = "3600",
            description = "How long to wait for the primary to catch up (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--onto-existing", description = "Copy back even though the primary still holds replicated topics with records"
            + " (their old tail stays beside the copies; docs/dr.md: failback).")
    boolean ontoExisting;

    @Option(names = "--dry-run", description = "Print the steps and the primary's occupied topics; copy nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> primaryProps = DrCommand.clientFile(primary);
        Map<String, Object> drProps = DrCommand.clientFile(dr);
        DrConfig outward = DrCommand.config(config);
        Failback.steps(primaryProps, drProps, outward).forEach(out::println);
        Map<String, Long> occupied = Failback.occupied(primaryProps, outward);
        if (!occupied.isEmpty()) {
            out.println("the primary holds " + occupied.size() + " replicated topics with records:");
            occupied.forEach((t, n) -> out.println("  " + t + " (" + n + " offsets)"));
        }
        out.flush();
        if (dryRun) {
            return ExitCode.OK;
        }
        if (!occupied.isEmpty() && !ontoExisting) {
            err.println("not copying back onto the primary's old records: delete those topics (or prepare a fresh primary"
                    + " with 'databus init'), or give --onto-existing");
            err.flush();
            return ExitCode.SOFTWARE;
        }
        String problem = DrPromoteCommand.prepared(primary, dataDir.toAbsolutePath());
        if (problem != null) {
            err.println(problem);
            err.flush();
            return ExitCode.SOFTWARE;
        }
        DrStatus.Report last = Failback.copyBack(primaryProps, drProps, outward, Duration.ofSeconds(timeoutSeconds),
                Duration.ofSeconds(Math.max(2, outward.syncIntervalSeconds())), s -> {
                    out.println(java.time.LocalTime.now().withNano(0) + " copying back: " + (s.primaryReachable()
                            ? s.totalLag() + " records behind" : "disaster-recovery cluster unreachable: " + s.primaryError()));
                    out.flush();
                });
        out.println("the primary has caught up (" + last.partitions().size() + " partitions, no lag); MirrorMaker 2 stopped.");
        out.flush();
        // promote the primary as 'dr promote' promotes the disaster-recovery cluster
        return new CommandLine(new DrPromoteCommand()).setOut(out).setErr(err)
                .execute("--dr", primary.toString(), "--data-dir", dataDir.toString());
    }
}
