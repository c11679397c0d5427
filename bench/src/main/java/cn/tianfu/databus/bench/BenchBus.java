package cn.tianfu.databus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.contract.Topics;

/**
 * The bus under test, in this JVM: the embedded broker, the system topics, the schema registry and the sharing router
 * (which chains the exchange log), wired as {@code BusRuntime} wires them (exactly-once v2, default commit interval). Resources and
 * grants are written straight onto {@code bus.catalog} and {@code bus.grants}, as governance would write them.
 */
final class BenchBus implements AutoCloseable {

    /** Partitions of source topics and the raw pipe's topic, as the embedded bus creates them. */
    static final int PARTITIONS = 2;
    /** Partitions of a delivery topic, the router's default. */
    static final int DELIVERY_PARTITIONS = 3;

    private final Path dataDir;
    private final boolean ownsDataDir;
    private final EmbeddedBroker broker;
    private final Admin admin;
    private final SchemaRegistryServer registryServer;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<String, byte[]> governance;
    private final List<KafkaStreams> apps = new ArrayList<>();
    private KafkaStreams router;
    private final BenchData data;
    private final int commitIntervalMs;
    private final AtomicInteger sequence = new AtomicInteger(ThreadLocalRandom.current().nextInt(100_000, 900_000));

    /** A resource of the benchmark catalogued on the bus. */
    record Resource(String code, String provider, int schemaId) {
        String sourceTopic() {
            return Topics.source(provider, code);
        }
    }

