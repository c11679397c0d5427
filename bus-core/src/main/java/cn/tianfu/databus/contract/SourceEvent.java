package cn.tianfu.databus.contract;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One event for a source topic {@code src.<dept>.<resource>} as the bus expects it, before any Kafka client holds it:
 * the record key, the framed value ({@code null} for a delete: a tombstone) and the headers, in the order they are
 * added to the record. Made by {@link SourceEvents}.
 *
 * @param key     the value of the resource's key field (fields joined for a composite key)
 * @param value   the record in the {@link WireFormat}; {@code null} for a delete
 * @param headers the event's headers, each a name and a UTF-8 text value
 */
public record SourceEvent(String key, byte[] value, List<Header> headers) {

    public SourceEvent {
        Objects.requireNonNull(key, "key");
        headers = List.copyOf(headers);
    }

    /** The value of header {@code name}; empty when the event does not carry it. */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equals(name)).map(Header::value).reduce((a, b) -> b);
    }

    /** Whether the event is a delete (a tombstone). */
    public boolean isDelete() {
        return value == null;
    }

    /** A header of a source event: its name and its text value. */
    public record Header(String name, String value) {

        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        /** The value as the bytes a Kafka record header carries (UTF-8). */
        public byte[] bytes() {
            return value.getBytes(StandardCharsets.UTF_8);
        }
    }
}
