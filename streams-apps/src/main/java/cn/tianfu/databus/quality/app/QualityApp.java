package cn.tianfu.databus.quality.app;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.quality.app.internal.Evaluated;
import cn.tianfu.databus.quality.app.internal.RecordChecker;
import cn.tianfu.databus.quality.app.internal.Scorer;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.GlobalStoreUpdater;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.streams.StreamsAppRunner;

/**
 * The quality app: evaluates every catalogued resource (Art. 41) — completeness, validity, timeliness, availability,
 * usage — and publishes the scores on {@code bus.quality}; a resource below a threshold raises one violation under
 * Art. 46(二) on {@code bus.violations} per breach (docs/quality.md).
 *
 * <pre>{@code
 * KafkaStreams quality = QualityApp.create(QualityConfig.fromMap(props));
 * quality.start();
 * }</pre>
 *
 * <p>Topology: every {@code src.<dept>.<resource>} topic (as the router reads them) feeds the {@link RecordChecker},
 * which checks each record against its catalogued items and forwards the change of its resource's tally, keyed by
 * resource code, through a one-partition repartition topic to the {@link Scorer}; the scorer keeps the tallies and, on
 * a wall-clock punctuation, evaluates every resource at the context's clock. {@code bus.catalog}, {@code bus.grants},
 * {@code bus.requests}, {@code bus.error-reports}, {@code bus.open.downloads}, {@code bus.violations} and
 * {@code bus.comments} are read into global stores.
 */
public final class QualityApp {

    public static final String CATALOG_STORE = "quality-catalog";
    public static final String GRANTS_STORE = "quality-grants";
    public static final String REQUESTS_STORE = "quality-requests";
    public static final String REPORTS_STORE = "quality-error-reports";
    public static final String DOWNLOADS_STORE = "quality-downloads";
    public static final String VIOLATIONS_STORE = "quality-violations";
    public static final String COMMENTS_STORE = "quality-comments";
    public static final String FACTS_STORE = RecordChecker.FACTS_STORE;
    public static final String TALLIES_STORE = Scorer.TALLIES_STORE;
    public static final String PUBLISHED_STORE = Scorer.PUBLISHED_STORE;
    public static final String BREACHES_STORE = Scorer.BREACHES_STORE;
    /** The component named in the app's dead letters and in the violations' history. */
    public static final String COMPONENT = Scorer.COMPONENT;

    private QualityApp() {
    }

