package cn.tianfu.databus.streams;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a global store equal to its compacted topic: a record replaces its key, a tombstone removes it. A value that
 * cannot be read (only the bus writes these topics, so this is not expected) is logged and skipped, so a bad record
 * never stops the app.
 */
public final class GlobalStoreUpdater<V> implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalStoreUpdater.class);

    private final String storeName;
    private final String topic;
    private final Deserializer<V> values;
    private KeyValueStore<String, V> store;

    public GlobalStoreUpdater(String storeName, String topic, Deserializer<V> values) {
        this.storeName = storeName;
        this.topic = topic;
        this.values = values;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        try {
            store.put(record.key(), values.deserialize(topic, record.value()));
        } catch (RuntimeException e) {
            LOG.error("Skipped record {} of {} for store {}: {}", record.key(), topic, storeName, e.toString());
        }
    }
}
