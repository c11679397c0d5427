package cn.tianfu.databus.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import cn.tianfu.databus.registry.SchemaRegistryException.Kind;

/**
 * An in-memory {@link SchemaRegistryClient} for unit tests: no HTTP, same answers and errors as the registry.
 * Ids are shared across subjects for equal schemas, versions count up per subject, deletes are soft or permanent, and
 * compatibility is checked with Avro's {@link SchemaCompatibility} under the subject's level (global default
 * {@code BACKWARD}).
 *
 * <pre>{@code
 * SchemaRegistryClient registry = new MockSchemaRegistryClient();
 * Serde<GenericRecord> serde = AvroSerde.generic(registry);
 * }</pre>
 */
public final class MockSchemaRegistryClient implements SchemaRegistryClient {

    private record Version(int id, int version, Schema schema, boolean deleted) {
    }

    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<String, String> levels = new HashMap<>();
    private String globalLevel = "BACKWARD";
    private int nextId = 1;

    @Override
    public synchronized int register(String subject, Schema schema) {
        Optional<RegisteredSchema> existing = lookup(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        CompatibilityResult compatibility = testCompatibility(subject, schema);
        if (!compatibility.compatible()) {
            throw new SchemaRegistryException(Kind.INCOMPATIBLE, 409, 409, "schema being registered is incompatible with"
                    + " an earlier schema for subject \"" + subject + "\": " + compatibility.messages());
        }
        int id = schemasById.entrySet().stream()
                .filter(e -> e.getValue().equals(schema))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseGet(() -> {
                    schemasById.put(nextId, schema);
                    return nextId++;
                });
        List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        int version = versions.stream().mapToInt(Version::version).max().orElse(0) + 1;
        versions.add(new Version(id, version, schema, false));
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw error(Kind.SCHEMA_NOT_FOUND, 404, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<Version> live = live(subject);
        return registered(subject, live.get(live.size() - 1));
    }

    @Override
    public synchronized RegisteredSchema version(String subject, int version) {
        return live(subject).stream()
                .filter(v -> v.version() == version)
                .findFirst()
                .map(v -> registered(subject, v))
                .orElseThrow(() -> error(Kind.VERSION_NOT_FOUND, 404, "Version " + version + " not found."));
    }

    @Override
    public synchronized Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        return subjects.getOrDefault(subject, List.of()).stream()
                .filter(v -> !v.deleted() && v.schema().equals(schema))
                .findFirst()
                .map(v -> registered(subject, v));
    }

    @Override
    public synchronized List<String> subjects() {
        return subjects.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(v -> !v.deleted()))
                .map(Map.Entry::getKey)
                .toList();
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        return live(subject).stream().map(Version::version).toList();
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        List<Version> live = subjects.getOrDefault(subject, List.of()).stream().filter(v -> !v.deleted()).toList();
        if (live.isEmpty()) {
            return CompatibilityResult.ok();
        }
        String level = compatibility(Optional.of(subject));
        List<Version> against = level.endsWith("_TRANSITIVE") ? live : List.of(live.get(live.size() - 1));
        boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
        boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
        List<String> messages = new ArrayList<>();
        for (Version earlier : against) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(schema, earlier.schema()), "reading version "
                        + earlier.version() + " with the new schema", messages);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(earlier.schema(), schema), "reading the new schema"
                        + " with version " + earlier.version(), messages);
            }
        }
        return new CompatibilityResult(messages.isEmpty(), messages);
    }

    @Override
    public synchronized String compatibility(Optional<String> subject) {
        return subject.map(levels::get).orElse(globalLevel);
    }

    @Override
    public synchronized void setCompatibility(Optional<String> subject, String level) {
        String checked = HttpSchemaRegistryClient.checkLevel(level);
        subject.ifPresentOrElse(s -> levels.put(s, checked), () -> globalLevel = checked);
    }

    @Override
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        List<Version> all = subjects.get(subject);
        if (all == null) {
            throw error(Kind.SUBJECT_NOT_FOUND, 404, "Subject '" + subject + "' not found.");
        }
        List<Integer> numbers = all.stream().filter(v -> permanent || !v.deleted()).map(Version::version).toList();
        if (numbers.isEmpty()) {
            throw error(Kind.SUBJECT_SOFT_DELETED, 404, "Subject '" + subject + "' was soft deleted.");
        }
        if (permanent) {
            subjects.remove(subject);
            levels.remove(subject);
        } else {
            all.replaceAll(v -> new Version(v.id(), v.version(), v.schema(), true));
        }
        return numbers;
    }

    @Override
    public synchronized int deleteVersion(String subject, int version, boolean permanent) {
        List<Version> all = subjects.get(subject);
        if (all == null) {
            throw error(Kind.SUBJECT_NOT_FOUND, 404, "Subject '" + subject + "' not found.");
        }
        for (int i = 0; i < all.size(); i++) {
            Version v = all.get(i);
            if (v.version() != version) {
                continue;
            }
            if (permanent) {
                all.remove(i);
            } else if (v.deleted()) {
                throw error(Kind.VERSION_SOFT_DELETED, 404, "Version " + version + " was soft deleted.");
            } else {
                all.set(i, new Version(v.id(), v.version(), v.schema(), true));
            }
            return version;
        }
        throw error(Kind.VERSION_NOT_FOUND, 404, "Version " + version + " not found.");
    }

    @Override
    public void close() {
    }

    private List<Version> live(String subject) {
        List<Version> live = subjects.getOrDefault(subject, List.of()).stream().filter(v -> !v.deleted()).toList();
        if (live.isEmpty()) {
            throw error(Kind.SUBJECT_NOT_FOUND, 404, "Subject '" + subject + "' not found.");
        }
        return live;
    }

    private static RegisteredSchema registered(String subject, Version v) {
        return new RegisteredSchema(subject, v.id(), v.version(), v.schema());
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String what, List<String> messages) {
        for (SchemaCompatibility.Incompatibility i : pair.getResult().getIncompatibilities()) {
            messages.add(i.getType() + " at '" + i.getLocation() + "' when " + what + ": " + i.getMessage());
        }
    }

    private static SchemaRegistryException error(Kind kind, int status, String message) {
        return new SchemaRegistryException(kind, status, kind.code(), message);
    }
}
