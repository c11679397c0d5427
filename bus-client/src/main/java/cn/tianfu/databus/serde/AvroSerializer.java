package cn.tianfu.databus.serde;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.serde.AvroWireFormatException.Reason;
import cn.tianfu.databus.serde.internal.AvroClassTrust;
import cn.tianfu.databus.serde.internal.ReusableOutput;
import cn.tianfu.databus.serde.internal.ValueSchemas;

/**
 * Writes Avro {@code GenericRecord}s, generated {@code SpecificRecord}s and Avro primitives (String, Integer, Long,
 * Float, Double, Boolean, byte[]) in the schema registry wire format, registering or looking up the schema under the
 * subject the {@link SubjectNameStrategy} names.
 *
 * <pre>{@code
 * props.put("value.serializer", AvroSerializer.class.getName());
 * props.put("schema.registry.url", "http://localhost:8081");
 * // or, with a client of your own:
 * new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<GenericRecord>(registry));
 * }</pre>
 *
 * <p>The schema id of each (topic, schema) is looked up once and kept, so steady-state serialization makes no call to
 * the registry; datum writers are kept per schema and the output buffer and encoder are reused per thread. Thread-safe.
 * Without {@link #configure} it uses the defaults of {@link AvroSerdeConfig} as a value serializer.
 *
 * @throws AvroWireFormatException {@link Reason#UNENCODABLE} for values that are not Avro or not valid for their
 *         schema; {@link SchemaRegistryException} when the registry refuses the schema or cannot be reached
 */
public class AvroSerializer<T> implements Serializer<T> {

    private record Id(int id, long expiresAtNanos) {
    }

    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private boolean isKey;
    private boolean autoRegister = true;
    private boolean useLatest;
    private long latestTtlNanos = -1;
    private SubjectNameStrategy strategy = SubjectNameStrategy.TOPIC_NAME;

    private final Map<String, Map<Schema, Id>> ids = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
    private final ThreadLocal<ReusableOutput> output = ThreadLocal.withInitial(ReusableOutput::new);

    /** For Kafka's instantiation by class name; {@link #configure} must follow with {@code schema.registry.url}. */
    public AvroSerializer() {
    }

    /** A value serializer on {@code registry}, with default options until {@link #configure} is called. */
    public AvroSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Reads the options of {@link AvroSerdeConfig}; builds a registry client from {@code schema.registry.url} unless one
     * was given to the constructor.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(AvroSerdeConfig.fromMap(configs), isKey);
    }

    void configure(AvroSerdeConfig config, boolean isKey) {
        this.isKey = isKey;
        this.autoRegister = config.autoRegisterSchemas();
        this.useLatest = config.useLatestVersion();
        this.latestTtlNanos = config.latestCacheTtl() == null ? -1 : config.latestCacheTtl().toNanos();
        this.strategy = config.subjectNameStrategy(isKey);
        if (registry == null) {
            registry = config.registryClient();
            ownsRegistry = true;
        }
        ids.clear();
    }

    /** Uses {@code registry} unless the serializer already has one; for {@link AvroSerde}, which shares one client. */
    void useRegistry(SchemaRegistryClient registry, boolean owns) {
        if (this.registry == null) {
            this.registry = registry;
            this.ownsRegistry = owns;
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer has no schema registry: configure it with "
                    + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG + " or construct it with a client");
        }
        Schema schema = ValueSchemas.schemaOf(data);
        if (schema == null) {
            throw new AvroWireFormatException(Reason.UNENCODABLE, topic, null, "a " + data.getClass().getName()
                    + " is neither an Avro record nor an Avro primitive; produce GenericRecord or a generated class", null);
        }
        int id = schemaId(topic, schema);
        DatumWriter<Object> writer = data instanceof SpecificRecord
                ? specificWriters.computeIfAbsent(schema, s -> specificWriter(data.getClass(), s))
                : genericWriters.computeIfAbsent(schema, GenericDatumWriter::new);
        ReusableOutput out = output.get();
        try {
            BinaryEncoder encoder = out.start();
            writer.write(data instanceof byte[] bytes ? java.nio.ByteBuffer.wrap(bytes) : data, encoder);
            encoder.flush();
            return out.finish(id);
        } catch (IOException | RuntimeException e) {
            throw new AvroWireFormatException(Reason.UNENCODABLE, topic, id, "the " + schema.getFullName()
                    + " value does not fit its own schema (" + e + "); check required fields and types", e);
        } finally {
            if (out.oversized()) {
                output.remove();
            }
        }
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        return serialize(topic, data);
    }

    private int schemaId(String topic, Schema schema) {
        Map<Schema, Id> byTopic = ids.computeIfAbsent(topic == null ? "" : topic, t -> new ConcurrentHashMap<>());
        Id known = byTopic.get(schema);
        if (known != null && (known.expiresAtNanos() == Long.MAX_VALUE || System.nanoTime() - known.expiresAtNanos() < 0)) {
            return known.id();
        }
        String subject;
        try {
            subject = strategy.subjectName(topic, isKey, schema);
        } catch (IllegalArgumentException e) {
            throw new AvroWireFormatException(Reason.UNENCODABLE, topic, null, e.getMessage(), e);
        }
        Id id;
        if (useLatest) {
            RegisteredSchema latest = registry.latest(subject);
            if (!latest.schema().equals(schema)) {
                throw new SchemaRegistryException(SchemaRegistryException.Kind.SCHEMA_NOT_FOUND, 404, 40403,
                        "use.latest.version is set but the record's schema " + schema.getFullName() + " differs from version "
                                + latest.version() + " of subject '" + subject + "' (id " + latest.id()
                                + "): produce records of the latest schema or unset use.latest.version");
            }
            id = new Id(latest.id(), latestTtlNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + latestTtlNanos);
        } else if (autoRegister) {
            id = new Id(registry.register(subject, schema), Long.MAX_VALUE);
        } else {
            RegisteredSchema found = registry.lookup(subject, schema).orElseThrow(() -> new SchemaRegistryException(
                    SchemaRegistryException.Kind.SCHEMA_NOT_FOUND, 404, 40403, "the schema of " + schema.getFullName()
                    + " is not registered under subject '" + subject + "' and auto.register.schemas is false:"
                    + " register it first"));
            id = new Id(found.id(), Long.MAX_VALUE);
        }
        byTopic.put(schema, id);
        return id.id();
    }

    private static DatumWriter<Object> specificWriter(Class<?> type, Schema schema) {
        AvroClassTrust.trust(type, schema);
        return new SpecificDatumWriter<>(schema, SpecificData.getForClass(type));
    }

    /** Closes the registry client if this serializer built it. */
    @Override
    public void close() {
        output.remove();
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }
}
