package cn.tianfu.databus.sharing.app.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.ledger.ExchangeEntries;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.opendata.OpenGrants;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.DeliveryAction;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.GrantWindow;
import cn.tianfu.databus.sharing.MaskRule;
import cn.tianfu.databus.sharing.PolicyException;
import cn.tianfu.databus.sharing.RowFilter;
import cn.tianfu.databus.sharing.app.RouterContext;
import cn.tianfu.databus.contract.Topics;

/**
 * Applies one change to one grant: the grant's row filter, {@link DeliveryAction#decide}, its projection and masks
 * ({@link DeliveryPlan}); writes the delivery record to {@code dlv.<consumer>.<resource>} and hands its exchange-log
 * entry ({@link ExchangeEntries#forDelivery}) to the task's chain node, and keeps {@code router-received}
 * ({@code <grantId> NUL <sourceTopic> NUL <key>} → present while the grant's consumer holds the key).
 */
final class GrantRouter {

    private static final Logger LOG = LoggerFactory.getLogger(GrantRouter.class);

    /**
     * Where a delivery comes from: the source event, or the stored state for a backfill (no headers then), and the
     * {@code databus.exchange-id} it carries ({@code headerExchangeId}, null without one; read once per record), which
     * the entry names as its upstream exchange when the provider is a district bus.
     */
    record Source(String topic, int partition, long offset, byte[] key, String keyText, long timestamp,
                  Headers headers, byte[] valueBytes, String headerExchangeId) {

        /** With the exchange id read from {@code headers}. */
        Source(String topic, int partition, long offset, byte[] key, String keyText, long timestamp, Headers headers,
               byte[] valueBytes) {
            this(topic, partition, offset, key, keyText, timestamp, headers, valueBytes, upstreamExchangeId(headers));
        }
    }

    /** Where the router hands each exchange-log entry, unchained and unserialized: the task's chain node. */
    @FunctionalInterface
    interface Chain {
        void append(ExchangeEntry entry, long timestamp);
    }

    /**
     * Why records are being withdrawn from a grant's consumer, and the grant terms the withdrawal answers (see
     * {@link Withdrawal}); carried by the entries and the delivery records of the withdrawal.
     */
    record Withdrawn(ExchangeEntry.RetractReason reason, String terms) {
    }

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

    private final RouterContext ctx;
    private final ProcessorContext<Out, byte[]> context;
    private final GlobalStores.Reader global;
    private final KeyValueStore<String, byte[]> received;
    private final AvroSerializer<GenericRecord> deliveryWriter;
    private final Chain chain;
    private final DeadLetterWriter deadLetters;

    private final Map<FilterKey, Optional<RowFilter>> filters = new HashMap<>();
    private final Map<PlanKey, Optional<DeliveryPlan>> plans = new HashMap<>();
    private final Map<String, Integer> deliveryPartitions = new HashMap<>();
    private final Map<String, GrantRoute> routes = new HashMap<>();
    /** Per resource code: its push grants in force, while its grants, catalog entry and their windows allow. */
    private final Map<String, InForce> inForce = new HashMap<>();

    GrantRouter(RouterContext ctx, ProcessorContext<Out, byte[]> context, GlobalStores.Reader global,
                KeyValueStore<String, byte[]> received, AvroSerializer<GenericRecord> deliveryWriter,
                Chain chain, DeadLetterWriter deadLetters) {
        this.ctx = ctx;
        this.context = context;
        this.global = global;
        this.received = received;
        this.deliveryWriter = deliveryWriter;
        this.chain = chain;
        this.deadLetters = deadLetters;
    }

    /**
     * The resource's grants that push and are in force now: worked out once per change of the resource's grants or
     * catalog entry (a new list from {@link GlobalStores.Reader#grantsOf}) and reused, without allocating, until the
     * next instant at which one of the grants' windows opens or closes.
     */
    List<Grant> pushGrantsInForce(CatalogEntry entry, long now) {
        List<Grant> all = global.grantsOf(entry.getCode());
        InForce cached = inForce.get(entry.getCode());
        if (cached == null || cached.all() != all || now < cached.from() || now >= cached.until()) {
            cached = InForce.of(all, now);
            inForce.put(entry.getCode(), cached);
        }
        return cached.grants();
    }

    /**
     * The push grants in force among {@code all}, valid for every instant in {@code [from, until)}: no window of the
     * grants opens or closes in between.
     */
    private record InForce(List<Grant> all, long from, long until, List<Grant> grants) {
        static InForce of(List<Grant> all, long now) {
            List<Grant> in = new ArrayList<>();
            long from = Long.MIN_VALUE;
            long until = Long.MAX_VALUE;
            for (Grant g : all) {
                if (pushable(g, now)) {
                    in.add(g);
                }
                if (g.getMethod() == SharingMethod.SERVICE) {
                    continue;
                }
                for (java.time.Instant bound : new java.time.Instant[] {g.getValidFrom(), g.getValidUntil()}) {
                    if (bound == null) {
                        continue;
                    }
                    long b = bound.toEpochMilli();
                    if (b <= now) {
                        from = Math.max(from, b);
                    } else {
                        until = Math.min(until, b);
                    }
                }
            }
            return new InForce(all, from, until, List.copyOf(in));
        }
    }

