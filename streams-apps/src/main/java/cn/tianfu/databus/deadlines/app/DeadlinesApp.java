package cn.tianfu.databus.deadlines.app;

import cn.tianfu.databus.streams.GlobalStoreUpdater;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadlines.app.internal.Duty;
import cn.tianfu.databus.deadlines.app.internal.DutyKeeper;
import cn.tianfu.databus.deadlines.app.internal.Raised;
import cn.tianfu.databus.deadlines.app.internal.ViolationKeeper;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.streams.StreamsAppRunner;

/**
 * The deadlines app: keeps the time of every open duty and raises, exactly once each, a reminder to the duty holder two
 * working days before the due time and a violation at the due time (docs/accountability.md). The duties kept are the
 * provider's: decide a conditional access request within 10 working days (Art. 26; missed: Art. 46(五)), and answer an
 * error report within 10 working days (Art. 27; missed: Art. 46(五)); and the department's: update its catalogue within 15
 * working days of the authority's notice on {@code bus.catalog-notices} (Art. 14; missed: Art. 46(四), violation
 * {@code 46-4:<notice-id>}, no {@code MarkOverdue}); and the provider's answer to a public request to open data within
 * 10 calendar days on {@code bus.public-requests} (Art. 34; missed: Art. 46(五), violation
 * {@code 46-5:public:<request-id>}, no {@code MarkOverdue}).
 *
 * <pre>{@code
 * KafkaStreams deadlines = DeadlinesApp.create(DeadlinesConfig.fromMap(props));
 * deadlines.start();
 * }</pre>
 *
 * <p>Topology: {@code bus.requests} (key: request id) and {@code bus.error-reports} (key: report id) feed the duty
 * keeper, which keeps the PENDING requests and the OPEN reports with a due time in the changelogged store {@value #DUTIES_STORE}; {@code bus.violations} is read into the global store
 * {@value #VIOLATIONS_STORE}, so a violation raised before the app's state was lost is not raised again. On every
 * input record and on a wall-clock punctuation every {@link DeadlinesContext#checkInterval()}, each duty is checked
 * against {@link DeadlinesContext#clock()}: reminders go to {@code reply.<provider>} (key {@code reminder:<requestId>},
 * a {@link CommandResult} with outcome PENDING), violations to {@code bus.violations} (key {@code 46-5:<requestId>}).
 * Exactly-once: what was raised is recorded in the store in the same transaction as the record raised. At the due
 * time the app also sends {@code MarkOverdue} on {@code cmd.bus} (key {@code overdue:<requestId>}), in the same
 * transaction: governance marks the request overdue on {@code bus.requests}.
 *
 * <p>{@code bus.violation-actions} (the authority's actions governance accepted) feeds the violation keeper, which
 * applies them to {@code bus.violations} (this app is its one writer) and keeps the duty of an ordered rectification:
 * a reminder two working days before {@code rectifyBy}, {@code rectificationOverdueAt} set at it.
 */
public final class DeadlinesApp {

    public static final String DUTIES_STORE = DutyKeeper.DUTIES_STORE;
    public static final String VIOLATIONS_STORE = DutyKeeper.VIOLATIONS_STORE;
    /** The violations under an ordered rectification, as this app last wrote them (changelogged). */
    public static final String VIOLATION_STATE_STORE = ViolationKeeper.STATE_STORE;
    /** The ordered rectifications whose reminder was sent (changelogged). */
    public static final String RECTIFY_REMINDED_STORE = ViolationKeeper.REMINDED_STORE;
    /** The component named in the app's dead letters and in the violations' history. */
    public static final String COMPONENT = DutyKeeper.COMPONENT;

    private DeadlinesApp() {
    }

