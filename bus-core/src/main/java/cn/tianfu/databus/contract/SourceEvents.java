package cn.tianfu.databus.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * caller's part. Thread-safe: the Avro writer of each schema is made once and kept, and each thread encodes into a
 * buffer and encoder of its own, reused from record to record.
 */
public final class SourceEvents {

    /** A thread's encoding buffer keeps at most this much between records (a larger one is let go after use). */
    private static final int KEPT_BUFFER_BYTES = 64 * 1024;
    private static final ThreadLocal<Framer> FRAMER = ThreadLocal.withInitial(Framer::new);

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
        DatumWriter<Object> writer = writers.get(record.getSchema());
        if (writer == null) {
            writer = writers.computeIfAbsent(record.getSchema(), s -> record instanceof SpecificRecord
                    ? new SpecificDatumWriter<>(s, SpecificData.getForClass(record.getClass()))
                    : new GenericDatumWriter<>(s, GenericData.get()));
        }
        Framer framer = FRAMER.get();
        try {
            return framer.frame(schemaId, writer, record);
        } catch (IOException | RuntimeException e) {
            framer.reset();
            throw new UnencodableRecordException(record.getSchema().getFullName(), schemaId, e);
        }
    }

    /**
     * One thread's encoding buffer and Avro encoder, kept between records: a record is written into the buffer (grown
     * to the largest record seen, at most {@link #KEPT_BUFFER_BYTES} kept) and copied out once, at its exact size.
     */
    private static final class Framer extends OutputStream {

        private byte[] buf = new byte[1024];
        private int count;
        private BinaryEncoder encoder;

        byte[] frame(int schemaId, DatumWriter<Object> writer, IndexedRecord record) throws IOException {
            count = WireFormat.HEADER_SIZE;
            WireFormat.writeHeader(buf, schemaId);
            encoder = EncoderFactory.get().directBinaryEncoder(this, encoder);
            writer.write(record, encoder);
            byte[] framed = Arrays.copyOf(buf, count);
            reset();
            return framed;
        }

        void reset() {
            count = 0;
            if (buf.length > KEPT_BUFFER_BYTES) {
                buf = new byte[1024];
            }
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }
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
