package cn.tianfu.databus.sharing.app.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import cn.tianfu.databus.contract.EventHeaders;

/**
 * The latest state of one source key as a task keeps it: where it was read (partition, offset), the writer schema's
 * registry id, the value bytes exactly as published (wire format) when they are kept, for events captured from a
 * database their source position ({@code databus.source-position}; null otherwise) and the SHA-256 of their value,
 * and, for a record a district bus delivered upward, the district's exchange id it carried ({@code databus.exchange-id}
 * on a district department's source topic, docs/tiers.md; null otherwise), so that a backfilled delivery names it as a
 * live one does.
 *
 * <p>The value is kept only where the service exchange answers lookups from it (docs/router.md, "What router-latest
 * keeps"); otherwise the state is a <em>position record</em>: {@link #value()} is null and the value is read from the
 * source topic at {@link #offset()} when it is needed. A key deleted by an event that carries a source position is kept
 * as a <em>marker</em>: no value (empty bytes, schema id -1) but its position, so a replayed older event of the key is
 * still recognised as a duplicate.
 *
 * <p>Encoding: the original layout {@code partition, offset, schemaId, value} when there is neither a position nor an
 * upstream id (states written before positions existed decode unchanged); with a position only, {@code -1, partition,
 * offset, schemaId, positionLength, position (UTF-8), value}; with an upstream id, {@code -2, partition, offset,
 * schemaId, positionLength (-1: none), position (UTF-8), upstreamLength, upstream id (UTF-8), value}; and, for a
 * position record or a state with a value digest, {@code -3, partition, offset, schemaId, positionLength (-1: none),
 * position, upstreamLength (-1: none), upstream id, digestLength (-1: none), digest, kept (1 byte: 0 no value, 1 the
 * value follows), value}. Partitions are never negative, so the leading int tells the layouts apart, and states written
 * in the older layouts decode unchanged (with their value kept and no digest).
 *
 * @param value  the value as published; empty for a deleted key's marker; null when the value is not kept
 * @param digest SHA-256 of the value as published ({@link #digestOf}), or null when none was kept (older layouts, states
 *               without a source position)
 */
public record StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition,
                           String upstreamExchangeId, byte[] digest) {

    private static final int HEADER = 4 + 8 + 4;
    private static final int WITH_POSITION = -1;
    private static final int WITH_UPSTREAM = -2;
    private static final int POSITION_RECORD = -3;

    public StoredRecord(int partition, long offset, int schemaId, byte[] value) {
        this(partition, offset, schemaId, value, null, null, null);
    }

    public StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition) {
        this(partition, offset, schemaId, value, sourcePosition, null, null);
    }

    public StoredRecord(int partition, long offset, int schemaId, byte[] value, String sourcePosition,
                        String upstreamExchangeId) {
        this(partition, offset, schemaId, value, sourcePosition, upstreamExchangeId, null);
    }

    /** A deleted key remembered by its source position. */
    public static StoredRecord deletedAt(int partition, long offset, String sourcePosition) {
        return new StoredRecord(partition, offset, -1, new byte[0], sourcePosition, null, null);
    }

    /**
     * The state of a key whose value is not kept: where the value is in the source topic, its schema, its position and
     * upstream id, and — when it has a position, for the replay guard's unchanged check — the digest of its value.
     */
    public static StoredRecord positionOf(int partition, long offset, int schemaId, byte[] value, String sourcePosition,
                                          String upstreamExchangeId) {
        return new StoredRecord(partition, offset, schemaId, null, sourcePosition, upstreamExchangeId,
                sourcePosition == null ? null : digestOf(value));
    }

    /**
     * The state of a key with its value kept; a state with a source position also keeps the value's digest (the
     * layout of {@link #positionOf}), one without is written in the older layouts.
     */
    public static StoredRecord withValue(int partition, long offset, int schemaId, byte[] value, String sourcePosition,
                                         String upstreamExchangeId) {
        return new StoredRecord(partition, offset, schemaId, value, sourcePosition, upstreamExchangeId,
                sourcePosition == null ? null : digestOf(value));
    }

    /** Whether this is the marker of a deleted key rather than a current value. */
    public boolean isDeleted() {
        return value != null && value.length == 0;
    }

    /** Whether the value itself is kept ({@link #value()} holds it); false for a position record and a marker. */
    public boolean valueKept() {
        return value != null && value.length > 0;
    }

    /**
     * Whether {@code other} (a value as published) is the stored value: compared by digest when one is kept, else with
     * the kept value; false when neither is kept or this is a marker.
     */
    public boolean sameValue(byte[] other) {
        if (other == null || isDeleted()) {
            return false;
        }
        if (digest != null) {
            return Arrays.equals(digest, digestOf(other));
        }
        return value != null && Arrays.equals(value, other);
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
        if (value == null || digest != null) {
            return encodePositionRecord();
        }
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

    private byte[] encodePositionRecord() {
        byte[] position = sourcePosition == null ? null : sourcePosition.getBytes(StandardCharsets.UTF_8);
        byte[] upstream = upstreamExchangeId == null ? null : upstreamExchangeId.getBytes(StandardCharsets.UTF_8);
        int size = 4 + HEADER + 4 + length(position) + 4 + length(upstream) + 4 + length(digest) + 1
                + length(value);
        ByteBuffer b = ByteBuffer.allocate(size).putInt(POSITION_RECORD).putInt(partition).putLong(offset)
                .putInt(schemaId);
        putBytes(b, position);
        putBytes(b, upstream);
        putBytes(b, digest);
        if (value == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).put(value);
        }
        return b.array();
    }

    public static StoredRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int first = b.getInt();
        if (first == POSITION_RECORD) {
            int partition = b.getInt();
            long offset = b.getLong();
            int schemaId = b.getInt();
            String position = text(b);
            String upstream = text(b);
            byte[] digest = bytes(b);
            byte[] value = null;
            if (b.get() != 0) {
                value = new byte[b.remaining()];
                b.get(value);
            }
            return new StoredRecord(partition, offset, schemaId, value, position, upstream, digest);
        }
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
        return new StoredRecord(partition, offset, schemaId, value, position, upstream, null);
    }

    /** SHA-256 of a value as published. */
    public static byte[] digestOf(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static void putBytes(ByteBuffer b, byte[] bytes) {
        if (bytes == null) {
            b.putInt(-1);
        } else {
            b.putInt(bytes.length).put(bytes);
        }
    }

    /** Length-prefixed bytes; a length of -1 is none. */
    private static byte[] bytes(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0) {
            return null;
        }
        byte[] t = new byte[length];
        b.get(t);
        return t;
    }

    /** A length-prefixed UTF-8 string; a length of -1 is none. */
    private static String text(ByteBuffer b) {
        byte[] t = bytes(b);
        return t == null ? null : new String(t, StandardCharsets.UTF_8);
    }
}
