package cn.tianfu.databus.sharing.router.internal;

import cn.tianfu.databus.kafka.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.ExchangeMode;
import cn.tianfu.databus.schemas.ExchangeOperation;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.SourcePositions;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.sharing.DeliveryAction;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.GrantWindow;
import cn.tianfu.databus.sharing.MaskRule;
import cn.tianfu.databus.sharing.PolicyException;
import cn.tianfu.databus.sharing.RowFilter;
import cn.tianfu.databus.sharing.router.RouterContext;
import cn.tianfu.databus.contract.Topics;

/**
 * Routes every source event to the grants in force on its resource; see {@code docs/router.md}. One instance per
 * task; stores:
 * <ul>
 *   <li>latest: {@code <sourceTopic> NUL <key>} → {@link StoredRecord}, the task's partitions' current state (and markers of keys
 *       deleted by captured changes, so their replays are recognised);</li>
 *   <li>received: {@code <grantId> NUL <sourceTopic> NUL <key>} → present while the grant's consumer holds the key
 *       (delivered, not since deleted or retracted);</li>
 *   <li>backfilled: {@code <grantId>} → when this task backfilled the grant.</li>
 *   <li>backfill cursor: {@code <grantId>} → how far a backfill in progress has got ({@link #cursorAfter});</li>
 *   <li>unknown topics: {@code <sourceTopic>} → present once the topic has been dead-lettered as not governance's.</li>
 * </ul>
 */
public final class RouterProcessor implements Processor<byte[], byte[], Out, byte[]> {

    public static final String COMPONENT = "sharing-router";
    private static final Logger LOG = LoggerFactory.getLogger(RouterProcessor.class);
    private static final char SEP = '\u0000';
    private static final byte[] PRESENT = {1};

    private final RouterContext ctx;
    private final String catalogStore;
    private final String grantStore;
    private final GlobalStores.GrantsVersion grantsVersion;
    private final String latestStore;
    private final String receivedStore;
    private final String backfilledStore;
    private final String cursorStore;
    private final String unknownTopicsStore;

    private final AvroDeserializer<GenericRecord> sourceReader;
    private final AvroSerializer<GenericRecord> deliveryWriter;
    private final AvroSerializer<ExchangeLogEntry> logWriter;
    private final AvroSerializer<DeadLetter> deadLetterWriter;

    private final Map<FilterKey, Optional<RowFilter>> filters = new HashMap<>();
    private final Map<PlanKey, Optional<DeliveryPlan>> plans = new HashMap<>();
    private final Map<String, Set<Integer>> registeredIds = new HashMap<>();
    private final Map<String, Integer> deliveryPartitions = new HashMap<>();
    private final Map<String, GrantRoute> routes = new HashMap<>();
    private final Set<String> knownBackfilled = new java.util.HashSet<>();

    /** Metric group and name of the count of captured changes dropped as replays. */
    public static final String METRIC_GROUP = "databus-sharing-router";
    public static final String DUPLICATES_METRIC = "replayed-changes-dropped-total";
    private static final String DUPLICATES_SENSOR = "replayed-changes-dropped";
    /** Name of the count of records skipped because their topic is not a governance-created source topic. */
    public static final String UNKNOWN_TOPIC_METRIC = "unknown-topic-records-skipped-total";
    private static final String UNKNOWN_TOPIC_SENSOR = "unknown-topic-records-skipped";
    /** First byte of a cursor: the backfill has not read any key yet / has read up to the key that follows. */
    private static final byte CURSOR_START = 0;
    private static final byte CURSOR_AFTER = 1;

    private ProcessorContext<Out, byte[]> context;
    private Sensor duplicates;
    private Sensor unknownTopicRecords;
    private GlobalStores.Reader global;
    private KeyValueStore<String, byte[]> latest;
    private KeyValueStore<String, byte[]> received;
    private KeyValueStore<String, byte[]> backfilled;
    private KeyValueStore<String, byte[]> cursors;
    private KeyValueStore<String, byte[]> unknownTopics;

    private record FilterKey(String grantId, String expression, Schema schema) {
    }

