package cn.tianfu.databus.sharing.app.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.sharing.app.RouterContext;
import cn.tianfu.databus.contract.Topics;

/**
 * Backfills push grants with the stored state of their resource, in bounded chunks, one transaction each (see
 * {@code docs/router.md}, "Backfill"). Stores: {@code router-backfilled} ({@code <grantId>} → when this task
 * backfilled the grant) and {@code router-backfill-cursor} ({@code <grantId>} → how far a backfill in progress has got,
 * {@link #cursorAfter}); it reads {@code router-latest} in key order.
 */
final class Backfill {

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);
    /** First byte of a cursor: the backfill has not read any key yet / has read up to the key that follows. */
    private static final byte CURSOR_START = 0;
    private static final byte CURSOR_AFTER = 1;

    private final RouterContext ctx;
    private final ProcessorContext<Out, byte[]> context;
    private final GlobalStores.Reader global;
    private final KeyValueStore<String, byte[]> latest;
    private final KeyValueStore<String, byte[]> backfilled;
    private final KeyValueStore<String, byte[]> cursors;
    private final GrantRouter router;
    private final AvroDeserializer<GenericRecord> sourceReader;
    /** Told of every grant this task starts delivering under (the withdrawal notes its terms). */
    private final java.util.function.Consumer<Grant> delivering;
    /** Grants this task has backfilled; built afresh when the task is (re)initialised, from the store. */
    private final Set<String> knownBackfilled = new HashSet<>();

    Backfill(RouterContext ctx, ProcessorContext<Out, byte[]> context, GlobalStores.Reader global,
             KeyValueStore<String, byte[]> latest, KeyValueStore<String, byte[]> backfilled,
             KeyValueStore<String, byte[]> cursors, GrantRouter router, AvroDeserializer<GenericRecord> sourceReader,
             java.util.function.Consumer<Grant> delivering) {
        this.delivering = delivering;
        this.ctx = ctx;
        this.context = context;
        this.global = global;
        this.latest = latest;
        this.backfilled = backfilled;
        this.cursors = cursors;
        this.router = router;
        this.sourceReader = sourceReader;
    }

    /**
     * Whether a live change of a key is routed to a grant in force now: yes once the grant is backfilled; while its
     * backfill is in progress (or starting now, with its first chunk) only if the cursor has passed the key — a key
     * it has not reached is sent by the cursor, with its latest state, when it gets there.
     *
     * @param stateKey the change's {@link StateKeys#latest} key
     */
    boolean routesLiveChange(Grant g, CatalogEntry entry, String stateKey, long now) {
        if (isBackfilled(g)) {
            return true;
        }
        byte[] cursor = cursors.get(g.getGrantId());
        if (cursor == null) {
            start(g, entry, now);
            if (isBackfilled(g)) {
                return true;
            }
            cursor = cursors.get(g.getGrantId());
        }
        return cursorPassed(cursor, stateKey.getBytes(StandardCharsets.UTF_8));
    }

    /** Wall-clock check: backfill every grant in force that this task has not served yet. */
    void checkAll(long now) {
        for (Grant g : global.allGrants()) {
            if (!GrantRouter.pushable(g, now) || isBackfilled(g)) {
                continue;
            }
            CatalogEntry entry = global.entry(g.getResourceCode());
            if (entry == null || entry.getStatus() != ResourceStatus.ACTIVE
                    || entry.getSharingClass() == SharingClass.NOT_SHARED) {
                continue;
            }
            if (cursors.get(g.getGrantId()) == null) {
                start(g, entry, now);
            }
        }
    }

    /**
     * Wall-clock step: one bounded chunk of the backfills in progress — at most {@code backfillChunkRecords} stored
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
            if (g == null || !GrantRouter.pushable(g, now)) {
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
            budget -= chunk(g, entry, kv.value, budget, deadline, now);
            worked = true;
        }
        if (worked) {
            context.commit();
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

    /**
     * Starts backfilling a grant: makes sure the delivery topic exists and backfills a first chunk at once (a resource
     * that fits in one chunk is then done, in the current transaction); the rest follows chunk by chunk.
     */
    private void start(Grant g, CatalogEntry entry, long now) {
        router.ensureDeliveryTopic(g, entry);
        delivering.accept(g);
        LOG.info("Backfill of grant {} ({} to {}) starts in task {}", g.getGrantId(), entry.getCode(), g.getConsumer(),
                context.taskId());
        byte[] start = {CURSOR_START};
        cursors.put(g.getGrantId(), start);
        chunk(g, entry, start, ctx.backfillChunkRecords(),
                System.nanoTime() + ctx.backfillChunkMaxTime().toNanos(), now);
        context.commit();
    }

    /**
     * Delivers the stored state of the keys after the cursor that pass the grant's filter, in key order, reading at most
     * {@code budget} records and stopping at the deadline; then moves the cursor to the last key read, or — when the
     * resource's keys are exhausted — records the grant as backfilled and removes the cursor. The store's iterator is
     * closed before returning, so memory does not grow with the resource. Returns the number of records read.
     */
    private int chunk(Grant g, CatalogEntry entry, byte[] cursor, int budget, long deadline, long now) {
        String sourceTopic = Topics.source(entry.getProvider(), entry.getCode());
        // the key's successor
        String from = cursor[0] == CURSOR_START ? sourceTopic + StateKeys.SEP : cursorKey(cursor) + StateKeys.SEP;
        String to = sourceTopic + (char) (StateKeys.SEP + 1);
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
                GrantRouter.Source source = new GrantRouter.Source(sourceTopic, stored.partition(), stored.offset(),
                        keyText.getBytes(StandardCharsets.UTF_8), keyText, now, stored.upstreamHeaders(), stored.value());
                if (router.route(g, entry, source, value, now)) {
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
    static boolean cursorPassed(byte[] cursor, byte[] stateKey) {
        if (cursor[0] == CURSOR_START) {
            return false;
        }
        return Arrays.compareUnsigned(cursor, 1, cursor.length, stateKey, 0, stateKey.length) >= 0;
    }
}
