package cn.tianfu.databus.sharing.app.internal;

import cn.tianfu.databus.contract.Subjects;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.contract.WireFormat;
import cn.tianfu.databus.contract.Topics;

/**
 * Lets in only the source records the router may route: of a catalogued, not retired resource, on its provider's
 * topic, with a key, and a value (unless a delete) in a registered version of the topic's schema. Every other record
 * is dead-lettered, the reasons checked in the order of {@code docs/router.md} ("Per source event", step 1). A topic
 * governance did not create (resource not catalogued, or not its provider's) is dead-lettered once per task: the topic
 * is remembered in {@code router-unknown-topics} and its later records are skipped and counted.
 */
final class SourceGate {

    /** What {@link #check} found. */
    sealed interface Verdict permits Admitted, Refused {
    }

    /**
     * A record the router routes.
     *
     * @param entry    its resource's catalog entry
     * @param value    the decoded value; {@code null} for a delete
     * @param schemaId the writer schema's registry id; {@code -1} for a delete
     */
    record Admitted(CatalogEntry entry, GenericRecord value, int schemaId) implements Verdict {
    }

    /**
     * A record the router does not route.
     *
     * @param oncePerTopic the topic is not governance's: only its first record is dead-lettered
     */
    record Refused(DeadLetterReason reason, String message, boolean oncePerTopic) implements Verdict {
    }

    private final SchemaRegistryClient registry;
    private final AvroDeserializer<GenericRecord> reader;
    private final Function<String, CatalogEntry> catalog;
    private final KeyValueStore<String, byte[]> unknownTopics;
    private final Runnable unknownTopicSkipped;
    private final DeadLetterWriter deadLetters;
    private final Map<String, Set<Integer>> registeredIds = new HashMap<>();

    /**
     * @param catalog             the catalog entry of a resource code, or null
     * @param unknownTopics       the topics dead-lettered as not governance's
     * @param unknownTopicSkipped counts a record skipped because its topic was dead-lettered before
     */
    SourceGate(SchemaRegistryClient registry, AvroDeserializer<GenericRecord> reader,
               Function<String, CatalogEntry> catalog, KeyValueStore<String, byte[]> unknownTopics,
               Runnable unknownTopicSkipped, DeadLetterWriter deadLetters) {
        this.registry = registry;
        this.reader = reader;
        this.catalog = catalog;
        this.unknownTopics = unknownTopics;
        this.unknownTopicSkipped = unknownTopicSkipped;
        this.deadLetters = deadLetters;
    }

    /** The record, checked; empty when it was dead-lettered or skipped. */
    Optional<Admitted> admit(Record<byte[], byte[]> record, RecordMetadata md) {
        Verdict verdict = check(md.topic(), md.partition(), md.offset(), record.key(), record.value());
        if (verdict instanceof Admitted admitted) {
            return Optional.of(admitted);
        }
        Refused refused = (Refused) verdict;
        if (refused.oncePerTopic()) {
            if (unknownTopics.get(md.topic()) != null) {
                unknownTopicSkipped.run();
                return Optional.empty();
            }
            unknownTopics.put(md.topic(), StateKeys.PRESENT);
        }
        deadLetters.write(DeadLetterWriter.idOf(md.topic(), md.partition(), md.offset()), refused.reason(),
                refused.message(), md.topic(), md.partition(), md.offset(), record.key(), record.value(),
                record.headers(), record.timestamp());
        return Optional.empty();
    }

    /**
     * Checks a record of a topic at a position; looks up the catalog and, for a value, the registry (a retriable
     * registry failure is thrown, so the record is tried again).
     */
    Verdict check(String topic, int partition, long offset, byte[] key, byte[] value) {
        Optional<Topics.ResourceTopic> rt = Topics.parseSource(topic);
        if (rt.isEmpty()) {
            return new Refused(DeadLetterReason.UNKNOWN_RESOURCE, "'" + topic + "' is not a source topic", false);
        }
        String department = rt.get().department();
        String code = rt.get().resourceCode();
        CatalogEntry entry = catalog.apply(code);
        if (entry == null) {
            return new Refused(DeadLetterReason.UNKNOWN_SOURCE_TOPIC, "resource " + code + " is not in the"
                    + " catalog, so governance did not create " + topic + ": register the resource before publishing;"
                    + " records of this topic are skipped until then (this is the only dead letter for them)", true);
        }
        if (!department.equals(entry.getProvider())) {
            return new Refused(DeadLetterReason.NOT_THE_PROVIDER, department + " does not provide " + code
                    + " (its provider is " + entry.getProvider() + "): only the provider publishes a resource; records"
                    + " of " + topic + " are skipped (this is the only dead letter for them)", true);
        }
        if (entry.getStatus() == ResourceStatus.RETIRED) {
            return new Refused(DeadLetterReason.UNKNOWN_RESOURCE, "resource " + code + " is retired: it takes no"
                    + " more changes", false);
        }
        if (key == null) {
            return new Refused(DeadLetterReason.MISSING_KEY, "a record of " + code + " without a key: publish"
                    + " with the record's key field value as key", false);
        }
        if (value == null) {
            return new Admitted(entry, null, -1);
        }
        GenericRecord decoded;
        try {
            Object o = reader.deserialize(topic, value);
            if (!(o instanceof GenericRecord g)) {
                return new Refused(DeadLetterReason.SCHEMA_MISMATCH, "the value is not an Avro record", false);
            }
            decoded = g;
        } catch (AvroWireFormatException e) {
            DeadLetterReason reason = e.reason() == AvroWireFormatException.Reason.UNKNOWN_SCHEMA_ID
                    ? DeadLetterReason.UNKNOWN_SCHEMA : DeadLetterReason.MALFORMED_BYTES;
            return new Refused(reason, e.at(partition, offset).getMessage(), false);
        }
        int schemaId = WireFormat.readSchemaId(value);
        String subject = Subjects.valueSubject(topic);
        if (!isRegisteredVersion(subject, schemaId, decoded.getSchema())) {
            return new Refused(DeadLetterReason.SCHEMA_MISMATCH, "schema id " + schemaId + " ("
                    + decoded.getSchema().getFullName() + ") is not a registered version of '" + subject
                    + "': publish with the catalogued schema", false);
        }
        return new Admitted(entry, decoded, schemaId);
    }

    private boolean isRegisteredVersion(String subject, int id, Schema schema) {
        Set<Integer> ids = registeredIds.computeIfAbsent(subject, s -> new HashSet<>());
        if (ids.contains(id)) {
            return true;
        }
        try {
            Optional<RegisteredSchema> found = registry.lookup(subject, schema);
            if (found.isPresent() && found.get().id() == id) {
                ids.add(id);
                return true;
            }
            return false;
        } catch (SchemaRegistryException e) {
            if (e.isRetriable()) {
                throw e;
            }
            return false;
        }
    }
}
