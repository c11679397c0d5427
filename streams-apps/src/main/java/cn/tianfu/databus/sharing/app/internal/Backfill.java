package cn.tianfu.databus.sharing.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.SourcePositions;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.KafkaHeaders;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.sharing.app.RouterContext;
import cn.tianfu.databus.sharing.app.SourceLogReader;

/**
 * Backfills push grants by replaying the task's partition of their resource's source topic, in bounded chunks, one
 * transaction each (see {@code docs/router.md}, "Backfill"). Every offset of the partition reaches a grant once, from
 * the backfill or live, never both: the backfill covers the offsets below its bound {@code B}, live routing the rest.
 *
 * <p>Stores: {@code router-backfill-cursor} ({@code <grantId>} → next offset {@code c} and bound {@code B} of a
 * backfill in progress, {@link Cursor}); {@code router-backfilled} ({@code <grantId>} → when this task backfilled the
 * grant and the bound it ended at; and, while a backfill is in progress, {@code <grantId> NUL <sourceTopic> NUL <key>}
 * → the source position and value digest of the last captured change the backfill delivered for the key, so a replayed
 * change is not delivered again). It reads {@code router-latest} only for the source position a key's live changes
 * have reached.
 */
final class Backfill {

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);
    /** First byte of a cursor of this layout (older layouts walked {@code router-latest} by key: 0 and 1). */
    private static final byte CURSOR_OFFSETS = 2;
    /** Bound of a grant backfilled by an older layout: every live change after it is routed. */
    private static final long NO_BOUND = 0;

    private final RouterContext ctx;
    private final ProcessorContext<Out, byte[]> context;
    private final GlobalStores.Reader global;
    private final KeyValueStore<String, byte[]> latest;
    private final KeyValueStore<String, byte[]> backfilled;
    private final KeyValueStore<String, byte[]> cursors;
    private final GrantRouter router;
    private final SourceGate gate;
    private final ReplayGuard replays;
    private final StateKeeping keeping;
    /** Told of every grant this task starts delivering under (the withdrawal notes its terms). */
    private final java.util.function.Consumer<Grant> delivering;
    /** Grants this task has backfilled → the bound their backfill ended at; built afresh from the store on init. */
    private final Map<String, Long> knownBackfilled = new HashMap<>();
    /** Per source topic: the last offset of the task's partition this task has processed since it was initialised. */
    private final Map<String, Long> lastProcessed = new HashMap<>();
    private final int partition;
    private SourceLogReader reader;

    /** A backfill in progress: next offset to read, and the bound it reads up to (exclusive). */
    record Cursor(long next, long bound) {
        byte[] encode() {
            return ByteBuffer.allocate(17).put(CURSOR_OFFSETS).putLong(next).putLong(bound).array();
        }

        /** The cursor, or null for one of an older layout (the backfill then starts over from offset 0). */
        static Cursor decode(byte[] bytes) {
            if (bytes.length != 17 || bytes[0] != CURSOR_OFFSETS) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, 1, 16);
            return new Cursor(b.getLong(), b.getLong());
        }
    }

    Backfill(RouterContext ctx, ProcessorContext<Out, byte[]> context, GlobalStores.Reader global,
             KeyValueStore<String, byte[]> latest, KeyValueStore<String, byte[]> backfilled,
             KeyValueStore<String, byte[]> cursors, GrantRouter router, SourceGate gate,
             java.util.function.Consumer<Grant> delivering, ReplayGuard replays, StateKeeping keeping) {
        this.delivering = delivering;
        this.replays = replays;
        this.keeping = keeping;
        this.ctx = ctx;
        this.context = context;
        this.global = global;
        this.latest = latest;
        this.backfilled = backfilled;
        this.cursors = cursors;
        this.router = router;
        this.gate = gate;
        this.partition = context.taskId().partition();
    }

    /** Notes that the task is processing the record at {@code offset} of its partition of {@code topic}. */
    void processing(String topic, long offset) {
        lastProcessed.put(topic, offset);
    }

    /**
     * Whether a live record at {@code offset} of the task's partition is routed to a grant in force now: only once
     * the grant is backfilled, and only at or after the backfill's bound. While the backfill is in progress (or starts
     * now) the record is left to the backfill, whose bound moves past it.
     */
    boolean routesLiveChange(Grant g, CatalogEntry entry, long offset, long now) {
        Long done = backfilledBound(g);
        if (done != null) {
            return offset >= done;
        }
        Cursor cursor = cursor(g);
        if (cursor == null) {
            start(g, entry, offset, now);
            return false;
        }
        if (offset >= cursor.bound()) {
            cursors.put(g.getGrantId(), new Cursor(cursor.next(), offset + 1).encode());
        }
        return false;
    }

    /**
     * Whether a grant is backfilled now: a push grant in force is delivered the resource's records; a SERVICE grant in
     * force delivers nothing, but its backfill fills the keys' states (and values) its lookups answer from.
     */
    static boolean backfills(Grant g, long now) {
        return GrantRouter.inForce(g, now);
    }

    private static boolean delivers(Grant g) {
        return g.getMethod() != SharingMethod.SERVICE;
    }

    /** Wall-clock check: backfill every grant in force that this task has not served yet. */
    void checkAll(long now) {
        for (Grant g : global.allGrants()) {
            if (!backfills(g, now) || backfilledBound(g) != null) {
                continue;
            }
            CatalogEntry entry = global.entry(g.getResourceCode());
            if (entry == null || entry.getStatus() != ResourceStatus.ACTIVE
                    || entry.getSharingClass() == SharingClass.NOT_SHARED) {
                continue;
            }
            if (cursor(g) == null) {
                start(g, entry, -1, now);
            }
        }
    }

    /**
     * Wall-clock step: one bounded chunk of the backfills in progress — at most {@code backfillChunkRecords} source
     * records read, for at most {@code backfillChunkMaxTime}, all grants together — then a commit is requested, so each
     * chunk is one transaction with its cursor. A grant no longer in force (revoked, expired, ended, gone) stops its
     * backfill; a resource that is not routable now (not active, not shared) pauses it.
     */
    void step(long now) {
        List<KeyValue<String, byte[]>> open = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = cursors.all()) {
            while (it.hasNext()) {
                open.add(it.next());       // one small entry per backfill in progress
            }
        }
        if (open.isEmpty()) {
            close();                    // no backfill left: the reader is opened again by the next one
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
            if (g == null || !backfills(g, now)) {
                cursors.delete(kv.key);
                forgetPositions(kv.key);
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
            Cursor cursor = Cursor.decode(kv.value);
            if (cursor == null) {
                cursor = new Cursor(0, initialBound(entry, -1));
                cursors.put(g.getGrantId(), cursor.encode());
            }
            budget -= chunk(g, entry, cursor, budget, deadline, now);
            worked = true;
        }
        if (worked) {
            context.commit();
        }
    }

    /** Closes the task's reader of the source topics, if it has one open. */
    void close() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    /** The bound this task's backfill of the grant ended at, or null when it has not backfilled it. */
    private Long backfilledBound(Grant g) {
        String id = g.getGrantId();
        Long known = knownBackfilled.get(id);
        if (known != null) {
            return known;
        }
        byte[] done = backfilled.get(id);
        if (done == null) {
            return null;
        }
        String text = new String(done, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        long bound = space < 0 ? NO_BOUND : Long.parseLong(text.substring(space + 1));
        knownBackfilled.put(id, bound);
        return bound;
    }

    private Cursor cursor(Grant g) {
        byte[] bytes = cursors.get(g.getGrantId());
        if (bytes == null) {
            return null;
        }
        Cursor c = Cursor.decode(bytes);
        return c != null ? c : new Cursor(0, Long.MIN_VALUE);
    }

    /**
     * The bound of a backfill starting now: after the last offset this task has processed since it was initialised,
     * else the partition's committed end offset (the records up to there not yet processed are left to the backfill);
     * at least past the live record being processed ({@code liveOffset}, -1: none).
     */
    private long initialBound(CatalogEntry entry, long liveOffset) {
        String topic = Topics.source(entry.getProvider(), entry.getCode());
        Long last = lastProcessed.get(topic);
        long bound = last != null ? last + 1 : reader().endOffset(topic, partition);
        return Math.max(bound, liveOffset + 1);
    }

    /**
     * Starts backfilling a grant: makes sure the delivery topic exists, stores the cursor (offset 0, bound) and
     * backfills a first chunk at once (a partition that fits in one chunk is then done, in the current transaction);
     * the rest follows chunk by chunk.
     */
    private void start(Grant g, CatalogEntry entry, long liveOffset, long now) {
        if (delivers(g)) {
            router.ensureDeliveryTopic(g, entry);
            delivering.accept(g);
        }
        Cursor cursor = new Cursor(0, initialBound(entry, liveOffset));
        LOG.info("Backfill of grant {} ({} to {}) starts in task {}: offsets [0, {}) of partition {}", g.getGrantId(),
                entry.getCode(), g.getConsumer(), context.taskId(), cursor.bound(), partition);
        cursors.put(g.getGrantId(), cursor.encode());
        chunk(g, entry, cursor, ctx.backfillChunkRecords(),
                System.nanoTime() + ctx.backfillChunkMaxTime().toNanos(), now);
        context.commit();
    }

    /**
     * Routes the records of the partition from the cursor on, below its bound, exactly as live ones, reading at most
     * {@code budget} records and stopping at the deadline; then moves the cursor past the last offset read, or — when
     * it has reached the bound — records the grant as backfilled (with the bound) and removes the cursor. Returns the
     * number of records read.
     */
    private int chunk(Grant g, CatalogEntry entry, Cursor cursor, int budget, long deadline, long now) {
        String topic = Topics.source(entry.getProvider(), entry.getCode());
        long next = cursor.next();
        int read = 0;
        int delivered = 0;
        while (next < cursor.bound() && read < budget && (read == 0 || System.nanoTime() - deadline < 0)) {
            long wait = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            List<ConsumerRecord<byte[], byte[]>> records = reader().read(topic, partition, next, cursor.bound(),
                    budget - read, Duration.ofMillis(wait));
            if (records.isEmpty()) {
                long position = reader().position(topic, partition);
                if (position <= next) {
                    break;              // nothing in time: the next step goes on from here
                }
                next = position;        // only offsets without a record in between
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                read++;
                next = r.offset() + 1;
                boolean replayed = replay(g, topic, r);
                SourceGate.Verdict verdict = gate.check(topic, r.partition(), r.offset(), r.key(), r.value());
                if (!(verdict instanceof SourceGate.Admitted admitted)) {
                    continue;           // dead-lettered when it was read live
                }
                fill(entry, topic, r, admitted);
                if (!replayed && delivers(g) && routeReplayed(g, entry, topic, r, admitted, now)) {
                    delivered++;
                }
            }
        }
        if (next >= cursor.bound()) {
            cursors.delete(g.getGrantId());
            forgetPositions(g.getGrantId());
            backfilled.put(g.getGrantId(), (now + " " + cursor.bound()).getBytes(StandardCharsets.UTF_8));
            knownBackfilled.put(g.getGrantId(), cursor.bound());
            LOG.info("Backfilled grant {} ({} to {}) in task {}; last chunk: {} record(s) read, {} delivered",
                    g.getGrantId(), entry.getCode(), g.getConsumer(), context.taskId(), read, delivered);
        } else {
            cursors.put(g.getGrantId(), new Cursor(next, cursor.bound()).encode());
            LOG.debug("Backfill of grant {} in task {}: {} record(s) read, {} delivered, next offset {}",
                    g.getGrantId(), context.taskId(), read, delivered, next);
        }
        return read;
    }

    /** Routes one replayed record to the grant as a live one would be; false for a record live routing refuses. */
    private boolean routeReplayed(Grant g, CatalogEntry entry, String topic, ConsumerRecord<byte[], byte[]> r,
                                  SourceGate.Admitted admitted, long now) {
        String keyText = new String(r.key(), StandardCharsets.UTF_8);
        GrantRouter.Source source = new GrantRouter.Source(topic, r.partition(), r.offset(), r.key(), keyText,
                r.timestamp(), r.headers(), r.value());
        return router.route(g, entry, source, admitted.value(), now);
    }

    /**
     * Brings the key's {@code router-latest} state up to a replayed record ({@link ReplayGuard#fill}): a resource that
     * kept nothing before its first grant gets its keys' states, one that gets a SERVICE or BOTH grant their values.
     */
    private void fill(CatalogEntry entry, String topic, ConsumerRecord<byte[], byte[]> r, SourceGate.Admitted admitted) {
        String keyText = new String(r.key(), StandardCharsets.UTF_8);
        String position = KafkaHeaders.text(r.headers(), EventHeaders.SOURCE_POSITION).orElse(null);
        String upstream = GrantRouter.upstreamOf(ctx, entry, GrantRouter.upstreamExchangeId(r.headers()));
        replays.fill(StateKeys.latest(topic, keyText), r.partition(), r.offset(), admitted.schemaId(), r.value(),
                position, upstream, keeping.of(entry));
    }

    /**
     * Whether a replayed record is a captured change that must not be delivered again: its source position is not
     * later than the last one this backfill delivered for the key (or it repeats that value at a position of the same
     * kind), or it comes after the key's latest live state in the partition and is not later than it (live routing
     * dropped it). Records without a source position are never replays. Remembers the position of one that is not.
     */
    private boolean replay(Grant g, String topic, ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            return false;
        }
        String position = KafkaHeaders.text(r.headers(), EventHeaders.SOURCE_POSITION).orElse(null);
        if (position == null) {
            return false;
        }
        String keyText = new String(r.key(), StandardCharsets.UTF_8);
        byte[] storedBytes = latest.get(StateKeys.latest(topic, keyText));
        if (storedBytes != null) {
            StoredRecord stored = StoredRecord.decode(storedBytes);
            if (r.offset() > stored.offset() && ReplayGuard.judge(stored, position, r.value()) != ReplayGuard.Verdict.NEW) {
                return true;
            }
        }
        String positionKey = positionKey(g.getGrantId(), topic, keyText);
        byte[] digest = digest(r.value());
        byte[] last = backfilled.get(positionKey);
        if (last != null) {
            String lastPosition = new String(last, 32, last.length - 32, StandardCharsets.UTF_8);
            if (SourcePositions.isReplay(lastPosition, position)) {
                return true;
            }
            if (r.value() != null && Arrays.equals(last, 0, 32, digest, 0, 32)
                    && SourcePositions.kind(lastPosition).equals(SourcePositions.kind(position))) {
                return true;
            }
        }
        byte[] p = position.getBytes(StandardCharsets.UTF_8);
        backfilled.put(positionKey, ByteBuffer.allocate(32 + p.length).put(digest).put(p).array());
        return false;
    }

    /** Drops the positions a finished or stopped backfill kept. */
    private void forgetPositions(String grantId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = backfilled.range(grantId + StateKeys.SEP,
                grantId + (char) (StateKeys.SEP + 1))) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        keys.forEach(backfilled::delete);
    }

    private static String positionKey(String grantId, String topic, String keyText) {
        return grantId + StateKeys.SEP + topic + StateKeys.SEP + keyText;
    }

    /** SHA-256 of the value as published; 32 zero bytes for a delete. */
    private static byte[] digest(byte[] value) {
        if (value == null) {
            return new byte[32];
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private SourceLogReader reader() {
        if (reader == null) {
            reader = ctx.sourceLogs().open();
        }
        return reader;
    }

    /** A cursor standing after the given state key (which the walk has handled); the withdrawal's cursors. */
    static byte[] cursorAfter(String stateKey) {
        byte[] key = stateKey.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[key.length + 1];
        out[0] = 1;
        System.arraycopy(key, 0, out, 1, key.length);
        return out;
    }
}
