package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a source topic partition from a given offset, committed records only: what a router task replays for a
 * backfill (docs/router.md, "Backfill"). One reader per task, opened when first needed and closed with the task.
 *
 * <pre>{@code
 * try (SourceLogReader reader = SourceLogReader.kafka(config.clientProperties()).get()) {
 *     long end = reader.endOffset("src.psb.10101-000001", 0);
 *     List<ConsumerRecord<byte[], byte[]>> first = reader.read("src.psb.10101-000001", 0, 0, end, 500,
 *             Duration.ofSeconds(1));
 * }
 * }</pre>
 */
public interface SourceLogReader extends AutoCloseable {

    /** Opens one reader; called by a task the first time it replays a partition. */
    @FunctionalInterface
    interface Opener {
        SourceLogReader open();
    }

    /**
     * The offset after the last committed record of the partition (read_committed end offset); 0 when the topic has
     * no such partition.
     */
    long endOffset(String topic, int partition);

    /**
     * The committed records of the partition at offsets in {@code [from, until)}, in offset order, at most
     * {@code max} of them, waiting at most {@code maxWait} for them to arrive. An empty answer with {@code from} short
     * of {@code until} means: nothing arrived in time, or only offsets without a record (compacted away, transaction
     * markers, aborted) lie in between — {@link #position} then tells how far the reader got.
     */
    List<ConsumerRecord<byte[], byte[]>> read(String topic, int partition, long from, long until, int max,
                                             Duration maxWait);

    /**
     * The next offset the last {@link #read} of the partition would have read: after a read that returned records,
     * at most the last one's offset + 1 is used by the caller; after an empty one, this tells how far the gaps went.
     */
    long position(String topic, int partition);

    @Override
    void close();

    /**
     * A reader on the bus: a consumer of its own with the client properties (brokers, security), no group, reading
     * committed records only, assigned one partition at a time.
     */
    static Opener kafka(Map<String, Object> clientProperties) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Object> frozen = Map.copyOf(props);
        return () -> new KafkaReader(new KafkaConsumer<>(frozen));
    }

    /** {@link #kafka}'s reader. */
    final class KafkaReader implements SourceLogReader {

        private static final Duration METADATA_WAIT = Duration.ofSeconds(30);
        private final KafkaConsumer<byte[], byte[]> consumer;

        KafkaReader(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public long endOffset(String topic, int partition) {
            if (!exists(topic, partition)) {
                return 0;
            }
            TopicPartition tp = new TopicPartition(topic, partition);
            return consumer.endOffsets(Set.of(tp), METADATA_WAIT).getOrDefault(tp, 0L);
        }

        private boolean exists(String topic, int partition) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_WAIT);
            return partitions != null && partitions.stream().anyMatch(p -> p.partition() == partition);
        }

        @Override
        public List<ConsumerRecord<byte[], byte[]>> read(String topic, int partition, long from, long until, int max,
                                                        Duration maxWait) {
            TopicPartition tp = new TopicPartition(topic, partition);
            if (!consumer.assignment().equals(Set.of(tp))) {
                consumer.assign(Set.of(tp));
                consumer.seek(tp, from);
            } else if (consumer.position(tp, METADATA_WAIT) != from) {
                consumer.seek(tp, from);
            }
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + maxWait.toNanos();
            long next = from;
            while (out.isEmpty() && next < until) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofNanos(left)).records(tp)) {
                    if (r.offset() < until && out.size() < max) {
                        out.add(r);
                    }
                }
                next = consumer.position(tp, METADATA_WAIT);
            }
            if (!out.isEmpty()) {
                // records fetched beyond what the caller takes are read again from here by the next call
                consumer.seek(tp, out.get(out.size() - 1).offset() + 1);
            }
            return out;
        }

        @Override
        public long position(String topic, int partition) {
            TopicPartition tp = new TopicPartition(topic, partition);
            return consumer.assignment().contains(tp) ? consumer.position(tp, METADATA_WAIT) : 0;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
