package cn.tianfu.databus.cli.audit;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.ZoneId;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.admin.AuditArchive;
import cn.tianfu.databus.audit.AuditReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus audit export}: the log (or a time slice of it that starts and ends at signed checkpoints), its
 * checkpoints and the public key in one zip.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Write the exchange log, its signed checkpoints and the public key to an archive for off-bus keeping.")
public final class ExportCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "The archive to write (zip).")
    Path file;

    @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: from --data-dir).")
    Path publicKey;

    @Option(names = "--from", paramLabel = "DATE|INSTANT", description = "Entries from this day (yyyy-MM-dd) or ISO "
            + "instant; the slice starts at the last signed checkpoint before them, so it still verifies.")
    String from;

    @Option(names = "--until", paramLabel = "DATE|INSTANT", description = "Entries up to this day (included) or ISO "
            + "instant; the slice ends at the next signed checkpoint, or at the log's end if there is none yet.")
    String until;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = TimeArguments.DEFAULT_ZONE,
            description = "Time zone of the dates (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        AuditArchive.Range range = range();
        PublicKey key = connection.publicKey(publicKey);
        if (key == null) {
            throw new IllegalArgumentException("no public key to include: pass --public-key PEM or --data-dir DIR");
        }
        TreeMap<Integer, long[]> counts;
        try (AuditReader reader = connection.reader(key)) {
            counts = AuditArchive.export(reader, key, file, range);
        }
        long entries = counts.values().stream().mapToLong(c -> c[0]).sum();
        long checkpoints = counts.values().stream().mapToLong(c -> c[1]).sum();
        spec.commandLine().getOut().printf("wrote %s: %d entries in %d partitions, %d checkpoints%n", file, entries,
                counts.size(), checkpoints);
        if (!range.whole()) {
            spec.commandLine().getOut().printf("entries from %s until %s, each partition from a signed checkpoint%n",
                    range.from() == null ? "the start" : range.from(), range.until() == null ? "the end" : range.until());
        }
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }

    /** The time slice asked for ({@link AuditArchive.Range#ALL} without --from and --until). */
    AuditArchive.Range range() {
        return new AuditArchive.Range(from == null ? null : TimeArguments.start(from, zone),
                until == null ? null : TimeArguments.end(until, zone));
    }
}