    private record PlanKey(String grantId, String consumer, List<String> allowed, List<String> clear, Schema schema) {
    }

    /**
     * What a grant needs for every record of one schema, worked out once: valid while the grant, the catalog entry and
     * the record's schema are the same instances (the global stores hand out the same decoded instance until a
     * change, the deserializer the same schema per id).
     */
    private record GrantRoute(Grant grant, CatalogEntry entry, Schema schema, Optional<RowFilter> filter,
                              Optional<DeliveryPlan> plan, String deliveryTopic, boolean keyMasked) {
        boolean matches(Grant g, CatalogEntry e, Schema s) {
            return grant == g && entry == e && schema == s;
        }
    }

    /** Where a delivery comes from: the source event, or the stored state for a backfill. */
    private record Source(String topic, int partition, long offset, byte[] key, String keyText, long timestamp,
                          Headers headers, byte[] valueBytes) {
    }

    public RouterProcessor(RouterContext ctx, String catalogStore, String grantStore,
                           GlobalStores.GrantsVersion grantsVersion, String latestStore, String receivedStore,
                           String backfilledStore, String cursorStore, String unknownTopicsStore) {
        this.ctx = ctx;
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
        this.logWriter = new AvroSerializer<>(ctx.registry());
        this.deadLetterWriter = new AvroSerializer<>(ctx.registry());
    }

