package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * One resource of a router integration test on the shared bus, with names of its own (provider, consumer, resource
 * code and application id from a random suffix) so that tests in one JVM never meet: its source topic, the
 * {@link Fixtures#POPULATION} schema registered for it and its unconditional catalog entry, temporary state and data
 * dirs, and the routers, threads and other things a test starts on it, all closed by {@link #close()}.
 */
final class RouterTestResource implements AutoCloseable {

    final SharedBus bus = SharedBus.get();
    /** A client of the shared registry, as the bus; closed with the resource. */
    final SchemaRegistryClient registry;
    final String provider;
    final String consumer;
    final String code;
    final String sourceTopic;
    final String appId;
    final String deliveryTopic;
    final int schemaId;
    /** The catalog entry published for the resource. */
    final CatalogEntry entry;
    final Path stateDir;
    final Path dataDir;
    final ExecutorService threads = Executors.newCachedThreadPool();

    private final int partitions;
    private final KafkaProducer<String, byte[]> governance;
    private final List<KafkaStreams> routers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private RouterTestResource(String appIdPrefix, int partitions) throws Exception {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        this.partitions = partitions;
        provider = "p" + suffix;
        consumer = "c" + suffix;
        code = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        sourceTopic = Topics.source(provider, code);
        appId = appIdPrefix + suffix;
        deliveryTopic = Topics.delivery(consumer, code);
        stateDir = Files.createTempDirectory("router-state-");
        dataDir = Files.createTempDirectory("router-data-");
        registry = bus.registryClient();
        Map<String, Object> props = new HashMap<>(bus.kafkaProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        governance = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        try {
            bus.admin().createTopics(List.of(new NewTopic(sourceTopic, partitions, (short) 1)
                    .configs(Topics.resourceTopicConfigs()))).all().get(30, TimeUnit.SECONDS);
            schemaId = registry.register(sourceTopic + "-value", POPULATION);
            entry = Fixtures.entry(code, provider, SharingClass.UNCONDITIONAL, schemaId);
            sendGovernance(Topics.CATALOG, code, entry);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * A new resource: its source topic of {@code partitions} partitions, schema and catalog entry are on the bus; its
     * router's application id is {@code appIdPrefix} and the suffix.
     */
    static RouterTestResource create(String appIdPrefix, int partitions) throws Exception {
        return new RouterTestResource(appIdPrefix, partitions);
    }

    /** Publishes a governance record, Avro-serialized with the shared registry, and waits for its ack (acks=all). */
    void sendGovernance(String topic, String key, Object value) throws Exception {
        byte[] bytes = new AvroSerializer<>(registry).serialize(topic, value);
        governance.send(new ProducerRecord<>(topic, key, bytes)).get(30, TimeUnit.SECONDS);
    }

    /**
     * The config of a router of this resource, before {@code overrides}: the bus and its credentials, the resource's
     * state and data dirs and application id, delivery topics of the source topic's partition count, a backfill check
     * every 300 ms, commits every 100 ms, and a session timeout (6 s), heartbeat (1 s) and metadata age (1 s) short
     * enough for a test to see a stopped router's tasks move and new topics appear.
     */
    Map<String, Object> routerConfig(Map<String, ?> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
        config.put(RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl());
        config.put(RouterConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(RouterConfig.DATA_DIR_CONFIG, dataDir.toString());
        config.put(RouterConfig.APPLICATION_ID_CONFIG, appId);
        config.put(RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300);
        config.put(RouterConfig.DELIVERY_PARTITIONS_CONFIG, partitions);
        config.put("streams.commit.interval.ms", 100);
        config.put("streams.consumer.session.timeout.ms", 6000);
        config.put("streams.consumer.heartbeat.interval.ms", 1000);
        config.put("streams.main.consumer.metadata.max.age.ms", 1000);
        config.putAll(overrides);
        return bus.streamsAppConfig(config);
    }

    /**
     * Starts a router of {@link #routerConfig(Map)} with {@code overrides}, on {@code clock} ({@code null}: the stream
     * thread's wall clock); it is closed by {@link #close()}.
     */
    KafkaStreams startRouter(Map<String, ?> overrides, InstantSource clock) {
        KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(routerConfig(overrides)), clock);
        routers.add(router);
        router.start();
        return router;
    }

    /** Has {@code c} closed by {@link #close()} before everything registered so far, and before the routers. */
    void closeFirst(AutoCloseable c) {
        closeables.add(0, c);
    }

    /** Has {@code c} closed by {@link #close()} after everything registered so far, and before the routers. */
    void closeLast(AutoCloseable c) {
        closeables.add(c);
    }

    /** Closes what was registered, then the routers (30 s each), stops the threads and deletes the dirs. */
    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        for (KafkaStreams r : routers) {
            r.close(Duration.ofSeconds(30));
        }
        threads.shutdownNow();
        governance.close();
        registry.close();
        SharedBus.deleteRecursively(stateDir);
        SharedBus.deleteRecursively(dataDir);
    }
}
