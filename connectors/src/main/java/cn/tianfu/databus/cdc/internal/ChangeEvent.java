package cn.tianfu.databus.cdc.internal;

import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.connect.data.Struct;

/**
 * A Debezium change event as both CDC paths (the embedded runner and the Connect transform) read it: the table it
 * concerns, its op and its row images. Other events — schema changes, transaction markers, anything without an
 * {@code op} and a {@code source} block — are not change events.
 *
 * @param source the event's {@code source} block
 * @param table  the qualified table: {@code schema.table} on PostgreSQL, {@code database.table} on MySQL/MariaDB
 * @param op     Debezium's op: {@code c}, {@code u}, {@code r} (snapshot read), {@code d}, {@code t} (truncate) or
 *               {@code m} (message)
 * @param before the row before the change; null when the event carries none
 * @param after  the row after the change; null for a delete or when the event carries none
 */
public record ChangeEvent(Struct source, String table, String op, Struct before, Struct after) {

    /** The change event in a record's value; empty when the value is not one. */
    public static Optional<ChangeEvent> of(Object value) {
        if (!(value instanceof Struct envelope) || envelope.schema().field("op") == null
                || envelope.schema().field("source") == null) {
            return Optional.empty();
        }
        Struct source = envelope.getStruct("source");
        Struct before = envelope.schema().field("before") == null ? null : envelope.getStruct("before");
        Struct after = envelope.schema().field("after") == null ? null : envelope.getStruct("after");
        return Optional.of(new ChangeEvent(source, qualifiedTable(source), envelope.getString("op"), before, after));
    }

    /** Whether the row was deleted. */
    public boolean isDelete() {
        return "d".equals(op);
    }

    /** A truncate or a logical-decoding message: neither concerns one row, and neither is published. */
    public boolean isTableEvent() {
        return "t".equals(op) || "m".equals(op);
    }

    /** Where the change sits in the database's log ({@link Positions}). */
    public String position() {
        return Positions.of(source);
    }

    /** Whether an initial or blocking snapshot read the row, rather than the log. */
    public boolean snapshot() {
        return Positions.snapshot(source);
    }

    /** When the change happened at the source; now when the event does not say. */
    public Instant sourceTime() {
        Long ts = source.getInt64("ts_ms");
        return ts == null ? Instant.now() : Instant.ofEpochMilli(ts);
    }

    private static String qualifiedTable(Struct source) {
        boolean pg = "postgresql".equals(source.getString("connector"));
        return (pg ? source.getString("schema") : source.getString("db")) + "." + source.getString("table");
    }
}
