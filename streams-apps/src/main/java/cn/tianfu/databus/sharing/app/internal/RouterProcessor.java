package cn.tianfu.databus.sharing.app.internal;

import cn.tianfu.databus.kafka.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.RouterContext;

/**
 * Routes every source event to the grants in force on its resource; see {@code docs/router.md}. One instance per
 * task, wiring four parts that share the task's stores:
 * <ul>
 *   <li>{@link SourceGate}: checks each source record, dead-letters the rest ({@code router-unknown-topics});</li>
 *   <li>{@link ReplayGuard}: drops replayed captured changes and keeps each key's latest state
 *       ({@code router-latest}), as much of it as {@link StateKeeping} says the resource needs;</li>
 *   <li>{@link Backfill}: backfills new grants by replaying the task's source partition in chunks
 *       ({@code router-backfilled}, {@code router-backfill-cursor}), and says which live records a grant receives;</li>
 *   <li>{@link GrantRouter}: filters, projects and masks a change for a grant, writes the delivery and its
 *       exchange-log entry ({@code router-received}).</li>
 * </ul>
 */
public final class RouterProcessor implements Processor<byte[], byte[], Out, byte[]> {

    public static final String COMPONENT = "sharing-router";

    /** The sink node of everything the router writes itself (deliveries, dead letters; {@link Out}). */
    public static final String OUT_NODE = "out";
    /** The ledger's chain node the router forwards each delivery's exchange-log entry to, in the same task. */
    public static final String CHAIN_NODE = "chain";

