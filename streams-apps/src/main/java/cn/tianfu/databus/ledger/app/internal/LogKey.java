package cn.tianfu.databus.ledger.app.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Key of a chained entry on its way to the log: the exchange id (what is written) and the log partition it was
 * chained for (what the partitioner uses, never written).
 */
public record LogKey(int partition, String exchangeId) {

    /** Writes the exchange id as UTF-8: the log's key. */
    public static Serializer<LogKey> serializer() {
        return (topic, key) -> key == null ? null : key.exchangeId().getBytes(StandardCharsets.UTF_8);
    }

    /** Keeps each entry in the partition its chain belongs to. */
    public static StreamPartitioner<LogKey, Object> partitioner() {
        return new StreamPartitioner<>() {
            @Override
            public Optional<Set<Integer>> partitions(String topic, LogKey key, Object value, int numPartitions) {
                if (key.partition() >= numPartitions) {
                    throw new IllegalStateException("Log topic " + topic + " has " + numPartitions + " partitions but "
                            + "an entry was chained for partition " + key.partition() + ": the staging and log topics "
                            + "must have the same partition count");
                }
                return Optional.of(Set.of(key.partition()));
            }
        };
    }
}
