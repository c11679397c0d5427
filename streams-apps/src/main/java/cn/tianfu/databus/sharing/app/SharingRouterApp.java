package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.ledger.app.LedgerApp;
import cn.tianfu.databus.ledger.app.LedgerContext;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sharing.app.internal.GlobalStores;
import cn.tianfu.databus.sharing.app.internal.Out;
import cn.tianfu.databus.sharing.app.internal.RouterProcessor;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.streams.StreamsAppRunner;
import cn.tianfu.databus.contract.Topics;

/**
 * The sharing router: reads every source topic {@code src.<dept>.<resource>}, applies each grant in force (row filter,
 * projection, masking), writes deliveries to {@code dlv.<consumer>.<resource>}, one exchange-log entry per delivery
 * chained into {@code bus.exchange-log} by the ledger's nodes in the same task ({@link LedgerApp#addChain}), and
 * rejected input to {@code bus.deadletter}; exactly once, in one hop: a delivery and its log entry commit in one
 * transaction. The same tasks chain the entries staged on {@code bus.exchange-log.staging} (service answers). See
 * {@code docs/router.md} and {@code docs/audit.md}.
 *
 * <pre>{@code
 * KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(props));
 * Runtime.getRuntime().addShutdownHook(new Thread(router::close));
 * router.start();
 * }</pre>
 */
public final class SharingRouterApp {

    /** Global store of the catalog (resource code → entry). */
    public static final String CATALOG_STORE = "router-catalog";
    /** Global store of the grants, indexed by resource. */
    public static final String GRANTS_STORE = "router-grants";
    /** Per-task store of the latest state of every source key of the task's partitions. */
    public static final String LATEST_STORE = "router-latest";
    /** Per-task store of which grant's consumer currently holds which key. */
    public static final String RECEIVED_STORE = "router-received";
    /** Per-task store of the grants the task has backfilled. */
    public static final String BACKFILLED_STORE = "router-backfilled";
    /** Per-task store of the backfills in progress: grant id → how far the task has got. */
    public static final String BACKFILL_CURSOR_STORE = "router-backfill-cursor";
    /** Per-task store of the topics matching the source pattern that are not governance's, already reported. */
    public static final String UNKNOWN_TOPICS_STORE = "router-unknown-topics";
    /** Per-task store of the withdrawals in progress: grant id → reason, terms and how far the task has got. */
    public static final String WITHDRAW_CURSOR_STORE = "router-withdraw-cursor";
    /** Per-task store of the terms each grant's deliveries answer to, or that the grant has been withdrawn. */
    public static final String GRANT_TERMS_STORE = "router-grant-terms";

    static final String SOURCE = "sources";
    static final String ROUTER = "router";

    private SharingRouterApp() {
    }

    /**
     * The router's topology, one readable wiring; the processors do the work. One source reads the source topics and
     * the staging topic; the router node hands the staging topic's records and its own entries to the chain node of
     * the same task: task p routes partition p of the source topics and owns log partition p's chain.
     */
    public static Topology buildTopology(RouterContext ctx, LedgerContext ledger) {
        Topology topology = new Topology();
        GlobalStores.GrantsVersion grantsVersion = new GlobalStores.GrantsVersion();
        topology.addGlobalStore(globalStore(CATALOG_STORE), "catalog-source", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Topics.CATALOG, "catalog-updater",
                () -> new GlobalStores.CatalogUpdater(CATALOG_STORE, ctx.registry()));
        topology.addGlobalStore(globalStore(GRANTS_STORE), "grants-source", new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), Topics.GRANTS, "grants-updater",
                () -> new GlobalStores.GrantUpdater(GRANTS_STORE, ctx.registry(), grantsVersion));

