package cn.tianfu.databus.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ExitCode;

class AuditCommandIT {

    @TempDir
    Path dataDir;

    private final SharedBus bus = SharedBus.get();
    private final HttpSchemaRegistryClient registry = bus.registryClient();
    private String log;
    private String checkpoints;
    private KeyHasher hasher;
    private List<ExchangeEntry> chain;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void genuineLog() throws Exception {
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.empty());
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        hasher = KeyHasher.loadOrCreate(dataDir);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        log = "it.cli.log." + suffix;
        checkpoints = "it.cli.checkpoints." + suffix;
        createTopics();
        HashChain c = HashChain.genesis();
        chain = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String consumer = i % 2 == 0 ? "hrss" : "amr";
            chain.add(c.append(new ExchangeEntry("id-" + i, 1_735_700_000_000L + i * 86_400_000L,
                    ExchangeEntry.Mode.PUSH, "10101-000001", "psb", consumer, "g-" + consumer, "eligibility",
                    hasher.hash(("citizen-" + (i % 3)).getBytes(StandardCharsets.UTF_8)), ExchangeEntry.Operation.UPSERT,
                    "ab", "src.psb.10101-000001", 0, (long) i, null, null, null, null, null)));
        }
        produce(chain);
        // as the ledger signs them: the last one just now (its heartbeat), the one at 2 ten minutes before
        long now = System.currentTimeMillis();
        signCheckpoints(keys, Map.of(2, now - 600_000L, 5, now));
    }

    /** The copies of the log topics, configured as the bus declares the exchange log (delete only, five years). */
    private void createTopics() throws Exception {
        bus.admin().createTopics(List.of(new NewTopic(log, 1, (short) 1).configs(Topics.exchangeLogConfigs()),
                new NewTopic(checkpoints, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    private void signCheckpoints(SigningKeys keys, Map<Integer, Long> timeAt) {
        AvroSerde<ExchangeLogCheckpoint> serde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<Integer, ExchangeLogCheckpoint> p = new KafkaProducer<>(
                bus.kafkaProperties(), new IntegerSerializer(),
                serde.serializer())) {
            for (int at : new java.util.TreeSet<>(timeAt.keySet())) {
                Checkpoint cp = new Checkpoint(0, at, at + 1, chain.get(at).hash(), timeAt.get(at));
                p.send(new ProducerRecord<>(checkpoints, 0,
                        ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey())));
            }
        }
    }

    private void produce(List<ExchangeEntry> entries) {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<String, ExchangeLogEntry> p = new KafkaProducer<>(
                bus.kafkaProperties(), new StringSerializer(),
                serde.serializer())) {
            entries.forEach(e -> p.send(new ProducerRecord<>(log, 0, e.exchangeId(), ExchangeLogRecords.toAvro(e))));
        }
    }

    private Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dataDir.toString(), "--log-topic", log, "--checkpoint-topic", checkpoints));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DatabusCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void verifyExitsZeroOnAnIntactLogAndOneWithThePositionOnATamperedOne() {
        Run ok = run("audit", "verify");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("OK").contains("6 entries").contains("2 signed checkpoints");

        ExchangeEntry e = chain.get(2);
        produce(List.of(new ExchangeEntry(e.exchangeId(), e.timeMillis(), e.mode(), e.resourceCode(), e.provider(),
                "mca", e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), null, null, null, e.prevHash(), e.hash())));
        Run broken = run("audit", "verify");
        assertThat(broken.code()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(broken.out()).startsWith("BROKEN").contains("first break at position 6 (log offset 6)");
    }

    @Test
    void traceListsWhoReceivedARecordAndReportCountsPerResourceAndPurpose() {
        Run trace = run("audit", "trace", "--resource", "10101-000001", "--key", "citizen-1");
        assertThat(trace.code()).as(trace.err()).isZero();
        assertThat(trace.out()).contains("id-1").contains("id-4").doesNotContain("id-0 ")
                .contains("2 exchanges of this record");

        Run report = run("audit", "report", "--consumer", "hrss", "--from", "2025-01-02");
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("10101-000001").contains("eligibility").contains("2 exchanges to hrss");
    }

    @Test
    void anExportedArchiveVerifiesOffTheBus(@TempDir Path out) {
        Path archive = out.resolve("log.zip");
        Run export = run("audit", "export", "--to", archive.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("6 entries");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DatabusCli.run(new String[] {"audit", "verify", "--archive", archive.toString()},
                new PrintWriter(o), new PrintWriter(e));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).startsWith("OK").contains("6 entries");
        assertThat(e.toString()).contains("key stored in the archive");
    }

    @Test
    void aSliceExportedByDateStartsAtTheCheckpointBeforeItAndVerifiesOffTheBus(@TempDir Path out) {
        // entry i is at 2025-01-(1+i) 10:53 Shanghai time; the first of 2025-01-05 is entry 4, the checkpoint before it at 2
        Path archive = out.resolve("slice.zip");
        Run export = run("audit", "export", "--to", archive.toString(), "--from", "2025-01-05");
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("3 entries").contains("2 checkpoints")
                .contains("entries from 2025-01-04T16:00:00Z until the end");

        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DatabusCli.run(new String[] {"audit", "verify", "--archive", archive.toString(),
                "--public-key", dataDir.resolve("keys/exchange-log.pub.pem").toString()},
                new PrintWriter(o), new PrintWriter(e));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).startsWith("OK").contains("3 entries, positions 3 to 5 (resumed at the signed "
                + "checkpoint at 2)");

        Run until = run("audit", "export", "--to", out.resolve("early.zip").toString(), "--until",
                "2025-01-02T00:00:00Z");
        assertThat(until.code()).as(until.err()).isZero();
        assertThat(until.out()).as("up to the checkpoint after entry 0").contains("3 entries");
    }

    @Test
    void aTombstoneOnTheLogRemovesNothingAndVerifyReportsIt() throws Exception {
        assertThat(bus.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, log))).all()
                .get(30, TimeUnit.SECONDS).values().iterator().next().get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                .isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(bus.kafkaProperties(), new StringSerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(log, 0, "id-2", null)).get(30, TimeUnit.SECONDS);
        }

        // delete-only: no compaction will ever run on the log, so the entry keyed id-2 stays, next to the tombstone
        assertThat(readLog()).filteredOn(r -> "id-2".equals(r.key())).extracting(r -> r.value() != null)
                .containsExactly(true, false);
        Run broken = run("audit", "verify");
        assertThat(broken.code()).as(broken.out()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(broken.out()).startsWith("BROKEN").contains("6 entries").contains("(log offset 6)")
                .contains("ALTERED").contains("tombstone");
    }

    @Test
    void aForgedTailEntryFailsVerifyUnlessUncoveredEntriesAreAllowedAndThenItIsReported() {
        HashChain attacker = HashChain.resume(chain.get(5).hash(), 6);
        produce(List.of(attacker.append(new ExchangeEntry("forged-1", System.currentTimeMillis(),
                ExchangeEntry.Mode.PUSH, "10101-000001", "psb", "amr", "g-amr", "eligibility",
                hasher.hash("citizen-0".getBytes(StandardCharsets.UTF_8)), ExchangeEntry.Operation.UPSERT, "ab",
                "src.psb.10101-000001", 0, 99L, null, null, null, null, null))));

        Run strict = run("audit", "verify");
        assertThat(strict.code()).as(strict.out()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(strict.out()).startsWith("BROKEN").contains("first break at position 6").contains("UNCOVERED");

        Run live = run("audit", "verify", "--allow-uncovered");
        assertThat(live.code()).as(live.out()).isZero();
        assertThat(live.out()).startsWith("OK").contains("7 entries")
                .contains("1 entries after the last checkpoint (linked, not yet covered by a signature)");
    }

    @Test
    void aTailCutFromTheLogAndItsCheckpointsIsFoundByTheHeartbeatAndByTheKeptCopy(@TempDir Path auditor)
            throws Exception {
        Path kept = auditor.resolve("kept-checkpoints.avro");
        Run export = run("audit", "checkpoints", "export", "--out", kept.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("partition 0: 6 entries, head " + chain.get(5).hash());
        assertThat(run("audit", "verify", "--against", kept.toString()).code()).isZero();

        // whoever can administer the topics recreates both with a prefix: entries 0..2 and the checkpoint at 2
        recreateTopics();
        produce(chain.subList(0, 3));
        signCheckpoints(SigningKeys.loadOrCreate(dataDir), Map.of(2, System.currentTimeMillis() - 600_000L));

        Run stale = run("audit", "verify");
        assertThat(stale.code()).as(stale.out()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(stale.out()).startsWith("BROKEN").contains("3 entries").contains("STALE");

        // even where the heartbeat cannot tell (a cut of the last minutes, checked at once), the kept copy does
        Run cut = run("audit", "verify", "--heartbeat", "PT24H", "--against", kept.toString());
        assertThat(cut.code()).as(cut.out()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(cut.out()).startsWith("BROKEN").contains("first break at position 5").contains("CHECKPOINT_MISMATCH")
                .contains("cut from the end");
        assertThat(run("audit", "verify", "--heartbeat", "PT24H").code())
                .as("without the copy, nothing left on the bus shows the cut").isZero();

        Run again = run("audit", "checkpoints", "export", "--out", kept.toString());
        assertThat(again.code()).as("the copy is never moved back").isEqualTo(ExitCode.SOFTWARE);
        assertThat(again.out()).contains("partition 0: 6 entries").contains("behind the copy");
    }

    @Test
    void digestComputesTheLogsKeyedDigestAndComparesItWithAnExchange(@TempDir Path files) throws Exception {
        byte[] delivered = {0, 0, 0, 0, 7, 2, 'o', 'k'};
        Path value = files.resolve("value.bin");
        java.nio.file.Files.write(value, delivered);
        ExchangeEntry e = chain.get(5);
        HashChain c = HashChain.resume(e.hash(), 6);
        ExchangeEntry delivery = c.append(new ExchangeEntry("id-6", e.timeMillis() + 1, e.mode(), e.resourceCode(),
                e.provider(), e.consumer(), e.grantId(), e.purpose(), e.keyHash(), e.operation(),
                hasher.valueDigest(delivered), e.sourceTopic(), 0, 6L, null, null, null, null, null));
        produce(List.of(delivery));

        Run digest = run("audit", "digest", value.toString());
        assertThat(digest.code()).as(digest.err()).isZero();
        assertThat(digest.out().trim()).isEqualTo(hasher.valueDigest(delivered));
        Run match = run("audit", "digest", value.toString(), "--exchange", "id-6");
        assertThat(match.code()).as(match.out() + match.err()).isZero();
        assertThat(match.out()).contains("MATCH");
        Run differs = run("audit", "digest", value.toString(), "--exchange", "id-5");
        assertThat(differs.code()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(differs.out()).contains("DIFFERS");
    }

    private List<ConsumerRecord<String, byte[]>> readLog() {
        Map<String, Object> props = new java.util.HashMap<>(bus.kafkaProperties());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(log, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private void recreateTopics() throws Exception {
        bus.admin().deleteTopics(List.of(log, checkpoints)).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(bus.admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(log, checkpoints);
            createTopics();
        });
    }
}
