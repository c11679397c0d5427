package cn.tianfu.databus.sharing.app.internal;

import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * Key of everything the router writes: the target topic, the key bytes and, for deliveries, the partition the router
 * chose (so the exchange log can name it); {@code -1} leaves the partition to the producer.
 */
public record Out(String topic, byte[] key, int partition) {

    /** Writes {@link #key()}. */
    public static final Serializer<Out> SERIALIZER = (topic, out) -> out == null ? null : out.key();

    /** Routes by {@link #topic()}. */
    public static final TopicNameExtractor<Out, byte[]> TOPIC = (out, value, context) -> out.topic();

    /** Writes to {@link #partition()} when set (and valid), else lets the producer choose. */
    public static final StreamPartitioner<Out, byte[]> PARTITIONER = (topic, out, value, numPartitions) ->
            out.partition() >= 0 && out.partition() < numPartitions ? Optional.of(Set.of(out.partition())) : Optional.empty();
}
