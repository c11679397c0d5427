package cn.tianfu.databus.sdk;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.SourceEvent;
import cn.tianfu.databus.contract.SourceEvents;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.contract.Topics;

/**
 * Publishes the changes of one resource of the sending department onto its source topic
 * {@code src.<dept>.<resource>}.
 *
 * <pre>{@code
 * DatabusClientConfig config = DatabusClientConfig.load(Path.of("psb.properties"));   // department.id=psb
 * try (Publisher population = Publisher.create(config, "10101-000001")) {
 *     population.upsert("510104199001011234", record).get();   // GenericRecord or a generated class
 *     population.delete("510104199001011234");
 * }
 * }</pre>
 *
 * <p>Every record is checked against the resource's catalogued schema — the latest version registered under
 * {@code src.<dept>.<resource>-value}; governance registers it when the resource is catalogued, the publisher never
 * does. A record of another schema raises {@link SchemaMismatchException} before anything is sent. When governance
 * registers a new version, the publisher picks it up at the next record of that schema.
 *
 * <p>Keys are strings: the value of the resource's key field. For a key made of several fields use
 * {@link #compositeKey(String...)}, so every publisher of the bus joins them the same way.
 *
 * <p>The producer is idempotent with {@code acks=all}. Records are framed and their headers chosen by the bus's one
 * source-event codec, {@link SourceEvents}: every record carries the headers {@link EventHeaders#EVENT_ID} (a random
 * UUID), {@link EventHeaders#OP} ({@code UPSERT} or {@code DELETE}) and {@link EventHeaders#SOURCE_TIME}. A delete is a
 * tombstone. Thread-safe.
 */
public final class Publisher implements AutoCloseable {

    /** Separates the parts of a composite key. */
    public static final char KEY_SEPARATOR = '|';
    private static final char KEY_ESCAPE = '\\';

    private final String department;
    private final String resourceCode;
    private final String topic;
    private final String subject;
    private final Producer<String, byte[]> producer;
    private final SchemaRegistryClient registry;
    private final boolean ownsRegistry;
    private volatile RegisteredSchema catalogued;
    /** The record schema object last found to be the catalogued one: records of it skip the deep comparison. */
    private volatile Verified verified;
    private final SourceEvents codec = new SourceEvents();

    private Publisher(String department, String resourceCode, Producer<String, byte[]> producer,
                      SchemaRegistryClient registry, boolean ownsRegistry) {
        this.department = Topics.checkDepartment(department);
        this.resourceCode = Topics.checkResource(resourceCode);
        this.topic = Topics.source(department, resourceCode);
        this.subject = Subjects.valueSubject(topic);
        this.producer = producer;
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
    }

