package cn.tianfu.databus.serde;

import java.util.Map;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} as one Kafka {@link Serde}, sharing one registry client.
 *
 * <pre>{@code
 * Serde<Permit> permits = AvroSerde.specific(registry, Permit.class);
 * Serde<GenericRecord> records = AvroSerde.generic(registry);
 * Serde<GenericRecord> keys = AvroSerde.generic(registry);
 * keys.configure(Map.of(), true);                       // subjects <topic>-key
 * // or from configuration (schema.registry.url and the other AvroSerdeConfig keys):
 * Serde<GenericRecord> configured = AvroSerde.generic();
 * configured.configure(clientConfig.serdeConfig(), false);
 * }</pre>
 */
public final class AvroSerde<T> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    private final boolean hasRegistry;

    private AvroSerde(SchemaRegistryClient registry, AvroDeserializer<T> deserializer) {
        this.serializer = registry == null ? new AvroSerializer<>() : new AvroSerializer<>(registry);
        this.deserializer = deserializer;
        this.hasRegistry = registry != null;
    }

    /** Generic records (and primitives) in the writer's schema; the registry comes from {@link #configure}. */
    public static AvroSerde<GenericRecord> generic() {
        return new AvroSerde<>(null, new AvroDeserializer<>());
    }

    /** Generic records (and primitives) in the writer's schema. */
    public static AvroSerde<GenericRecord> generic(SchemaRegistryClient registry) {
        return new AvroSerde<>(Objects.requireNonNull(registry, "registry"), new AvroDeserializer<>(registry));
    }

    /** Generic records, read in {@code readerSchema} whatever compatible schema they were written with. */
    public static AvroSerde<GenericRecord> generic(SchemaRegistryClient registry, Schema readerSchema) {
        return new AvroSerde<>(Objects.requireNonNull(registry, "registry"), new AvroDeserializer<>(registry, readerSchema));
    }

    /** Instances of the generated class {@code type}; the registry comes from {@link #configure}. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type) {
        return new AvroSerde<>(null, AvroDeserializer.specific(type));
    }

    /** Instances of the generated class {@code type}, read with its schema. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(SchemaRegistryClient registry, Class<T> type) {
        return new AvroSerde<>(Objects.requireNonNull(registry, "registry"), AvroDeserializer.specific(registry, type));
    }

    /** Configures both sides from one {@link AvroSerdeConfig}; builds one registry client unless one was given. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.fromMap(configs);
        if (!hasRegistry) {
            SchemaRegistryClient registry = config.registryClient();
            serializer.useRegistry(registry, true);
            deserializer.useRegistry(registry, false);
        }
        serializer.configure(config, isKey);
        deserializer.configure(config, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