    /** The quality topology on {@code ctx}; the serdes use {@code ctx.registry()}. */
    public static Topology buildTopology(QualityContext ctx) {
        SchemaRegistryClient registry = ctx.registry();
        Serde<String> keys = Serdes.String();
        StreamsBuilder builder = new StreamsBuilder();
        globalBytes(builder, CATALOG_STORE, Topics.CATALOG, "catalog");
        globalBytes(builder, GRANTS_STORE, Topics.GRANTS, "grants");
        globalBytes(builder, REQUESTS_STORE, Topics.REQUESTS, "requests");
        globalBytes(builder, REPORTS_STORE, Topics.ERROR_REPORTS, "error-reports");
        globalBytes(builder, VIOLATIONS_STORE, Topics.VIOLATIONS, "violations");
        globalBytes(builder, COMMENTS_STORE, Topics.COMMENTS, "comments");
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DOWNLOADS_STORE), keys,
                        Serdes.String()).withLoggingDisabled(),
                Topics.OPEN_DOWNLOADS, Consumed.with(keys, Serdes.ByteArray()).withName("downloads"),
                () -> new GlobalStoreUpdater<>(DOWNLOADS_STORE, Topics.OPEN_DOWNLOADS, Serdes.String().deserializer()));

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FACTS_STORE), keys,
                Serdes.ByteArray()));
        KStream<String, byte[]> changes = builder
                .stream(Topics.SOURCE_PATTERN, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withOffsetResetPolicy(AutoOffsetReset.earliest()).withName("sources"))
                .process(GuardedProcessor.wrap(() -> new RecordChecker(registry, CATALOG_STORE), new PoisonPillGuard()),
                        Named.as("check-records"), FACTS_STORE)
                // one partition: one scorer task sees every resource and evaluates each once
                .repartition(Repartitioned.with(keys, Serdes.ByteArray()).withName("by-resource").withNumberOfPartitions(1));

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TALLIES_STORE), keys,
                Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PUBLISHED_STORE), keys,
                Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BREACHES_STORE), keys,
                Serdes.String()));
        Scorer.Stores stores = new Scorer.Stores(CATALOG_STORE, GRANTS_STORE, REQUESTS_STORE, REPORTS_STORE,
                DOWNLOADS_STORE, VIOLATIONS_STORE, COMMENTS_STORE);
        Scorer.Readers readers = new Scorer.Readers(AvroDeserializer.specific(registry, CatalogEntry.class),
                AvroDeserializer.specific(registry, Grant.class), AvroDeserializer.specific(registry, AccessRequest.class),
                AvroDeserializer.specific(registry, ErrorReport.class), AvroDeserializer.specific(registry, Violation.class),
                AvroDeserializer.specific(registry, cn.tianfu.databus.schemas.PublicComment.class));
        KStream<String, Evaluated> evaluated = changes.process(() -> new Scorer(ctx, stores, readers),
                Named.as("score"), TALLIES_STORE, PUBLISHED_STORE, BREACHES_STORE);

        evaluated.filter((k, v) -> v instanceof Evaluated.Score, Named.as("scores"))
                .mapValues(v -> ((Evaluated.Score) v).score(), Named.as("score-value"))
                .to(Topics.QUALITY, Produced.with(keys, AvroSerde.specific(registry, QualityScore.class)).withName("quality-out"));
        evaluated.filter((k, v) -> v instanceof Evaluated.Breach, Named.as("breaches"))
                .mapValues(v -> ((Evaluated.Breach) v).violation(), Named.as("violation"))
                .to(Topics.VIOLATIONS, Produced.with(keys, AvroSerde.specific(registry, Violation.class)).withName("violations-out"));
        return builder.build();
    }

    private static void globalBytes(StreamsBuilder builder, String store, String topic, String name) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(name),
                () -> new GlobalStoreUpdater<>(store, topic, Serdes.ByteArray().deserializer()));
    }

    /**
     * The Kafka Streams configuration ({@link StreamsAppConfig#streamsProperties}): {@code exactly_once_v2}, internal
     * topics with the configured replication factor, new source topics found within 10 s; then every
     * {@code streams.}-prefixed key of {@code config}, which overrides these.
     */
    public static Properties streamsConfig(QualityConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), "10000");
        return config.streamsProperties(p);
    }

    /** An unstarted quality app on the system clock (see {@link #create(QualityConfig, InstantSource)}). */
    public static OwningKafkaStreams create(QualityConfig config) {
        return create(config, InstantSource.system());
    }

    /**
     * An unstarted quality app whose resources are evaluated at {@code clock} (tests pin it). Its registry client is
     * closed when the returned {@link OwningKafkaStreams} has stopped; a failed stream thread is replaced.
     */
    public static OwningKafkaStreams create(QualityConfig config, InstantSource clock) {
        SchemaRegistryClient registry = config.registryClient();
        try {
            QualityContext ctx = new QualityContext(registry, clock, config.checkInterval(), config.thresholds());
            Properties props = streamsConfig(config);
            StreamsAppConfig.failureHandling(COMPONENT, registry).forEach(props::putIfAbsent);
            OwningKafkaStreams streams = new OwningKafkaStreams(buildTopology(ctx), props, registry);
            streams.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
            return streams;
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** Runs the quality app as its own process: {@code --config FILE} with the {@link QualityConfig} keys. */
    public static void main(String[] args) {
        StreamsAppRunner.main(args, "quality", props -> create(QualityConfig.fromMap(props)));
    }
}