    @Override
    public void init(ProcessorContext<Out, byte[]> context) {
        this.context = context;
        this.global = new GlobalStores.Reader(context.getStateStore(catalogStore), context.getStateStore(grantStore),
                grantsVersion);
        this.latest = context.getStateStore(latestStore);
        this.received = context.getStateStore(receivedStore);
        this.backfilled = context.getStateStore(backfilledStore);
        this.cursors = context.getStateStore(cursorStore);
        this.unknownTopics = context.getStateStore(unknownTopicsStore);
        // a task re-initialised after an aborted transaction must not trust what it remembered from it
        knownBackfilled.clear();
        Map<String, String> tags = Map.of("task-id", context.taskId().toString());
        duplicates = context.metrics().addSensor(DUPLICATES_SENSOR + "-" + context.taskId(), Sensor.RecordingLevel.INFO);
        duplicates.add(new MetricName(DUPLICATES_METRIC, METRIC_GROUP, "Captured changes dropped as replays of a state"
                + " already applied (source position not later than the stored one)", tags), new CumulativeCount());
        unknownTopicRecords = context.metrics().addSensor(UNKNOWN_TOPIC_SENSOR + "-" + context.taskId(), Sensor.RecordingLevel.INFO);
        unknownTopicRecords.add(new MetricName(UNKNOWN_TOPIC_METRIC, METRIC_GROUP, "Records skipped because their topic"
                + " matches the source pattern but is not a catalogued resource's (dead-lettered once per topic)", tags),
                new CumulativeCount());
        context.schedule(ctx.backfillCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::backfillAll);
        context.schedule(ctx.backfillStepInterval(), PunctuationType.WALL_CLOCK_TIME, this::backfillStep);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata md = context.recordMetadata().orElseThrow();
        String topic = md.topic();
        int partition = md.partition();
        long offset = md.offset();
        Optional<Topics.ResourceTopic> rt = Topics.parseSource(topic);
        if (rt.isEmpty()) {
            deadLetter(record, md, DeadLetterReason.UNKNOWN_RESOURCE, "'" + topic + "' is not a source topic");
            return;
        }
        String department = rt.get().department();
        String code = rt.get().resourceCode();
        CatalogEntry entry = global.entry(code);
        if (entry == null) {
            unknownTopic(record, md, DeadLetterReason.UNKNOWN_SOURCE_TOPIC, "resource " + code + " is not in the"
                    + " catalog, so governance did not create " + topic + ": register the resource before publishing;"
                    + " records of this topic are skipped until then (this is the only dead letter for them)");
            return;
        }
        if (!department.equals(entry.getProvider())) {
            unknownTopic(record, md, DeadLetterReason.NOT_THE_PROVIDER, department + " does not provide " + code
                    + " (its provider is " + entry.getProvider() + "): only the provider publishes a resource; records"
                    + " of " + topic + " are skipped (this is the only dead letter for them)");
            return;
        }
        if (entry.getStatus() == ResourceStatus.RETIRED) {
            deadLetter(record, md, DeadLetterReason.UNKNOWN_RESOURCE, "resource " + code + " is retired: it takes no"
                    + " more changes");
            return;
        }
        if (record.key() == null) {
            deadLetter(record, md, DeadLetterReason.MISSING_KEY, "a record of " + code + " without a key: publish"
                    + " with the record's key field value as key");
            return;
        }
        GenericRecord value = null;
        int schemaId = -1;
        if (record.value() != null) {
            try {
                Object decoded = sourceReader.deserialize(topic, record.value());
                if (!(decoded instanceof GenericRecord g)) {
                    deadLetter(record, md, DeadLetterReason.SCHEMA_MISMATCH, "the value is not an Avro record");
                    return;
                }
                value = g;
            } catch (AvroWireFormatException e) {
                DeadLetterReason reason = e.reason() == AvroWireFormatException.Reason.UNKNOWN_SCHEMA_ID
                        ? DeadLetterReason.UNKNOWN_SCHEMA : DeadLetterReason.MALFORMED_BYTES;
                deadLetter(record, md, reason, e.at(partition, offset).getMessage());
                return;
            }
            schemaId = schemaIdOf(record.value());
            String subject = topic + "-value";
            if (!isRegisteredVersion(subject, schemaId, value.getSchema())) {
                deadLetter(record, md, DeadLetterReason.SCHEMA_MISMATCH, "schema id " + schemaId + " ("
                        + value.getSchema().getFullName() + ") is not a registered version of '" + subject
                        + "': publish with the catalogued schema");
                return;
            }
        }
        String keyText = new String(record.key(), StandardCharsets.UTF_8);
        String stateKey = topic + SEP + keyText;
        String position = KafkaHeaders.text(record.headers(), EventHeaders.SOURCE_POSITION).orElse(null);
        if (position != null && alreadyApplied(stateKey, position, record.value(), partition, offset, schemaId)) {
            return;
        }
        if (entry.getSharingClass() != SharingClass.NOT_SHARED) {
            long now = context.currentSystemTimeMs();
            List<Grant> inForce = pushGrantsInForce(entry, now);
            Source source = new Source(topic, partition, offset, record.key(), keyText, record.timestamp(), record.headers(),
                    record.value());
            byte[] stateKeyBytes = null;
            for (Grant g : inForce) {
                if (isBackfilled(g)) {
                    route(g, entry, source, value, now);
                    continue;
                }
                // backfill in progress (or starting now, with its first chunk): a key the cursor has passed is
                // routed as usual; a key it has not reached is not, the cursor sends its latest state when it gets there
                byte[] cursor = cursors.get(g.getGrantId());
                if (cursor == null) {
                    startBackfill(g, entry, now);
                    if (isBackfilled(g)) {
                        route(g, entry, source, value, now);
                        continue;
                    }
                    cursor = cursors.get(g.getGrantId());
                }
                if (stateKeyBytes == null) {
                    stateKeyBytes = stateKey.getBytes(StandardCharsets.UTF_8);
                }
                if (cursorPassed(cursor, stateKeyBytes)) {
                    route(g, entry, source, value, now);
                }
            }
        }
        if (value == null && position == null) {
            latest.delete(stateKey);
        } else if (value == null) {
            latest.put(stateKey, StoredRecord.deletedAt(partition, offset, position).encode());
        } else {
            latest.put(stateKey, new StoredRecord(partition, offset, schemaId, record.value(), position).encode());
        }
    }

