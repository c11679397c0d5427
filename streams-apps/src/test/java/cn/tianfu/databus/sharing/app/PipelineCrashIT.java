package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharing router with its exchange log, exactly once across hard stops and a wiped state directory: every delivery
 * the grants call for arrives once, every exchange is chained once (in the transaction of its delivery), and the
 * chained log verifies with every entry under a signed checkpoint. The router writes its own log and checkpoint
 * topics, so other tests on the shared bus see nothing of it.
 */
class PipelineCrashIT {

    private static final String FILTER = "divisionCode != null && divisionCode.startsWith(\"5101\")";
    private static final Predicate<GenericRecord> PASSES =
            v -> v.get("divisionCode") != null && v.get("divisionCode").toString().startsWith("5101");
    private static final int TOTAL = 900;
    private static final int KEYS = 80;
    /** How far the publisher may run ahead of the deliveries, so the stops always fall mid-stream. */
    private static final int MAX_AHEAD = 150;
    /**
     * A hard-stopped member holds its partitions until its session times out, and its open transaction holds back
     * read_committed readers until the broker aborts it: both kept short so the restarts take seconds.
     */
    private static final Map<String, Object> QUICK_RECOVERY = Map.of(
            "streams.commit.interval.ms", 100,
            "streams.consumer.session.timeout.ms", 6000,
            "streams.consumer.heartbeat.interval.ms", 1000,
            "streams.producer.transaction.timeout.ms", 5000);

    private final Map<String, DatabusClientConfig> departments = new ConcurrentHashMap<>();

    @TempDir
    Path work;

    private final SharedBus bus = SharedBus.get();
    private final SchemaRegistryClient registry = bus.registryClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<KafkaStreams> apps = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private String suffix;
    private String provider;
    private String code;
    private Path dataDir;
    private String logTopic;
    private String checkpointTopic;

    /** What the grants call for, computed from what was published (the consumer's side of the decision table). */
    private static final class Grantee {
        final String grantId;
        final String consumer;
        final Predicate<GenericRecord> filter;
        final Set<String> held = new HashSet<>();
        final Set<String> expectedIds = ConcurrentHashMap.newKeySet();

        Grantee(String grantId, String consumer, Predicate<GenericRecord> filter) {
            this.grantId = grantId;
            this.consumer = consumer;
            this.filter = filter;
        }

        void published(String key, GenericRecord value, RecordMetadata m) {
            ExchangeEntry.Operation op = null;
            if (value == null) {
                op = held.remove(key) ? ExchangeEntry.Operation.DELETE : null;
            } else if (filter.test(value)) {
                held.add(key);
                op = ExchangeEntry.Operation.UPSERT;
            } else if (held.remove(key)) {
                op = ExchangeEntry.Operation.RETRACT;
            }
            if (op != null) {
                expectedIds.add(ExchangeIds.forDelivery(m.topic(), m.partition(), m.offset(), grantId, op));
            }
        }

