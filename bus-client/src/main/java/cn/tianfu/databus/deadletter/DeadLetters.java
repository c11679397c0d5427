package cn.tianfu.databus.deadletter;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import cn.tianfu.databus.schemas.DeadLetter;

/**
 * Builds the bus's dead letters: the original bytes as received, where they came from, a reason code and a message.
 * Every component that rejects input writes one of these to {@code bus.deadletter} instead of dropping it.
 *
 * <p>Every dead letter is bounded, whatever it rejects: the original key and value keep at most their first
 * {@value #MAX_KEY_BYTES} and {@value #MAX_VALUE_BYTES} bytes, each header {@value #MAX_HEADER_BYTES} bytes
 * ({@value #MAX_HEADERS_BYTES} in all), the message {@value #MAX_MESSAGE_CHARS} characters; the size and SHA-256 of
 * the whole key and value are recorded, and {@code truncated} says whether anything was cut. So the dead letter of a
 * record too large to re-produce is always small enough to write.
 *
 * <pre>{@code
 * DeadLetter dl = DeadLetters.builder("sharing-router", DeadLetterReason.NOT_THE_PROVIDER, "psb does not provide 10101-000002")
 *         .source(topic, partition, offset).original(keyBytes, valueBytes, headers).build();
 * }</pre>
 */
public final class DeadLetters {

    /** Bytes of the original key kept. */
    public static final int MAX_KEY_BYTES = 4 * 1024;
    /** Bytes of the original value kept. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Bytes of one original header kept. */
    public static final int MAX_HEADER_BYTES = 1024;
    /** Bytes of all original headers kept; headers past it are left out. */
    public static final int MAX_HEADERS_BYTES = 16 * 1024;
    /** Characters of the message kept. */
    public static final int MAX_MESSAGE_CHARS = 8 * 1024;

    private DeadLetters() {
    }

    public static Builder builder(String component, DeadLetterReason reason, String message) {
        return new Builder(component, reason, message);
    }

    /** Collects a dead letter's parts; {@link #build()} stamps id and time. */
    public static final class Builder {
        private final String component;
        private final DeadLetterReason reason;
        private final String message;
        private String topic;
        private Integer partition;
        private Long offset;
        private byte[] key;
        private byte[] value;
        private final Map<String, ByteBuffer> headers = new HashMap<>();
        private Instant time;

        private boolean truncated;

        private Builder(String component, DeadLetterReason reason, String message) {
            this.component = component;
            this.reason = reason;
            String m = message == null ? reason.name() : message;
            this.message = m.length() <= MAX_MESSAGE_CHARS ? m : m.substring(0, MAX_MESSAGE_CHARS) + "…";
        }

        public Builder source(String topic, Integer partition, Long offset) {
            this.topic = topic;
            this.partition = partition;
            this.offset = offset != null && offset < 0 ? null : offset;
            return this;
        }

        public Builder original(byte[] key, byte[] value, Headers headers) {
            this.key = key;
            this.value = value;
            if (headers != null) {
                int total = 0;
                for (Header h : headers) {
                    byte[] v = h.value() == null ? new byte[0] : h.value();
                    byte[] kept = v.length <= MAX_HEADER_BYTES ? v : Arrays.copyOf(v, MAX_HEADER_BYTES);
                    int size = kept.length + h.key().length();
                    if (kept.length < v.length || total + size > MAX_HEADERS_BYTES) {
                        truncated = true;
                    }
                    if (total + size > MAX_HEADERS_BYTES) {
                        continue;
                    }
                    total += size;
                    this.headers.put(h.key(), ByteBuffer.wrap(kept));
                }
            }
            return this;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public DeadLetter build() {
            boolean cut = truncated || key != null && key.length > MAX_KEY_BYTES || value != null && value.length > MAX_VALUE_BYTES;
            return DeadLetter.newBuilder()
                    .setId(UUID.randomUUID().toString())
                    .setTime(time == null ? Instant.now() : time)
                    .setComponent(component)
                    .setReason(reason.name())
                    .setMessage(message)
                    .setSourceTopic(topic)
                    .setSourcePartition(partition)
                    .setSourceOffset(offset)
                    .setOriginalKey(prefix(key, MAX_KEY_BYTES))
                    .setOriginalValue(prefix(value, MAX_VALUE_BYTES))
                    .setOriginalHeaders(new HashMap<>(headers))
                    .setOriginalKeySize(key == null ? null : key.length)
                    .setOriginalKeySha256(key == null ? null : sha256Hex(key))
                    .setOriginalValueSize(value == null ? null : value.length)
                    .setOriginalValueSha256(value == null ? null : sha256Hex(value))
                    .setTruncated(cut)
                    .build();
        }
    }

    private static ByteBuffer prefix(byte[] bytes, int max) {
        if (bytes == null) {
            return null;
        }
        return ByteBuffer.wrap(bytes.length <= max ? bytes : Arrays.copyOf(bytes, max));
    }

    /** Lowercase hex SHA-256 of {@code bytes}. */
    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
