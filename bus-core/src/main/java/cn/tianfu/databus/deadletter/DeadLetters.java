package cn.tianfu.databus.deadletter;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import cn.tianfu.databus.schemas.DeadLetter;

/**
 * Builds the bus's dead letters: the original bytes exactly as received, where they came from, a reason code and a
 * message. Every component that rejects input writes one of these to {@code bus.deadletter} instead of dropping it.
 *
 * <pre>{@code
 * DeadLetter dl = DeadLetters.builder("sharing-router", DeadLetterReason.NOT_THE_PROVIDER, "psb does not provide 10101-000002")
 *         .source(topic, partition, offset).original(keyBytes, valueBytes, headers).build();
 * }</pre>
 */
public final class DeadLetters {

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

        private Builder(String component, DeadLetterReason reason, String message) {
            this.component = component;
            this.reason = reason;
            this.message = message == null ? reason.name() : message;
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
                for (Header h : headers) {
                    this.headers.put(h.key(), ByteBuffer.wrap(h.value() == null ? new byte[0] : h.value()));
                }
            }
            return this;
        }

        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public DeadLetter build() {
            return DeadLetter.newBuilder()
                    .setId(UUID.randomUUID().toString())
                    .setTime(time == null ? Instant.now() : time)
                    .setComponent(component)
                    .setReason(reason.name())
                    .setMessage(message)
                    .setSourceTopic(topic)
                    .setSourcePartition(partition)
                    .setSourceOffset(offset)
                    .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                    .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                    .setOriginalHeaders(new HashMap<>(headers))
                    .build();
        }
    }
}