        // one pattern for the source topics and the staging topic: a named source beside the pattern in this
        // sub-topology makes Kafka Streams fail as soon as a new source topic appears
        topology.addSource(org.apache.kafka.streams.AutoOffsetReset.earliest(), SOURCE, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), sourcesAndStaging(ledger.stagingTopic()));
        topology.addProcessor(ROUTER, GuardedProcessor.wrap(() -> new RouterProcessor(ctx, CATALOG_STORE, GRANTS_STORE,
                grantsVersion, LATEST_STORE, RECEIVED_STORE, BACKFILLED_STORE, BACKFILL_CURSOR_STORE, UNKNOWN_TOPICS_STORE,
                WITHDRAW_CURSOR_STORE, GRANT_TERMS_STORE, ledger.stagingTopic()),
                new PoisonPillGuard()), SOURCE);
        // the latest state is written for nearly every record and read only on backfill and for captured changes:
        // a record cache in front would only add work
        topology.addStateStore(localStore(LATEST_STORE).withCachingDisabled(), ROUTER);
        topology.addStateStore(localStore(RECEIVED_STORE), ROUTER);
        topology.addStateStore(localStore(BACKFILLED_STORE), ROUTER);
        topology.addStateStore(localStore(BACKFILL_CURSOR_STORE), ROUTER);
        topology.addStateStore(localStore(UNKNOWN_TOPICS_STORE), ROUTER);
        topology.addStateStore(localStore(WITHDRAW_CURSOR_STORE), ROUTER);
        topology.addStateStore(localStore(GRANT_TERMS_STORE), ROUTER);
        topology.addSink(RouterProcessor.OUT_NODE, Out.TOPIC, Out.SERIALIZER, new ByteArraySerializer(), Out.PARTITIONER,
                ROUTER);
        LedgerApp.addChain(topology, ledger, RouterProcessor.CHAIN_NODE, ROUTER);
        return topology;
    }

    /** {@link Topics#SOURCE_PATTERN} or exactly {@code stagingTopic}. */
    static java.util.regex.Pattern sourcesAndStaging(String stagingTopic) {
        return java.util.regex.Pattern.compile("(?:" + Topics.SOURCE_PATTERN.pattern() + ")|"
                + java.util.regex.Pattern.quote(stagingTopic));
    }

    /** Kafka Streams configuration: exactly-once v2, the config's directories and ids, then the {@code streams.} keys. */
    public static Properties streamsConfig(RouterConfig c) {
        // a new src.<dept>.<resource> topic is found by the pattern subscription within this time
        return c.streamsProperties(Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "10000"));
    }

    /**
     * An unstarted router on the configured bus, with its own registry client and admin client; both are closed when
     * the returned {@link OwningKafkaStreams} has stopped. Loads (or creates) the checkpoint signing key under
     * {@code data.dir}/keys and checks that the staging and log topics exist with the same partition count.
     *
     * @throws cn.tianfu.databus.ledger.app.LedgerAppException when those topics are missing or differ in partition count
     */
    public static OwningKafkaStreams create(RouterConfig c) {
        return create(c, null);
    }

    /**
     * As {@link #create(RouterConfig)}, with the router's clock ({@code null}: the stream thread's wall clock): when a
     * grant is in force and when its {@code validUntil} has passed are read from it.
     */
    public static OwningKafkaStreams create(RouterConfig c, java.time.InstantSource clock) {
        SchemaRegistryClient registry = c.registryClient();
        Admin admin = null;
        try {
            admin = Admin.create(c.adminProperties());
            Admin owned = admin;
            RouterContext ctx = new RouterContext(registry, KeyHasher.loadOrCreate(c.dataDir()),
                    DeliveryTopics.admin(admin, c.deliveryPartitions(), c.deliveryReplicationFactor(), Duration.ofSeconds(30)),
                    Duration.ofMillis(c.backfillCheckIntervalMs()), Duration.ofMillis(c.backfillStepIntervalMs()),
                    c.backfillChunkRecords(), Duration.ofMillis(c.backfillChunkMaxMs()), clock, c.tierDistricts(),
                    SourceLogReader.kafka(c.clientProperties()));
            LedgerContext ledger = new LedgerContext(SigningKeys.loadOrCreate(c.dataDir()), registry, c.stagingTopic(),
                    c.logTopic(), c.checkpointTopic(), LedgerApp.logPartitions(admin, c.stagingTopic(), c.logTopic()),
                    c.checkpointEveryEntries(), c.checkpointInterval(), c.dedupRetention(), c.heartbeatInterval());
            Properties props = streamsConfig(c);
            StreamsAppConfig.failureHandling(RouterProcessor.COMPONENT, registry).forEach(props::putIfAbsent);
            return new OwningKafkaStreams(buildTopology(ctx, ledger), props, registry,
                    () -> owned.close(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            registry.close();
            throw e;
        }
    }

    /** Runs the router as its own process: {@code --config FILE} with the {@link RouterConfig} keys. */
    public static void main(String[] args) {
        StreamsAppRunner.main(args, "sharing-router", props -> create(RouterConfig.fromMap(props)));
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> globalStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }

    /**
     * A changelogged RocksDB store with Kafka Streams' record cache in front: the per-record lookups (does the consumer
     * hold the key, is the grant backfilled) are answered from memory, and writes reach RocksDB and the changelog when
     * the task commits, inside its transaction. Without the cache (the latest state) each write goes to RocksDB and the
     * changelog at once, still inside the task's transaction.
     */
    private static StoreBuilder<KeyValueStore<String, byte[]>> localStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled();
    }
}
