package cn.tianfu.databus.registry.server.internal;

import java.util.List;

/**
 * The durable, ordered log the registry keeps its state in (the {@code _schemas} topic). Every instance applies every
 * record, its own and other instances', in log order; a write returns only once this instance has applied it.
 */
public interface StoreLog {

    /** One record: JSON key and JSON value, {@code value == null} for a tombstone. */
    record Entry(String key, String value) {
    }

    /** Appends the records in order and returns once this instance has applied all of them. */
    void appendAndAwait(List<Entry> records);

    /** Returns once every record appended anywhere before this call has been applied by this instance. */
    void awaitCaughtUp();
}
