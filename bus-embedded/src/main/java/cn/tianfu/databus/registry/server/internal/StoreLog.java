package cn.tianfu.databus.registry.server.internal;

import java.util.List;
import java.util.function.Supplier;

/**
 * The durable, ordered log the registry keeps its state in (the {@code _schemas} topic). Every instance applies every
 * record, its own and other instances', in log order. Writes are serialized across all instances on the log: a write
 * is decided on state that holds every record appended before it, and appended only if no other instance appended in
 * between.
 */
public interface StoreLog {

    /** One record: JSON key and JSON value, {@code value == null} for a tombstone. */
    record Entry(String key, String value) {
    }

    /** What a write decided: the records to append (none: nothing to write) and the answer once they are applied. */
    record Decision<T>(List<Entry> records, T answer) {

        public Decision {
            records = List.copyOf(records);
        }

        /** Nothing to write; answer at once. */
        public static <T> Decision<T> answer(T answer) {
            return new Decision<>(List.of(), answer);
        }
    }

    /**
     * Runs {@code decide} as the only writer of the log, on state caught up with every record any instance appended
     * before, appends the records it returns and returns its answer once this instance has applied them. When another
     * instance wrote in between, the records are discarded and {@code decide} runs again on the newer state, so it must
     * not have side effects other than reading the state. A {@link RegistryError} thrown by {@code decide} is passed on
     * and nothing is written.
     */
    <T> T write(Supplier<Decision<T>> decide);
}
