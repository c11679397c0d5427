package cn.tianfu.databus.audit;

import cn.tianfu.databus.audit.internal.PartitionCheck;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.contract.Topics;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Replays the exchange log for an auditor who can read {@code bus.exchange-log} and
 * {@code bus.exchange-log.checkpoints} and nothing else: recomputes every partition's hash chain from its first
 * entry and checks every signed checkpoint against it.
 *
 * <pre>{@code
 * try (AuditReader reader = AuditReader.builder(clientConfig.consumerProperties("audit"))
 *         .registry(registry)
 *         .publicKey(PublicKeys.fromPem(Files.readString(Path.of("exchange-log.pub.pem"))))
 *         .build()) {
 *     VerificationReport report = reader.verify();
 *     System.out.print(report.describe());
 * }
 * }</pre>
 *
 * <p>Reads with {@code read_committed}, by assignment (no consumer group), from the beginning of each partition up
 * to the end offsets seen when the call starts; the checkpoints' end offsets are taken first, so every checkpoint
 * read covers entries that are within the replay. Streams: memory does not grow with the log. Records are decoded
 * with the schema cached per schema id. Not thread-safe.
 */
public final class AuditReader implements AutoCloseable {

    /** Visits entries in chain order, partition by partition. */
    @FunctionalInterface
    public interface EntryVisitor {
        /**
         * @param partition the exchange-log partition
         * @param position  the entry's chain position (0 for the partition's first entry)
         * @param logOffset its offset in the topic
         * @param entry     the entry, with {@code prevHash} and {@code hash}
         */
        void visit(int partition, long position, long logOffset, ExchangeEntry entry);
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> logConsumer;
    private final KafkaConsumer<byte[], byte[]> checkpointConsumer;
    private final AvroDeserializer<ExchangeLogEntry> entries;
    private final AvroDeserializer<ExchangeLogCheckpoint> checkpoints;
    private final PublicKey publicKey;
    private final String logTopic;
    private final String checkpointTopic;
    private final Duration stallTimeout;

    private AuditReader(Builder b) {
        Map<String, Object> props = new HashMap<>(b.kafka);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        props.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 * 1024 * 1024);
        this.logConsumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.checkpointConsumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.entries = AvroDeserializer.specific(b.registry, ExchangeLogEntry.class);
        this.checkpoints = AvroDeserializer.specific(b.registry, ExchangeLogCheckpoint.class);
        this.publicKey = b.publicKey;
        this.logTopic = b.logTopic;
        this.checkpointTopic = b.checkpointTopic;
        this.stallTimeout = b.stallTimeout;
    }

    /**
     * A builder on the given consumer properties ({@code bootstrap.servers} and security settings; a group id is
     * ignored, the reader assigns partitions itself).
     */
    public static Builder builder(Map<String, Object> kafkaProperties) {
        return new Builder(kafkaProperties);
    }

    /**
     * Replays every partition of the log from its first entry and checks every checkpoint; entries after the last
     * checkpoint are counted, not failed ({@link VerifyOptions#CHAINS_ONLY}).
     *
     * @throws AuditException when no public key was given, or a topic cannot be read
     */
    public VerificationReport verify() {
        return verify(VerifyOptions.CHAINS_ONLY);
    }

    /**
     * Replays every partition of the log from its first entry, checks every checkpoint, and what {@code options}
     * expect: covered entries, a fresh heartbeat, the auditor's kept checkpoints.
     *
     * @throws AuditException when no public key was given, or a topic cannot be read
     */
    public VerificationReport verify(VerifyOptions options) {
        return verify(options, VerifyProgress.NONE);
    }