    /**
     * Whether a captured change is a replay of what the key's stored state already reflects — its source position is not
     * later than the stored one (Debezium delivers at least once across restarts), or it carries exactly the stored
     * value again (a snapshot re-read) — in which case it is dropped, counted and not delivered.
     */
    private boolean alreadyApplied(String stateKey, String position, byte[] valueBytes, int partition, long offset,
                                   int schemaId) {
        byte[] storedBytes = latest.get(stateKey);
        if (storedBytes == null) {
            return false;
        }
        StoredRecord stored = StoredRecord.decode(storedBytes);
        if (SourcePositions.isReplay(stored.sourcePosition(), position)) {
            duplicates.record();
            LOG.debug("Dropped a replayed change at {} of {}: the stored state is at {}", position, stateKey.replace(SEP, '/'),
                    stored.sourcePosition());
            return true;
        }
        if (valueBytes != null && !stored.isDeleted() && stored.sourcePosition() != null
                && SourcePositions.kind(stored.sourcePosition()).equals(SourcePositions.kind(position))
                && java.util.Arrays.equals(stored.value(), valueBytes)) {
            latest.put(stateKey, new StoredRecord(partition, offset, schemaId, valueBytes, position).encode());
            duplicates.record();
            LOG.debug("Dropped an unchanged re-read at {} of {}", position, stateKey.replace(SEP, '/'));
            return true;
        }
        return false;
    }

    /** Wall-clock check: backfill every grant in force that this task has not served yet. */
    private void backfillAll(long now) {
        for (Grant g : global.allGrants()) {
            if (!pushable(g, now) || isBackfilled(g)) {
                continue;
            }
            CatalogEntry entry = global.entry(g.getResourceCode());
            if (entry == null || entry.getStatus() != ResourceStatus.ACTIVE
                    || entry.getSharingClass() == SharingClass.NOT_SHARED) {
                continue;
            }
            if (cursors.get(g.getGrantId()) == null) {
                startBackfill(g, entry, now);
            }
        }
    }

    /** Whether this task has backfilled the grant; a grant once backfilled stays so, so the answer is remembered. */
    private boolean isBackfilled(Grant g) {
        String id = g.getGrantId();
        if (knownBackfilled.contains(id)) {
            return true;
        }
        if (backfilled.get(id) != null) {
            knownBackfilled.add(id);
            return true;
        }
        return false;
    }

    private List<Grant> pushGrantsInForce(CatalogEntry entry, long now) {
        List<Grant> out = new ArrayList<>();
        for (Grant g : global.grantsOf(entry.getCode())) {
            if (pushable(g, now)) {
                out.add(g);
            }
        }
        return out;
    }

    private static boolean pushable(Grant g, long now) {
        if (g.getMethod() == SharingMethod.SERVICE) {
            return false;
        }
        GrantWindow window = GrantWindow.ofMillis(g.getStatus().name(), g.getValidFrom().toEpochMilli(),
                g.getValidUntil() == null ? null : g.getValidUntil().toEpochMilli());
        return window.inForceAt(now);
    }

    /**
     * Starts backfilling a grant: makes sure the delivery topic exists and backfills a first chunk at once (a resource
     * that fits in one chunk is then done, in the current transaction); the rest follows chunk by chunk.
     */
    private void startBackfill(Grant g, CatalogEntry entry, long now) {
        partitionsOf(Topics.delivery(g.getConsumer(), entry.getCode()));
        LOG.info("Backfill of grant {} ({} to {}) starts in task {}", g.getGrantId(), entry.getCode(), g.getConsumer(),
                context.taskId());
        byte[] start = {CURSOR_START};
        cursors.put(g.getGrantId(), start);
        backfillChunk(g, entry, start, ctx.backfillChunkRecords(),
                System.nanoTime() + ctx.backfillChunkMaxTime().toNanos(), now);
        context.commit();
    }

