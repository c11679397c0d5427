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
 * <p>When the bus <em>withdraws</em> what the department received — the grant was revoked, expired or narrowed, or
 * the resource retired — every record held gets a {@link Kind#RETRACT} with a {@link #withdrawal()} reason; after a
 * narrowing, records still allowed arrive again as {@link Kind#UPSERT} with fewer fields, also with the reason
 * {@link WithdrawalReason#NARROWED}. A receiver must then forget the record (or the fields no longer delivered).
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
 * @param withdrawal   why the bus withdrew the record ({@code databus.retract-reason}); {@code null} unless this is
 *                     part of a withdrawal
 */
public record Delivery(String resourceCode, String key, GenericRecord value, Kind kind, String exchangeId,
                       String eventId, String topic, int partition, long offset, long timestamp,
                       WithdrawalReason withdrawal) {

    /** A delivery that is not part of a withdrawal. */
    public Delivery(String resourceCode, String key, GenericRecord value, Kind kind, String exchangeId,
                    String eventId, String topic, int partition, long offset, long timestamp) {
        this(resourceCode, key, value, kind, exchangeId, eventId, topic, partition, offset, timestamp, null);
    }

    /** Why the bus withdrew records the department had received. */
    public enum WithdrawalReason {
        /** The grant was revoked (by the provider, or given up). */
        REVOKED,
        /** The grant's validity ended. */
        EXPIRED,
        /** The grant now allows fewer fields or fewer rows. */
        NARROWED,
        /** The resource was retired. */
        RETIRED,
        /** A reason this SDK does not know (a newer bus). */
        OTHER
    }

    /** Whether the bus withdrew this record: a tombstone because the grant no longer allows the record. */
    public boolean isWithdrawn() {
        return kind == Kind.RETRACT && withdrawal != null;
    }

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