    /** Whether the grant pushes (method PUSH or BOTH) and is in force at {@code now}. */
    static boolean pushable(Grant g, long now) {
        if (g.getMethod() == SharingMethod.SERVICE) {
            return false;
        }
        return inForce(g, now);
    }

    /** Whether a grant, whatever its method, is in force at {@code now} (status ACTIVE, within its validity). */
    static boolean inForce(Grant g, long now) {
        GrantWindow window = GrantWindow.ofMillis(g.getStatus().name(), g.getValidFrom().toEpochMilli(),
                g.getValidUntil() == null ? null : g.getValidUntil().toEpochMilli());
        return window.inForceAt(now);
    }

    /** Makes sure the grant's delivery topic exists. */
    void ensureDeliveryTopic(Grant g, CatalogEntry entry) {
        partitionsOf(deliveryTopic(g, entry));
    }

    /**
     * Where a grant delivers: {@code dlv.<consumer>.<resource>}, or {@code open.<resource>} for the resource's open
     * grant ({@link OpenGrants}), which otherwise takes this same path.
     */
    static String deliveryTopic(Grant g, CatalogEntry entry) {
        return OpenGrants.isOpen(g) ? Topics.open(entry.getCode()) : Topics.delivery(g.getConsumer(), entry.getCode());
    }

