package cn.tianfu.databus.sharing.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.ExchangeEntry.RetractReason;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.sharing.app.RouterContext;
import cn.tianfu.databus.sharing.app.SourceLogReader;

/**
 * Withdraws what a grant's consumer holds when the grant stops allowing it (see {@code docs/router.md},
 * "Withdrawal"): revoked, expired ({@code validUntil} passed, on the router's clock), its resource retired — every
 * held key gets a tombstone and a {@code RETRACT} entry with the reason — or narrowed (fewer fields, other masks, a
 * stricter row filter) — every held key is delivered again under the new terms, or retracted if it no longer passes
 * the filter. Like the backfill it runs in bounded chunks over {@code router-latest}, in key order, one transaction
 * each, with its cursor in a changelogged store, so a crash resumes where the last committed chunk ended and every
 * held key is withdrawn exactly once ({@code router-received} changes in the same transaction). A narrowed
 * re-delivery reads the record's value from the source topic at the offset {@code router-latest} holds for the key
 * (which keeps the value itself only for resources with a SERVICE or BOTH grant), with the task's own
 * {@link SourceLogReader}, opened while a withdrawal is in progress.
 *
 * <p>Stores: {@code router-withdraw-cursor} ({@code <grantId>} → reason, terms, cursor of a withdrawal in progress)
 * and {@code router-grant-terms} ({@code <grantId>} → {@code T <terms>}: the terms of the grant the consumer's
 * holdings answer to; or {@code W <reason>}: withdrawn, final).
 */
final class Withdrawal {

    private static final Logger LOG = LoggerFactory.getLogger(Withdrawal.class);
    private static final String IN_FORCE = "T ";
    private static final String WITHDRAWN = "W ";
    /** The least time a read of the source topic waits, even at the end of a chunk's time. */
    private static final long MIN_READ_WAIT_MS = 1_000;

    private final RouterContext ctx;
    private final ProcessorContext<Out, byte[]> context;
    private final GlobalStores.Reader global;
    private final KeyValueStore<String, byte[]> latest;
    private final KeyValueStore<String, byte[]> received;
    private final KeyValueStore<String, byte[]> cursors;
    private final KeyValueStore<String, byte[]> grantTerms;
    private final GrantRouter router;
    private final AvroDeserializer<GenericRecord> sourceReader;
    /** The task's reader of the source topics for narrowed re-deliveries; opened when first needed. */
    private SourceLogReader sourceLog;

    /** What a read of one offset of the source topic found. */
    private sealed interface Read {
    }

    /** The record at the offset, with its value. */
    private record Found(byte[] value) implements Read {
    }

    /** No record at the offset any more: compaction removed it for a newer record of the key. */
    private record Gone() implements Read {
    }

    /** Nothing arrived in time: the read is tried again by the next step. */
    private record NotYet() implements Read {
    }

    /** A withdrawal in progress: why, under which terms, and the backfill-style cursor ({@link Backfill#cursorAfter}). */
    record Job(RetractReason reason, String terms, byte[] cursor) {
        byte[] encode() {
            byte[] t = terms.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(1 + 4 + t.length + cursor.length).put((byte) reason.ordinal()).putInt(t.length)
                    .put(t).put(cursor).array();
        }

