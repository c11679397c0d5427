package cn.tianfu.databus.governance.app;

import cn.tianfu.databus.streams.GlobalStoreUpdater;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
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

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.governance.app.internal.CommandDecider;
import cn.tianfu.databus.governance.app.internal.CommandRouter;
import cn.tianfu.databus.governance.app.internal.Envelope;
import cn.tianfu.databus.governance.app.internal.Out;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.streams.StreamsAppRunner;
import cn.tianfu.databus.contract.Topics;

/**
 * The governance streams app: decides every department's governance commands, exactly once.
 *
 * <pre>{@code
 * KafkaStreams governance = GovernanceApp.create(new GovernanceConfig(props));
 * Runtime.getRuntime().addShutdownHook(new Thread(governance::close));
 * governance.start();
 * }</pre>
 *
 * <p>Topology: every {@code cmd.<dept>} topic (pattern {@link Topics#COMMAND_PATTERN}) is read as raw bytes; the
 * router names the sender by the topic, dead-letters what cannot be read, refuses commands claiming another
 * department, and re-keys the rest by the resource they concern onto the internal topic {@value #REPARTITION_NAME};
 * the decider then applies the rules per resource, in order, against four changelogged stores (catalog, requests,
 * grants, processed command ids, error reports, disputes), with {@code bus.calendars} as a global store for due times, and writes {@code bus.catalog}, {@code bus.requests}, {@code bus.grants},
 * {@code bus.error-reports}, {@code bus.disputes} (key: code, request, grant, report or dispute id), {@code reply.<sender>} (key: command id) and {@code bus.deadletter}. Keys are plain UTF-8
 * strings, values Avro in the schema registry's wire format.
 */
public final class GovernanceApp {

    /** Name of the repartition step; the internal topic is {@code <application.id>-commands-by-resource-repartition}. */
    public static final String REPARTITION_NAME = "commands-by-resource";
    public static final String CATALOG_STORE = CommandDecider.CATALOG_STORE;
    public static final String REQUESTS_STORE = CommandDecider.REQUESTS_STORE;
    public static final String GRANTS_STORE = CommandDecider.GRANTS_STORE;
    public static final String PROCESSED_STORE = CommandDecider.PROCESSED_STORE;
    public static final String REPORTS_STORE = CommandDecider.REPORTS_STORE;
    public static final String DISPUTES_STORE = CommandDecider.DISPUTES_STORE;
    /** Global store of {@code bus.calendars} (key {@code <region>/<year>}), read by every decider task. */
    public static final String CALENDARS_STORE = CommandDecider.CALENDARS_STORE;
    /** Global store of {@code bus.violations}, which the authority's actions on violations are checked against. */
    public static final String VIOLATIONS_STORE = CommandDecider.VIOLATIONS_STORE;
    /** Global store of {@code bus.departments}: a notice is given only to a department the bus knows. */
    public static final String DEPARTMENTS_STORE = CommandDecider.DEPARTMENTS_STORE;
    /** Global store of {@code bus.catalog-notices}: the notices a department's catalogue change closes. */
    public static final String NOTICES_STORE = CommandDecider.NOTICES_STORE;
    /** The public requests to open data (Art. 34), on the partition of their provider. */
    public static final String PUBLIC_REQUESTS_STORE = CommandDecider.PUBLIC_REQUESTS_STORE;

    /** Commit interval: replies are visible (read-committed) once their transaction commits. */
    public static final long COMMIT_INTERVAL_MS = 100;

    private GovernanceApp() {
    }

