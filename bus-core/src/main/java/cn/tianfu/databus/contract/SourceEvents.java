package cn.tianfu.databus.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.contract.EventHeaders;

/**
 * The source-event codec: the one place that frames a resource's record for its source topic and decides the headers
 * of a source event. The SDK publisher, the CDC runner and the Kafka Connect transform all write through it, so every
 * way into the bus writes the same bytes and headers.
 *
 * <pre>{@code
 * SourceEvents codec = new SourceEvents();
 * SourceEvent up = codec.upsert("510104199001011234", catalogued.id(), record, sourceTime, null);
 * SourceEvent gone = SourceEvents.delete("510104199001011234", sourceTime, "pg:0000000001A2B3C4:0000000001A2B3F0");
 * }</pre>
 *
 * <p>An upsert's value is the record in the {@link WireFormat} under the catalogued schema's id; a delete is a
 * tombstone. Every event carries {@link EventHeaders#EVENT_ID} (a random UUID), {@link EventHeaders#OP}
 * ({@code UPSERT} or {@code DELETE}), {@link EventHeaders#SOURCE_TIME} (epoch milliseconds) and, for a change captured
 * from a database, {@link EventHeaders#SOURCE_POSITION}. Checking that the schema id is the catalogued one is the
 * caller's part. Thread-safe: the Avro writer of each schema is made once and kept.
 */
public final class SourceEvents {

    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /** An upsert of {@code record} under {@code key}, framed with {@code schemaId}; {@code sourcePosition} may be null. */
    public SourceEvent upsert(String key, int schemaId, IndexedRecord record, Instant sourceTime, String sourcePosition) {
        Objects.requireNonNull(record, "record");
        return new SourceEvent(key, frame(schemaId, record), headers(EventHeaders.OP_UPSERT, sourceTime, sourcePosition));
    }

    /** The deletion of {@code key} (a tombstone); {@code sourcePosition} may be null. */
    public static SourceEvent delete(String key, Instant sourceTime, String sourcePosition) {
        return new SourceEvent(key, null, headers(EventHeaders.OP_DELETE, sourceTime, sourcePosition));
    }

    /**
     * The headers of a source event of kind {@code op} ({@link EventHeaders#OP_UPSERT} or {@link EventHeaders#OP_DELETE}):
     * a new event id, the op, the source time and, when not null, the source position.
     */
    public static List<SourceEvent.Header> headers(String op, Instant sourceTime, String sourcePosition) {
        if (!EventHeaders.OP_UPSERT.equals(op) && !EventHeaders.OP_DELETE.equals(op)) {
            throw new IllegalArgumentException("a source event is an " + EventHeaders.OP_UPSERT + " or a "
                    + EventHeaders.OP_DELETE + ", not '" + op + "'");
        }
        Objects.requireNonNull(sourceTime, "sourceTime");
        List<SourceEvent.Header> headers = new ArrayList<>(4);
        headers.add(new SourceEvent.Header(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));
        headers.add(new SourceEvent.Header(EventHeaders.OP, op));
        headers.add(new SourceEvent.Header(EventHeaders.SOURCE_TIME, Long.toString(sourceTime.toEpochMilli())));
        if (sourcePosition != null) {
            headers.add(new SourceEvent.Header(EventHeaders.SOURCE_POSITION, sourcePosition));
        }
        return headers;
    }

    /**
     * {@code record} in the {@link WireFormat}: magic byte, {@code schemaId}, Avro binary of the record's own schema
     * (a generated class is written with its generated data model).
     *
     * @throws UnencodableRecordException when the record does not fit its own schema (a required field unset, a value
     *                                    of the wrong type)
     */
    public byte[] frame(int schemaId, IndexedRecord record) {
        DatumWriter<Object> writer = writers.computeIfAbsent(record.getSchema(), s -> record instanceof SpecificRecord
                ? new SpecificDatumWriter<>(s, SpecificData.getForClass(record.getClass()))
                : new GenericDatumWriter<>(s, GenericData.get()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, schemaId);
        out.write(header, 0, header.length);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new UnencodableRecordException(record.getSchema().getFullName(), schemaId, e);
        }
        return out.toByteArray();
    }

    /** A record that does not fit its own schema; the cause is Avro's error. */
    public static final class UnencodableRecordException extends DatabusException {

        private final String schemaName;
        private final int schemaId;

        UnencodableRecordException(String schemaName, int schemaId, Throwable cause) {
            super("the " + schemaName + " value does not fit its own schema (" + cause + ")", cause);
            this.schemaName = schemaName;
            this.schemaId = schemaId;
        }

        /** The full name of the record's schema. */
        public String schemaName() {
            return schemaName;
        }

        /** The schema id it was to be framed with. */
        public int schemaId() {
            return schemaId;
        }
    }
}
