package cn.tianfu.databus.serde;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.serde.AvroWireFormatException.Reason;
import cn.tianfu.databus.serde.internal.AvroClassTrust;
import cn.tianfu.databus.contract.WireFormat;

/**
 * Reads the schema registry wire format: resolves the writer schema by the id in the header (once per id) and
 * decodes the Avro body into
 * <ul>
 *   <li>a generated class when built with {@link #specific(SchemaRegistryClient, Class)} (read with the class's schema);</li>
 *   <li>a generated class found by the writer schema's full name with {@code specific.avro.reader=true};</li>
 *   <li>otherwise a {@code GenericRecord} in the given reader schema, or the writer's own schema (string fields are
 *       Avro's {@code Utf8}, a {@link CharSequence}: compare with {@code toString()}); or a primitive, where a
 *       top-level string comes back as {@link String} and bytes as {@code byte[]}.</li>
 * </ul>
 * Reading with a reader schema applies Avro schema resolution, so records written with an older version are read as
 * the newer one (added fields take their defaults).
 *
 * <pre>{@code
 * Deserializer<Permit> permits = AvroDeserializer.specific(registry, Permit.class);
 * Deserializer<GenericRecord> any = new AvroDeserializer<>(registry);
 * }</pre>
 *
 * <p>Thread-safe; a datum reader is built once per schema id and the decoder is reused per thread.
 *
 * @throws AvroWireFormatException for bytes not in the wire format, an unknown schema id, truncated bytes or a body
 *         that does not decode ({@link AvroWireFormatException#at} adds partition and offset);
 *         {@link SchemaRegistryException} (retriable) when the registry cannot be reached
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    /** Either a reader for a schema id, or why none can be built (cached too: every record of that id would fail). */
    private record Reading(DatumReader<Object> reader, Reason failure, String why) {
    }

    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private final Schema readerSchema;
    private final Class<?> specificClass;
    private boolean specificReader;

    private final Map<Integer, Reading> readings = new ConcurrentHashMap<>();
    private final ThreadLocal<BinaryDecoder> decoder = new ThreadLocal<>();

    /** For Kafka's instantiation by class name; {@link #configure} must follow with {@code schema.registry.url}. */
    public AvroDeserializer() {
        this(null, null, null);
    }

    /** A deserializer on {@code registry} returning records in their writer's schema. */
    public AvroDeserializer(SchemaRegistryClient registry) {
        this(Objects.requireNonNull(registry, "registry"), null, null);
    }

    /** A deserializer on {@code registry} returning generic records in {@code readerSchema}. */
    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(readerSchema, "readerSchema"), null);
    }

    private AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema, Class<?> specificClass) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.specificClass = specificClass;
    }

    /** A deserializer returning instances of the generated class {@code type}, read with the class's schema. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(SchemaRegistryClient registry, Class<T> type) {
        return new AvroDeserializer<>(registry, SpecificData.getForClass(Objects.requireNonNull(type, "type")).getSchema(type), type);
    }

    /** Like {@link #specific(SchemaRegistryClient, Class)}, with the registry from {@link #configure}. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(Class<T> type) {
        return new AvroDeserializer<>(null, SpecificData.getForClass(Objects.requireNonNull(type, "type")).getSchema(type), type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(AvroSerdeConfig.fromMap(configs), isKey);
    }

    void configure(AvroSerdeConfig config, boolean isKey) {
        this.specificReader = config.specificAvroReader();
        if (registry == null) {
            registry = config.registryClient();
            ownsRegistry = true;
        }
        readings.clear();
    }

    void useRegistry(SchemaRegistryClient registry, boolean owns) {
        if (this.registry == null) {
            this.registry = registry;
            this.ownsRegistry = owns;
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer has no schema registry: configure it with "
                    + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG + " or construct it with a client");
        }
        if (data.length > 0 && data[0] != WireFormat.MAGIC_BYTE) {
            throw new AvroWireFormatException(Reason.BAD_MAGIC_BYTE, topic, null, String.format("first byte is 0x%02x, not"
                    + " the magic byte 0x00: the bytes were not written by a schema-registry Avro serializer", data[0]), null);
        }
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new AvroWireFormatException(Reason.TRUNCATED, topic, null, "only " + data.length + " bytes; the wire"
                    + " format needs at least " + WireFormat.HEADER_SIZE + " (magic byte and schema id)", null);
        }
        int id = WireFormat.readSchemaId(data);
        Reading reading = readings.computeIfAbsent(id, i -> reading(topic, i));
        if (reading.reader() == null) {
            throw new AvroWireFormatException(reading.failure(), topic, id, reading.why(), null);
        }
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, decoder.get());
        decoder.set(in);
        Object value;
        try {
            value = reading.reader().read(null, in);
        } catch (EOFException e) {
            throw new AvroWireFormatException(Reason.TRUNCATED, topic, id, "the Avro body of " + (data.length
                    - WireFormat.HEADER_SIZE) + " bytes ends before the record does", e);
        } catch (Exception | StackOverflowError e) {
            throw new AvroWireFormatException(Reason.UNDECODABLE, topic, id, "the Avro body does not decode with schema id "
                    + id + " (" + e + ")", e);
        }
        try {
            if (!in.isEnd()) {
                throw new AvroWireFormatException(Reason.UNDECODABLE, topic, id, "bytes are left after the record: the body"
                        + " was not written with schema id " + id, null);
            }
        } catch (java.io.IOException e) {
            throw new AvroWireFormatException(Reason.UNDECODABLE, topic, id, e.toString(), e);
        }
        @SuppressWarnings("unchecked")
        T result = (T) (value instanceof ByteBuffer b ? toArray(b) : value instanceof org.apache.avro.util.Utf8 u ? u.toString() : value);
        return result;
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    private Reading reading(String topic, int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.kind() == SchemaRegistryException.Kind.SCHEMA_NOT_FOUND) {
                // not cached: the id may yet be registered (e.g. a registry replica catching up)
                throw new AvroWireFormatException(Reason.UNKNOWN_SCHEMA_ID, topic, id, "schema id " + id + " is not in the"
                        + " schema registry: the record was written against another registry, or its schema was deleted"
                        + " permanently", e);
            }
            throw e;
        }
        Schema reader = readerSchema;
        Class<?> type = specificClass;
        if (type == null && specificReader && writer.getType() == Schema.Type.RECORD) {
            type = AvroClassTrust.generatedRecordClass(writer, Thread.currentThread().getContextClassLoader());
            if (type == null) {
                return new Reading(null, Reason.UNDECODABLE, "specific.avro.reader is set but no generated class "
                        + writer.getFullName() + " is on the classpath");
            }
            reader = SpecificData.getForClass(type).getSchema(type);
        }
        if (reader == null) {
            reader = writer;
        } else {
            SchemaCompatibility.SchemaPairCompatibility check = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return new Reading(null, Reason.UNDECODABLE, "records of schema id " + id + " (" + writer.getFullName()
                        + ") cannot be read as " + reader.getFullName() + ": " + check.getDescription());
            }
        }
        if (type != null) {
            AvroClassTrust.trust(type, reader);
        }
        DatumReader<Object> datumReader = type != null
                ? new SpecificDatumReader<>(writer, reader, SpecificData.getForClass(type))
                : new GenericDatumReader<>(writer, reader, GenericData.get());
        return new Reading(datumReader, null, null);
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    /** Closes the registry client if this deserializer built it. */
    @Override
    public void close() {
        decoder.remove();
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
