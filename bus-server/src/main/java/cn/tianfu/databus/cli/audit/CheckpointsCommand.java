package cn.tianfu.databus.cli.audit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.AuditCheckpoints;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.ledger.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus audit checkpoints}: the copy of the signed chain heads an auditor keeps off the bus. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        header = "Keep a copy of the exchange log's newest signed checkpoints off the bus.",
        subcommands = {CheckpointsCommand.Export.class})
public final class CheckpointsCommand {

    /** {@code databus audit checkpoints export --out FILE}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            header = "Write (or update) FILE with each partition's newest checkpoint signed with the bus's key.",
            footer = {"", "Exit codes: 0 written, 1 written but the bus is behind the copy for some partition"
                    + " (its log or checkpoints were cut: the copy keeps the later checkpoint), 2 usage."})
    public static final class Export implements Callable<Integer> {

        @Mixin
        AuditConnection connection;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The copy to write; an existing "
                + "one is updated, never moved back.")
        Path file;

        @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: from --data-dir).")
        Path publicKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PublicKey key = connection.publicKey(publicKey);
            if (key == null) {
                throw new IllegalArgumentException("no public key to check the checkpoints with: pass --public-key PEM "
                        + "or --data-dir DIR");
            }
            AuditCheckpoints.Export result;
            try (AuditReader reader = connection.reader(key)) {
                result = AuditCheckpoints.export(reader, key, file);
            }
            PrintWriter out = spec.commandLine().getOut();
            for (SignedCheckpoint cp : result.kept().values().stream()
                    .sorted(java.util.Comparator.comparingInt(c -> c.checkpoint().partition())).toList()) {
                Checkpoint c = cp.checkpoint();
                out.printf("partition %d: %d entries, head %s, signed %s%n", c.partition(), c.entryCount(),
                        c.headHash(), Instant.ofEpochMilli(c.timeMillis()));
            }
            out.printf("wrote %s: %d checkpoints%n", file, result.kept().size());
            for (int p : result.behind()) {
                out.printf("partition %d: the bus's newest checkpoint is behind the copy: run 'audit verify --against"
                        + " %s'%n", p, file);
            }
            out.flush();
            return result.behind().isEmpty() ? ExitCode.OK : ExitCode.SOFTWARE;
        }
    }
}