    /**
     * {@link #verify(VerifyOptions)}, telling {@code progress} how far the replay is: the partitions and their end
     * offsets first, then each record read and each partition verified.
     *
     * @throws AuditException when no public key was given, or a topic cannot be read
     */
    public VerificationReport verify(VerifyOptions options, VerifyProgress progress) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        if (publicKey == null) {
            throw new AuditException("No public key to check checkpoint signatures with: pass the bus's published "
                    + "exchange-log.pub.pem");
        }
        List<TopicPartition> cpPartitions = partitions(checkpointConsumer, checkpointTopic);
        Map<TopicPartition, Long> cpEnds = checkpointConsumer.endOffsets(cpPartitions);
        List<TopicPartition> logPartitions = partitions(logConsumer, logTopic);
        Map<TopicPartition, Long> logEnds = logConsumer.endOffsets(logPartitions);
        int n = logPartitions.size();
        Map<Integer, Long> ends = new java.util.TreeMap<>();
        logEnds.forEach((tp, end) -> ends.put(tp.partition(), end));
        progress.started(ends);
        long[] stray = new long[1];
        List<VerificationReport.Partition> results = new ArrayList<>();
        for (TopicPartition tp : logPartitions) {
            int p = tp.partition();
            Iterator<SignedCheckpoint> cps = checkpointIterator(cpPartitions, cpEnds, p, n, p == 0 ? stray : null);
            PartitionCheck check = new PartitionCheck(p, publicKey, cps, options);
            scan(logConsumer, tp, logEnds.get(tp), record -> {
                progress.read(p, record.offset());
                if (record.value() == null) {
                    check.unreadable(record.offset(), "a tombstone (aimed at the entry it is keyed by; the log is "
                            + "never compacted, so it erases nothing, but nobody but the ledger writes the log)");
                    return;
                }
                ExchangeLogEntry avro;
                try {
                    avro = entries.deserialize(tp.topic(), record.value());
                    check.entry(record.offset(), ExchangeLogRecords.toEntry(avro));
                } catch (RuntimeException e) {
                    check.unreadable(record.offset(), e.getMessage());
                }
            });
            VerificationReport.Partition result = check.finish();
            progress.finished(result);
            results.add(result);
        }
        return new VerificationReport(results, stray[0]);
    }

    /** Every entry, in chain order, partition by partition; records that do not decode are skipped. */
    public void forEachEntry(EntryVisitor visitor) {
        List<TopicPartition> logPartitions = partitions(logConsumer, logTopic);
        Map<TopicPartition, Long> logEnds = logConsumer.endOffsets(logPartitions);
        for (TopicPartition tp : logPartitions) {
            long[] position = {0};
            scan(logConsumer, tp, logEnds.get(tp), record -> {
                if (record.value() == null) {
                    return;
                }
                ExchangeEntry e;
                try {
                    e = ExchangeLogRecords.toEntry(entries.deserialize(tp.topic(), record.value()));
                } catch (RuntimeException ex) {
                    return;
                }
                visitor.visit(tp.partition(), position[0]++, record.offset(), e);
            });
        }
    }

    /** Every checkpoint record that decodes, in the order written (per checkpoint-topic partition). */
    public void forEachCheckpoint(Consumer<SignedCheckpoint> visitor) {
        List<TopicPartition> cpPartitions = partitions(checkpointConsumer, checkpointTopic);
        Map<TopicPartition, Long> cpEnds = checkpointConsumer.endOffsets(cpPartitions);
        for (TopicPartition tp : cpPartitions) {
            scan(checkpointConsumer, tp, cpEnds.get(tp), record -> {
                SignedCheckpoint cp = decodeCheckpoint(record);
                if (cp != null) {
                    visitor.accept(cp);
                }
            });
        }
    }

    /** Number of partitions of the exchange log. */
    public int partitionCount() {
        return partitions(logConsumer, logTopic).size();
    }

    @Override
    public void close() {
        logConsumer.close();
        checkpointConsumer.close();
        entries.close();
        checkpoints.close();
    }

    private SignedCheckpoint decodeCheckpoint(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            ExchangeLogCheckpoint avro = checkpoints.deserialize(record.topic(), record.value());
            return new SignedCheckpoint(ExchangeLogRecords.toCheckpoint(avro), ExchangeLogRecords.signature(avro));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A lazy iterator over the checkpoints of one log partition, reading the checkpoint topic as it goes. */
    private Iterator<SignedCheckpoint> checkpointIterator(List<TopicPartition> cpPartitions,
                                                          Map<TopicPartition, Long> ends, int logPartition,
                                                          int logPartitions, long[] strayCounter) {
        return new Iterator<>() {
            private int index = -1;
            private Iterator<ConsumerRecord<byte[], byte[]>> batch = List.<ConsumerRecord<byte[], byte[]>>of().iterator();
            private SignedCheckpoint next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    ConsumerRecord<byte[], byte[]> record = nextRecord();
                    if (record == null) {
                        return false;
                    }
                    SignedCheckpoint cp = decodeCheckpoint(record);
                    if (cp == null) {
                        if (strayCounter != null) {
                            strayCounter[0]++;
                        }
                    } else if (cp.checkpoint().partition() == logPartition) {
                        next = cp;
                    } else if (strayCounter != null
                            && (cp.checkpoint().partition() < 0 || cp.checkpoint().partition() >= logPartitions)) {
                        strayCounter[0]++;
                    }
                }
                return true;
            }

            @Override
            public SignedCheckpoint next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                SignedCheckpoint cp = next;
                next = null;
                return cp;
            }

            private ConsumerRecord<byte[], byte[]> nextRecord() {
                while (true) {
                    if (batch.hasNext()) {
                        return batch.next();
                    }
                    if (index >= cpPartitions.size()) {
                        return null;
                    }
                    if (index >= 0) {
                        TopicPartition tp = cpPartitions.get(index);
                        if (checkpointConsumer.position(tp) < ends.get(tp)) {
                            batch = pollUntilProgress(checkpointConsumer, tp, ends.get(tp)).iterator();
                            continue;
                        }
                    }
                    if (++index >= cpPartitions.size()) {
                        return null;
                    }
                    TopicPartition tp = cpPartitions.get(index);
                    checkpointConsumer.assign(List.of(tp));
                    checkpointConsumer.seekToBeginning(List.of(tp));
                }
            }
        };
    }

    private void scan(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long end,
                      Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        while (consumer.position(tp) < end) {
            for (ConsumerRecord<byte[], byte[]> r : pollUntilProgress(consumer, tp, end)) {
                handler.accept(r);
            }
        }
    }

    /** Records of {@code tp} below {@code end} from the next poll that moves the position; fails on a stall. */
    private List<ConsumerRecord<byte[], byte[]>> pollUntilProgress(KafkaConsumer<byte[], byte[]> consumer,
                                                                   TopicPartition tp, long end) {
        long deadline = System.nanoTime() + stallTimeout.toNanos();
        long start = consumer.position(tp);
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(POLL).records(tp);
            if (!records.isEmpty() || consumer.position(tp) > start) {
                if (records.isEmpty() || records.get(records.size() - 1).offset() < end) {
                    return records;
                }
                List<ConsumerRecord<byte[], byte[]>> below = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.offset() < end) {
                        below.add(r);
                    }
                }
                return below;
            }
            if (System.nanoTime() > deadline) {
                throw new AuditException("Reading " + tp + " made no progress for " + stallTimeout.toSeconds()
                        + " s at offset " + start + " (end " + end + "); check that the bus is reachable and that "
                        + "this principal may read the topic");
            }
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            throw new AuditException("Cannot read the partitions of " + topic + ": " + e.getMessage()
                    + "; check the bootstrap servers and that this principal may describe the topic", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new AuditException("Topic " + topic + " does not exist or is not visible to this principal");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo info : infos) {
            out.add(new TopicPartition(topic, info.partition()));
        }
        out.sort(Comparator.comparingInt(TopicPartition::partition));
        return out;
    }

    /** Options of an {@link AuditReader}. */
    public static final class Builder {
        private final Map<String, Object> kafka;
        private SchemaRegistryClient registry;
        private PublicKey publicKey;
        private String logTopic = Topics.EXCHANGE_LOG;
        private String checkpointTopic = Topics.EXCHANGE_LOG_CHECKPOINTS;
        private Duration stallTimeout = Duration.ofSeconds(60);

        private Builder(Map<String, Object> kafka) {
            this.kafka = Map.copyOf(Objects.requireNonNull(kafka, "kafkaProperties"));
        }

        /** The schema registry the log's records were written with (required). */
        public Builder registry(SchemaRegistryClient registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The bus's published Ed25519 key (required for {@link #verify()}). */
        public Builder publicKey(PublicKey publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
            return this;
        }

        /** The log topic; {@link Topics#EXCHANGE_LOG} unless a copy is audited. */
        public Builder logTopic(String topic) {
            this.logTopic = Objects.requireNonNull(topic, "logTopic");
            return this;
        }

        /** The checkpoint topic; {@link Topics#EXCHANGE_LOG_CHECKPOINTS} unless a copy is audited. */
        public Builder checkpointTopic(String topic) {
            this.checkpointTopic = Objects.requireNonNull(topic, "checkpointTopic");
            return this;
        }

        /** How long a read may make no progress before it fails (default 60 s). */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = Objects.requireNonNull(timeout, "stallTimeout");
            return this;
        }

        public AuditReader build() {
            if (registry == null) {
                throw new IllegalArgumentException("registry is required: the log's records are in the registry's "
                        + "wire format");
            }
            return new AuditReader(this);
        }
    }
}
