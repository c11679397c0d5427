package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.tianfu.databus.audit.admin.AuditArchive;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.ledger.ChainBreak;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.testkit.SharedBus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tampering as someone with write access to the log topics would do it, with a plain producer; each is caught. */
class AuditTamperIT {

    private static final int ENTRIES = 20;

    @TempDir
    Path dataDir;
    @TempDir
    Path otherDir;
    @TempDir
    Path work;

    private final SharedBus bus = SharedBus.get();
    private final SchemaRegistryClient registry = bus.registryClient();
    private SigningKeys keys;
    private List<ExchangeEntry> chain;
    private LogTopics topics;

    @BeforeEach
    void genuineChain() {
        keys = SigningKeys.loadOrCreate(dataDir);
        HashChain c = HashChain.genesis();
        chain = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            chain.add(c.append(StagedEntries.entry("src.psb.tamper", i)));
        }
        topics = LogTopics.create(1, 1);
    }

    private void writeEntries(List<ExchangeEntry> entries) {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<String, ExchangeLogEntry> p = new KafkaProducer<>(
                bus.kafkaProperties(), new StringSerializer(),
                serde.serializer())) {
            for (ExchangeEntry e : entries) {
                p.send(new ProducerRecord<>(topics.log(), 0, e.exchangeId(), ExchangeLogRecords.toAvro(e)));
            }
        }
    }

    private void writeCheckpoint(long position, List<ExchangeEntry> coveredChain, SigningKeys signer) {
        Checkpoint cp = new Checkpoint(0, position, position + 1, coveredChain.get((int) position).hash(), 1L);
        AvroSerde<ExchangeLogCheckpoint> serde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<Integer, ExchangeLogCheckpoint> p = new KafkaProducer<>(
                bus.kafkaProperties(), new IntegerSerializer(),
                serde.serializer())) {
            p.send(new ProducerRecord<>(topics.checkpoints(), 0,
                    ExchangeLogRecords.toAvro(cp, signer.sign(cp), signer.publicKey())));
        }
    }

    private AuditReader reader() {
        return AuditReader.builder(bus.kafkaProperties())
                .registry(registry).publicKey(keys.publicKey())
                .logTopic(topics.log()).checkpointTopic(topics.checkpoints()).build();
    }

    private VerificationReport verify() {
        try (AuditReader reader = reader()) {
            return reader.verify();
        }
    }

    private VerificationReport verify(VerifyOptions options) {
        try (AuditReader reader = reader()) {
            return reader.verify(options);
        }
    }

    private void genuineLog() {
        writeEntries(chain);
        writeCheckpoint(9, chain, keys);
        writeCheckpoint(19, chain, keys);
    }

    private static ExchangeEntry withConsumer(ExchangeEntry e, String consumer) {
        return new ExchangeEntry(e.exchangeId(), e.timeMillis(), e.mode(), e.resourceCode(), e.provider(), consumer,
                e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), e.deliveryTopic(), e.deliveryPartition(), e.deliveryOffset(),
                e.prevHash(), e.hash());
    }

    private static VerificationReport.Break firstBreak(VerificationReport report) {
        assertThat(report.intact()).as(report.describe()).isFalse();
        return report.partitions().get(0).firstBreak();
    }

    @Test
    void anUntouchedLogVerifies() {
        genuineLog();
        VerificationReport report = verify();
        assertThat(report.intact()).as(report.describe()).isTrue();
        assertThat(report.entries()).isEqualTo(ENTRIES);
        assertThat(report.checkpoints()).isEqualTo(2);
        assertThat(report.uncoveredEntries()).isZero();
        assertThat(report.partitions().get(0).headHash()).isEqualTo(chain.get(ENTRIES - 1).hash());
    }

    @Test
    void anEntryAlteredInPlaceIsReportedAtItsPosition() {
        List<ExchangeEntry> altered = new ArrayList<>(chain);
        altered.set(7, withConsumer(chain.get(7), "amr"));
        writeEntries(altered);
        writeCheckpoint(9, chain, keys);
        writeCheckpoint(19, chain, keys);

        VerificationReport.Break b = firstBreak(verify());
        assertThat(b.position()).isEqualTo(7);
        assertThat(b.logOffset()).isEqualTo(7);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.ALTERED);
    }

    @Test
    void anAlteredCopyAppendedByAnAttackerIsReported() {
        genuineLog();
        writeEntries(List.of(withConsumer(chain.get(3), "amr")));

        VerificationReport.Break b = firstBreak(verify());
        assertThat(b.position()).isEqualTo(ENTRIES);
        assertThat(b.logOffset()).isEqualTo(ENTRIES);
        assertThat(b.kind()).isIn(ChainBreak.Kind.ALTERED, ChainBreak.Kind.MISSING_OR_REORDERED);
    }

    @Test
    void aRemovedEntryIsReportedWhereTheChainBreaks() {
        List<ExchangeEntry> gap = new ArrayList<>(chain);
        gap.remove(5);
        writeEntries(gap);
        writeCheckpoint(9, chain, keys);
        writeCheckpoint(19, chain, keys);

        VerificationReport report = verify();
        VerificationReport.Break b = firstBreak(report);
        assertThat(b.position()).isEqualTo(5);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.MISSING_OR_REORDERED);
        assertThat(b.message()).contains(chain.get(6).exchangeId());
    }

    @Test
    void aForgedSelfConsistentEntryIsUncoveredUntilTheNextCheckpointCatchesIt() {
        genuineLog();
        HashChain attacker = HashChain.resume(chain.get(ENTRIES - 1).hash(), ENTRIES);
        writeEntries(List.of(attacker.append(StagedEntries.entry("src.psb.forged", 1))));

        VerificationReport before = verify(VerifyOptions.CHAINS_ONLY.allowUncovered(true));
        assertThat(before.intact()).as(before.describe()).isTrue();
        assertThat(before.uncoveredEntries()).isEqualTo(1);
        assertThat(before.describe()).contains("1 entries after the last checkpoint");
        // where every entry must be signed (the default of 'audit verify'), it fails at once
        VerificationReport.Break strict = firstBreak(verify(VerifyOptions.CHAINS_ONLY.allowUncovered(false)));
        assertThat(strict.position()).isEqualTo(ENTRIES);
        assertThat(strict.kind()).isEqualTo(ChainBreak.Kind.UNCOVERED);

        // the ledger goes on with its own chain and signs its next head
        HashChain ledger = HashChain.resume(chain.get(ENTRIES - 1).hash(), ENTRIES);
        List<ExchangeEntry> continued = new ArrayList<>(chain);
        continued.add(ledger.append(StagedEntries.entry("src.psb.tamper", ENTRIES)));
        writeEntries(List.of(continued.get(ENTRIES)));
        writeCheckpoint(ENTRIES, continued, keys);

        VerificationReport after = verify();
        VerificationReport.Break b = firstBreak(after);
        // the ledger's checkpoint for position 20 signs its own entry there, not the forged one
        assertThat(b.position()).isEqualTo(ENTRIES);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        assertThat(after.partitions().get(0).problems()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aLogWhoseNewestCheckpointIsOlderThanTwoHeartbeatsIsStale() {
        genuineLog();
        // the checkpoints were signed at t = 1 ms
        Duration heartbeat = Duration.ofMinutes(1);
        VerificationReport fresh = verify(VerifyOptions.CHAINS_ONLY.allowUncovered(false)
                .heartbeat(heartbeat, Instant.ofEpochMilli(1).plus(heartbeat.multipliedBy(2))));
        assertThat(fresh.intact()).as(fresh.describe()).isTrue();

        VerificationReport.Break b = firstBreak(verify(VerifyOptions.CHAINS_ONLY
                .heartbeat(heartbeat, Instant.ofEpochMilli(2).plus(heartbeat.multipliedBy(2)))));
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.STALE);
        assertThat(b.position()).isEqualTo(ENTRIES - 1);
        assertThat(b.message()).contains("1970-01-01T00:00:00.001Z").contains("cut");
    }

    @Test
    void aKeptCheckpointMustMatchTheLogAtItsPosition() {
        genuineLog();
        Checkpoint at14 = new Checkpoint(0, 14, 15, chain.get(14).hash(), 5L);
        SignedCheckpoint kept = new SignedCheckpoint(at14, keys.sign(at14));
        VerificationReport ok = verify(VerifyOptions.CHAINS_ONLY.against(List.of(kept)));
        assertThat(ok.intact()).as(ok.describe()).isTrue();
        assertThat(ok.partitions().get(0).keptCheckpoints()).isEqualTo(1);
        assertThat(ok.partitions().get(0).newestCheckpointMillis()).isEqualTo(5L);

        // a copy kept from another history (here: signed for a head the log does not have at 14)
        Checkpoint other = new Checkpoint(0, 14, 15, chain.get(13).hash(), 5L);
        VerificationReport.Break b = firstBreak(verify(VerifyOptions.CHAINS_ONLY
                .against(List.of(new SignedCheckpoint(other, keys.sign(other))))));
        assertThat(b.position()).isEqualTo(14);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);

        Checkpoint forged = new Checkpoint(0, 25, 26, chain.get(19).hash(), 5L);
        VerificationReport.Break bad = firstBreak(verify(VerifyOptions.CHAINS_ONLY.against(List.of(
                new SignedCheckpoint(forged, SigningKeys.loadOrCreate(otherDir).sign(forged))))));
        assertThat(bad.kind()).isEqualTo(ChainBreak.Kind.BAD_SIGNATURE);
    }

    @Test
    void aCheckpointSignedWithAnotherKeyIsABadSignature() {
        writeEntries(chain);
        writeCheckpoint(9, chain, keys);
        writeCheckpoint(14, chain, SigningKeys.loadOrCreate(otherDir));
        writeCheckpoint(19, chain, keys);

        VerificationReport.Break b = firstBreak(verify());
        assertThat(b.position()).isEqualTo(14);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.BAD_SIGNATURE);
    }

    @Test
    void anExportedArchiveVerifiesAndAnEditOfItsEntriesIsCaught() throws Exception {
        genuineLog();
        Path archive = work.resolve("log.zip");
        try (AuditReader reader = reader()) {
            AuditArchive.export(reader, keys.publicKey(), archive);
        }
        VerificationReport intact = AuditArchive.verify(archive, keys.publicKey());
        assertThat(intact.intact()).as(intact.describe()).isTrue();
        assertThat(intact.entries()).isEqualTo(ENTRIES);
        assertThat(intact.checkpoints()).isEqualTo(2);
        assertThat(AuditArchive.publicKey(archive)).isEqualTo(keys.publicKey());

        Path edited = work.resolve("edited.zip");
        rewriteEntries(archive, edited, 4);
        VerificationReport.Break b = firstBreak(AuditArchive.verify(edited, keys.publicKey()));
        assertThat(b.position()).isEqualTo(4);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.ALTERED);
    }

    /** A log of 60 entries, one a millisecond, with checkpoints every ten up to position 49: 50..59 are uncovered. */
    private List<ExchangeEntry> longLog() {
        HashChain c = HashChain.genesis();
        List<ExchangeEntry> log = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            log.add(c.append(StagedEntries.entry("src.psb.slice", i)));
        }
        writeEntries(log);
        for (int at = 9; at < 50; at += 10) {
            writeCheckpoint(at, log, keys);
        }
        return log;
    }

    private Path exportSlice(List<ExchangeEntry> log, int fromPosition, Integer untilPosition) {
        Path archive = work.resolve("slice-" + fromPosition + ".zip");
        AuditArchive.Range range = new AuditArchive.Range(Instant.ofEpochMilli(log.get(fromPosition).timeMillis()),
                untilPosition == null ? null : Instant.ofEpochMilli(log.get(untilPosition).timeMillis()));
        try (AuditReader reader = reader()) {
            AuditArchive.export(reader, keys.publicKey(), archive, range);
        }
        return archive;
    }

    @Test
    void aSliceInTheMiddleStartsAndEndsAtSignedCheckpointsAndVerifies() throws Exception {
        List<ExchangeEntry> log = longLog();
        Path archive = exportSlice(log, 23, 34);

        VerificationReport report = AuditArchive.verify(archive, keys.publicKey());
        assertThat(report.intact()).as(report.describe()).isTrue();
        VerificationReport.Partition p = report.partitions().get(0);
        assertThat(p.firstPosition()).as("resumes after the checkpoint at 19").isEqualTo(20);
        assertThat(p.entries()).as("positions 20 to 39, up to the checkpoint after entry 34").isEqualTo(20);
        assertThat(p.checkpoints()).as("19 (the start), 29, 39").isEqualTo(3);
        assertThat(p.uncoveredEntries()).isZero();
        assertThat(p.headHash()).isEqualTo(log.get(39).hash());
        assertThat(report.describe()).contains("positions 20 to 39 (resumed at the signed checkpoint at 19)");

        JsonNode manifest = manifest(archive);
        assertThat(manifest.path("range").path("from").asText())
                .isEqualTo(Instant.ofEpochMilli(log.get(23).timeMillis()).toString());
        JsonNode part = manifest.path("partitions").get(0);
        assertThat(part.path("start").path("position").asLong()).isEqualTo(19);
        assertThat(part.path("start").path("headHash").asText()).isEqualTo(log.get(19).hash());
        assertThat(part.path("firstPosition").asLong()).isEqualTo(20);
        assertThat(part.path("lastPosition").asLong()).isEqualTo(39);
        assertThat(part.path("end").asText()).isEqualTo("checkpoint");
    }

    @Test
    void aSliceStartingRightAfterACheckpointResumesThereAndOneWithoutAnEndCheckpointRunsToTheLogsEnd() {
        List<ExchangeEntry> log = longLog();

        VerificationReport atBoundary = AuditArchive.verify(exportSlice(log, 30, 30), keys.publicKey());
        assertThat(atBoundary.intact()).as(atBoundary.describe()).isTrue();
        assertThat(atBoundary.partitions().get(0).firstPosition()).isEqualTo(30);
        assertThat(atBoundary.entries()).isEqualTo(10);

        VerificationReport tail = AuditArchive.verify(exportSlice(log, 45, null), keys.publicKey());
        assertThat(tail.intact()).as(tail.describe()).isTrue();
        assertThat(tail.partitions().get(0).firstPosition()).isEqualTo(40);
        assertThat(tail.entries()).isEqualTo(20);
        assertThat(tail.uncoveredEntries()).as("50..59, as the live verify reports them").isEqualTo(10);

        VerificationReport fromStart = AuditArchive.verify(exportSlice(log, 5, 12), keys.publicKey());
        assertThat(fromStart.intact()).as(fromStart.describe()).isTrue();
        assertThat(fromStart.partitions().get(0).firstPosition()).as("no checkpoint before: from genesis").isZero();
        assertThat(fromStart.entries()).isEqualTo(20);
    }

    @Test
    void anEntryTamperedInsideASliceIsReportedAtItsChainPosition() throws Exception {
        List<ExchangeEntry> log = longLog();
        Path archive = exportSlice(log, 23, 34);
        Path edited = work.resolve("edited-slice.zip");
        rewriteEntries(archive, edited, 6);

        VerificationReport.Break b = firstBreak(AuditArchive.verify(edited, keys.publicKey()));
        assertThat(b.position()).isEqualTo(26);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.ALTERED);
    }

    @Test
    void aSliceWhoseStartingCheckpointIsForgedIsRejected() throws Exception {
        List<ExchangeEntry> log = longLog();
        Path archive = exportSlice(log, 23, 34);
        SigningKeys forger = SigningKeys.loadOrCreate(otherDir);
        Path forged = work.resolve("forged-start.zip");
        rewrite(archive, forged, AuditArchive.CHECKPOINTS, ExchangeLogCheckpoint.class,
                ExchangeLogCheckpoint.getClassSchema(), (i, cp) -> {
                    if (cp.getOffset() == 19) {
                        cp.setSignature(ByteBuffer.wrap(forger.sign(ExchangeLogRecords.toCheckpoint(cp))));
                    }
                    return true;
                });

        VerificationReport report = AuditArchive.verify(forged, keys.publicKey());
        VerificationReport.Break b = firstBreak(report);
        assertThat(b.position()).isEqualTo(19);
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.BAD_SIGNATURE);

        Path dropped = work.resolve("no-start.zip");
        rewriteWithout(archive, dropped, 19);
        VerificationReport.Break missing = firstBreak(AuditArchive.verify(dropped, keys.publicKey()));
        assertThat(missing.position()).isEqualTo(19);
        assertThat(missing.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        assertThat(missing.message()).contains("not proven");
    }

    private static JsonNode manifest(Path archive) throws Exception {
        try (ZipFile zip = new ZipFile(archive.toFile());
             InputStream in = zip.getInputStream(zip.getEntry(AuditArchive.MANIFEST))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Copies an archive without the checkpoint at a position. */
    private static void rewriteWithout(Path from, Path to, long position) throws Exception {
        rewrite(from, to, AuditArchive.CHECKPOINTS, ExchangeLogCheckpoint.class,
                ExchangeLogCheckpoint.getClassSchema(), (i, cp) -> cp.getOffset() != position);
    }

    /** Copies an archive, changing the purpose of one entry (by index in the file) in partition 0's entries file. */
    private static void rewriteEntries(Path from, Path to, int index) throws Exception {
        rewrite(from, to, AuditArchive.entriesFile(0), ExchangeLogEntry.class, ExchangeLogEntry.getClassSchema(),
                (i, entry) -> {
                    if (i == index) {
                        entry.setPurpose("marketing");
                    }
                    return true;
                });
    }

    /**
     * Copies an archive, letting {@code edit} change the records of one of its Avro files (by index) and say which to
     * keep.
     */
    private static <T> void rewrite(Path from, Path to, String name, Class<T> type, Schema schema,
                                    BiPredicate<Integer, T> edit) throws Exception {
        try (ZipFile zip = new ZipFile(from.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                out.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream in = zip.getInputStream(e)) {
                    if (!e.getName().equals(name)) {
                        in.transferTo(out);
                        continue;
                    }
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    try (DataFileStream<T> r = new DataFileStream<>(in, new SpecificDatumReader<>(type));
                         DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type))
                                 .create(schema, buf)) {
                        int i = 0;
                        for (T record : r) {
                            if (edit.test(i++, record)) {
                                w.append(record);
                            }
                        }
                    }
                    out.write(buf.toByteArray());
                }
            }
        }
    }
}