    /** The governance topology on {@code ctx}; the serdes use {@code ctx.registry()}. */
    public static Topology buildTopology(GovernanceContext ctx) {
        SchemaRegistryClient registry = ctx.registry();
        Serde<String> keys = Serdes.String();
        StreamsBuilder builder = new StreamsBuilder();
        PoisonPillGuard guard = new PoisonPillGuard();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CATALOG_STORE), keys,
                avro(registry, CatalogEntry.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REQUESTS_STORE), keys,
                avro(registry, AccessRequest.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GRANTS_STORE), keys,
                avro(registry, Grant.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_STORE), keys,
                avro(registry, CommandResult.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REPORTS_STORE), keys,
                avro(registry, ErrorReport.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DISPUTES_STORE), keys,
                avro(registry, Dispute.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PUBLIC_REQUESTS_STORE), keys,
                avro(registry, PublicRequest.class)));
        // the calendars every due time is counted on; a record that cannot be read is skipped (and logged)
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CALENDARS_STORE), keys,
                        avro(registry, HolidayCalendar.class)).withLoggingDisabled(),
                Topics.CALENDARS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("calendars"),
                () -> new GlobalStoreUpdater<>(CALENDARS_STORE, Topics.CALENDARS, avro(registry, HolidayCalendar.class).deserializer()));

        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(VIOLATIONS_STORE), keys,
                        avro(registry, Violation.class)).withLoggingDisabled(),
                Topics.VIOLATIONS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("violations"),
                () -> new GlobalStoreUpdater<>(VIOLATIONS_STORE, Topics.VIOLATIONS, avro(registry, Violation.class).deserializer()));

        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DEPARTMENTS_STORE), keys,
                        Serdes.ByteArray()).withLoggingDisabled(),
                Topics.DEPARTMENTS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("departments"),
                () -> new GlobalStoreUpdater<>(DEPARTMENTS_STORE, Topics.DEPARTMENTS, Serdes.ByteArray().deserializer()));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(NOTICES_STORE), keys,
                        avro(registry, CatalogNotice.class)).withLoggingDisabled(),
                Topics.CATALOG_NOTICES, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("catalog-notices"),
                () -> new GlobalStoreUpdater<>(NOTICES_STORE, Topics.CATALOG_NOTICES,
                        avro(registry, CatalogNotice.class).deserializer()));

        KStream<String, Out> routed = builder
                .stream(Topics.COMMAND_PATTERN, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("commands"))
                .process(GuardedProcessor.wrap(() -> new CommandRouter(ctx), guard), Named.as("route"));

        KStream<String, Out> decided = routed
                .filter((k, v) -> v instanceof Out.Routed, Named.as("routed"))
                .mapValues(v -> ((Out.Routed) v).envelope(), Named.as("envelope"))
                .repartition(Repartitioned.with(keys, Envelope.serde())
                        .withName(REPARTITION_NAME)
                        .withNumberOfPartitions(ctx.partitions()))
                .process(GuardedProcessor.wrap(() -> new CommandDecider(ctx), guard), Named.as("decide"),
                        CATALOG_STORE, REQUESTS_STORE, GRANTS_STORE, PROCESSED_STORE, REPORTS_STORE, DISPUTES_STORE,
                        PUBLIC_REQUESTS_STORE);

        KStream<String, Out> out = routed.filter((k, v) -> !(v instanceof Out.Routed), Named.as("not-routed"))
                .merge(decided, Named.as("outputs"));

        KStream<String, CatalogEntry> catalogChanges = out.filter((k, v) -> v instanceof Out.Catalog, Named.as("catalog-changes"))
                .mapValues(v -> ((Out.Catalog) v).entry(), Named.as("catalog-entry"));
        catalogChanges.to(Topics.CATALOG, Produced.with(keys, avro(registry, CatalogEntry.class)).withName("catalog"));
        // every version, in the same transaction: the catalog's history, never compacted
        catalogChanges.to(Topics.CATALOG_HISTORY, Produced.with(keys, avro(registry, CatalogEntry.class))
                .withName("catalog-history"));
        out.filter((k, v) -> v instanceof Out.Request, Named.as("request-changes"))
                .mapValues(v -> ((Out.Request) v).request(), Named.as("request-state"))
                .to(Topics.REQUESTS, Produced.with(keys, avro(registry, AccessRequest.class)).withName("requests"));
        out.filter((k, v) -> v instanceof Out.GrantState, Named.as("grant-changes"))
                .mapValues(v -> ((Out.GrantState) v).grant(), Named.as("grant-state"))
                .to(Topics.GRANTS, Produced.with(keys, avro(registry, Grant.class)).withName("grants"));
        out.filter((k, v) -> v instanceof Out.ViolationAct, Named.as("violation-actions"))
                .mapValues(v -> ((Out.ViolationAct) v).action(), Named.as("violation-action"))
                .to(Topics.VIOLATION_ACTIONS, Produced.with(keys, avro(registry, ViolationAction.class)).withName("actions"));
        out.filter((k, v) -> v instanceof Out.Report, Named.as("report-changes"))
                .mapValues(v -> ((Out.Report) v).report(), Named.as("report-state"))
                .to(Topics.ERROR_REPORTS, Produced.with(keys, avro(registry, ErrorReport.class)).withName("error-reports"));
        out.filter((k, v) -> v instanceof Out.DisputeState, Named.as("dispute-changes"))
                .mapValues(v -> ((Out.DisputeState) v).dispute(), Named.as("dispute-state"))
                .to(Topics.DISPUTES, Produced.with(keys, avro(registry, Dispute.class)).withName("disputes"));
        out.filter((k, v) -> v instanceof Out.NoticeState, Named.as("notice-changes"))
                .mapValues(v -> ((Out.NoticeState) v).notice(), Named.as("notice-state"))
                .to(Topics.CATALOG_NOTICES, Produced.with(keys, avro(registry, CatalogNotice.class)).withName("catalog-notices-out"));
        out.filter((k, v) -> v instanceof Out.PublicRequestState, Named.as("public-request-changes"))
                .mapValues(v -> ((Out.PublicRequestState) v).request(), Named.as("public-request-state"))
                .to(Topics.PUBLIC_REQUESTS, Produced.with(keys, avro(registry, PublicRequest.class)).withName("public-requests"));
        out.filter((k, v) -> v instanceof Out.Dead, Named.as("dead"))
                .mapValues(v -> ((Out.Dead) v).letter(), Named.as("dead-letter"))
                .to(Topics.DEADLETTER, Produced.with(keys, avro(registry, DeadLetter.class)).withName("deadletters"));
        out.filter((k, v) -> v instanceof Out.Reply, Named.as("answers"))
                .mapValues(v -> ((Out.Reply) v).result(), Named.as("answer"))
                .to((key, result, context) -> Topics.replies(result.getDepartment()),
                        Produced.with(keys, avro(registry, CommandResult.class)).withName("replies"));
        return builder.build();
    }

    /**
     * The Kafka Streams configuration ({@link StreamsAppConfig#streamsProperties}): {@code exactly_once_v2}, a
     * {@value #COMMIT_INTERVAL_MS} ms commit interval, internal topics with the configured replication factor, new
     * {@code cmd.<dept>} topics discovered within seconds (read from their beginning), a 10 s consumer session timeout;
     * then every {@code streams.}-prefixed key of {@code config}, which overrides these.
     */
    public static Properties streamsConfig(GovernanceConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        // a new department's cmd.<dept> is found by the pattern subscription at the next metadata refresh
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG), 5_000);
        // a stream thread that died (and was replaced) stops holding its partitions after this long
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return config.streamsProperties(p);
    }

    /**
     * An unstarted governance app: a registry client and an {@link Admin} client built from {@code config}, both closed
     * when the returned {@link OwningKafkaStreams} has stopped ({@code close()} and {@code close(Duration)} also leave
     * the consumer group, so a restart takes over at once). A stream thread that fails (e.g. the registry unreachable)
     * is replaced; its uncommitted work is redone.
     */
    public static OwningKafkaStreams create(GovernanceConfig config) {
        return create(config, InstantSource.system());
    }

    /** As {@link #create(GovernanceConfig)}, every decision dated by {@code clock} (tests pin it). */
    public static OwningKafkaStreams create(GovernanceConfig config, InstantSource clock) {
        SchemaRegistryClient registry = config.registryClient();
        Admin admin = null;
        try {
            admin = Admin.create(config.adminProperties());
            Admin owned = admin;
            GovernanceContext ctx = new GovernanceContext(registry, TopicCreator.admin(admin, config.topicReplicationFactor()),
                    WorkingDayCalendar.bundled(), config.topicPartitions(), clock);
            Properties props = streamsConfig(config);
            StreamsAppConfig.failureHandling(CommandRouter.COMPONENT, registry).forEach(props::putIfAbsent);
            OwningKafkaStreams streams = new OwningKafkaStreams(buildTopology(ctx), props, registry,
                    () -> owned.close(Duration.ofSeconds(5)));
            streams.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
            return streams;
        } catch (RuntimeException e) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            registry.close();
            throw e;
        }
    }

    /** Runs the governance app as its own process: {@code --config FILE} with the {@link GovernanceConfig} keys. */
    public static void main(String[] args) {
        StreamsAppRunner.main(args, "governance", props -> create(GovernanceConfig.fromMap(props)));
    }

    private static <T extends SpecificRecord> Serde<T> avro(SchemaRegistryClient registry, Class<T> type) {
        return AvroSerde.specific(registry, type);
    }
}
