package cn.tianfu.databus.audit;

import cn.tianfu.databus.audit.internal.PartitionCheck;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * An audit archive: a copy of the exchange log an auditor keeps off the bus, verifiable without it. A zip holding
 * <ul>
 *   <li>{@value #MANIFEST}: format, when and from which topics it was made, per partition the entry and checkpoint
 *       counts and the chain head;</li>
 *   <li>{@code entries/partition-<p>.avro}: the partition's entries in chain order, an Avro object container file of
 *       {@code ExchangeLogEntry} (schema inside; readable with any Avro tool);</li>
 *   <li>{@value #CHECKPOINTS}: every checkpoint in the order written, Avro container of {@code ExchangeLogCheckpoint};</li>
 *   <li>{@value #PUBLIC_KEY}: the public key the bus published (verify with the key you obtained from the bus, not
 *       only with this copy).</li>
 * </ul>
 *
 * <pre>{@code
 * AuditArchive.export(reader, publicKey, Path.of("exchange-log-2025.zip"));
 * VerificationReport report = AuditArchive.verify(Path.of("exchange-log-2025.zip"), publishedKey);
 * }</pre>
 */
public final class AuditArchive {

    public static final String MANIFEST = "manifest.json";
    public static final String CHECKPOINTS = "checkpoints.avro";
    public static final String PUBLIC_KEY = "exchange-log.pub.pem";
    public static final String FORMAT = "tianfu-databus/audit-archive/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditArchive() {
    }

    /** Name of a partition's entries file inside the archive. */
    public static String entriesFile(int partition) {
        return "entries/partition-" + partition + ".avro";
    }

    /**
     * Writes the whole log, its checkpoints and the public key to a new zip file.
     *
     * @return the manifest's per-partition summary (entries and head per partition)
     * @throws AuditException when the file cannot be written
     */
    public static TreeMap<Integer, long[]> export(AuditReader reader, PublicKey publicKey, Path file) {
        TreeMap<Integer, long[]> counts = new TreeMap<>();
        TreeMap<Integer, String> heads = new TreeMap<>();
        long[] checkpointCount = {0};
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            OutputStream shield = new FilterOutputStream(zip) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            int partitions = reader.partitionCount();
            for (int p = 0; p < partitions; p++) {
                counts.put(p, new long[2]);
                heads.put(p, cn.tianfu.databus.ledger.HashChain.GENESIS);
            }
            DataFileWriter<ExchangeLogEntry>[] current = new DataFileWriter[1];
            int[] open = {-1};
            try {
                reader.forEachEntry((partition, position, logOffset, entry) -> {
                    try {
                        if (open[0] != partition) {
                            if (current[0] != null) {
                                current[0].close();
                            }
                            zip.putNextEntry(new ZipEntry(entriesFile(partition)));
                            current[0] = new DataFileWriter<>(new SpecificDatumWriter<>(ExchangeLogEntry.class))
                                    .create(ExchangeLogEntry.getClassSchema(), shield);
                            open[0] = partition;
                        }
                        current[0].append(ExchangeLogRecords.toAvro(entry));
                        counts.get(partition)[0]++;
                        heads.put(partition, entry.hash());
                    } catch (IOException e) {
                        throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
                    }
                });
                if (current[0] != null) {
                    current[0].close();
                }
            } catch (IOException e) {
                throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
            }
            for (int p = 0; p < partitions; p++) {
                if (counts.get(p)[0] == 0) {
                    zip.putNextEntry(new ZipEntry(entriesFile(p)));
                    new DataFileWriter<>(new SpecificDatumWriter<>(ExchangeLogEntry.class))
                            .create(ExchangeLogEntry.getClassSchema(), shield).close();
                }
            }
            zip.putNextEntry(new ZipEntry(CHECKPOINTS));
            try (DataFileWriter<ExchangeLogCheckpoint> w = new DataFileWriter<>(
                    new SpecificDatumWriter<>(ExchangeLogCheckpoint.class))
                    .create(ExchangeLogCheckpoint.getClassSchema(), shield)) {
                reader.forEachCheckpoint(cp -> {
                    try {
                        w.append(ExchangeLogRecords.toAvro(cp.checkpoint(), cp.signature(), publicKey));
                        checkpointCount[0]++;
                        long[] c = counts.get(cp.checkpoint().partition());
                        if (c != null) {
                            c[1]++;
                        }
                    } catch (IOException e) {
                        throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
                    }
                });
            }
            zip.putNextEntry(new ZipEntry(PUBLIC_KEY));
            zip.write(PublicKeys.toPem(publicKey).getBytes(StandardCharsets.US_ASCII));

            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("format", FORMAT);
            manifest.put("created", Instant.now().toString());
            manifest.put("publicKeyId", ExchangeLogRecords.publicKeyId(publicKey));
            manifest.put("checkpoints", checkpointCount[0]);
            ArrayNode parts = manifest.putArray("partitions");
            counts.forEach((p, c) -> parts.addObject().put("partition", p).put("entries", c[0])
                    .put("checkpoints", c[1]).put("headHash", heads.get(p)).put("file", entriesFile(p)));
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new AuditException("Cannot write the archive " + file + ": " + e.getMessage(), e);
        }
        return counts;
    }

    /** The public key stored in an archive (as the bus published it when the archive was made). */
    public static PublicKey publicKey(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = required(zip, PUBLIC_KEY, file);
            try (InputStream in = zip.getInputStream(e)) {
                return PublicKeys.fromPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            throw new AuditException("Cannot read the archive " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Verifies an archive exactly as {@link AuditReader#verify()} verifies the live log: every chain recomputed,
     * every checkpoint's signature checked with {@code publicKey} and its head compared.
     *
     * @throws AuditException when the archive cannot be read or lacks a part
     */
    public static VerificationReport verify(Path file, PublicKey publicKey) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            JsonNode manifest;
            try (InputStream in = zip.getInputStream(required(zip, MANIFEST, file))) {
                manifest = JSON.readTree(in);
            }
            if (!FORMAT.equals(manifest.path("format").asText())) {
                throw new AuditException(file + " is not an audit archive of format " + FORMAT);
            }
            List<VerificationReport.Partition> results = new ArrayList<>();
            long stray = 0;
            List<Integer> partitions = new ArrayList<>();
            manifest.path("partitions").forEach(n -> partitions.add(n.path("partition").asInt()));
            for (int p : partitions) {
                ZipEntry entriesEntry = required(zip, entriesFile(p), file);
                try (InputStream cpIn = zip.getInputStream(required(zip, CHECKPOINTS, file));
                     DataFileStream<ExchangeLogCheckpoint> cps = new DataFileStream<>(cpIn,
                             new SpecificDatumReader<>(ExchangeLogCheckpoint.class));
                     InputStream in = zip.getInputStream(entriesEntry);
                     DataFileStream<ExchangeLogEntry> entries = new DataFileStream<>(in,
                             new SpecificDatumReader<>(ExchangeLogEntry.class))) {
                    PartitionCheck check = new PartitionCheck(p, publicKey, forPartition(cps, p));
                    ExchangeLogEntry reuse = null;
                    while (entries.hasNext()) {
                        ExchangeEntry entry;
                        try {
                            reuse = entries.next(reuse);
                            entry = ExchangeLogRecords.toEntry(reuse);
                        } catch (RuntimeException e) {
                            check.unreadable(-1, e.getMessage());
                            break;
                        }
                        check.entry(-1, entry);
                    }
                    results.add(check.finish());
                }
            }
            try (InputStream cpIn = zip.getInputStream(required(zip, CHECKPOINTS, file));
                 DataFileStream<ExchangeLogCheckpoint> cps = new DataFileStream<>(cpIn,
                         new SpecificDatumReader<>(ExchangeLogCheckpoint.class))) {
                for (ExchangeLogCheckpoint cp : cps) {
                    if (!partitions.contains(cp.getPartition())) {
                        stray++;
                    }
                }
            }
            return new VerificationReport(results, stray);
        } catch (IOException | org.apache.avro.AvroRuntimeException e) {
            throw new AuditException("Cannot read the archive " + file + ": " + e.getMessage()
                    + "; it is damaged or not an audit archive", e);
        }
    }

    private static Iterator<SignedCheckpoint> forPartition(DataFileStream<ExchangeLogCheckpoint> cps, int partition) {
        return new Iterator<>() {
            private SignedCheckpoint next;

            @Override
            public boolean hasNext() {
                while (next == null && cps.hasNext()) {
                    ExchangeLogCheckpoint r = cps.next();
                    if (r.getPartition() == partition) {
                        next = new SignedCheckpoint(ExchangeLogRecords.toCheckpoint(r), ExchangeLogRecords.signature(r));
                    }
                }
                return next != null;
            }

            @Override
            public SignedCheckpoint next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                SignedCheckpoint out = next;
                next = null;
                return out;
            }
        };
    }

    private static ZipEntry required(ZipFile zip, String name, Path file) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new AuditException("The archive " + file + " has no " + name + "; it is incomplete or damaged");
        }
        return e;
    }
}
