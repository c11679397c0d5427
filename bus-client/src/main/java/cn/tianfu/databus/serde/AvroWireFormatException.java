package cn.tianfu.databus.serde;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.apache.kafka.common.errors.RecordDeserializationException;

import cn.tianfu.databus.DatabusException;

/**
 * Bytes that are not a valid record in the schema registry wire format (magic byte 0, 4-byte big-endian schema id,
 * Avro binary), or a record that cannot be written in it. The message names the topic, and the partition and offset
 * once known.
 *
 * <p>A Kafka {@code Deserializer} is not told the partition and offset; the code that catches the error adds them:
 *
 * <pre>{@code
 * // plain consumer: Kafka wraps the deserializer's error
 * catch (RecordDeserializationException e) {
 *     AvroWireFormatException.located(e).ifPresent(deadLetters::send);
 * }
 * // Kafka Streams DeserializationExceptionHandler
 * AvroWireFormatException.find(exception).map(x -> x.at(record.partition(), record.offset()))
 * }</pre>
 *
 * Never retriable: the same bytes will fail again; such records belong on the dead-letter topic.
 */
public class AvroWireFormatException extends DatabusException {

    /** What was wrong with the bytes or the record. */
    public enum Reason {
        /** The first byte is not 0: the bytes were not written by a schema-registry Avro serializer. */
        BAD_MAGIC_BYTE,
        /** The schema id is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** Fewer bytes than the header needs, or the Avro body ends early. */
        TRUNCATED,
        /** The Avro body does not decode with the writer schema (into the reader schema). */
        UNDECODABLE,
        /** The serializer could not write the record (not Avro, or not valid for its own schema). */
        UNENCODABLE
    }

    private final Reason reason;
    private final String topic;
    private final String detail;
    private final Integer schemaId;
    private final Integer partition;
    private final Long offset;

    public AvroWireFormatException(Reason reason, String topic, Integer schemaId, String detail, Throwable cause) {
        this(reason, topic, schemaId, detail, null, null, cause);
    }

    private AvroWireFormatException(Reason reason, String topic, Integer schemaId, String detail, Integer partition,
                                    Long offset, Throwable cause) {
        super(message(reason, topic, schemaId, detail, partition, offset), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.topic = topic;
        this.schemaId = schemaId;
        this.detail = detail;
        this.partition = partition;
        this.offset = offset;
    }

    /** The same error, located at a partition and offset of its topic. */
    public AvroWireFormatException at(int partition, long offset) {
        AvroWireFormatException located = new AvroWireFormatException(reason, topic, schemaId, detail, partition, offset, getCause());
        located.setStackTrace(getStackTrace());
        return located;
    }

    /** The first {@code AvroWireFormatException} in {@code t}'s chain of causes (including {@code t}). */
    public static Optional<AvroWireFormatException> find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AvroWireFormatException e) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The wire-format error behind a consumer's deserialization failure, located at its partition and offset. */
    public static Optional<AvroWireFormatException> located(RecordDeserializationException e) {
        return find(e).map(x -> x.at(e.topicPartition().partition(), e.offset()));
    }

    public Reason reason() {
        return reason;
    }

    /** The topic the record was read from or written to; null when the caller gave none. */
    public String topic() {
        return topic;
    }

    /** The schema id from the record's header, when it was read. */
    public OptionalInt schemaId() {
        return schemaId == null ? OptionalInt.empty() : OptionalInt.of(schemaId);
    }

    public OptionalInt partition() {
        return partition == null ? OptionalInt.empty() : OptionalInt.of(partition);
    }

    public OptionalLong offset() {
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    private static String message(Reason reason, String topic, Integer schemaId, String detail, Integer partition, Long offset) {
        StringBuilder m = new StringBuilder(reason.name()).append(" in record of topic '").append(topic).append('\'');
        if (partition != null) {
            m.append(" partition ").append(partition);
        }
        if (offset != null) {
            m.append(" offset ").append(offset);
        }
        if (schemaId != null) {
            m.append(" (schema id ").append(schemaId).append(')');
        }
        return m.append(": ").append(detail).toString();
    }
}
