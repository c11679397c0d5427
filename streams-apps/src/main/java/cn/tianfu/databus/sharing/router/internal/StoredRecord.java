package cn.tianfu.databus.sharing.router.internal;

import java.nio.ByteBuffer;

/**
 * The latest state of one source key as a task keeps it: where it was read (partition, offset), the writer schema's
 * registry id and the value bytes exactly as published (wire format).
 */
public record StoredRecord(int partition, long offset, int schemaId, byte[] value) {

    private static final int HEADER = 4 + 8 + 4;

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER + value.length).putInt(partition).putLong(offset).putInt(schemaId).put(value).array();
    }

    public static StoredRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int partition = b.getInt();
        long offset = b.getLong();
        int schemaId = b.getInt();
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new StoredRecord(partition, offset, schemaId, value);
    }
}
