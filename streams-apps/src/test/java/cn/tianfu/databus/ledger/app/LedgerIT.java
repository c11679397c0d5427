package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cn.tianfu.databus.audit.AuditCheckpoints;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.ledger.ChainBreak;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchange log as the bus writes it: the ledger's chain nodes in the sharing router's app, here fed through the
 * staging topic (entries written outside the router's transactions). The router also routes what the shared bus's
 * other tests left on their source topics into the same log: counts are of this test's own entries (by source topic),
 * verification covers the whole log.
 */
class LedgerIT {

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    private final SharedBus bus = SharedBus.get();
    private final SchemaRegistryClient registry = bus.registryClient();

    private RouterConfig config(LogTopics topics, String appId, Path stateDir) {
        return config(topics, appId, stateDir, Map.of());
    }

    private RouterConfig config(LogTopics topics, String appId, Path stateDir, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>(bus.streamsAppConfig(Map.of(RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers())));
        p.put(RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl());
        p.put(RouterConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(RouterConfig.DATA_DIR_CONFIG, dataDir.toString());
        p.put(RouterConfig.APPLICATION_ID_CONFIG, appId);
        p.put(RouterConfig.CHECKPOINT_EVERY_ENTRIES_CONFIG, 50L);
        p.put(RouterConfig.CHECKPOINT_INTERVAL_MS_CONFIG, 300L);
        p.put(RouterConfig.STAGING_TOPIC_CONFIG, topics.staging());
        p.put(RouterConfig.LOG_TOPIC_CONFIG, topics.log());
        p.put(RouterConfig.CHECKPOINT_TOPIC_CONFIG, topics.checkpoints());
        p.put("streams.commit.interval.ms", 100);
        // the id store forgets ids older than its newest entry's time minus the retention; this router also routes
        // the shared bus's other grants, and a task beyond the log's partitions stages their entries (stamped now)
        // back through this staging topic, so the fixed 2023 times of the staged entries here must stay within it
        p.put(RouterConfig.DEDUP_RETENTION_MS_CONFIG, Duration.ofDays(3650).toMillis());
        // a hard-stopped member holds its partitions until its session ends, and its open transaction holds back
        // read_committed readers until the broker aborts it: keep both short so the restarts take seconds
        p.put("streams.consumer.session.timeout.ms", 6000);
        p.put("streams.consumer.heartbeat.interval.ms", 1000);
        p.put("streams.producer.transaction.timeout.ms", 5000);
        p.putAll(extra);
        return RouterConfig.fromMap(p);
    }

    private KafkaProducer<String, ExchangeLogEntry> stagingProducer() {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        Map<String, Object> p = bus.kafkaProperties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(p, new StringSerializer(), serde.serializer());
    }

    private AuditReader reader(LogTopics topics) {
        return AuditReader.builder(bus.kafkaProperties())
                .registry(registry).publicKey(SigningKeys.loadOrCreate(dataDir).publicKey())
                .logTopic(topics.log()).checkpointTopic(topics.checkpoints()).build();
    }

    /** The ids of the log's entries made from {@code sourceTopic} (this test's), in log order. */
    private List<String> loggedIds(LogTopics topics, String sourceTopic) {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        return LogTopics.readCommitted(topics.log()).stream()
                .filter(r -> serde.deserializer().deserialize(topics.log(), r.value()).getSourceTopic().equals(sourceTopic))
                .map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void stagedEntriesAreChainedPerPartitionAndVerify() {
        LogTopics topics = LogTopics.create(2, 2);
        try (KafkaStreams ledger = SharingRouterApp.create(config(topics, "ledger-it-basic-" + topics.log(), work))) {
            ledger.start();
            try (KafkaProducer<String, ExchangeLogEntry> producer = stagingProducer()) {
                for (int i = 0; i < 300; i++) {
                    ExchangeEntry e = StagedEntries.entry("src.psb.basic", i);
                    producer.send(new ProducerRecord<>(topics.staging(), e.exchangeId(), ExchangeLogRecords.toAvro(e)));
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> loggedIds(topics, "src.psb.basic").size() == 300);
            try (AuditReader reader = reader(topics)) {
                // generous: a hard-stopped instance's open transaction holds the log's stable offset until the broker aborts it
                await().atMost(Duration.ofSeconds(120)).until(() -> reader.verify().uncoveredEntries() == 0);
                VerificationReport report = reader.verify();
                assertThat(report.intact()).as(report.describe()).isTrue();
                assertThat(report.entries()).isEqualTo(LogTopics.readCommitted(topics.log()).size());
                assertThat(loggedIds(topics, "src.psb.basic")).hasSize(300).doesNotHaveDuplicates();
                assertThat(report.partitions()).hasSize(2).allSatisfy(p -> {
                    assertThat(p.entries()).isPositive();
                    assertThat(p.checkpoints()).isPositive();
                });
            }
        }
    }

    @Test
    void aHardStoppedLedgerResumesWithoutGapsOrDuplicatesOnTheSameAndOnAWipedStateDir() throws Exception {
        LogTopics topics = LogTopics.create(2, 2);
        String appId = "ledger-it-crash-" + topics.log();
        int total = 3000;
        int chunk = total / 3;
        AtomicInteger staged = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        // The stager stages one chunk per ledger instance, released when that instance is running: a hard stop is not
        // immediate (the stream thread finishes its loop and commits), so an instance stopped at "300 logged" may have
        // logged far more, and with everything staged at once a fast machine left fewer than 300 for the next one.
        Semaphore released = new Semaphore(chunk);
        Thread stager = new Thread(() -> {
            try (KafkaProducer<String, ExchangeLogEntry> producer = stagingProducer()) {
                for (int i = 0; i < total; i++) {
                    if (!released.tryAcquire(180, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no chunk released for entry " + i);
                    }
                    ExchangeEntry e = StagedEntries.entry("src.psb.crash", i);
                    producer.send(new ProducerRecord<>(topics.staging(), e.exchangeId(), ExchangeLogRecords.toAvro(e)));
                    staged.incrementAndGet();
                    if (i % 100 == 99) {
                        producer.flush();
                        Thread.sleep(20);
                    }
                }
            } catch (Exception e) {
                failed.set(true);
            }
        }, "stager");
        stager.start();

        Path stateDir = Files.createDirectories(work.resolve("state-1"));
        KafkaStreams first = SharingRouterApp.create(config(topics, appId, stateDir));
        first.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> loggedIds(topics, "src.psb.crash").size() >= 300);
        first.close(Duration.ZERO);
        awaitStopped(first);

        KafkaStreams second = SharingRouterApp.create(config(topics, appId, stateDir));
        second.start();
        int seen = loggedIds(topics, "src.psb.crash").size();   // at most the first chunk
        released.release(chunk);
        await("the restarted ledger logs 300 entries after the " + seen + " logged before it")
                .atMost(Duration.ofSeconds(60)).until(() -> loggedIds(topics, "src.psb.crash").size() >= seen + 300);
        second.close(Duration.ZERO);
        awaitStopped(second);

        Path wiped = Files.createDirectories(work.resolve("state-wiped"));
        try (KafkaStreams third = SharingRouterApp.create(config(topics, appId, wiped))) {
            third.start();
            released.release(total - 2 * chunk);
            stager.join(120_000);
            assertThat(failed).isFalse();
            assertThat(staged).hasValue(total);
            await().atMost(Duration.ofSeconds(90)).until(() -> loggedIds(topics, "src.psb.crash").size() >= total);

            List<String> ids = loggedIds(topics, "src.psb.crash");
            Map<String, Long> counts = ids.stream().collect(Collectors.groupingBy(Function.identity(),
                    Collectors.counting()));
            assertThat(counts.values()).allMatch(c -> c == 1L);
            assertThat(counts.keySet()).hasSize(total).containsAll(
                    java.util.stream.IntStream.range(0, total)
                            .mapToObj(i -> StagedEntries.entry("src.psb.crash", i).exchangeId()).toList());
            try (AuditReader reader = reader(topics)) {
                // generous: a hard-stopped instance's open transaction holds the log's stable offset until the broker aborts it
                await().atMost(Duration.ofSeconds(120)).until(() -> reader.verify().uncoveredEntries() == 0);
                VerificationReport report = reader.verify();
                assertThat(report.intact()).as(report.describe()).isTrue();
                assertThat(report.entries()).isEqualTo(LogTopics.readCommitted(topics.log()).size());
            }
        } finally {
            second.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void anIdleLedgerKeepsTheLogFreshAndATailCutFromLogAndCheckpointsIsFound() throws Exception {
        LogTopics topics = LogTopics.create(1, 1);
        Duration heartbeat = Duration.ofSeconds(1);
        RouterConfig config = config(topics, "ledger-it-heartbeat-" + topics.log(), work,
                Map.of(RouterConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeat.toMillis()));
        Path kept = work.resolve("kept-checkpoints.avro");
        long keptCount;
        try (KafkaStreams ledger = SharingRouterApp.create(config)) {
            ledger.start();
            stage(topics, 0, 10);
            await().atMost(Duration.ofSeconds(120)).until(() -> verifyStrict(topics, heartbeat).intact());
            stage(topics, 10, 20);
            // the same exchange again, staged later (as a replaying router would): chained once
            ExchangeEntry first = StagedEntries.entry("src.psb.beat", 0);
            try (KafkaProducer<String, ExchangeLogEntry> producer = stagingProducer()) {
                producer.send(new ProducerRecord<>(topics.staging(), first.exchangeId(), ExchangeLogRecords.toAvro(
                        new ExchangeEntry(first.exchangeId(), first.timeMillis() + 3_600_000L, first.mode(),
                                first.resourceCode(), first.provider(), first.consumer(), first.grantId(),
                                first.purpose(), first.keyHash(), first.operation(), first.valueDigest(),
                                first.sourceTopic(), first.sourcePartition(), first.sourceOffset(),
                                first.deliveryTopic(), first.deliveryPartition(), first.deliveryOffset(), null, null))));
            }
            stage(topics, 20, 21);
            await().atMost(Duration.ofSeconds(120)).until(() -> loggedIds(topics, "src.psb.beat").size() >= 21);
            // idle from here on: only heartbeats keep the newest checkpoint younger than two heartbeats
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                VerificationReport r = verifyStrict(topics, heartbeat);
                return r.intact() && r.checkpoints() >= 5;
            });
            assertThat(loggedIds(topics, "src.psb.beat")).hasSize(21).doesNotHaveDuplicates();
            try (AuditReader reader = reader(topics)) {
                AuditCheckpoints.Export export = AuditCheckpoints.export(reader,
                        SigningKeys.loadOrCreate(dataDir).publicKey(), kept);
                keptCount = export.kept().get(0).checkpoint().entryCount();
                assertThat(keptCount).isEqualTo(LogTopics.readCommitted(topics.log()).size()).isGreaterThanOrEqualTo(21);
            }
        }

        // the ledger is stopped; both topics are recreated with the first 10 entries and the checkpoints up to them
        List<ConsumerRecord<byte[], byte[]>> log = LogTopics.readCommitted(topics.log());
        List<ConsumerRecord<byte[], byte[]>> cps = LogTopics.readCommitted(topics.checkpoints());
        AvroSerde<ExchangeLogCheckpoint> cpSerde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
        cpSerde.configure(Map.of(), false);
        int cut = 0;
        while (cpSerde.deserializer().deserialize(topics.checkpoints(), cps.get(cut).value()).getEntryCount() < 10) {
            cut++;
        }
        // the first ten entries were all covered before the next were staged: a checkpoint signed them
        int prefix = (int) cpSerde.deserializer().deserialize(topics.checkpoints(), cps.get(cut).value()).getEntryCount();
        assertThat(prefix).isLessThan((int) keptCount);
        LogTopics.recreate(topics);
        LogTopics.write(topics.log(), log.subList(0, prefix));
        LogTopics.write(topics.checkpoints(), cps.subList(0, cut + 1));

        VerificationReport chainsOnly = verify(topics, VerifyOptions.CHAINS_ONLY.allowUncovered(false));
        assertThat(chainsOnly.intact()).as("the prefix is a valid log on its own: " + chainsOnly.describe()).isTrue();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            VerificationReport stale = verifyStrict(topics, heartbeat);
            assertThat(stale.intact()).isFalse();
            assertThat(stale.partitions().get(0).firstBreak().kind()).isEqualTo(ChainBreak.Kind.STALE);
        });
        VerificationReport against = verify(topics, VerifyOptions.CHAINS_ONLY.allowUncovered(false)
                .heartbeat(Duration.ofDays(1), Instant.now()).against(AuditCheckpoints.read(kept)));
        assertThat(against.intact()).isFalse();
        VerificationReport.Break b = against.partitions().get(0).firstBreak();
        assertThat(b.kind()).isEqualTo(ChainBreak.Kind.CHECKPOINT_MISMATCH);
        assertThat(b.position()).isEqualTo(keptCount - 1);
        assertThat(b.message()).contains("cut from the end");
    }

    private void stage(LogTopics topics, int from, int to) {
        try (KafkaProducer<String, ExchangeLogEntry> producer = stagingProducer()) {
            for (int i = from; i < to; i++) {
                ExchangeEntry e = StagedEntries.entry("src.psb.beat", i);
                producer.send(new ProducerRecord<>(topics.staging(), e.exchangeId(), ExchangeLogRecords.toAvro(e)));
            }
        }
    }

    private VerificationReport verifyStrict(LogTopics topics, Duration heartbeat) {
        return verify(topics, VerifyOptions.CHAINS_ONLY.allowUncovered(false).heartbeat(heartbeat, Instant.now()));
    }

    private VerificationReport verify(LogTopics topics, VerifyOptions options) {
        try (AuditReader reader = reader(topics)) {
            return reader.verify(options);
        }
    }

    /** A hard stop does not wait; the next instance on the same state directory needs the old one's lock. */
    private static void awaitStopped(KafkaStreams streams) {
        await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.NOT_RUNNING
                || streams.state() == KafkaStreams.State.ERROR);
    }

    @Test
    void refusesToStartWhenStagingAndLogDifferInPartitionCount() {
        LogTopics topics = LogTopics.create(2, 3);
        assertThatThrownBy(() -> SharingRouterApp.create(config(topics, "ledger-it-mismatch", work)))
                .isInstanceOf(LedgerAppException.class)
                .hasMessageContaining("has 2 partitions but the log topic " + topics.log() + " has 3");
    }
}