    /** Applies one change (value null: delete) for one grant; true when something was sent. */
    boolean route(Grant g, CatalogEntry entry, Source source, GenericRecord value, long now) {
        String heldKey = StateKeys.received(g.getGrantId(), source.topic(), source.keyText());
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
        String deliveryTopic = r != null ? r.deliveryTopic() : deliveryTopic(g, entry);
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
                received.put(heldKey, StateKeys.PRESENT);
            }
        } else {
            op = action == DeliveryAction.DELETE ? ExchangeEntry.Operation.DELETE : ExchangeEntry.Operation.RETRACT;
            received.delete(heldKey);
        }
        emit(g, entry, r, source, deliveryTopic, deliveryValue, op, now, null);
        return true;
    }

    /** Whether the grant's consumer holds the key (delivered, not since deleted or retracted). */
    boolean holds(Grant g, String sourceTopic, String keyText) {
        return received.get(StateKeys.received(g.getGrantId(), sourceTopic, keyText)) != null;
    }

    /**
     * Withdraws a key the grant's consumer holds: a tombstone on the delivery topic and a {@code RETRACT} entry with
     * the withdrawal's reason; the key is no longer held.
     */
    void withdraw(Grant g, CatalogEntry entry, Source source, Withdrawn why, long now) {
        received.delete(StateKeys.received(g.getGrantId(), source.topic(), source.keyText()));
        emit(g, entry, null, source, Topics.delivery(g.getConsumer(), entry.getCode()), null,
                ExchangeEntry.Operation.RETRACT, now, why);
    }

    /**
     * Delivers a key the consumer holds again under the grant's current (narrowed) terms: the record projected and
     * masked as the grant now says, or — if it no longer passes the row filter, or the grant can no longer be
     * planned — withdrawn. Entries carry the withdrawal's reason. Returns whether anything was sent (a record over
     * the filter's cost limit is dead-lettered and left as it is).
     */
    boolean redeliver(Grant g, CatalogEntry entry, Source source, GenericRecord value, Withdrawn why, long now) {
        GrantRoute r = routeOf(g, entry, value.getSchema());
        boolean passes;
        if (r.filter().isPresent()) {
            RowFilter.Result result = r.filter().get().evaluate(value);
            if (result == RowFilter.Result.OVER_LIMIT) {
                filterOverLimit(g, source);
                return false;
            }
            passes = result == RowFilter.Result.PASS;
        } else {
            passes = g.getRowFilter() == null;
        }
        if (!passes || r.plan().isEmpty()) {
            withdraw(g, entry, source, why, now);
            return true;
        }
        byte[] deliveryValue = deliveryWriter.serialize(r.deliveryTopic(), r.plan().get().apply(value));
        emit(g, entry, r, source, r.deliveryTopic(), deliveryValue, ExchangeEntry.Operation.UPSERT, now, why);
        return true;
    }

    private GrantRoute routeOf(Grant g, CatalogEntry entry, Schema schema) {
        GrantRoute r = routes.get(g.getGrantId());
        if (r == null || !r.matches(g, entry, schema)) {
            r = new GrantRoute(g, entry, schema, filter(g, schema), plan(g, schema),
                    deliveryTopic(g, entry), keyMasked(g, entry));
            routes.put(g.getGrantId(), r);
        }
        return r;
    }

    /** Writes the delivery record, then its exchange-log entry. */
    private void emit(Grant g, CatalogEntry entry, GrantRoute r, Source source, String deliveryTopic,
                      byte[] deliveryValue, ExchangeEntry.Operation op, long now, Withdrawn why) {
        int partitions = partitionsOf(deliveryTopic);
        byte[] deliveryKey = deliveryKey(g, entry, source.keyText(), r).getBytes(StandardCharsets.UTF_8);
        int partition = Utils.toPositive(Utils.murmur2(deliveryKey)) % partitions;
        ExchangeEntries.Terms terms = new ExchangeEntries.Terms(entry.getCode(), entry.getProvider(), g.getConsumer(),
                g.getGrantId(), g.getPurpose());
        ExchangeEntries.Source from = new ExchangeEntries.Source(source.topic(), source.partition(), source.offset(),
                source.key());
        ExchangeEntry logEntry = why == null
                ? ExchangeEntries.forDelivery(ctx.keyHasher(), now, terms, from, op, deliveryTopic, partition,
                        deliveryValue, OpenGrants.isOpen(g) ? ExchangeEntry.Mode.OPEN : ExchangeEntry.Mode.PUSH)
                : ExchangeEntries.forWithdrawal(ctx.keyHasher(), now, terms, from, op, deliveryTopic, partition,
                        deliveryValue, why.reason(), why.terms());
        String upstream = upstreamOf(ctx, entry, source.headerExchangeId());
        if (upstream != null) {
            logEntry = logEntry.withUpstreamExchangeId(upstream);
        }
        String exchangeId = logEntry.exchangeId();

        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.OP, EventHeaders.bytes(op.name()));
        headers.add(EventHeaders.EXCHANGE_ID, EventHeaders.bytes(exchangeId));
        if (why != null) {
            headers.add(EventHeaders.RETRACT_REASON, EventHeaders.bytes(why.reason().name()));
        }
        copyHeader(source.headers(), headers, EventHeaders.EVENT_ID);
        copyHeader(source.headers(), headers, EventHeaders.SOURCE_TIME);
        context.forward(new Record<>(new Out(deliveryTopic, deliveryKey, partition), deliveryValue,
                source.timestamp(), headers), RouterProcessor.OUT_NODE);
        chain.append(logEntry, now);
    }

    /**
     * The key a consumer receives: the source key, or — when the grant delivers a key field masked — a stable
     * pseudonym: HMAC-SHA-256 with the bus secret of {@code "dlv-key" NUL consumer NUL key}, lowercase hex.
     */
    private String deliveryKey(Grant g, CatalogEntry entry, String key, GrantRoute r) {
        if (!(r != null ? r.keyMasked() : keyMasked(g, entry))) {
            return key;
        }
        String input = "dlv-key" + StateKeys.SEP + g.getConsumer() + StateKeys.SEP + key;
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
        return filters.computeIfAbsent(new FilterKey(g.getGrantId(), g.getRowFilter(), schema),
                k -> GrantProjection.filter(k.grantId(), k.expression(), k.schema()));
    }

    private Optional<DeliveryPlan> plan(Grant g, Schema schema) {
        PlanKey key = new PlanKey(g.getGrantId(), g.getConsumer(), g.getAllowedFields(), g.getClearFields(), schema);
        return plans.computeIfAbsent(key, k -> GrantProjection.plan(k.grantId(), k.consumer(), k.allowed(), k.clear(),
                k.schema()));
    }

    private int partitionsOf(String deliveryTopic) {
        return deliveryPartitions.computeIfAbsent(deliveryTopic, t -> ctx.deliveryTopics().ensure(t));
    }

    private static boolean nullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL || (schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
    }

    /**
     * A record's {@code databus.exchange-id} header ({@link #upstreamExchangeId(Headers)}) as the upstream exchange id
     * its entries and its key's state name: only on a district bus's topic, else null.
     */
    static String upstreamOf(RouterContext ctx, CatalogEntry entry, String header) {
        return header != null && ctx.tierDistricts().contains(entry.getProvider()) ? header : null;
    }

    /**
     * The record's {@code databus.exchange-id}, whoever wrote it; null without one. District tiers (docs/tiers.md): the
     * exchange id a district bus logged for a record it delivered upward, as the record carries it on the city's
     * source topic (copied by MirrorMaker 2); an entry names it only when the resource's provider is a district bus
     * ({@link RouterContext#tierDistricts()}).
     */
    static String upstreamExchangeId(Headers from) {
        if (from == null) {
            return null;
        }
        Header h = from.lastHeader(EventHeaders.EXCHANGE_ID);
        return h == null ? null : EventHeaders.text(h.value()).filter(t -> !t.isBlank()).orElse(null);
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

    /** A grant's row filter went over its cost limit on a record: the record is dead-lettered for that grant. */
    private void filterOverLimit(Grant g, Source source) {
        String message = "the row filter of grant " + g.getGrantId() + " went over its cost limit on this record (a"
                + " regular expression over " + RowFilter.MAX_REGEX_PROGRAM_SIZE + " instructions); the record was not"
                + " delivered under the grant: the grant's filter must be simplified";
        deadLetters.write(DeadLetterWriter.idOf(source.topic(), source.partition(), source.offset()) + "/"
                        + g.getGrantId(), DeadLetterReason.ROW_FILTER_LIMIT, message, source.topic(), source.partition(),
                source.offset(), source.key(), source.valueBytes(),
                source.headers() == null ? new RecordHeaders() : source.headers(), source.timestamp());
    }
}