    /**
     * Wall-clock step: one bounded chunk of the backfills in progress — at most {@code backfillChunkRecords} stored
     * records read, for at most {@code backfillChunkMaxTime}, all grants together — then a commit is requested, so each
     * chunk is one transaction with its cursor. A grant no longer in force (revoked, expired, ended, gone) stops its
     * backfill; a resource that is not routable now (not active, not shared) pauses it.
     */
    private void backfillStep(long now) {
        List<KeyValue<String, byte[]>> open = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = cursors.all()) {
            while (it.hasNext()) {
                open.add(it.next());       // one small entry per backfill in progress
            }
        }
        if (open.isEmpty()) {
            return;
        }
        int budget = ctx.backfillChunkRecords();
        long deadline = System.nanoTime() + ctx.backfillChunkMaxTime().toNanos();
        boolean worked = false;
        for (KeyValue<String, byte[]> kv : open) {
            if (budget <= 0 || System.nanoTime() - deadline >= 0) {
                break;
            }
            Grant g = global.grant(kv.key);
            if (g == null || !pushable(g, now)) {
                cursors.delete(kv.key);
                worked = true;
                LOG.info("Backfill of grant {} stopped in task {}: the grant is no longer in force", kv.key,
                        context.taskId());
                continue;
            }
            CatalogEntry entry = global.entry(g.getResourceCode());
            if (entry == null || entry.getStatus() != ResourceStatus.ACTIVE
                    || entry.getSharingClass() == SharingClass.NOT_SHARED) {
                continue;
            }
            budget -= backfillChunk(g, entry, kv.value, budget, deadline, now);
            worked = true;
        }
        if (worked) {
            context.commit();
        }
    }

    /**
     * Delivers the stored state of the keys after the cursor that pass the grant's filter, in key order, reading at most
     * {@code budget} records and stopping at the deadline; then moves the cursor to the last key read, or — when the
     * resource's keys are exhausted — records the grant as backfilled and removes the cursor. The store's iterator is
     * closed before returning, so memory does not grow with the resource. Returns the number of records read.
     */
    private int backfillChunk(Grant g, CatalogEntry entry, byte[] cursor, int budget, long deadline, long now) {
        String sourceTopic = Topics.source(entry.getProvider(), entry.getCode());
        String from = cursor[0] == CURSOR_START ? sourceTopic + SEP : cursorKey(cursor) + SEP;  // the key's successor
        String to = sourceTopic + (char) (SEP + 1);
        int read = 0;
        int delivered = 0;
        String last = null;
        boolean exhausted;
        try (KeyValueIterator<String, byte[]> it = latest.range(from, to)) {
            while (read < budget && it.hasNext() && (read == 0 || System.nanoTime() - deadline < 0)) {
                KeyValue<String, byte[]> kv = it.next();
                read++;
                last = kv.key;
                StoredRecord stored = StoredRecord.decode(kv.value);
                if (stored.isDeleted()) {
                    continue;
                }
                GenericRecord value = (GenericRecord) sourceReader.deserialize(sourceTopic, stored.value());
                String keyText = kv.key.substring(sourceTopic.length() + 1);
                Source source = new Source(sourceTopic, stored.partition(), stored.offset(),
                        keyText.getBytes(StandardCharsets.UTF_8), keyText, now, null, stored.value());
                if (route(g, entry, source, value, now)) {
                    delivered++;
                }
            }
            exhausted = !it.hasNext();
        }
        if (exhausted) {
            cursors.delete(g.getGrantId());
            backfilled.put(g.getGrantId(), Long.toString(now).getBytes(StandardCharsets.UTF_8));
            knownBackfilled.add(g.getGrantId());
            LOG.info("Backfilled grant {} ({} to {}) in task {}; last chunk: {} record(s) read, {} delivered",
                    g.getGrantId(), entry.getCode(), g.getConsumer(), context.taskId(), read, delivered);
        } else {
            cursors.put(g.getGrantId(), cursorAfter(last));
            LOG.debug("Backfill of grant {} in task {}: {} record(s) read, {} delivered", g.getGrantId(),
                    context.taskId(), read, delivered);
        }
        return read;
    }

    /** A cursor standing after the given state key (which the backfill has handled). */
    static byte[] cursorAfter(String stateKey) {
        byte[] key = stateKey.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[key.length + 1];
        out[0] = CURSOR_AFTER;
        System.arraycopy(key, 0, out, 1, key.length);
        return out;
    }

    private static String cursorKey(byte[] cursor) {
        return new String(cursor, 1, cursor.length - 1, StandardCharsets.UTF_8);
    }

    /**
     * Whether the backfill has handled the state key: the key is not after the cursor, in the store's order (unsigned
     * bytes of the UTF-8 key).
     */
    private static boolean cursorPassed(byte[] cursor, byte[] stateKey) {
        if (cursor[0] == CURSOR_START) {
            return false;
        }
        return java.util.Arrays.compareUnsigned(cursor, 1, cursor.length, stateKey, 0, stateKey.length) >= 0;
    }

    /** Applies one change (value null: delete) for one grant; true when something was sent. */
    private boolean route(Grant g, CatalogEntry entry, Source source, GenericRecord value, long now) {
        String heldKey = g.getGrantId() + SEP + source.topic() + SEP + source.keyText();
        boolean held = received.get(heldKey) != null;
        boolean delete = value == null;
        boolean passes = false;
        GrantRoute r = null;
        if (!delete) {
            r = routeOf(g, entry, value.getSchema());
            if (r.filter().isPresent()) {
                RowFilter.Result result = r.filter().get().evaluate(value);
                if (result == RowFilter.Result.OVER_LIMIT) {
                    // fail safe: the record is not delivered and nothing the consumer holds changes
                    filterOverLimit(g, source);
                    return false;
                }
                passes = result == RowFilter.Result.PASS;
            } else {
                passes = g.getRowFilter() == null;
            }
        }
        DeliveryAction action = DeliveryAction.decide(held, held, passes, delete);
        if (!action.sends()) {
            return false;
        }
        byte[] deliveryValue = null;
        String deliveryTopic = r != null ? r.deliveryTopic() : Topics.delivery(g.getConsumer(), entry.getCode());
        ExchangeEntry.Operation op;
        if (action == DeliveryAction.DELIVER) {
            Optional<DeliveryPlan> plan = r.plan();
            if (plan.isEmpty()) {
                return false;
            }
            deliveryValue = deliveryWriter.serialize(deliveryTopic, plan.get().apply(value));
            op = ExchangeEntry.Operation.UPSERT;
            if (!held) {
                // an update of a key the consumer holds changes nothing here: no store write, no changelog record
                received.put(heldKey, PRESENT);
            }
        } else {
            op = action == DeliveryAction.DELETE ? ExchangeEntry.Operation.DELETE : ExchangeEntry.Operation.RETRACT;
            received.delete(heldKey);
        }
        emit(g, entry, r, source, deliveryTopic, deliveryValue, op, now);
        return true;
    }

    private GrantRoute routeOf(Grant g, CatalogEntry entry, Schema schema) {
        GrantRoute r = routes.get(g.getGrantId());
        if (r == null || !r.matches(g, entry, schema)) {
            r = new GrantRoute(g, entry, schema, filter(g, schema), plan(g, schema),
                    Topics.delivery(g.getConsumer(), entry.getCode()), keyMasked(g, entry));
            routes.put(g.getGrantId(), r);
        }
        return r;
    }

    private void emit(Grant g, CatalogEntry entry, GrantRoute r, Source source, String deliveryTopic,
                      byte[] deliveryValue, ExchangeEntry.Operation op, long now) {
        int partitions = partitionsOf(deliveryTopic);
        byte[] deliveryKey = deliveryKey(g, entry, source.keyText(), r).getBytes(StandardCharsets.UTF_8);
        int partition = Utils.toPositive(Utils.murmur2(deliveryKey)) % partitions;
        String exchangeId = ExchangeIds.forDelivery(source.topic(), source.partition(), source.offset(), g.getGrantId(), op);

        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.OP, EventHeaders.bytes(op.name()));
        headers.add(EventHeaders.EXCHANGE_ID, EventHeaders.bytes(exchangeId));
        copyHeader(source.headers(), headers, EventHeaders.EVENT_ID);
        copyHeader(source.headers(), headers, EventHeaders.SOURCE_TIME);
        context.forward(new Record<>(new Out(deliveryTopic, deliveryKey, partition), deliveryValue,
                source.timestamp(), headers));

        ExchangeLogEntry logEntry = ExchangeLogEntry.newBuilder()
                .setExchangeId(exchangeId)
                .setTime(Instant.ofEpochMilli(now))
                .setMode(ExchangeMode.PUSH)
                .setResourceCode(entry.getCode())
                .setProvider(entry.getProvider())
                .setConsumer(g.getConsumer())
                .setGrantId(g.getGrantId())
                .setPurpose(g.getPurpose())
                .setKeyHash(ctx.keyHasher().hash(source.key()))
                .setOperation(ExchangeOperation.valueOf(op.name()))
                .setValueDigest(deliveryValue == null ? null : ctx.keyHasher().valueDigest(deliveryValue))
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setDeliveryTopic(deliveryTopic)
                .setDeliveryPartition(partition)
                .setDeliveryOffset(null)
                .build();
        context.forward(new Record<>(new Out(Topics.EXCHANGE_LOG_STAGING, exchangeId.getBytes(StandardCharsets.UTF_8), -1),
                logWriter.serialize(Topics.EXCHANGE_LOG_STAGING, logEntry), now));
    }

    /**
     * The key a consumer receives: the source key, or — when the grant delivers a key field masked — a stable
     * pseudonym: HMAC-SHA-256 with the bus secret of {@code "dlv-key" NUL consumer NUL key}, lowercase hex.
     */
    private String deliveryKey(Grant g, CatalogEntry entry, String key, GrantRoute r) {
        if (!(r != null ? r.keyMasked() : keyMasked(g, entry))) {
            return key;
        }
        String input = "dlv-key" + SEP + g.getConsumer() + SEP + key;
        return ctx.keyHasher().hash(input.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the grant masks a key field (a non-nullable field) of the resource's catalogued schema. */
    private boolean keyMasked(Grant g, CatalogEntry entry) {
        Schema catalogued = ctx.registry().schemaById(entry.getSchemaId());
        Optional<DeliveryPlan> plan = plan(g, catalogued);
        if (plan.isEmpty()) {
            return true;   // fail closed: never reveal a key we cannot show to be granted in clear
        }
        for (Map.Entry<String, MaskRule> e : plan.get().appliedMasks().entrySet()) {
            if (e.getValue() != MaskRule.NONE && !nullable(catalogued.getField(e.getKey()).schema())) {
                return true;
            }
        }
        return false;
    }

    private Optional<RowFilter> filter(Grant g, Schema schema) {
        if (g.getRowFilter() == null) {
            return Optional.empty();
        }
        return filters.computeIfAbsent(new FilterKey(g.getGrantId(), g.getRowFilter(), schema), k -> {
            try {
                // a grant's filter was checked when it was decided; the run-time step limit still applies
                return Optional.of(RowFilter.compileGranted(k.expression(), schema, (expr, message) ->
                        LOG.debug("Row filter of grant {} failed on a record: {}", k.grantId(), message)));
            } catch (PolicyException e) {
                LOG.error("Grant {}: row filter does not compile against {}; nothing is delivered under it: {}",
                        k.grantId(), schema.getFullName(), e.getMessage());
                return Optional.empty();
            }
        });
    }

    private Optional<DeliveryPlan> plan(Grant g, Schema schema) {
        PlanKey key = new PlanKey(g.getGrantId(), g.getConsumer(), g.getAllowedFields(), g.getClearFields(), schema);
        return plans.computeIfAbsent(key, k -> {
            try {
                return Optional.of(DeliveryPlan.build(schema, k.consumer(), Optional.ofNullable(k.allowed()),
                        Set.copyOf(k.clear())));
            } catch (PolicyException e) {
                LOG.error("Grant {}: cannot plan delivery of {}; nothing is delivered under it: {}", k.grantId(),
                        schema.getFullName(), e.getMessage());
                return Optional.empty();
            }
        });
    }

    private int partitionsOf(String deliveryTopic) {
        return deliveryPartitions.computeIfAbsent(deliveryTopic, t -> ctx.deliveryTopics().ensure(t));
    }

    private boolean isRegisteredVersion(String subject, int id, Schema schema) {
        Set<Integer> ids = registeredIds.computeIfAbsent(subject, s -> new java.util.HashSet<>());
        if (ids.contains(id)) {
            return true;
        }
        try {
            Optional<RegisteredSchema> found = ctx.registry().lookup(subject, schema);
            if (found.isPresent() && found.get().id() == id) {
                ids.add(id);
                return true;
            }
            return false;
        } catch (SchemaRegistryException e) {
            if (e.isRetriable()) {
                throw e;
            }
            return false;
        }
    }

    private static boolean nullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL || (schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
    }

    private static int schemaIdOf(byte[] wire) {
        return ((wire[1] & 0xff) << 24) | ((wire[2] & 0xff) << 16) | ((wire[3] & 0xff) << 8) | (wire[4] & 0xff);
    }

    private static void copyHeader(Headers from, Headers to, String name) {
        if (from == null) {
            return;
        }
        Header h = from.lastHeader(name);
        if (h != null) {
            to.add(name, h.value());
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata md, DeadLetterReason reason, String message) {
        DeadLetter dl = DeadLetters.builder(COMPONENT, reason, message)
                .source(md.topic(), md.partition(), md.offset())
                .original(record.key(), record.value(), record.headers())
                .time(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        // deterministic: a replay of the same source record rewrites the same dead letter
        String id = COMPONENT + "/" + md.topic() + "/" + md.partition() + "/" + md.offset();
        dl.setId(id);
        context.forward(new Record<>(new Out(Topics.DEADLETTER, id.getBytes(StandardCharsets.UTF_8), -1),
                deadLetterWriter.serialize(Topics.DEADLETTER, dl), record.timestamp()));
        LOG.warn("Dead letter {} from {}: {}", reason, id, message);
    }

    /** A grant's row filter went over its cost limit on a record: the record is dead-lettered for that grant. */
    private void filterOverLimit(Grant g, Source source) {
        String message = "the row filter of grant " + g.getGrantId() + " went over its cost limit on this record (a"
                + " regular expression over " + RowFilter.MAX_REGEX_PROGRAM_SIZE + " instructions); the record was not"
                + " delivered under the grant: the grant's filter must be simplified";
        DeadLetter dl = DeadLetters.builder(COMPONENT, DeadLetterReason.ROW_FILTER_LIMIT, message)
                .source(source.topic(), source.partition(), source.offset())
                .original(source.key(), source.valueBytes(), source.headers() == null ? new RecordHeaders() : source.headers())
                .time(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        String id = COMPONENT + "/" + source.topic() + "/" + source.partition() + "/" + source.offset() + "/" + g.getGrantId();
        dl.setId(id);
        context.forward(new Record<>(new Out(Topics.DEADLETTER, id.getBytes(StandardCharsets.UTF_8), -1),
                deadLetterWriter.serialize(Topics.DEADLETTER, dl), source.timestamp()));
        LOG.warn("Dead letter {} from {}: {}", DeadLetterReason.ROW_FILTER_LIMIT, id, message);
    }

    /**
     * A record of a topic that matches the source pattern but that governance did not create (its resource is not
     * catalogued, or is catalogued under another provider): the first one this task sees is dead-lettered, the
     * topic is remembered, and later ones are skipped and counted — one dead letter per topic, not per record.
     */
    private void unknownTopic(Record<byte[], byte[]> record, RecordMetadata md, DeadLetterReason reason, String message) {
        if (unknownTopics.get(md.topic()) != null) {
            unknownTopicRecords.record();
            return;
        }
        unknownTopics.put(md.topic(), PRESENT);
        deadLetter(record, md, reason, message);
    }

    @Override
    public void close() {
        if (duplicates != null) {
            context.metrics().removeSensor(duplicates);
        }
        if (unknownTopicRecords != null) {
            context.metrics().removeSensor(unknownTopicRecords);
        }
        sourceReader.close();
        deliveryWriter.close();
        logWriter.close();
        deadLetterWriter.close();
    }
}