    /** The deadlines topology on {@code ctx}; the serdes use {@code ctx.registry()}. */
    public static Topology buildTopology(DeadlinesContext ctx) {
        SchemaRegistryClient registry = ctx.registry();
        Serde<String> keys = Serdes.String();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DUTIES_STORE), keys,
                Duty.serde()));
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VIOLATIONS_STORE), keys,
                        Serdes.ByteArray()).withLoggingDisabled(),
                Topics.VIOLATIONS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("violations-raised"),
                () -> new GlobalStoreUpdater<>(VIOLATIONS_STORE, Topics.VIOLATIONS, Serdes.ByteArray().deserializer()));

        Serde<AccessRequest> requests = avro(registry, AccessRequest.class);
        Serde<ErrorReport> reports = avro(registry, ErrorReport.class);
        Serde<CatalogNotice> notices = avro(registry, CatalogNotice.class);
        Serde<PublicRequest> publicRequests = avro(registry, PublicRequest.class);
        KStream<String, Raised> raised = builder
                .stream(List.of(Topics.REQUESTS, Topics.ERROR_REPORTS, Topics.CATALOG_NOTICES, Topics.PUBLIC_REQUESTS),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("requests"))
                .process(GuardedProcessor.wrap(() -> new DutyKeeper(ctx, requests.deserializer(), reports.deserializer(),
                                        notices.deserializer(), publicRequests.deserializer()),
                                new PoisonPillGuard()),
                        Named.as("keep-duties"), DUTIES_STORE);

        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VIOLATION_STATE_STORE), keys,
                avro(registry, Violation.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECTIFY_REMINDED_STORE), keys,
                Serdes.String()));
        Serde<ViolationAction> actions = avro(registry, ViolationAction.class);
        Serde<Violation> violationSerde = avro(registry, Violation.class);
        KStream<String, Raised> acted = builder
                .stream(Topics.VIOLATION_ACTIONS, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("violation-actions"))
                .process(GuardedProcessor.wrap(() -> new ViolationKeeper(ctx, actions.deserializer(),
                                violationSerde.deserializer()), new PoisonPillGuard()),
                        Named.as("keep-violations"), VIOLATION_STATE_STORE, RECTIFY_REMINDED_STORE);
        raised = raised.merge(acted, Named.as("raised"));

        raised.filter((k, v) -> v instanceof Raised.Command, Named.as("bus-commands"))
                .mapValues(v -> ((Raised.Command) v).command(), Named.as("bus-command"))
                .to(Topics.AUTHORITY_COMMANDS,
                        Produced.with(keys, avro(registry, GovernanceCommand.class)).withName("commands"));
        raised.filter((k, v) -> v instanceof Raised.Reminder, Named.as("reminders"))
                .mapValues(v -> ((Raised.Reminder) v).reminder(), Named.as("reminder"))
                .to((key, reminder, context) -> Topics.replies(reminder.getDepartment()),
                        Produced.with(keys, avro(registry, CommandResult.class)).withName("replies"));
        raised.filter((k, v) -> v instanceof Raised.Breach, Named.as("violations"))
                .mapValues(v -> ((Raised.Breach) v).violation(), Named.as("violation"))
                .to(Topics.VIOLATIONS, Produced.with(keys, avro(registry, Violation.class)).withName("violations-out"));
        return builder.build();
    }

    /**
     * The Kafka Streams configuration ({@link StreamsAppConfig#streamsProperties}): {@code exactly_once_v2}, internal
     * topics with the configured replication factor, {@code bus.requests} read from its beginning; then every
     * {@code streams.}-prefixed key of {@code config}, which overrides these.
     */
    public static Properties streamsConfig(DeadlinesConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return config.streamsProperties(p);
    }

    /** An unstarted deadlines app on the system clock (see {@link #create(DeadlinesConfig, InstantSource)}). */
    public static OwningKafkaStreams create(DeadlinesConfig config) {
        return create(config, InstantSource.system());
    }

    /**
     * An unstarted deadlines app whose duties are checked against {@code clock} (tests pin it), reminders counted on
     * the bundled working-day calendar (years it lacks counted provisionally). Its registry client is closed when the
     * returned {@link OwningKafkaStreams} has stopped; a failed stream thread is replaced.
     */
    public static OwningKafkaStreams create(DeadlinesConfig config, InstantSource clock) {
        SchemaRegistryClient registry = config.registryClient();
        try {
            DeadlinesContext ctx = new DeadlinesContext(registry, WorkingDayCalendar.bundled().withProvisionalYears(),
                    clock, config.checkInterval());
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

    /** Runs the deadlines app as its own process: {@code --config FILE} with the {@link DeadlinesConfig} keys. */
    public static void main(String[] args) {
        StreamsAppRunner.main(args, "deadlines", props -> create(DeadlinesConfig.fromMap(props)));
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Serde<T> avro(SchemaRegistryClient registry, Class<T> type) {
        return AvroSerde.specific(registry, type);
    }
}