    /** Metric group and name of the count of captured changes dropped as replays. */
    public static final String METRIC_GROUP = "databus-sharing-router";
    public static final String DUPLICATES_METRIC = "replayed-changes-dropped-total";
    private static final String DUPLICATES_SENSOR = "replayed-changes-dropped";
    /** Name of the count of records skipped because their topic is not a governance-created source topic. */
    public static final String UNKNOWN_TOPIC_METRIC = "unknown-topic-records-skipped-total";
    private static final String UNKNOWN_TOPIC_SENSOR = "unknown-topic-records-skipped";
    /**
     * Name of the count of records whose {@code databus.exchange-id} header was ignored: their topic is not a district
     * bus's (docs/tiers.md), so the header is not taken as an upstream exchange id.
     */
    public static final String UPSTREAM_IGNORED_METRIC = "upstream-ids-ignored-total";
    private static final String UPSTREAM_IGNORED_SENSOR = "upstream-ids-ignored";
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);

    private final RouterContext ctx;
    private final String catalogStore;
    private final String grantStore;
    private final GlobalStores.GrantsVersion grantsVersion;
    private final String latestStore;
    private final String receivedStore;
    private final String backfilledStore;
    private final String cursorStore;
    private final String unknownTopicsStore;
    private final String withdrawCursorStore;
    private final String grantTermsStore;
    private final String stagingTopic;

    private final AvroDeserializer<GenericRecord> sourceReader;
    private final AvroSerializer<GenericRecord> deliveryWriter;
    private final AvroSerializer<DeadLetter> deadLetterWriter;

    private ProcessorContext<Out, byte[]> context;
    /** The same context, for the chain node: it takes entries themselves, not the router's sink's key and value types. */
    private ProcessorContext<Object, Object> chainContext;
    private Sensor duplicates;
    private Sensor unknownTopicRecords;
    private Sensor upstreamIgnored;
    /** Topics whose ignored upstream ids were logged already (once per topic and task; every one is counted). */
    private final Set<String> upstreamIgnoredTopics = new HashSet<>();
    private SourceGate gate;
    private ReplayGuard replays;
    private StateKeeping keeping;
    private GrantRouter router;
    private Backfill backfill;
    private Withdrawal withdrawal;

    public RouterProcessor(RouterContext ctx, String catalogStore, String grantStore,
                           GlobalStores.GrantsVersion grantsVersion, String latestStore, String receivedStore,
                           String backfilledStore, String cursorStore, String unknownTopicsStore) {
        this(ctx, catalogStore, grantStore, grantsVersion, latestStore, receivedStore, backfilledStore, cursorStore,
                unknownTopicsStore, null, null);
    }

    /** With the withdrawal's stores ({@code router-withdraw-cursor}, {@code router-grant-terms}). */
    public RouterProcessor(RouterContext ctx, String catalogStore, String grantStore,
                           GlobalStores.GrantsVersion grantsVersion, String latestStore, String receivedStore,
                           String backfilledStore, String cursorStore, String unknownTopicsStore,
                           String withdrawCursorStore, String grantTermsStore) {
        this(ctx, catalogStore, grantStore, grantsVersion, latestStore, receivedStore, backfilledStore, cursorStore,
                unknownTopicsStore, withdrawCursorStore, grantTermsStore, null);
    }

    /**
     * With the exchange log's staging topic, read by the same source: its records are handed, as read, to the chain
     * node ({@link #CHAIN_NODE}).
     */
    public RouterProcessor(RouterContext ctx, String catalogStore, String grantStore,
                           GlobalStores.GrantsVersion grantsVersion, String latestStore, String receivedStore,
                           String backfilledStore, String cursorStore, String unknownTopicsStore,
                           String withdrawCursorStore, String grantTermsStore, String stagingTopic) {
        this.ctx = ctx;
        this.stagingTopic = stagingTopic;
        this.withdrawCursorStore = withdrawCursorStore;
        this.grantTermsStore = grantTermsStore;
        this.catalogStore = catalogStore;
        this.grantStore = grantStore;
        this.grantsVersion = grantsVersion;
        this.latestStore = latestStore;
        this.receivedStore = receivedStore;
        this.backfilledStore = backfilledStore;
        this.cursorStore = cursorStore;
        this.unknownTopicsStore = unknownTopicsStore;
        this.sourceReader = new AvroDeserializer<>(ctx.registry());
        this.deliveryWriter = new AvroSerializer<>(ctx.registry());
        this.deadLetterWriter = new AvroSerializer<>(ctx.registry());
    }

    @Override
    public void init(ProcessorContext<Out, byte[]> context) {
        this.context = context;
        GlobalStores.Reader global = new GlobalStores.Reader(context.getStateStore(catalogStore),
                context.getStateStore(grantStore), grantsVersion);
        Map<String, String> tags = Map.of("task-id", context.taskId().toString());
        duplicates = context.metrics().addSensor(DUPLICATES_SENSOR + "-" + context.taskId(), Sensor.RecordingLevel.INFO);
        duplicates.add(new MetricName(DUPLICATES_METRIC, METRIC_GROUP, "Captured changes dropped as replays of a state"
                + " already applied (source position not later than the stored one)", tags), new CumulativeCount());
        unknownTopicRecords = context.metrics().addSensor(UNKNOWN_TOPIC_SENSOR + "-" + context.taskId(), Sensor.RecordingLevel.INFO);
        unknownTopicRecords.add(new MetricName(UNKNOWN_TOPIC_METRIC, METRIC_GROUP, "Records skipped because their topic"
                + " matches the source pattern but is not a catalogued resource's (dead-lettered once per topic)", tags),
                new CumulativeCount());
        upstreamIgnored = context.metrics().addSensor(UPSTREAM_IGNORED_SENSOR + "-" + context.taskId(), Sensor.RecordingLevel.INFO);
        upstreamIgnored.add(new MetricName(UPSTREAM_IGNORED_METRIC, METRIC_GROUP, "Records whose databus.exchange-id"
                + " header was ignored because their provider is not a district bus (router.tier.districts)", tags),
                new CumulativeCount());

        DeadLetterWriter deadLetters = new DeadLetterWriter(context, deadLetterWriter);
        chainContext = untyped(context);
        GrantRouter.Chain chain = (logEntry, timestamp) ->
                chainContext.forward(new Record<>(logEntry.exchangeId(), logEntry, timestamp), CHAIN_NODE);
        gate = new SourceGate(ctx.registry(), sourceReader, global::entry, context.getStateStore(unknownTopicsStore),
                unknownTopicRecords::record, deadLetters);
        replays = new ReplayGuard(context.getStateStore(latestStore), duplicates::record);
        keeping = new StateKeeping(global);
        router = new GrantRouter(ctx, context, global, context.getStateStore(receivedStore), deliveryWriter, chain,
                deadLetters);
        // a task re-initialised after an aborted transaction must not trust what it remembered from it: a new Backfill
        if (withdrawal != null) {
            withdrawal.close();
        }
        if (withdrawCursorStore != null) {
            withdrawal = new Withdrawal(ctx, context, global, context.getStateStore(latestStore),
                    context.getStateStore(receivedStore), context.getStateStore(withdrawCursorStore),
                    context.getStateStore(grantTermsStore), router, sourceReader);
        }
        if (backfill != null) {
            backfill.close();
        }
        backfill = new Backfill(ctx, context, global, context.getStateStore(latestStore),
                context.getStateStore(backfilledStore), context.getStateStore(cursorStore), router, gate,
                withdrawal == null ? g -> { } : withdrawal::delivering, replays, keeping);
        context.schedule(ctx.backfillCheckInterval(), PunctuationType.WALL_CLOCK_TIME, t -> backfill.checkAll(now()));
        context.schedule(ctx.backfillStepInterval(), PunctuationType.WALL_CLOCK_TIME, t -> backfill.step(now()));
        if (withdrawal != null) {
            // expiry is noticed here: validUntil passing on the router's clock starts the withdrawal
            context.schedule(ctx.backfillCheckInterval(), PunctuationType.WALL_CLOCK_TIME,
                    t -> withdrawal.checkAll(now()));
            context.schedule(ctx.backfillStepInterval(), PunctuationType.WALL_CLOCK_TIME,
                    t -> withdrawal.step(now()));
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata md = context.recordMetadata().orElseThrow();
        if (md.topic().equals(stagingTopic)) {
            // an entry staged outside the router's transactions (a service answer): the chain node chains it as read
            chainContext.forward(record, CHAIN_NODE);
            return;
        }
        backfill.processing(md.topic(), md.offset());
        Optional<SourceGate.Admitted> admitted = gate.admit(record, md);
        if (admitted.isEmpty()) {
            return;
        }
        CatalogEntry entry = admitted.get().entry();
        GenericRecord value = admitted.get().value();
        int schemaId = admitted.get().schemaId();
        String topic = md.topic();
        int partition = md.partition();
        long offset = md.offset();
        String keyText = new String(record.key(), StandardCharsets.UTF_8);
        String stateKey = StateKeys.latest(topic, keyText);
        String position = KafkaHeaders.text(record.headers(), EventHeaders.SOURCE_POSITION).orElse(null);
        ReplayGuard.Keep keep = keeping.of(entry);
        if (replays.alreadyApplied(stateKey, position, record.value(), partition, offset, schemaId, keep)) {
            return;
        }
        String header = GrantRouter.upstreamExchangeId(record.headers());
        String upstream = GrantRouter.upstreamOf(ctx, entry, header);
        if (upstream == null && header != null) {
            upstreamIgnored.record();
            if (upstreamIgnoredTopics.add(topic)) {
                LOG.warn("Ignored the databus.exchange-id header of a record of {} (partition {}, offset {}): {} is not"
                        + " a district bus ({}), its records name no upstream exchange; further ones of this topic are"
                        + " counted in {}", topic, partition, offset, entry.getProvider(),
                        RouterConfig.TIER_DISTRICTS_CONFIG, UPSTREAM_IGNORED_METRIC);
            }
        }
        boolean covered = false;                // a grant's backfill replays (or replayed) this record
        if (entry.getSharingClass() != SharingClass.NOT_SHARED) {
            long now = now();
            GrantRouter.Source source = new GrantRouter.Source(topic, partition, offset, record.key(), keyText,
                    record.timestamp(), record.headers(), record.value(), header);
            if (value == null && withdrawal != null) {
                withdrawal.onDelete(entry, source, now);
            }
            for (Grant g : router.pushGrantsInForce(entry, now)) {
                if (backfill.routesLiveChange(g, entry, offset, now)) {
                    router.route(g, entry, source, value, now);
                } else {
                    covered = true;
                }
            }
        }
        if (covered) {
            replays.rememberCovered(stateKey, partition, offset, schemaId, record.value(), position, upstream, keep);
        } else {
            replays.remember(stateKey, partition, offset, schemaId, record.value(), position, upstream, keep);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ProcessorContext<Object, Object> untyped(ProcessorContext<Out, byte[]> context) {
        return (ProcessorContext) context;
    }

    /** The router's time: the context's clock when one is injected, else the stream thread's wall clock. */
    private long now() {
        return ctx.clock() != null ? ctx.clock().millis() : context.currentSystemTimeMs();
    }

    @Override
    public void close() {
        if (duplicates != null) {
            context.metrics().removeSensor(duplicates);
        }
        if (unknownTopicRecords != null) {
            context.metrics().removeSensor(unknownTopicRecords);
        }
        if (upstreamIgnored != null) {
            context.metrics().removeSensor(upstreamIgnored);
        }
        if (backfill != null) {
            backfill.close();
        }
        if (withdrawal != null) {
            withdrawal.close();
        }
        sourceReader.close();
        deliveryWriter.close();
        deadLetterWriter.close();
    }
}
