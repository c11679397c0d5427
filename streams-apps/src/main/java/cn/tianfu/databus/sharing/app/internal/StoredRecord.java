package cn.tianfu.databus.sharing.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import cn.tianfu.databus.contract.EventHeaders;

/**
 * The latest state of one source key as a task keeps it: where it was read (partition, offset), the writer schema's
 * registry id, the value bytes exactly as published (wire format), for events captured from a database their source
 * position ({@code databus.source-position}; null otherwise) and, for a record a district bus delivered upward, the
 * district's exchange id it carried ({@code databus.exchange-id} on a district department's source topic,
 * docs/tiers.md; null otherwise), so that a backfilled delivery names it as a live one does.
 *
 * <p>A key deleted by an event that carries a source position is kept as a <em>marker</em>: no value (empty bytes,
 * schema id -1) but its position, so a replayed older event of the key is still recognised as a duplicate.
 *
 * <p>Encoding: the original layout {@code partition, offset, schemaId, value} when there is neither a position nor an
 * upstream id (states written before positions existed decode unchanged); with a position only, {@code -1, partition,
 * offset, schemaId, positionLength, position (UTF-8), value}; with an upstream id, {@code -2, partition, offset,
 * schemaId, positionLength (-1: none), position (UTF-8), upstreamLength, upstream id (UTF-8), value}. Partitions are
 * never negative, so the leading int tells the layouts apart, and states written before the upstream id existed decode
 * unchanged.
 */
public record StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition,
                           String upstreamExchangeId) {

    private static final int HEADER = 4 + 8 + 4;
    private static final int WITH_POSITION = -1;
    private static final int WITH_UPSTREAM = -2;

    public StoredRecord(int partition, long offset, int schemaId, byte[] value) {
        this(partition, offset, schemaId, value, null, null);
    }

    public StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition) {
        this(partition, offset, schemaId, value, sourcePosition, null);
    }

    /** A deleted key remembered by its source position. */
    public static StoredRecord deletedAt(int partition, long offset, String sourcePosition) {
        return new StoredRecord(partition, offset, -1, new byte[0], sourcePosition, null);
    }

    /** Whether this is the marker of a deleted key rather than a current value. */
    public boolean isDeleted() {
        return value.length == 0;
    }

    /**
     * The headers a record rebuilt from this state carries: only the upstream exchange id, when there is one; null
     * otherwise (the stored state keeps no other header).
     */
    public Headers upstreamHeaders() {
        if (upstreamExchangeId == null) {
            return null;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EXCHANGE_ID, EventHeaders.bytes(upstreamExchangeId));
        return headers;
    }

    public byte[] encode() {
        if (upstreamExchangeId != null) {
            byte[] position = sourcePosition == null ? null : sourcePosition.getBytes(StandardCharsets.UTF_8);
            byte[] upstream = upstreamExchangeId.getBytes(StandardCharsets.UTF_8);
            int positionLength = position == null ? 0 : position.length;
            ByteBuffer b = ByteBuffer.allocate(4 + HEADER + 4 + positionLength + 4 + upstream.length + value.length)
                    .putInt(WITH_UPSTREAM).putInt(partition).putLong(offset).putInt(schemaId);
            if (position == null) {
                b.putInt(-1);
            } else {
                b.putInt(position.length).put(position);
            }
            return b.putInt(upstream.length).put(upstream).put(value).array();
        }
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
        boolean tagged = first == WITH_POSITION || first == WITH_UPSTREAM;
        String position = null;
        String upstream = null;
        int partition = tagged ? b.getInt() : first;
        long offset = b.getLong();
        int schemaId = b.getInt();
        if (tagged) {
            position = text(b);
        }
        if (first == WITH_UPSTREAM) {
            upstream = text(b);
        }
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return new StoredRecord(partition, offset, schemaId, value, position, upstream);
    }

    /** A length-prefixed UTF-8 string; a length of -1 is none. */
    private static String text(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0) {
            return null;
        }
        byte[] t = new byte[length];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }
}
