package cn.tianfu.databus.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import cn.tianfu.databus.DatabusException;

/**
 * One record the bus delivered to the department: a new or changed value ({@link Kind#UPSERT}), or a tombstone
 * ({@link Kind#DELETE}: deleted at the source; {@link Kind#RETRACT}: the record no longer meets the grant's row filter).
 * Either way of losing a record means the same for the receiver — forget the key — but the kind tells why.
 *
 * <pre>{@code
 * switch (d.kind()) {
 *     case UPSERT -> store.put(d.key(), d.value());
 *     case DELETE, RETRACT -> store.remove(d.key());
 * }
 * }</pre>
 *
 * @param resourceCode the resource delivered
 * @param key          the record key as delivered: the clear key, or a stable per-department pseudonym when the grant
 *                     masks the key field
 * @param value        the projected and masked record in the delivery schema; {@code null} for a tombstone
 * @param kind         what the record means
 * @param exchangeId   id of the exchange-log entry recording this delivery; {@code null} if the header is missing
 * @param eventId      id of the source event, when the publisher set one
 * @param topic        delivery topic
 * @param partition    its partition
 * @param offset       its offset
 * @param timestamp    the record's timestamp (the source event's time)
 */
public record Delivery(String resourceCode, String key, GenericRecord value, Kind kind, String exchangeId,
                       String eventId, String topic, int partition, long offset, long timestamp) {

    /** What a delivered record means. */
    public enum Kind {
        /** A new or changed record. */
        UPSERT,
        /** The record was deleted at the source (tombstone). */
        DELETE,
        /** The record left the grant's row filter (tombstone). */
        RETRACT;

        /** Whether records of this kind are tombstones. */
        public boolean tombstone() {
            return this != UPSERT;
        }
    }

    /** Whether this is a tombstone (delete or retraction). */
    public boolean isTombstone() {
        return value == null;
    }

    /**
     * The value as an instance of a class generated from the delivery schema (or a compatible one); {@code null} for
     * a tombstone.
     *
     * @throws DatabusException when the value cannot be read as {@code type}
     */
    public <T extends SpecificRecord> T valueAs(Class<T> type) {
        if (value == null) {
            return null;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        try {
            Schema writer = value.getSchema();
            Schema reader = SpecificData.getForClass(type).getSchema(type);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(writer).write(value, encoder);
            encoder.flush();
            SpecificDatumReader<T> datumReader = new SpecificDatumReader<>(writer, reader, SpecificData.getForClass(type));
            return datumReader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException | RuntimeException e) {
            throw new DatabusException("cannot read the delivery of " + resourceCode + " at " + topic + "/" + partition
                    + "@" + offset + " as " + type.getName() + ": " + e.getMessage()
                    + "; generate the class from the delivery schema registered under '" + topic + "-value'", e);
        }
    }
}