    private BenchBus(Path dataDir, boolean ownsDataDir, BenchData data, int commitIntervalMs) {
        this.dataDir = dataDir;
        this.commitIntervalMs = commitIntervalMs;
        this.ownsDataDir = ownsDataDir;
        this.data = data;
        // raw Kafka and the bus are measured on the same plaintext listener: SASL/SCRAM costs a handshake per
        // connection, not per record, and would only blur the comparison (docs/benchmarks.md)
        this.broker = EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 0,
                BrokerConfig.PARTITIONS_CONFIG, PARTITIONS,
                BrokerConfig.SECURITY_ENABLED_CONFIG, false)));
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        this.admin = Admin.create(adminProps);
        new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(PARTITIONS);
        this.registryServer = new SchemaRegistryServer(new RegistryServerConfig(Map.of(
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0,
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())));
        registryServer.start();
        this.registry = HttpSchemaRegistryClient.builder(registryServer.url()).build();
        Map<String, Object> gov = new HashMap<>();
        gov.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        gov.put(ProducerConfig.ACKS_CONFIG, "all");
        this.governance = new KafkaProducer<>(gov, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Starts the broker, registry and router on {@code dataDir} (a temporary directory when null), the
     * streams apps with {@code commitIntervalMs} (-1: Kafka Streams' default).
     */
    static BenchBus start(Path dataDir, BenchData data, int commitIntervalMs) {
        boolean temp = dataDir == null;
        Path dir;
        try {
            dir = temp ? Files.createTempDirectory("databus-bench-") : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new DatabusException("cannot create the benchmark's data directory: " + e.getMessage(), e);
        }
        BenchBus bus = new BenchBus(dir, temp, data, commitIntervalMs);
        try {
            bus.startStreamsApps();
            return bus;
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    private void startStreamsApps() {
        Map<String, Object> common = new HashMap<>();
        common.put("bootstrap.servers", broker.bootstrapServers());
        common.put("schema.registry.url", registryServer.url());
        common.put("state.dir", dataDir.resolve("streams").toString());
        common.put("data.dir", dataDir.toString());
        common.putAll(streamsOverrides(StreamsAppConfig.STREAMS_PREFIX));
        Map<String, Object> router = new HashMap<>(common);
        // each scenario publishes on a new source topic: let the router's pattern subscription find it quickly
        router.put("streams.main.consumer.metadata.max.age.ms", 500);
        router.put(RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 500);
        router.put(RouterConfig.DELIVERY_PARTITIONS_CONFIG, DELIVERY_PARTITIONS);
        KafkaStreams sharing = SharingRouterApp.create(RouterConfig.fromMap(router));
        apps.add(sharing);
        this.router = sharing;
        sharing.start();
        for (KafkaStreams app : apps) {
            awaitRunning(app, Duration.ofSeconds(120));
        }
    }

    static void awaitRunning(KafkaStreams app, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (app.state() != KafkaStreams.State.RUNNING) {
            if (app.state() == KafkaStreams.State.ERROR || app.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new DatabusException("a streams app stopped while starting (state " + app.state() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new DatabusException("a streams app did not reach RUNNING within " + timeout.toSeconds() + " s");
            }
            sleep(20);
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String registryUrl() {
        return registryServer.url();
    }

    SchemaRegistryClient registry() {
        return registry;
    }

    Admin admin() {
        return admin;
    }

    Path dataDir() {
        return dataDir;
    }

    BenchData data() {
        return data;
    }

    /** A fresh id, unique in this run, for names of departments, resources and apps. */
    int nextId() {
        return sequence.incrementAndGet();
    }

    /** Producer settings of every benchmark producer: idempotent, acks=all, lz4. */
    Map<String, Object> producerProperties(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return p;
    }

    /**
     * The client settings the bus's streams apps run with, beyond Kafka Streams' own defaults; the bare engines get
     * the same, so that a gain from them is not an artifact of the comparison.
     */
    static Map<String, Object> streamsClientDefaults() {
        return StreamsAppConfig.clientTuning();
    }

    /** The run's settings of every streams app (the bus's and the bare engines'), each key after {@code prefix}. */
    Map<String, Object> streamsOverrides(String prefix) {
        Map<String, Object> m = new HashMap<>();
        if (commitIntervalMs >= 0) {
            m.put(prefix + "commit.interval.ms", commitIntervalMs);
        }
        return m;
    }

    KafkaProducer<String, byte[]> producer(String clientId) {
        return new KafkaProducer<>(producerProperties(clientId), new StringSerializer(), new ByteArraySerializer());
    }

    /** The SDK client config of a department. */
    DatabusClientConfig department(String id) {
        return DatabusClientConfig.fromMap(Map.of(
                DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registryServer.url(),
                DatabusClientConfig.DEPARTMENT_ID_CONFIG, id));
    }

    void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new DatabusException("cannot create the topics " + List.of(names) + ": " + e.getMessage(), e);
        }
    }

    /** A new resource: its source topic, its schema registered, its catalog entry on {@code bus.catalog}. */
    Resource newResource() {
        int id = nextId();
        String provider = "bp" + id;
        String code = "10101-" + id;
        String topic = Topics.source(provider, code);
        try {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(Topics.resourceTopicConfigs())))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new DatabusException("cannot create " + topic + ": " + e.getMessage(), e);
        }
        int schemaId = registry.register(Subjects.valueSubject(topic), data.schema());
        sendGovernance(Topics.CATALOG, code, data.catalogEntry(code, provider, schemaId));
        return new Resource(code, provider, schemaId);
    }

    /** Grants the resource to {@code consumer} with the benchmark grant; its delivery topic is created first. */
    String grant(Resource resource, String consumer) {
        String grantId = "g-" + consumer + "-" + resource.code();
        createTopics(DELIVERY_PARTITIONS, Topics.delivery(consumer, resource.code()));
        Grant grant = BenchData.grant(grantId, resource.code(), resource.provider(), consumer);
        sendGovernance(Topics.GRANTS, grantId, grant);
        return grantId;
    }

    private void sendGovernance(String topic, String key, Object value) {
        byte[] bytes = new AvroSerializer<>(registry).serialize(topic, value);
        try {
            governance.send(new ProducerRecord<>(topic, key, bytes)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new DatabusException("cannot write to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code topics} (committed records only) and counts, until {@code stop}. */
    void count(List<String> topics, String group, Receipts receipts, AtomicBoolean stop) {
        count(topics, group, Map.of(), receipts, stop);
    }

    /** As {@link #count(List, String, Receipts, AtomicBoolean)}, with further consumer settings. */
    void count(List<String> topics, String group, Map<String, Object> settings, Receipts receipts, AtomicBoolean stop) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        props.putAll(settings);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    receipts.received(records.count());
                }
            }
        } catch (RuntimeException e) {
            receipts.failed(e);
        }
    }

    /** Committed records in the given topics: the sum of their last stable offsets. */
    long committedRecords(Collection<String> topics) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        try {
            var descriptions = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            descriptions.forEach((name, d) -> d.partitions().forEach(p ->
                    request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
        } catch (Exception e) {
            throw new DatabusException("cannot read the end offsets of " + topics + ": " + e.getMessage(), e);
        }
    }

    /** Pauses (true) or resumes (false) the sharing router's processing; its consumers stay in the group. */
    void pauseRouter(boolean pause) {
        if (pause) {
            router.pause();
        } else {
            router.resume();
        }
    }

    /** Records of {@code topic} the sharing router has consumed and committed so far (its group's committed offsets). */
    long routerConsumed(String topic) {
        try {
            return admin.listConsumerGroupOffsets(RouterConfig.APPLICATION_ID_DEFAULT).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new DatabusException("cannot read the router's offsets on " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Entries the router has chained into {@code bus.exchange-log} so far (committed). */
    long chainedEntries() {
        return committedRecords(List.of(Topics.EXCHANGE_LOG));
    }

    @Override
    public void close() {
        for (KafkaStreams app : apps) {
            app.close(Duration.ofSeconds(30));
        }
        governance.close(Duration.ofSeconds(5));
        registry.close();
        registryServer.close();
        admin.close(Duration.ofSeconds(5));
        broker.close();
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted");
        }
    }
}