    /**
     * A publisher of {@code resourceCode} for the department of {@code config}, with its own producer and registry
     * client (both closed by {@link #close()}).
     */
    public static Publisher create(DatabusClientConfig config, String resourceCode) {
        SchemaRegistryClient registry = AvroSerdeConfig.fromMap(config.serdeConfig()).registryClient();
        try {
            Producer<String, byte[]> producer = new KafkaProducer<>(config.producerProperties(), new StringSerializer(),
                    new ByteArraySerializer());
            return new Publisher(config.departmentId(), resourceCode, producer, registry, true);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * A publisher on a producer and registry client of the caller's (not closed by {@link #close()}); the producer must
     * serialize keys as strings and values as bytes.
     */
    public static Publisher create(String department, String resourceCode, Producer<String, byte[]> producer,
                                   SchemaRegistryClient registry) {
        return new Publisher(department, resourceCode, Objects.requireNonNull(producer, "producer"),
                Objects.requireNonNull(registry, "registry"), false);
    }

    /**
     * Joins the values of a composite key: in the order of the key fields, each {@code '|'} and {@code '\'} inside a
     * value escaped with {@code '\'}, joined with {@code '|'}. E.g. {@code ("510104", "a|b")} gives {@code 510104|a\|b}.
     */
    public static String compositeKey(String... parts) {
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("a composite key needs at least one part");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("part " + i + " of the composite key is null; key fields are never null");
            }
            if (i > 0) {
                b.append(KEY_SEPARATOR);
            }
            for (int j = 0; j < parts[i].length(); j++) {
                char c = parts[i].charAt(j);
                if (c == KEY_SEPARATOR || c == KEY_ESCAPE) {
                    b.append(KEY_ESCAPE);
                }
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Sends a new or changed record (a {@code GenericRecord} or a generated class) under {@code key}.
     *
     * @return completes when the bus has stored the record (all in-sync replicas), or fails with the producer's error
     * @throws SchemaMismatchException when the record is not of the catalogued schema; nothing is sent
     */
    public CompletableFuture<RecordMetadata> upsert(String key, IndexedRecord record) {
        return upsert(key, record, Instant.now());
    }

    /** Like {@link #upsert(String, IndexedRecord)}, stating when the change happened at the source. */
    public CompletableFuture<RecordMetadata> upsert(String key, IndexedRecord record, Instant sourceTime) {
        checkKey(key);
        Objects.requireNonNull(record, "record");
        int id = checkSchema(record.getSchema());
        return send(encode(key, id, record, sourceTime, null));
    }

    /**
     * Like {@link #upsert(String, IndexedRecord, Instant)} for a change captured from a database, carrying where it was
     * captured as header {@link EventHeaders#SOURCE_POSITION} (see {@link SourcePositions}).
     */
    public CompletableFuture<RecordMetadata> upsert(String key, IndexedRecord record, Instant sourceTime, String sourcePosition) {
        checkKey(key);
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(sourcePosition, "sourcePosition");
        int id = checkSchema(record.getSchema());
        return send(encode(key, id, record, sourceTime, sourcePosition));
    }

    /** Sends the deletion of {@code key} (a tombstone). */
    public CompletableFuture<RecordMetadata> delete(String key) {
        return delete(key, Instant.now());
    }

    /** Like {@link #delete(String)}, stating when the deletion happened at the source. */
    public CompletableFuture<RecordMetadata> delete(String key, Instant sourceTime) {
        checkKey(key);
        return send(SourceEvents.delete(key, sourceTime, null));
    }

    /** Like {@link #delete(String, Instant)} for a deletion captured from a database, with its source position. */
    public CompletableFuture<RecordMetadata> delete(String key, Instant sourceTime, String sourcePosition) {
        checkKey(key);
        Objects.requireNonNull(sourcePosition, "sourcePosition");
        return send(SourceEvents.delete(key, sourceTime, sourcePosition));
    }

    /** Waits until every record sent so far is stored or failed. */
    public void flush() {
        producer.flush();
    }

    /** The topic this publisher writes. */
    public String topic() {
        return topic;
    }

    public String department() {
        return department;
    }

    public String resourceCode() {
        return resourceCode;
    }

    /** Flushes and closes the producer and registry client it created. */
    @Override
    public void close() {
        if (ownsRegistry) {
            try {
                producer.close();
            } finally {
                registry.close();
            }
        }
    }

    private CompletableFuture<RecordMetadata> send(SourceEvent event) {
        RecordHeaders headers = new RecordHeaders();
        for (SourceEvent.Header h : event.headers()) {
            headers.add(h.name(), h.bytes());
        }
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, null, event.key(), event.value(), headers), (metadata, error) -> {
                if (error != null) {
                    result.completeExceptionally(cn.tianfu.databus.kafka.KafkaErrors.translate(error, department, "write " + topic)
                            .map(Throwable.class::cast).orElse(error));
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a record key is required: the value of the resource's key field");
        }
    }

    private record Verified(Schema recordSchema, RegisteredSchema registered) {
    }

    /** The registry id of the catalogued schema, when {@code schema} is it. */
    private int checkSchema(Schema schema) {
        Verified v = verified;
        if (v != null && v.recordSchema() == schema) {
            // records of one schema object, as a publisher sends them: Schema.equals compares every field and
            // property each time, which cost about a third of a 1 KB record's publishing
            return v.registered().id();
        }
        RegisteredSchema known = catalogued;
        if (known != null && known.schema().equals(schema)) {
            verified = new Verified(schema, known);
            return known.id();
        }
        RegisteredSchema latest;
        try {
            latest = registry.latest(subject);
        } catch (SchemaRegistryException e) {
            if (e.kind() == SchemaRegistryException.Kind.SUBJECT_NOT_FOUND) {
                throw new SchemaMismatchException(subject, "resource " + resourceCode + " of " + department
                        + " has no schema registered under '" + subject + "': register the resource in the catalog"
                        + " first (governance registers its schema)");
            }
            throw e;
        }
        catalogued = latest;
        if (!latest.schema().equals(schema)) {
            throw new SchemaMismatchException(subject, "the record's schema " + schema.getFullName()
                    + " is not the catalogued schema of " + resourceCode + " (version " + latest.version() + " of '"
                    + subject + "', id " + latest.id() + "); build records of that schema, or update the resource"
                    + " through governance first");
        }
        verified = new Verified(schema, latest);
        return latest.id();
    }

    private SourceEvent encode(String key, int id, IndexedRecord record, Instant sourceTime, String sourcePosition) {
        try {
            return codec.upsert(key, id, record, sourceTime, sourcePosition);
        } catch (SourceEvents.UnencodableRecordException e) {
            throw new AvroWireFormatException(AvroWireFormatException.Reason.UNENCODABLE, topic, id, "the "
                    + e.schemaName() + " value does not fit its own schema (" + e.getCause()
                    + "); check required fields and types", e.getCause());
        }
    }
}
