package cn.tianfu.databus.audit;

import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The copy of the exchange log's checkpoints an auditor keeps off the bus: per partition the newest checkpoint signed
 * with the bus's key. Checked with {@link VerifyOptions#against}, it proves that the log still holds every entry up
 * to it, so cutting the end of both the log and its checkpoint topic is found whatever the attacker leaves behind.
 *
 * <pre>{@code
 * AuditCheckpoints.Export result = AuditCheckpoints.export(reader, publicKey, Path.of("kept-checkpoints.avro"));
 * VerificationReport report = reader.verify(VerifyOptions.CHAINS_ONLY
 *         .against(AuditCheckpoints.read(Path.of("kept-checkpoints.avro"))));
 * }</pre>
 *
 * <p>The file is an Avro object container of {@code ExchangeLogCheckpoint} (schema inside), one record per
 * partition. Exporting again into the same file merges: per partition the checkpoint with more entries (then the
 * later one) is kept, so a bus whose log was cut back can never shorten the copy. Memory and file size are one
 * checkpoint per partition: a later checkpoint proves every entry before it through the hash chain.
 */
public final class AuditCheckpoints {

    private AuditCheckpoints() {
    }

    /**
     * What an export did.
     *
     * @param kept   the checkpoints now in the file, by partition
     * @param behind partitions where the bus's newest checkpoint is behind the one the file already held (the file
     *               keeps its own: evidence that the log was cut or the checkpoints removed)
     */
    public record Export(Map<Integer, SignedCheckpoint> kept, List<Integer> behind) {
        public Export {
            kept = Map.copyOf(kept);
            behind = List.copyOf(behind);
        }
    }

    /**
     * Writes (or updates) {@code file} with the newest checkpoint of each partition that verifies with
     * {@code publicKey}; checkpoints with another signature are ignored.
     *
     * @throws AuditException when the file cannot be read or written
     */
    public static Export export(AuditReader reader, PublicKey publicKey, Path file) {
        Map<Integer, SignedCheckpoint> fromBus = new TreeMap<>();
        reader.forEachCheckpoint(cp -> {
            if (SigningKeys.verify(cp.checkpoint(), cp.signature(), publicKey)) {
                fromBus.merge(cp.checkpoint().partition(), cp, AuditCheckpoints::later);
            }
        });
        Map<Integer, SignedCheckpoint> kept = new TreeMap<>();
        List<Integer> behind = new ArrayList<>();
        if (Files.exists(file)) {
            for (SignedCheckpoint cp : read(file)) {
                kept.merge(cp.checkpoint().partition(), cp, AuditCheckpoints::later);
            }
        }
        for (Map.Entry<Integer, SignedCheckpoint> e : fromBus.entrySet()) {
            SignedCheckpoint old = kept.get(e.getKey());
            if (old != null && old.checkpoint().entryCount() > e.getValue().checkpoint().entryCount()) {
                behind.add(e.getKey());
            }
            kept.merge(e.getKey(), e.getValue(), AuditCheckpoints::later);
        }
        for (Integer p : kept.keySet()) {
            if (!fromBus.containsKey(p)) {
                behind.add(p);
            }
        }
        write(file, kept.values(), publicKey);
        behind.sort(Comparator.naturalOrder());
        return new Export(kept, behind);
    }

    /**
     * The checkpoints in a file written by {@link #export}.
     *
     * @throws AuditException when it cannot be read
     */
    public static List<SignedCheckpoint> read(Path file) {
        List<SignedCheckpoint> out = new ArrayList<>();
        try (DataFileReader<ExchangeLogCheckpoint> r = new DataFileReader<>(file.toFile(),
                new SpecificDatumReader<>(ExchangeLogCheckpoint.class))) {
            for (ExchangeLogCheckpoint cp : r) {
                out.add(new SignedCheckpoint(ExchangeLogRecords.toCheckpoint(cp), ExchangeLogRecords.signature(cp)));
            }
        } catch (IOException | org.apache.avro.AvroRuntimeException e) {
            throw new AuditException("Cannot read the kept checkpoints " + file + ": " + e.getMessage()
                    + "; give a file written by 'audit checkpoints export'", e);
        }
        return out;
    }

    private static void write(Path file, Iterable<SignedCheckpoint> checkpoints, PublicKey publicKey) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (DataFileWriter<ExchangeLogCheckpoint> w = new DataFileWriter<>(
                    new SpecificDatumWriter<>(ExchangeLogCheckpoint.class))
                    .create(ExchangeLogCheckpoint.getClassSchema(), tmp.toFile())) {
                for (SignedCheckpoint cp : checkpoints) {
                    w.append(ExchangeLogRecords.toAvro(cp.checkpoint(), cp.signature(), publicKey));
                }
            }
            // written whole, then moved: an interrupted export never leaves a half file in place of the old copy
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AuditException("Cannot write the kept checkpoints " + file + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint covering more entries, or at equal count the later one. */
    private static SignedCheckpoint later(SignedCheckpoint a, SignedCheckpoint b) {
        int c = Long.compare(a.checkpoint().entryCount(), b.checkpoint().entryCount());
        if (c == 0) {
            c = Long.compare(a.checkpoint().timeMillis(), b.checkpoint().timeMillis());
        }
        return c >= 0 ? a : b;
    }
}
