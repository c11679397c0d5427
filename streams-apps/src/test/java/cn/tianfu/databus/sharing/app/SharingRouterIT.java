package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.SchemaMismatchException;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

class SharingRouterIT {

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static KafkaProducer<String, byte[]> governance;

    private final List<KafkaStreams> routers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Path stateDir;
    private Path dataDir;
    private String provider;
    private String consumer;
    private String code;
    private String appId;
    private final Map<String, DatabusClientConfig> departments = new HashMap<>();

    @BeforeAll
    static void connect() {
        bus = SharedBus.get();
        registry = bus.registryClient();
        Map<String, Object> props = new HashMap<>();
        props.putAll(bus.kafkaProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        governance = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void disconnect() {
        governance.close();
        registry.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        provider = "p" + suffix;
        consumer = "c" + suffix;
        code = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        appId = "router-it-" + suffix;
        stateDir = Files.createTempDirectory("router-state-");
        dataDir = Files.createTempDirectory("router-data-");
        bus.admin().createTopics(List.of(new NewTopic(Topics.source(provider, code), 2, (short) 1)
                .configs(Topics.resourceTopicConfigs()))).all().get(30, TimeUnit.SECONDS);
        int schemaId = registry.register(Topics.source(provider, code) + "-value", POPULATION);
        sendGovernance(Topics.CATALOG, code, entry(code, provider, SharingClass.UNCONDITIONAL, schemaId));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (KafkaStreams r : routers) {
            r.close(Duration.ofSeconds(30));
        }
        threads.shutdownNow();
        SharedBus.deleteRecursively(stateDir);
        SharedBus.deleteRecursively(dataDir);
    }

    private static void sendGovernance(String topic, String key, Object value) throws Exception {
        byte[] bytes = new AvroSerializer<>(registry).serialize(topic, value);
        governance.send(new ProducerRecord<>(topic, key, bytes)).get(30, TimeUnit.SECONDS);
    }

    private KafkaStreams startRouter() {
        KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, stateDir.toString(),
                RouterConfig.DATA_DIR_CONFIG, dataDir.toString(),
                RouterConfig.APPLICATION_ID_CONFIG, appId,
                RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000))));
        routers.add(router);
        router.start();
        return router;
    }

    /** The department's own client config: its credentials and ACLs, as {@code databus dept add} makes them. */
    private DatabusClientConfig department(String id) {
        return departments.computeIfAbsent(id, bus::addDepartment);
    }

    private Publisher publisher() {
        Publisher p = Publisher.create(department(provider), code);
        closeables.add(p);
        return p;
    }

    /** Collects every delivery the consumer department receives, from a background subscriber. */
    private List<Delivery> subscribe() {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(department(consumer), "it").resource(code)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        closeables.add(0, subscriber);
        threads.submit(() -> subscriber.run(received::add));
        return received;
    }

    private Grant.Builder grantToConsumer(String id) {
        return grant(id, code, provider, consumer);
    }

    @Test
    void publishedChangesArriveProjectedAndMasked() throws Exception {
        startRouter();
        sendGovernance(Topics.GRANTS, "g-" + appId, grantToConsumer("g-" + appId)
                .setAllowedFields(List.of("idNumber", "name", "divisionCode")).build());
        List<Delivery> received = subscribe();
        Publisher publisher = publisher();

        publisher.upsert("510104199001011234", resident("510104199001011234", "张三", "13812345678", "春熙路1号", "510104")).get();
        publisher.upsert("510105198502023456", resident("510105198502023456", "欧阳娜娜", null, null, "510105")).get();
        publisher.delete("510104199001011234").get();

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
        Delivery first = received.stream().filter(d -> d.value() != null
                && d.value().get("divisionCode").toString().equals("510104")).findFirst().orElseThrow();
        GenericRecord v = first.value();
        assertThat(v.getSchema().getFields()).extracting(f -> f.name()).containsExactly("idNumber", "name", "divisionCode");
        assertThat(v.get("idNumber").toString()).isEqualTo("510104********1234");
        assertThat(v.get("name").toString()).isEqualTo("张*");
        assertThat(first.key()).as("the masked key is pseudonymous").matches("[0-9a-f]{64}");
        Delivery tombstone = received.stream().filter(Delivery::isTombstone).findFirst().orElseThrow();
        assertThat(tombstone.kind()).isEqualTo(Delivery.Kind.DELETE);
        assertThat(tombstone.key()).isEqualTo(first.key());
        assertThat(received).allSatisfy(d -> assertThat(d.exchangeId()).matches("[0-9a-f]{32}"));

        var other = new org.apache.avro.Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        var record = new org.apache.avro.generic.GenericData.Record(other);
        record.put("a", "x");
        assertThatThrownBy(() -> publisher.upsert("k", record)).isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining(Topics.source(provider, code) + "-value");
    }

    @Test
    void aGrantAppearingLaterIsBackfilledWithEveryVersionTheLatestLast() throws Exception {
        startRouter();
        Publisher publisher = publisher();
        for (int i = 0; i < 10; i++) {
            String id = "51010419900101" + String.format("%04d", i);
            publisher.upsert(id, resident(id, "张三", null, null, "5101" + i));
        }
        String last = "510104199001010009";
        RecordMetadata lastChange = publisher.upsert(last, resident(last, "张三", null, null, "510199")).get();
        List<Delivery> received = subscribe();
        // the router has seen the last change: wait for its committed offset
        await().atMost(Duration.ofSeconds(60)).until(() -> committedOffset(lastChange) > lastChange.offset());

        sendGovernance(Topics.GRANTS, "g-" + appId, grantToConsumer("g-" + appId)
                .setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 11);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> received.size() == 11);
        assertThat(received).extracting(Delivery::key).as("every version still in the topic").hasSize(11)
                .containsOnlyOnce("510104199001010000", "510104199001010008");
        assertThat(received.stream().filter(d -> d.key().equals(last)).map(d -> d.value().get("divisionCode")
                .toString())).as("oldest first, the latest last").containsExactly("51019", "510199");
    }

    private long committedOffset(RecordMetadata m) throws Exception {
        var tp = new org.apache.kafka.common.TopicPartition(m.topic(), m.partition());
        var offsets = bus.admin().listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        var o = offsets.get(tp);
        return o == null ? -1 : o.offset();
    }

    @Test
    void everyDeliveryAndLogEntryExactlyOnceAcrossHardStopsAndALostStateDir() throws Exception {
        String grantId = "g-" + appId;
        sendGovernance(Topics.GRANTS, grantId, grantToConsumer(grantId).setClearFields(List.of("idNumber")).build());
        KafkaStreams router = startRouter();
        List<Delivery> received = subscribe();
        Map<String, Integer> logged = logCounter();
        Publisher publisher = publisher();

        int total = 600;
        Set<String> expected = ConcurrentHashMap.newKeySet();
        AtomicBoolean producing = new AtomicBoolean(true);
        Future<?> producer = threads.submit(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    String id = "5101041990" + String.format("%08d", i % 60);
                    RecordMetadata m = publisher.upsert(id, resident(id, "名" + i, null, null, "5101" + i)).get();
                    expected.add(ExchangeIds.forDelivery(m.topic(), m.partition(), m.offset(), grantId,
                            ExchangeEntry.Operation.UPSERT));
                }
            } finally {
                producing.set(false);
            }
            return null;
        });

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 100);
        router.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> router.state() == KafkaStreams.State.NOT_RUNNING);
        int atFirstStop = received.size();
        KafkaStreams second = startRouter();   // same state dir

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= atFirstStop + 100 || !producing.get());
        second.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> second.state() == KafkaStreams.State.NOT_RUNNING);
        SharedBus.deleteRecursively(stateDir);
        Files.createDirectories(stateDir);
        startRouter();                         // state rebuilt from the changelogs

        producer.get(120, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(120)).until(() -> received.size() >= total && loggedFor(logged) >= total);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                .until(() -> received.size() == total && loggedFor(logged) == total);

        Map<String, Long> deliveriesById = new HashMap<>();
        received.forEach(d -> deliveriesById.merge(d.exchangeId(), 1L, Long::sum));
        assertThat(deliveriesById.keySet()).isEqualTo(expected);
        assertThat(deliveriesById.values()).allMatch(n -> n == 1);
        assertThat(logged.keySet()).isEqualTo(expected);
        assertThat(logged.values()).allMatch(n -> n == 1);
    }

    private static int loggedFor(Map<String, Integer> logged) {
        return logged.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Counts the chained log entries of this test's resource by exchange id, read committed. */
    private Map<String, Integer> logCounter() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        Map<String, Object> props = new HashMap<>();
        props.putAll(bus.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "log-" + appId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroDeserializer<ExchangeLogEntry> reader = AvroDeserializer.specific(registry, ExchangeLogEntry.class);
        AtomicBoolean stop = new AtomicBoolean();
        closeables.add(0, () -> stop.set(true));
        threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(Topics.EXCHANGE_LOG));
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
}
