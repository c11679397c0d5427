package cn.tianfu.databus.ledger.app.internal;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.ledger.CanonicalEncoding;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.Digests;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroWireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chains exchange-log entries into the log partition of the task's number. The task's partition is the chain's: each
 * task owns exactly one chain, so no two threads ever extend the same chain. Two inputs: the entries the router
 * forwards in the same task ({@link ExchangeEntry} values, chained in the transaction that writes their deliveries)
 * and the staging topic (Avro bytes, written outside any router transaction: chained once per exchange id). Chain
 * head, count and checkpoint mark live in a changelogged store that commits with the output (exactly-once). A task
 * whose partition the log does not have writes the router's entries to the staging topic instead, keyed by exchange
 * id, for the task owning that staging partition to chain.
 */
public final class ChainProcessor implements Processor<Object, Object, Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(ChainProcessor.class);
    private static final String COMPONENT = "ledger";

    /** The chain node's sinks: the log, the checkpoints, the dead letters and the staging topic. */
    public record Sinks(String log, String checkpoints, String deadLetters, String staging) {
    }

    private final SigningKeys keys;
    private final Deserializer<ExchangeLogEntry> entries;
    private final String headsStore;
    private final String seenStore;
    private final Sinks sinks;
    private final int logPartitions;
    private final long everyEntries;
    private final Duration interval;
    private final Duration heartbeat;
    private final Duration dedupRetention;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Integer, ChainState> heads;
    private WindowStore<String, String> seen;
    private int partition;
    /** Null while the task has no log partition of its number (its router entries go to the staging topic). */
    private HashChain chain;
    private long checkpointed;
    private long lastCheckpointMs = Long.MIN_VALUE;

    public ChainProcessor(SigningKeys keys, Deserializer<ExchangeLogEntry> entries, String headsStore,
                          String seenStore, Sinks sinks, int logPartitions, long everyEntries, Duration interval,
                          Duration heartbeat, Duration dedupRetention) {
        this.keys = keys;
        this.entries = entries;
        this.headsStore = headsStore;
        this.seenStore = seenStore;
        this.sinks = sinks;
        this.logPartitions = logPartitions;
        this.everyEntries = everyEntries;
        this.interval = interval;
        this.heartbeat = heartbeat;
        this.dedupRetention = dedupRetention;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.heads = context.getStateStore(headsStore);
        this.seen = context.getStateStore(seenStore);
        this.partition = context.taskId().partition();
        if (partition < logPartitions) {
            own();
        }
    }

    /** Takes up the task's chain: resumes it from the store and starts signing it. */
    private void own() {
        ChainState state = heads.get(partition);
        if (state == null) {
            chain = HashChain.genesis();
            checkpointed = 0;
        } else {
            chain = HashChain.resume(state.head(), state.entryCount());
            checkpointed = state.checkpointedCount();
        }
        // wall clock, not stream time: an idle partition must still be signed (the heartbeat), and the first
        // punctuation after a (re)start signs at once; a head is signed on the last tick before the heartbeat would
        // be late, so no gap between checkpoints exceeds the heartbeat while punctuations run on time
        Duration tick = interval.compareTo(heartbeat) <= 0 ? interval : heartbeat;
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (chain.entryCount() > checkpointed || lastCheckpointMs == Long.MIN_VALUE
                    || now - lastCheckpointMs + tick.toMillis() > heartbeat.toMillis()) {
                checkpoint(now);
            }
        });
    }

    @Override
    public void process(Record<Object, Object> record) {
        if (record.value() instanceof ExchangeEntry forwarded) {
            chainForwarded(forwarded, record.timestamp());
            return;
        }
        RecordMetadata meta = context.recordMetadata().orElse(null);
        byte[] key = record.key() instanceof byte[] k ? k : null;
        if (record.value() == null) {
            deadLetter(key, null, record, meta, DeadLetterReason.MALFORMED_BYTES, "a tombstone on the staging topic is"
                    + " not an exchange-log entry");
            return;
        }
        byte[] value = (byte[]) record.value();
        ExchangeEntry entry;
        try {
            String topic = meta == null ? null : meta.topic();
            entry = ExchangeLogRecords.toEntry(entries.deserialize(topic, record.headers(), value))
                    .withChain(null, null);
        } catch (AvroWireFormatException | IllegalArgumentException | NullPointerException e) {
            deadLetter(key, value, record, meta, DeadLetterReason.MALFORMED_BYTES, "not a staged exchange-log entry: "
                    + e.getMessage());
            return;
        }
        if (chain == null) {
            // staging partition p exists, so log partition p does (same counts): the topics grew since the start
            own();
        }

        // by id alone: a re-staged id (a service answer staged again) carries another time; the digest leaves the
        // time out, so only a difference in what was exchanged is a conflict
        String digest = digest(entry);
        if (chainedBefore(entry, digest, key, value, record, meta)) {
            return;
        }
        seen.put(entry.exchangeId(), digest, entry.timeMillis());
        append(entry, record.timestamp());
    }

    /**
     * An entry the router forwarded in this task: it commits with its delivery, so it cannot have been chained by
     * this task before and is not remembered in the id store (no store write, no changelog record). It is still
     * looked up there: after a disaster-recovery takeover the store holds the ids of the copied log, which the
     * router may route again from its replicated offsets (docs/dr.md).
     */
    private void chainForwarded(ExchangeEntry entry, long timestamp) {
        if (chain == null) {
            context.forward(new Record<>(entry.exchangeId(), ExchangeLogRecords.toAvro(entry), timestamp),
                    sinks.staging());
            return;
        }
        if (chainedBefore(entry, null, entry.exchangeId().getBytes(StandardCharsets.UTF_8), null, null,
                context.recordMetadata().orElse(null))) {
            return;
        }
        append(entry, timestamp);
    }

    private boolean chainedBefore(ExchangeEntry entry, String digest, byte[] key, byte[] value, Record<?, ?> record,
                                  RecordMetadata meta) {
        String earlier = earlier(entry);
        if (earlier == null) {
            return false;
        }
        // the router's entries are digested only when their id is found (after a takeover): not per entry
        if (earlier.equals(digest != null ? digest : digest(entry))) {
            LOG.warn("Exchange {} came again with the same content; it is in the log once already", entry.exchangeId());
        } else {
            deadLetter(key, value, record, meta, DeadLetterReason.PROCESSING_ERROR, "exchange id "
                    + entry.exchangeId() + " is already in the exchange log with different content; the log keeps"
                    + " one entry per id");
        }
        return true;
    }

    private void append(ExchangeEntry entry, long timestamp) {
        ExchangeEntry chained = chain.append(entry);
        heads.put(partition, new ChainState(chain.head(), chain.entryCount(), checkpointed));
        context.forward(new Record<>(new LogKey(partition, chained.exchangeId()), ExchangeLogRecords.toAvro(chained),
                timestamp), sinks.log());
        if (chain.entryCount() - checkpointed >= everyEntries) {
            checkpoint(context.currentSystemTimeMs());
        }
    }

    /**
     * What the id store keeps of an entry (without its chain fields): the digest of its content without its time, so
     * that only a difference in what was exchanged makes a re-staged id a conflict.
     */
    public static String digest(ExchangeEntry unchained) {
        return Digests.sha256Hex(CanonicalEncoding.entry(withoutTime(unchained.withChain(null, null))));
    }

    /** The digest an id was chained with, if it was within the retention on either side of this entry's time. */
    private String earlier(ExchangeEntry entry) {
        long from = Math.max(0, entry.timeMillis() - dedupRetention.toMillis());
        long to = entry.timeMillis() > Long.MAX_VALUE - dedupRetention.toMillis() ? Long.MAX_VALUE
                : entry.timeMillis() + dedupRetention.toMillis();
        try (WindowStoreIterator<String> found = seen.fetch(entry.exchangeId(), from, to)) {
            return found.hasNext() ? found.next().value : null;
        }
    }

    private static ExchangeEntry withoutTime(ExchangeEntry e) {
        return new ExchangeEntry(e.exchangeId(), 0L, e.mode(), e.resourceCode(), e.provider(), e.consumer(),
                e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), e.deliveryTopic(), e.deliveryPartition(), e.deliveryOffset(),
                null, null, e.retractReason(), e.upstreamExchangeId());
    }

    /**
     * Signs the current head (after new entries, or as a heartbeat when idle: then the same head, a new time; on a
     * partition with no entry yet, position -1, count 0 and the genesis hash). {@code offset} is the chain position
     * of the last covered entry (entries counted from 0 in log order): the ledger cannot know the log offset inside
     * the transaction that writes the entry.
     */
    private void checkpoint(long now) {
        long count = chain.entryCount();
        Checkpoint cp = new Checkpoint(partition, count - 1, count, chain.head(), now);
        byte[] signature = keys.sign(cp);
        checkpointed = count;
        lastCheckpointMs = now;
        heads.put(partition, new ChainState(chain.head(), count, checkpointed));
        context.forward(new Record<>(partition, ExchangeLogRecords.toAvro(cp, signature, keys.publicKey()), now),
                sinks.checkpoints());
    }

    private void deadLetter(byte[] key, byte[] value, Record<?, ?> record, RecordMetadata meta,
                            DeadLetterReason reason, String message) {
        DeadLetter dl = DeadLetters.builder(COMPONENT, reason, message)
                .source(meta == null ? null : meta.topic(), meta == null ? null : meta.partition(),
                        meta == null ? null : meta.offset())
                .original(key, value, record == null ? null : record.headers())
                .time(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        LOG.warn("Exchange-log entry sent to the dead-letter topic: {}", message);
        context.forward(new Record<>(dl.getId(), dl, record == null ? context.currentSystemTimeMs()
                : record.timestamp()), sinks.deadLetters());
    }
}
