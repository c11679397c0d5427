package cn.tianfu.databus.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads assigned partitions to their end: the one "read a topic up to now" loop of the bus's tools and views. The end is
 * the partitions' end offsets at the moment of the call, so a read always finishes even while others keep writing.
 */
public final class TopicReader {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {
    }

    /** Thrown when the partitions were not read to their end within the timeout. */
    public static final class NotCaughtUpException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotCaughtUpException(String message) {
            super(message);
        }
    }

    /**
     * Polls {@code consumer}, already assigned to {@code partitions} and positioned, until every partition's position
     * reaches its end offset of now, handing each record to {@code sink} in partition order. A record that can't be
     * deserialized is skipped with a warning, the rest are read.
     *
     * @throws NotCaughtUpException when the end is not reached within {@code timeout}
     */
    public static <K, V> void readToEnd(org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
            Collection<TopicPartition> partitions, Duration timeout, Consumer<ConsumerRecord<K, V>> sink) {
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp(consumer, partitions, end, timeout)) {
            if (System.nanoTime() > deadline) {
                throw new NotCaughtUpException("cannot read " + partitions + " to its end within " + timeout.toMillis() + " ms");
            }
            try {
                consumer.poll(POLL).forEach(sink);
            } catch (RecordDeserializationException e) {
                // a record that is not what the topic should hold: skip it, say so, keep the rest
                LOG.warn("Skipping unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
                consumer.seek(e.topicPartition(), e.offset() + 1);
            }
        }
    }

    private static boolean caughtUp(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
            Collection<TopicPartition> partitions, Map<TopicPartition, Long> end, Duration timeout) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, timeout) < end.getOrDefault(tp, 0L)) {
                return false;
            }
        }
        return true;
    }
}
