package cn.tianfu.databus.cli.audit;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.admin.AuditArchive;
import cn.tianfu.databus.audit.AuditCheckpoints;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus audit verify}: exit 0 only when every chain and checkpoint verifies, every entry is under a signed
 * checkpoint, the newest checkpoint of every partition is fresh and the auditor's kept checkpoints are in the log.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        header = "Recompute every chain of the exchange log (or an archive) and check every signed checkpoint.",
        footer = {"", "Exit codes: 0 intact, 1 broken (the report names the first problem of each partition), 2 usage."})
public final class VerifyCommand implements Callable<Integer> {

    /** The ledger's default heartbeat ({@code ledger.heartbeat.interval.ms}). */
    static final String DEFAULT_HEARTBEAT = "PT1M";

    @Mixin
    AuditConnection connection;

    @Option(names = "--archive", paramLabel = "FILE", description = "Verify an archive made by 'audit export' instead of the live log.")
    Path archive;

    @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: from --data-dir, or for an archive the copy inside it).")
    Path publicKey;

    @Option(names = "--allow-uncovered", description = "Accept entries after the last signed checkpoint (a live tail the"
            + " ledger has not signed yet); they are reported, not failed.")
    boolean allowUncovered;

    @Option(names = "--require-covered", hidden = true, description = "The default now; kept for old scripts.")
    boolean requireCovered;

    @Option(names = "--heartbeat", paramLabel = "DURATION", defaultValue = DEFAULT_HEARTBEAT,
            description = "The ledger's heartbeat (ledger.heartbeat.interval.ms) as an ISO duration (default:"
                    + " ${DEFAULT-VALUE}): the live log fails when a partition's newest signed checkpoint is older than"
                    + " two heartbeats. Not checked for an archive.")
    Duration heartbeat;

    @Option(names = "--against", paramLabel = "FILE", description = "Checkpoints kept off the bus ('audit checkpoints"
            + " export'): each must match the log, so a log cut back with its checkpoints is found.")
    Path against;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("--heartbeat must be a positive duration, e.g. PT1M");
        }
        VerifyOptions options = VerifyOptions.CHAINS_ONLY.allowUncovered(allowUncovered);
        if (against != null) {
            options = options.against(AuditCheckpoints.read(against));
        }
        PublicKey key = connection.publicKey(publicKey);
        VerificationReport report;
        if (archive != null) {
            if (key == null) {
                key = AuditArchive.publicKey(archive);
                spec.commandLine().getErr().println("note: checking with the key stored in the archive; pass "
                        + "--public-key with the key the bus publishes to rule out a replaced key");
            }
            report = AuditArchive.verify(archive, key, options);
        } else {
            if (key == null) {
                throw new IllegalArgumentException("no public key: pass --public-key PEM or --data-dir DIR");
            }
            options = options.heartbeat(heartbeat, Instant.now());
            try (AuditReader reader = connection.reader(key)) {
                long start = System.nanoTime();
                report = reader.verify(options);
                double seconds = (System.nanoTime() - start) / 1e9;
                spec.commandLine().getErr().printf("read %d entries in %.1f s%n", report.entries(), seconds);
            }
        }
        spec.commandLine().getOut().print(report.describe());
        spec.commandLine().getOut().flush();
        return report.intact() ? ExitCode.OK : ExitCode.SOFTWARE;
    }
}
