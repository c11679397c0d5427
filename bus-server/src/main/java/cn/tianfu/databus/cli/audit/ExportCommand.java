package cn.tianfu.databus.cli.audit;

import cn.tianfu.databus.audit.AuditArchive;
import cn.tianfu.databus.audit.AuditReader;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus audit export}: the whole log, its checkpoints and the public key in one zip. */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Write the exchange log, its signed checkpoints and the public key to an archive for off-bus keeping.")
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "The archive to write (zip).")
    Path file;

    @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: from --data-dir).")
    Path publicKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PublicKey key = connection.publicKey(publicKey);
        if (key == null) {
            throw new IllegalArgumentException("no public key to include: pass --public-key PEM or --data-dir DIR");
        }
        TreeMap<Integer, long[]> counts;
        try (AuditReader reader = connection.reader(key)) {
            counts = AuditArchive.export(reader, key, file);
        }
        long entries = counts.values().stream().mapToLong(c -> c[0]).sum();
        long checkpoints = counts.values().stream().mapToLong(c -> c[1]).sum();
        spec.commandLine().getOut().printf("wrote %s: %d entries in %d partitions, %d checkpoints%n", file, entries,
                counts.size(), checkpoints);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
