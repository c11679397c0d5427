package cn.tianfu.databus.registry;

import java.util.List;
import java.util.Optional;

import org.apache.avro.Schema;

/**
 * A client of a Confluent-compatible schema registry (the bus's embedded registry, Confluent Schema Registry, Apicurio
 * in Confluent-compatible mode), for Avro schemas. Subjects are named by the serde's subject name strategy, e.g.
 * {@code src.psb.population-value}.
 *
 * <pre>{@code
 * try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder("http://localhost:8081").build()) {
 *     int id = registry.register("src.psb.population-value", schema);
 *     Schema same = registry.schemaById(id);
 * }
 * }</pre>
 *
 * <p>Implementations cache id to schema and (subject, schema) to id, so steady-state serialization makes no call.
 * Every method throws {@link SchemaRegistryException} when the registry refuses or cannot be reached.
 * {@link HttpSchemaRegistryClient} talks HTTP; {@link MockSchemaRegistryClient} keeps everything in memory for tests.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Compatibility levels, as the registry names them. */
    List<String> LEVELS = List.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
            "FULL", "FULL_TRANSITIVE");

    /**
     * Registers {@code schema} under {@code subject} (a no-op if already there) and returns its id.
     *
     * @throws SchemaRegistryException {@link SchemaRegistryException.Kind#INCOMPATIBLE} when the subject's
     *         compatibility level forbids it, {@link SchemaRegistryException.Kind#INVALID_SCHEMA} when it is not valid
     */
    int register(String subject, Schema schema);

    /**
     * The schema with that id.
     *
     * @throws SchemaRegistryException {@link SchemaRegistryException.Kind#SCHEMA_NOT_FOUND} when no schema has it
     */
    Schema schemaById(int id);

    /** The newest live version of the subject; {@link SchemaRegistryException.Kind#SUBJECT_NOT_FOUND} if none. */
    RegisteredSchema latest(String subject);

    /** One version of the subject; {@link SchemaRegistryException.Kind#VERSION_NOT_FOUND} if absent. */
    RegisteredSchema version(String subject, int version);

    /** The version of the subject holding exactly this schema, if any. */
    Optional<RegisteredSchema> lookup(String subject, Schema schema);

    /** Every subject with a live version, sorted. */
    List<String> subjects();

    /** The subject's live versions, ascending; {@link SchemaRegistryException.Kind#SUBJECT_NOT_FOUND} if none. */
    List<Integer> versions(String subject);

    /**
     * Whether {@code schema} could be registered under {@code subject} now, checked against the latest version under
     * the subject's compatibility level. Compatible when the subject has no versions yet.
     */
    CompatibilityResult testCompatibility(String subject, Schema schema);

    /**
     * The compatibility level of a subject (falling back to the global level when the subject has none of its own),
     * or the global level when {@code subject} is empty. One of {@link #LEVELS}.
     */
    String compatibility(Optional<String> subject);

    /** Sets the compatibility level of a subject, or the global level when {@code subject} is empty. */
    void setCompatibility(Optional<String> subject, String level);

    /**
     * Deletes every version of a subject and returns their numbers. A soft delete hides the versions but keeps their
     * ids readable (old records still deserialize); {@code permanent} also removes them for good (a soft delete is
     * done first when needed, as the registry requires).
     */
    List<Integer> deleteSubject(String subject, boolean permanent);

    /** Deletes one version of a subject (soft, or permanently) and returns its number. */
    int deleteVersion(String subject, int version, boolean permanent);

    /** Releases the client's resources; it must not be used afterwards. */
    @Override
    void close();
}
