package cn.tianfu.databus.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import cn.tianfu.databus.governance.client.GovernanceException;

/**
 * The latest value per key of a compacted topic, read by assignment (every partition, from the beginning, no group).
 * {@link #refresh()} reads on from where the last read stopped up to the end offsets of that moment, so after it returns
 * the table holds everything committed before the call. Values are indexed by a key taken from the value itself (so a
 * key written in another encoding still matches); tombstones remove by record key. Thread-safe.
 */
public final class CompactedTopicReader<V> implements AutoCloseable {

    private final String topic;
    private final Consumer<String, V> consumer;
    private final Function<V, String> keyOf;
    private final Duration timeout;
    private final Map<String, V> table = new LinkedHashMap<>();
    private List<TopicPartition> partitions;

    public CompactedTopicReader(String topic, Map<String, Object> consumerProperties, Deserializer<V> values,
            Function<V, String> keyOf, Duration timeout) {
        this.topic = topic;
        this.keyOf = keyOf;
        this.timeout = timeout;
        this.consumer = new KafkaConsumer<>(consumerProperties, new StringDeserializer(), values);
    }

    /** Reads every record committed up to now; returns a copy of the table. */
    public synchronized Map<String, V> refresh() {
        try {
            if (partitions == null) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new GovernanceException("topic " + topic + " does not exist: is the bus started ('databus up')?", true);
                }
                partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            }
            try {
                TopicReader.readToEnd(consumer, partitions, timeout, this::apply);
            } catch (TopicReader.NotCaughtUpException e) {
                throw new GovernanceException("cannot read " + topic + " to its end within " + timeout.toMillis() + " ms", true);
            }
            return new LinkedHashMap<>(table);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new GovernanceException("cannot reach the bus to read " + topic + " within " + timeout.toMillis()
                    + " ms: is it running and are bootstrap.servers right?", e, true);
        } catch (KafkaException e) {
            if (e instanceof RecordDeserializationException) {
                throw e;
            }
            var typed = KafkaErrors.translate(e, null, "read " + topic);
            if (typed.isPresent()) {
                throw typed.get();
            }
            throw new GovernanceException("cannot read " + topic + ": " + e.getMessage(), e, false);
        }
    }

    private void apply(ConsumerRecord<String, V> r) {
        if (r.value() == null) {
            if (r.key() != null) {
                table.remove(r.key());
            }
        } else {
            String key = keyOf.apply(r.value());
            table.remove(key); // keep the table in order of last change
            table.put(key, r.value());
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
