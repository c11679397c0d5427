package cn.tianfu.databus.governance.app.internal;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.schemas.HolidayCalendar;

/**
 * Keeps the global calendar store equal to {@code bus.calendars}: a record replaces its key, a tombstone removes it. A
 * value that cannot be read (only the bus writes the topic, so this is not expected) is logged and skipped, so a bad
 * record never stops governance; the year it was meant for is then counted as before.
 */
public final class CalendarStoreUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(CalendarStoreUpdater.class);

    private final Deserializer<HolidayCalendar> values;
    private KeyValueStore<String, HolidayCalendar> store;

    public CalendarStoreUpdater(Deserializer<HolidayCalendar> values) {
        this.values = values;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(CommandDecider.CALENDARS_STORE);
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
            store.put(record.key(), values.deserialize(cn.tianfu.databus.contract.Topics.CALENDARS, record.value()));
        } catch (RuntimeException e) {
            LOG.error("Skipped calendar record {} of {}: {}", record.key(), cn.tianfu.databus.contract.Topics.CALENDARS, e.toString());
        }
    }
}
