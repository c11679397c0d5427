package cn.tianfu.databus.cli.audit;

import cn.tianfu.databus.audit.AuditArchive;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.cli.DatabusCli;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus audit verify}: exit 0 only when every chain and checkpoint verifies. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        header = "Recompute every chain of the exchange log (or an archive) and check every signed checkpoint.")
public final class VerifyCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Option(names = "--archive", paramLabel = "FILE", description = "Verify an archive made by 'audit export' instead of the live log.")
    Path archive;

    @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: from --data-dir, or for an archive the copy inside it).")
    Path publicKey;

    @Option(names = "--require-covered", description = "Also fail when entries after the last checkpoint are not yet covered by a signature.")
    boolean requireCovered;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PublicKey key = connection.publicKey(publicKey);
        VerificationReport report;
        if (archive != null) {
            if (key == null) {
                key = AuditArchive.publicKey(archive);
                spec.commandLine().getErr().println("note: checking with the key stored in the archive; pass "
                        + "--public-key with the key the bus publishes to rule out a replaced key");
            }
            report = AuditArchive.verify(archive, key);
        } else {
            if (key == null) {
                throw new IllegalArgumentException("no public key: pass --public-key PEM or --data-dir DIR");
            }
            try (AuditReader reader = connection.reader(key)) {
                long start = System.nanoTime();
                report = reader.verify();
                double seconds = (System.nanoTime() - start) / 1e9;
                spec.commandLine().getErr().printf("read %d entries in %.1f s%n", report.entries(), seconds);
            }
        }
        spec.commandLine().getOut().print(report.describe());
        spec.commandLine().getOut().flush();
        if (!report.intact()) {
            return DatabusCli.FAILED;
        }
        return requireCovered && report.uncoveredEntries() > 0 ? DatabusCli.FAILED : DatabusCli.OK;
    }
}
