package cn.tianfu.databus.audit.admin;

import cn.tianfu.databus.audit.AuditException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.audit.internal.PartitionCheck;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 *   <li>{@value #MANIFEST}: format, when it was made, per partition the entry and checkpoint counts and the chain
 *       head; for a time slice also the range asked for and, per partition, the signed checkpoint the chain resumes
 *       at ({@code start}: position, entry count, head hash);</li>
 *   <li>{@code entries/partition-<p>.avro}: the partition's entries in chain order, an Avro object container file of
 *       {@code ExchangeLogEntry} (schema inside; readable with any Avro tool);</li>
 *   <li>{@value #CHECKPOINTS}: the checkpoints over the exported entries (for a slice, starting with the one it
 *       resumes at) in the order written, Avro container of {@code ExchangeLogCheckpoint};</li>
 *   <li>{@value #PUBLIC_KEY}: the public key the bus published (verify with the key you obtained from the bus, not
 *       only with this copy).</li>
 * </ul>
 *
 * <pre>{@code
 * AuditArchive.export(reader, publicKey, Path.of("exchange-log-2025.zip"));
 * AuditArchive.export(reader, publicKey, Path.of("2025-q1.zip"),
 *         new AuditArchive.Range(Instant.parse("2024-12-31T16:00:00Z"), Instant.parse("2025-03-31T15:59:59.999Z")));
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
     * @return per partition: entries and checkpoints written
     * @throws AuditException when the file cannot be written
     */
    public static TreeMap<Integer, long[]> export(AuditReader reader, PublicKey publicKey, Path file) {
        return export(reader, publicKey, file, Range.ALL);
    }

    /**
     * Writes a time slice of the log an auditor can still verify. Per partition, the slice resumes at the last
     * checkpoint signed by {@code publicKey} before the first entry with time at or after {@code range.from()}
     * (from the partition's first entry if there is none), so entries between that checkpoint and {@code from} are
     * included, and ends at the first checkpoint at or after the last entry with time at or before
     * {@code range.until()}, or at the log's end if there is none (that tail is then reported as uncovered). The
     * manifest records the range and, per partition, the checkpoint the chain resumes at. Checkpoints past the last
     * exported entry are left out (they were written after the entries were read).
     *
     * @return per partition: entries and checkpoints written
     * @throws AuditException when the file cannot be written
     */
    public static TreeMap<Integer, long[]> export(AuditReader reader, PublicKey publicKey, Path file, Range range) {
        int partitionCount = reader.partitionCount();
        Slice[] slices = new Slice[partitionCount];
        for (int p = 0; p < partitionCount; p++) {
            slices[p] = new Slice();
        }
        if (!range.whole()) {
            plan(reader, publicKey, range, slices);
        }
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
            writeEntries(reader, slices, zip, shield, file);
            for (int p = 0; p < partitionCount; p++) {
                if (slices[p].entries == 0) {
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
                    int p = cp.checkpoint().partition();
                    boolean stray = p < 0 || p >= partitionCount;
                    if (!stray && !slices[p].covers(cp)) {
                        return;
                    }
                    try {
                        w.append(ExchangeLogRecords.toAvro(cp.checkpoint(), cp.signature(), publicKey));
                    } catch (IOException e) {
                        throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
                    }
                    checkpointCount[0]++;
                    if (!stray) {
                        slices[p].checkpoints++;
                    }
                });
            }
            zip.putNextEntry(new ZipEntry(PUBLIC_KEY));
            zip.write(PublicKeys.toPem(publicKey).getBytes(StandardCharsets.US_ASCII));
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    manifest(publicKey, range, slices, checkpointCount[0])));
        } catch (IOException e) {
            throw new AuditException("Cannot write the archive " + file + ": " + e.getMessage(), e);
        }
        TreeMap<Integer, long[]> counts = new TreeMap<>();
        for (int p = 0; p < partitionCount; p++) {
            counts.put(p, new long[] {slices[p].entries, slices[p].checkpoints});
        }
        return counts;
    }

    /** First pass: per partition, where the slice starts (a signed checkpoint) and where it ends. */
    private static void plan(AuditReader reader, PublicKey publicKey, Range range, Slice[] slices) {
        long from = range.from() == null ? Long.MIN_VALUE : range.from().toEpochMilli();
        long until = range.until() == null ? Long.MAX_VALUE : range.until().toEpochMilli();
        long[] firstFrom = new long[slices.length];
        long[] lastUntil = new long[slices.length];
        Arrays.fill(firstFrom, -1);
        Arrays.fill(lastUntil, -1);
        reader.forEachEntry((partition, position, logOffset, entry) -> {
            if (partition >= slices.length) {
                return;
            }
            if (firstFrom[partition] < 0 && entry.timeMillis() >= from) {
                firstFrom[partition] = position;
            }
            if (entry.timeMillis() <= until) {
                lastUntil[partition] = position;
            }
        });
        for (int p = 0; p < slices.length; p++) {
            if (firstFrom[p] < 0 || lastUntil[p] < firstFrom[p]) {
                slices[p].empty = true;
            }
        }
        reader.forEachCheckpoint(signed -> {
            Checkpoint cp = signed.checkpoint();
            int p = cp.partition();
            if (p < 0 || p >= slices.length || slices[p].empty) {
                return;
            }
            Slice s = slices[p];
            boolean signedByBus = SigningKeys.verify(cp, signed.signature(), publicKey);
            if (signedByBus && cp.offset() < firstFrom[p]
                    && (s.start == null || cp.offset() > s.start.checkpoint().offset())) {
                s.start = signed;
            }
            if (range.until() != null && signedByBus && cp.offset() >= lastUntil[p]
                    && (s.end == null || cp.offset() < s.end.offset())) {
                s.end = cp;
            }
        });
        for (Slice s : slices) {
            if (s.start != null) {
                s.head = s.start.checkpoint().headHash();
            }
        }
    }

    private static void writeEntries(AuditReader reader, Slice[] slices, ZipOutputStream zip, OutputStream out,
                                     Path file) {
        @SuppressWarnings("unchecked")
        DataFileWriter<ExchangeLogEntry>[] current = new DataFileWriter[1];
        int[] open = {-1};
        try {
            reader.forEachEntry((partition, position, logOffset, entry) -> {
                if (partition >= slices.length || !slices[partition].includes(position)) {
                    return;
                }
                try {
                    if (open[0] != partition) {
                        if (current[0] != null) {
                            current[0].close();
                        }
                        zip.putNextEntry(new ZipEntry(entriesFile(partition)));
                        current[0] = new DataFileWriter<>(new SpecificDatumWriter<>(ExchangeLogEntry.class))
                                .create(ExchangeLogEntry.getClassSchema(), out);
                        open[0] = partition;
                    }
                    current[0].append(ExchangeLogRecords.toAvro(entry));
                } catch (IOException e) {
                    throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
                }
                Slice s = slices[partition];
                if (s.entries++ == 0) {
                    s.firstPosition = position;
                }
                s.lastPosition = position;
                s.head = entry.hash();
            });
            if (current[0] != null) {
                current[0].close();
            }
        } catch (IOException e) {
            throw new AuditException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode manifest(PublicKey publicKey, Range range, Slice[] slices, long checkpoints) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("created", Instant.now().toString());
        manifest.put("publicKeyId", ExchangeLogRecords.publicKeyId(publicKey));
        manifest.put("checkpoints", checkpoints);
        if (!range.whole()) {
            ObjectNode r = manifest.putObject("range");
            r.put("from", range.from() == null ? null : range.from().toString());
            r.put("until", range.until() == null ? null : range.until().toString());
        }
        ArrayNode parts = manifest.putArray("partitions");
        for (int p = 0; p < slices.length; p++) {
            Slice s = slices[p];
            ObjectNode n = parts.addObject().put("partition", p).put("entries", s.entries)
                    .put("checkpoints", s.checkpoints).put("headHash", s.head).put("file", entriesFile(p));
            if (range.whole()) {
                continue;
            }
            n.put("firstPosition", s.entries == 0 ? -1 : s.firstPosition);
            n.put("lastPosition", s.entries == 0 ? -1 : s.lastPosition);
            if (s.entries > 0 && s.start != null) {
                Checkpoint cp = s.start.checkpoint();
                n.putObject("start").put("position", cp.offset()).put("entryCount", cp.entryCount())
                        .put("headHash", cp.headHash()).put("time", Instant.ofEpochMilli(cp.timeMillis()).toString());
            }
            if (s.entries > 0) {
                n.put("end", s.end != null && s.lastPosition == s.end.offset() ? "checkpoint" : "log-end");
            }
        }
        return manifest;
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
     * every checkpoint's signature checked with {@code publicKey} and its head compared. A partition of a slice
     * resumes at the checkpoint its manifest names, which must be the first checkpoint of that partition in the
     * archive and signed with {@code publicKey}; positions in the report are those of the whole log.
     *
     * @throws AuditException when the archive cannot be read or lacks a part
     */
    public static VerificationReport verify(Path file, PublicKey publicKey) {
        return verify(file, publicKey, VerifyOptions.CHAINS_ONLY);
    }

    /**
     * Verifies an archive as {@link #verify(Path, PublicKey)} does, and what {@code options} expect (covered entries,
     * a heartbeat as of {@code options.now()}, the auditor's kept checkpoints).
     *
     * @throws AuditException when the archive cannot be read or lacks a part
     */
    public static VerificationReport verify(Path file, PublicKey publicKey, VerifyOptions options) {
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
            Map<Integer, Checkpoint> starts = new HashMap<>();
            for (JsonNode n : manifest.path("partitions")) {
                int p = n.path("partition").asInt();
                partitions.add(p);
                JsonNode start = n.path("start");
                if (start.isObject()) {
                    starts.put(p, new Checkpoint(p, start.path("position").asLong(), start.path("entryCount").asLong(),
                            start.path("headHash").asText(), 0));
                }
            }
            for (int p : partitions) {
                ZipEntry entriesEntry = required(zip, entriesFile(p), file);
                try (InputStream cpIn = zip.getInputStream(required(zip, CHECKPOINTS, file));
                     DataFileStream<ExchangeLogCheckpoint> cps = new DataFileStream<>(cpIn,
                             new SpecificDatumReader<>(ExchangeLogCheckpoint.class));
                     InputStream in = zip.getInputStream(entriesEntry);
                     DataFileStream<ExchangeLogEntry> entries = new DataFileStream<>(in,
                             new SpecificDatumReader<>(ExchangeLogEntry.class))) {
                    Checkpoint start = starts.get(p);
                    PartitionCheck check = start == null
                            ? new PartitionCheck(p, publicKey, forPartition(cps, p), options)
                            : new PartitionCheck(p, publicKey, start, forPartition(cps, p), options);
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

    /**
     * Which entries to export, by entry time: {@code from} and {@code until} are inclusive; {@code null} leaves that
     * side open.
     *
     * @param from  first instant included, or {@code null} from the log's start
     * @param until last instant included, or {@code null} to the log's end
     */
    public record Range(Instant from, Instant until) {

        /** The whole log. */
        public static final Range ALL = new Range(null, null);

        public Range {
            if (from != null && until != null && until.isBefore(from)) {
                throw new AuditException("The export range ends (" + until + ") before it starts (" + from
                        + "): give an end at or after the start");
            }
        }

        /** Whether both sides are open. */
        public boolean whole() {
            return from == null && until == null;
        }
    }

    /** One partition's part of an export: planned bounds, then what was written. */
    private static final class Slice {
        boolean empty;
        SignedCheckpoint start;
        Checkpoint end;
        long entries;
        long checkpoints;
        long firstPosition = -1;
        long lastPosition = -1;
        String head = HashChain.GENESIS;

        boolean includes(long position) {
            return !empty && (start == null || position > start.checkpoint().offset())
                    && (end == null || position <= end.offset());
        }

        /** Whether a checkpoint of this partition belongs in the archive: the start, or one over written entries. */
        boolean covers(SignedCheckpoint cp) {
            long offset = cp.checkpoint().offset();
            if (entries == 0 || offset > lastPosition) {
                return false;
            }
            if (start == null) {
                return true;
            }
            long from = start.checkpoint().offset();
            return offset > from || offset == from && cp.checkpoint().equals(start.checkpoint())
                    && Arrays.equals(cp.signature(), start.signature());
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