        static Job decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            RetractReason reason = RetractReason.values()[b.get()];
            byte[] t = new byte[b.getInt()];
            b.get(t);
            byte[] cursor = new byte[b.remaining()];
            b.get(cursor);
            return new Job(reason, new String(t, StandardCharsets.UTF_8), cursor);
        }
    }

    Withdrawal(RouterContext ctx, ProcessorContext<Out, byte[]> context, GlobalStores.Reader global,
               KeyValueStore<String, byte[]> latest, KeyValueStore<String, byte[]> received,
               KeyValueStore<String, byte[]> cursors, KeyValueStore<String, byte[]> grantTerms, GrantRouter router,
               AvroDeserializer<GenericRecord> sourceReader) {
        this.ctx = ctx;
        this.context = context;
        this.global = global;
        this.latest = latest;
        this.received = received;
        this.cursors = cursors;
        this.grantTerms = grantTerms;
        this.router = router;
        this.sourceReader = sourceReader;
    }

    /**
     * Why the consumer of a grant must lose what it holds at {@code now}, or null while the grant allows it:
     * the resource retired (or the grant ENDED by it) → RETIRED; revoked → REVOKED; EXPIRED, or {@code validUntil}
     * passed → EXPIRED.
     */
    static RetractReason reasonAt(Grant g, CatalogEntry entry, long now) {
        if ((entry != null && entry.getStatus() == ResourceStatus.RETIRED) || g.getStatus() == GrantStatus.ENDED) {
            return RetractReason.RETIRED;
        }
        if (g.getStatus() == GrantStatus.REVOKED) {
            return RetractReason.REVOKED;
        }
        if (g.getStatus() == GrantStatus.EXPIRED
                || (g.getValidUntil() != null && g.getValidUntil().toEpochMilli() <= now)) {
            return RetractReason.EXPIRED;
        }
        return null;
    }

    /**
     * The terms of a grant that decide what its consumer holds — fields, clear fields, row filter — as the first 16
     * bytes of their SHA-256, hex; a change of them is a narrowing.
     */
    static String termsOf(Grant g) {
        StringBuilder s = new StringBuilder();
        s.append(g.getAllowedFields() == null ? "*" : String.join(",", g.getAllowedFields())).append(StateKeys.SEP);
        s.append(String.join(",", g.getClearFields())).append(StateKeys.SEP);
        s.append(g.getRowFilter() == null ? "" : g.getRowFilter());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A key deleted at the source while a grant that no longer allows it still holds it (its withdrawal has not
     * reached the key, or has not started): the key is withdrawn now, with the delete's position, since the
     * withdrawal — which reads the keys that exist — would never see it.
     */
    void onDelete(CatalogEntry entry, GrantRouter.Source source, long now) {
        for (Grant g : global.grantsOf(entry.getCode())) {
            if (g.getMethod() == SharingMethod.SERVICE || GrantRouter.pushable(g, now)) {
                continue;
            }
            RetractReason reason = reasonAt(g, entry, now);
            if (reason != null && router.holds(g, source.topic(), source.keyText())) {
                router.withdraw(g, entry, source, new GrantRouter.Withdrawn(reason, termsOf(g)), now);
            }
        }
    }

    /** Notes the terms a grant delivers under when this task starts delivering it (first sight only). */
    void delivering(Grant g) {
        if (grantTerms.get(g.getGrantId()) == null) {
            grantTerms.put(g.getGrantId(), (IN_FORCE + termsOf(g)).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Wall-clock check: starts a withdrawal for every grant whose consumer must lose what this task delivered —
     * revoked, expired, retired (replacing a narrowing in progress), or narrowed since this task delivered under it.
     */
    void checkAll(long now) {
        boolean worked = false;
        for (Grant g : global.allGrants()) {
            if (g.getMethod() == SharingMethod.SERVICE) {
                continue;
            }
            String id = g.getGrantId();
            CatalogEntry entry = global.entry(g.getResourceCode());
            if (entry == null) {
                continue;
            }
            byte[] stateBytes = grantTerms.get(id);
            String state = stateBytes == null ? null : new String(stateBytes, StandardCharsets.UTF_8);
            if (state != null && state.startsWith(WITHDRAWN)) {
                continue;                       // final
            }
            byte[] jobBytes = cursors.get(id);
            Job job = jobBytes == null ? null : Job.decode(jobBytes);
            RetractReason reason = reasonAt(g, entry, now);
            if (reason != null) {
                if (job != null && job.reason() != RetractReason.NARROWED) {
                    continue;                   // running
                }
                worked = true;
                if (!holdsAny(id)) {
                    cursors.delete(id);
                    grantTerms.put(id, (WITHDRAWN + reason.name()).getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                start(g, new Job(reason, termsOf(g), new byte[] {0}));
            } else if (GrantRouter.pushable(g, now)) {
                String terms = termsOf(g);
                if (state == null) {
                    if (holdsAny(id)) {
                        grantTerms.put(id, (IN_FORCE + terms).getBytes(StandardCharsets.UTF_8));
                        worked = true;
                    }
                } else if (!state.substring(IN_FORCE.length()).equals(terms)) {
                    grantTerms.put(id, (IN_FORCE + terms).getBytes(StandardCharsets.UTF_8));
                    start(g, new Job(RetractReason.NARROWED, terms, new byte[] {0}));
                    worked = true;
                }
            }
        }
        if (worked) {
            context.commit();
        }
    }

    /**
     * Wall-clock step: one bounded chunk of the withdrawals in progress (at most {@code backfillChunkRecords} stored
     * records read, for at most {@code backfillChunkMaxTime}, all withdrawals together), then a commit, so each chunk
     * is one transaction with its cursor.
     */
    void step(long now) {
        List<KeyValue<String, byte[]>> open = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = cursors.all()) {
            while (it.hasNext()) {
                open.add(it.next());
            }
        }
        if (open.isEmpty()) {
            close();                    // no withdrawal left: the reader is opened again by the next narrowing
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
            CatalogEntry entry = g == null ? null : global.entry(g.getResourceCode());
            if (g == null || entry == null) {
                continue;               // kept until the grant is known again
            }
            Job job = Job.decode(kv.value);
            if (job.reason() == RetractReason.NARROWED && !GrantRouter.pushable(g, now)) {
                continue;               // the check replaces it with a withdrawal
            }
            budget -= chunk(g, entry, job, budget, deadline, now);
            worked = true;
        }
        if (worked) {
            context.commit();
        }
    }

    private void start(Grant g, Job job) {
        LOG.info("Withdrawal of grant {} ({} to {}, {}) starts in task {}", g.getGrantId(), g.getResourceCode(),
                g.getConsumer(), job.reason(), context.taskId());
        cursors.put(g.getGrantId(), job.encode());
    }

    private boolean holdsAny(String grantId) {
        try (KeyValueIterator<String, byte[]> it = received.range(grantId + StateKeys.SEP,
                grantId + (char) (StateKeys.SEP + 1))) {
            return it.hasNext();
        }
    }

    /** One chunk of one withdrawal; returns the number of stored records read. */
    private int chunk(Grant g, CatalogEntry entry, Job job, int budget, long deadline, long now) {
        String sourceTopic = Topics.source(entry.getProvider(), entry.getCode());
        byte[] cursor = job.cursor();
        String from = cursor[0] == 0 ? sourceTopic + StateKeys.SEP
                : new String(cursor, 1, cursor.length - 1, StandardCharsets.UTF_8) + StateKeys.SEP;
        String to = sourceTopic + (char) (StateKeys.SEP + 1);
        GrantRouter.Withdrawn why = new GrantRouter.Withdrawn(job.reason(), job.terms());
        int read = 0;
        int sent = 0;
        String last = null;
        boolean exhausted;
        try (KeyValueIterator<String, byte[]> it = latest.range(from, to)) {
            boolean stalled = false;
            while (read < budget && it.hasNext() && (read == 0 || System.nanoTime() - deadline < 0)) {
                KeyValue<String, byte[]> kv = it.next();
                String keyText = kv.key.substring(sourceTopic.length() + 1);
                if (!router.holds(g, sourceTopic, keyText)) {
                    read++;
                    last = kv.key;
                    continue;
                }
                StoredRecord stored = StoredRecord.decode(kv.value);
                boolean redelivers = job.reason() == RetractReason.NARROWED && !stored.isDeleted();
                byte[] valueBytes = stored.isDeleted() ? null : stored.value();
                if (redelivers && !stored.valueKept()) {
                    Read found = readSource(sourceTopic, stored, deadline);
                    if (found instanceof NotYet) {
                        stalled = true;     // the cursor stays before this key
                        break;
                    }
                    if (found instanceof Gone) {
                        // a newer record of the key is in the source topic: routed live under the new terms
                        read++;
                        last = kv.key;
                        continue;
                    }
                    valueBytes = ((Found) found).value();
                }
                read++;
                last = kv.key;
                GrantRouter.Source source = new GrantRouter.Source(sourceTopic, stored.partition(), stored.offset(),
                        keyText.getBytes(StandardCharsets.UTF_8), keyText, now, stored.upstreamHeaders(), valueBytes);
                if (!redelivers) {
                    router.withdraw(g, entry, source, why, now);
                    sent++;
                } else {
                    GenericRecord value = (GenericRecord) sourceReader.deserialize(sourceTopic, valueBytes);
                    if (router.redeliver(g, entry, source, value, why, now)) {
                        sent++;
                    }
                }
            }
            exhausted = !stalled && !it.hasNext();
        }
        if (!exhausted && last == null) {
            return read;                // stalled on the chunk's first key: the cursor stays
        }
        if (exhausted) {
            cursors.delete(g.getGrantId());
            if (job.reason() != RetractReason.NARROWED) {
                grantTerms.put(g.getGrantId(), (WITHDRAWN + job.reason().name()).getBytes(StandardCharsets.UTF_8));
            }
            LOG.info("Withdrawal of grant {} ({}) done in task {}; last chunk: {} record(s) read, {} sent",
                    g.getGrantId(), job.reason(), context.taskId(), read, sent);
        } else {
            cursors.put(g.getGrantId(), new Job(job.reason(), job.terms(), Backfill.cursorAfter(last)).encode());
        }
        return read;
    }

    /**
     * The value of the record at the stored state's offset of the source topic. The offset is that of the key's latest
     * record the task has routed, so compaction keeps it until a newer record of the key is written ({@link Gone}).
     */
    private Read readSource(String topic, StoredRecord stored, long deadline) {
        long waitMs = Math.max(MIN_READ_WAIT_MS, (deadline - System.nanoTime()) / 1_000_000);
        List<ConsumerRecord<byte[], byte[]>> records = sourceLog().read(topic, stored.partition(), stored.offset(),
                stored.offset() + 1, 1, Duration.ofMillis(waitMs));
        if (!records.isEmpty()) {
            ConsumerRecord<byte[], byte[]> r = records.get(0);
            return r.offset() == stored.offset() && r.value() != null ? new Found(r.value()) : new Gone();
        }
        return sourceLog().position(topic, stored.partition()) > stored.offset() ? new Gone() : new NotYet();
    }

    private SourceLogReader sourceLog() {
        if (sourceLog == null) {
            sourceLog = ctx.sourceLogs().open();
        }
        return sourceLog;
    }

    /** Closes the reader of the source topics, if one is open. */
    void close() {
        if (sourceLog != null) {
            sourceLog.close();
            sourceLog = null;
        }
    }
}
