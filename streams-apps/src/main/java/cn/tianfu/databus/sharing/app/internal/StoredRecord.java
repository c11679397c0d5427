package cn.tianfu.databus.sharing.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The latest state of one source key as a task keeps it: where it was read (partition, offset), the writer schema's
 * registry id, the value bytes exactly as published (wire format) and, for events captured from a database, their
 * source position ({@code databus.source-position}; null otherwise).
 *
 * <p>A key deleted by an event that carries a source position is kept as a <em>marker</em>: no value (empty bytes,
 * schema id -1) but its position, so a replayed older event of the key is still recognised as a duplicate.
 *
 * <p>Encoding: the original layout {@code partition, offset, schemaId, value} when there is no position (states
 * written before positions existed decode unchanged); with a position, {@code -1, partition, offset, schemaId,
 * positionLength, position (UTF-8), value}. Partitions are never negative, so the leading -1 tells the layouts apart.
 */
public record StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition) {

    private static final int HEADER = 4 + 8 + 4;
    private static final int WITH_POSITION = -1;

    public StoredRecord(int partition, long offset, int schemaId, byte[] value) {
        this(partition, offset, schemaId, value, null);
    }

    /** A deleted key remembered by its source position. */
    public static StoredRecord deletedAt(int partition, long offset, String sourcePosition) {
        return new StoredRecord(partition, offset, -1, new byte[0], sourcePosition);
    }

    /** Whether this is the marker of a deleted key rather than a current value. */
    public boolean isDeleted() {
        return value.length == 0;
    }

    public byte[] encode() {
        if (sourcePosition == null) {
            return ByteBuffer.allocate(HEADER + value.length).putInt(partition).putLong(offset).putInt(schemaId).put(value).array();
        }
        byte[] position = sourcePosition.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + HEADER + 4 + position.length + value.length).putInt(WITH_POSITION)
                .putInt(partition).putLong(offset).putInt(schemaId).putInt(position.length).put(position).put(value).array();
    }

    public static StoredRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int first = b.getInt();
        String position = null;
        int partition = first;
        if (first == WITH_POSITION) {
            partition = b.getInt();
        }
        long offset = b.getLong();
        int schemaId = b.getInt();
        if (first == WITH_POSITION) {
            byte[] p = new byte[b.getInt()];
            b.get(p);
            position = new String(p, StandardCharsets.UTF_8);
        }
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new StoredRecord(partition, offset, schemaId, value, position);
    }
}