        /** The consumer's final view: the last published value of every key that passes the filter, by name. */
        Map<String, String> expectedState(Map<String, GenericRecord> last) {
            Map<String, String> out = new HashMap<>();
            last.forEach((k, v) -> {
                if (v != null && filter.test(v)) {
                    out.put(k, v.get("name").toString());
                }
            });
            return out;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        provider = "p" + suffix;
        code = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        dataDir = Files.createDirectories(work.resolve("data"));
        logTopic = "it.pipeline.log." + suffix;
        checkpointTopic = "it.pipeline.checkpoints." + suffix;
        int stagingPartitions = bus.admin().describeTopics(List.of(Topics.EXCHANGE_LOG_STAGING)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(Topics.EXCHANGE_LOG_STAGING).partitions().size();
        bus.admin().createTopics(List.of(
                new NewTopic(Topics.source(provider, code), 2, (short) 1).configs(Topics.resourceTopicConfigs()),
                new NewTopic(logTopic, stagingPartitions, (short) 1).configs(Topics.exchangeLogConfigs()),
                new NewTopic(checkpointTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        int schemaId = registry.register(Topics.source(provider, code) + "-value", POPULATION);
        governance(Topics.CATALOG, code, entry(code, provider, SharingClass.UNCONDITIONAL, schemaId));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (KafkaStreams app : apps) {
            app.close(Duration.ofSeconds(30));
        }
        threads.shutdownNow();
        registry.close();
    }

    private void governance(String topic, String key, Object value) throws Exception {
        byte[] bytes = new AvroSerializer<>(registry).serialize(topic, value);
        Map<String, Object> props = bus.kafkaProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, key, bytes)).get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaStreams startRouter(Path stateDir) {
        Map<String, Object> p = new HashMap<>();
        p.put(RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
        p.put(RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl());
        p.put(RouterConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(RouterConfig.DATA_DIR_CONFIG, dataDir.toString());
        p.put(RouterConfig.APPLICATION_ID_CONFIG, "pipeline-router-" + suffix);
        p.put(RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300);
        p.put(RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2);
        p.put("streams.main.consumer.metadata.max.age.ms", 1000);
        p.put(RouterConfig.CHECKPOINT_EVERY_ENTRIES_CONFIG, 50L);
        p.put(RouterConfig.CHECKPOINT_INTERVAL_MS_CONFIG, 300L);
        p.put(RouterConfig.STAGING_TOPIC_CONFIG, Topics.EXCHANGE_LOG_STAGING);
        p.put(RouterConfig.LOG_TOPIC_CONFIG, logTopic);
        p.put(RouterConfig.CHECKPOINT_TOPIC_CONFIG, checkpointTopic);
        p.putAll(QUICK_RECOVERY);
        KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(p)));
        apps.add(router);
        router.start();
        return router;
    }

    /** Hard stop: no commit, no flush; the next instance must fence and abort what this one left open. */
    private static void hardStop(KafkaStreams... streams) {
        for (KafkaStreams s : streams) {
            s.close(Duration.ZERO);
        }
        for (KafkaStreams s : streams) {
            await().atMost(Duration.ofSeconds(60)).until(() -> s.state() == KafkaStreams.State.NOT_RUNNING);
        }
    }

    /** The department's client config with its own credentials and ACLs, created once per test. */
    private DatabusClientConfig department(String id) {
        return departments.computeIfAbsent(id, bus::addDepartment);
    }

    /** Every delivery to a consumer, in the order received, from a background subscriber (read_committed). */
    private List<Delivery> subscribe(String consumer) {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(department(consumer), "it").resource(code)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        closeables.add(0, subscriber);
        threads.submit(() -> subscriber.run(received::add));
        return received;
    }

    /** Counts this resource's chained entries by exchange id, read committed from the router's log topic. */
    private Map<String, Integer> logCounter() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        Map<String, Object> props = bus.kafkaProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "pipeline-log-" + suffix);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        AvroDeserializer<ExchangeLogEntry> reader = AvroDeserializer.specific(registry, ExchangeLogEntry.class);
        AtomicBoolean stop = new AtomicBoolean();
        closeables.add(0, () -> stop.set(true));
        threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(logTopic));
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        ExchangeLogEntry e = reader.deserialize(r.topic(), r.value());
                        if (e.getResourceCode().equals(code)) {
                            counts.merge(e.getExchangeId(), 1, Integer::sum);
                        }
                    }
                }
            }
        });
        return counts;
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void theRouterDeliversAndChainsEveryExchangeOnceAcrossHardStopsAndAWipedStateDir() throws Exception {
        Grantee all = new Grantee("g-all-" + suffix, "a" + suffix, v -> true);
        Grantee filtered = new Grantee("g-filtered-" + suffix, "b" + suffix, PASSES);
        governance(Topics.GRANTS, all.grantId, grant(all.grantId, code, provider, all.consumer)
                .setClearFields(List.of("idNumber", "name")).build());
        governance(Topics.GRANTS, filtered.grantId, grant(filtered.grantId, code, provider, filtered.consumer)
                .setClearFields(List.of("idNumber", "name")).setRowFilter(FILTER).build());
        List<Grantee> grantees = List.of(all, filtered);

        Path routerState = Files.createDirectories(work.resolve("router"));
        KafkaStreams router = startRouter(routerState);
        List<Delivery> toAll = subscribe(all.consumer);
        List<Delivery> toFiltered = subscribe(filtered.consumer);
        Map<String, Integer> logged = logCounter();
        Publisher publisher = Publisher.create(department(provider), code);
        closeables.add(publisher);

        long seed = ThreadLocalRandom.current().nextLong();
        Map<String, GenericRecord> last = new LinkedHashMap<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        Future<?> changes = threads.submit(() -> {
            try {
                Random random = new Random(seed);
                for (int i = 0; i < TOTAL; i++) {
                    String key = "5101041990" + String.format("%08d", i < KEYS ? i : random.nextInt(KEYS));
                    int kind = i < KEYS ? 9 : random.nextInt(10);
                    GenericRecord value = kind < 2 ? null
                            : resident(key, "v" + i, null, null, (kind < 4 ? "3201" : "5101") + String.format("%02d", i % 100));
                    RecordMetadata m = (value == null ? publisher.delete(key) : publisher.upsert(key, value))
                            .get(30, TimeUnit.SECONDS);
                    last.put(key, value);
                    grantees.forEach(g -> g.published(key, value, m));
                    if (all.expectedIds.size() - toAll.size() >= MAX_AHEAD) {
                        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                                .until(() -> all.expectedIds.size() - toAll.size() < MAX_AHEAD);
                    }
                }
            } finally {
                publishing.set(false);
            }
            return null;
        });

        await().atMost(Duration.ofSeconds(60)).until(() -> toAll.size() >= 150 && sum(logged) >= 100);
        hardStop(router);
        router = startRouter(routerState);

        int atSecondStop = toAll.size() + 150;
        int loggedAtSecondStop = sum(logged) + 100;
        await().atMost(Duration.ofSeconds(60)).until(() -> !publishing.get()
                || toAll.size() >= atSecondStop && sum(logged) >= loggedAtSecondStop);
        assertThat(publishing).as("the second stop falls mid-stream").isTrue();
        hardStop(router);
        SharedBus.deleteRecursively(routerState);
        startRouter(Files.createDirectories(routerState));      // state (chain heads too) rebuilt from the changelogs

        changes.get(120, TimeUnit.SECONDS);
        int expectedDeliveries = all.expectedIds.size() + filtered.expectedIds.size();
        await().atMost(Duration.ofSeconds(90)).until(() -> toAll.size() >= all.expectedIds.size()
                && toFiltered.size() >= filtered.expectedIds.size() && sum(logged) >= expectedDeliveries);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).until(() ->
                toAll.size() == all.expectedIds.size() && toFiltered.size() == filtered.expectedIds.size()
                        && sum(logged) == expectedDeliveries);

        assertThat(filtered.expectedIds).as("the stream has retractions and deletes for the filtered grant")
                .hasSizeLessThan(all.expectedIds.size());
        for (Grantee g : grantees) {
            List<Delivery> received = g == all ? toAll : toFiltered;
            Map<String, Long> byId = new HashMap<>();
            Map<String, String> state = new HashMap<>();
            for (Delivery d : received) {
                byId.merge(d.exchangeId(), 1L, Long::sum);
                if (d.isTombstone()) {
                    state.remove(d.key());
                } else {
                    state.put(d.key(), d.value().get("name").toString());
                }
            }
            assertThat(byId.keySet()).as("exchange ids delivered to %s", g.consumer).isEqualTo(g.expectedIds);
            assertThat(byId.values()).as("each exactly once").allMatch(n -> n == 1);
            assertThat(state).as("%s's view of the last published values", g.consumer)
                    .isEqualTo(g.expectedState(last));
        }
        assertThat(received(toFiltered, Delivery.Kind.RETRACT)).isPositive();
        assertThat(received(toAll, Delivery.Kind.DELETE)).isPositive();

        Set<String> expectedLog = new HashSet<>(all.expectedIds);
        expectedLog.addAll(filtered.expectedIds);
        assertThat(logged.keySet()).isEqualTo(expectedLog);
        assertThat(logged.values()).as("each exchange chained exactly once").allMatch(n -> n == 1);

        try (AuditReader reader = AuditReader.builder(bus.kafkaProperties())
                .registry(registry).publicKey(SigningKeys.loadOrCreate(dataDir).publicKey())
                .logTopic(logTopic).checkpointTopic(checkpointTopic).build()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.verify().uncoveredEntries() == 0);
            VerificationReport report = reader.verify();
            assertThat(report.intact()).as(report.describe()).isTrue();
            assertThat(report.entries()).isGreaterThanOrEqualTo(expectedLog.size());
        }
    }

    private static long received(List<Delivery> deliveries, Delivery.Kind kind) {
        return deliveries.stream().filter(d -> d.kind() == kind).count();
    }
}
