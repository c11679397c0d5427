package cn.tianfu.databus.registry.server.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The registry's state and rules, independent of HTTP. State changes only by {@link #apply(String, String)} of records
 * read back from the {@link StoreLog}, in log order, so every instance that replays the log holds the same state. An
 * operation that changes state passes {@link StoreLog#write} a decision made under the state lock; the log runs it once
 * this instance has read every earlier record, appends its records only if no other instance wrote in between (else it
 * decides again on the newer state) and returns once they have been applied.
 *
 * <p>Record layout (as Confluent Schema Registry keeps its {@code _schemas} topic): keys are JSON documents
 * {@code {"keytype":"SCHEMA","subject":..,"version":..,"magic":1}}, {@code {"keytype":"CONFIG","subject":..|null,"magic":0}},
 * {@code {"keytype":"DELETE_SUBJECT","subject":..,"magic":0}}; values are JSON documents; a hard delete is a tombstone.
 */
public final class SchemaStore {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String AVRO = "AVRO";

    /** One stored version of a subject. */
    private record Version(int id, String schema, String schemaType, List<Reference> references, boolean deleted) {
    }

    private final CompatibilityLevel defaultLevel;
    private StoreLog log;

    // state: guarded by this
    private final Map<String, TreeMap<Integer, Version>> subjects = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    public SchemaStore(CompatibilityLevel defaultLevel) {
        this.defaultLevel = defaultLevel;
    }

    /** Connects the log the store writes to; called once, before the first write. */
    public void attach(StoreLog log) {
        this.log = log;
    }

    // ---------------------------------------------------------------- applying the log

    /** Applies one record read from the log. Records it does not understand are skipped with a warning. */
    public synchronized void apply(String keyJson, String valueJson) {
        JsonNode key;
        try {
            key = JSON.readTree(keyJson);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("skipping registry record with an unreadable key: {}", keyJson);
            return;
        }
        if (key == null || !key.hasNonNull("keytype")) {
            LOG.warn("skipping registry record without keytype: {}", keyJson);
            return;
        }
        try {
            JsonNode value = valueJson == null ? null : JSON.readTree(valueJson);
            switch (key.get("keytype").asText()) {
                case "SCHEMA" -> applySchema(key.path("subject").asText(), key.path("version").asInt(), value);
                case "CONFIG" -> applyConfig(key.hasNonNull("subject") ? key.get("subject").asText() : null, value);
                case "DELETE_SUBJECT" -> applyDeleteSubject(key.path("subject").asText(), value);
                default -> LOG.debug("ignoring registry record of keytype {}", key.get("keytype").asText());
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("skipping unreadable registry record {} -> {}: {}", keyJson, valueJson, e.toString());
        }
    }

    private void applySchema(String subject, int version, JsonNode value) {
        if (value == null) {
            TreeMap<Integer, Version> versions = subjects.get(subject);
            if (versions != null) {
                versions.remove(version);
                if (versions.isEmpty()) {
                    subjects.remove(subject);
                }
            }
            return;
        }
        List<Reference> refs = new ArrayList<>();
        for (JsonNode r : value.path("references")) {
            refs.add(new Reference(r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt()));
        }
        int id = value.path("id").asInt();
        String type = value.hasNonNull("schemaType") ? value.get("schemaType").asText() : AVRO;
        subjects.computeIfAbsent(subject, s -> new TreeMap<>())
                .put(version, new Version(id, value.path("schema").asText(), type, List.copyOf(refs), value.path("deleted").asBoolean(false)));
        maxId = Math.max(maxId, id);
    }

    private void applyConfig(String subject, JsonNode value) {
        CompatibilityLevel level = value == null ? null : CompatibilityLevel.parse(value.path("compatibilityLevel").asText());
        if (subject == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    private void applyDeleteSubject(String subject, JsonNode value) {
        if (value == null) {
            return;
        }
        int upTo = value.path("version").asInt();
        TreeMap<Integer, Version> versions = subjects.get(subject);
        if (versions == null) {
            return;
        }
        for (var e : versions.headMap(upTo, true).entrySet()) {
            Version v = e.getValue();
            e.setValue(new Version(v.id(), v.schema(), v.schemaType(), v.references(), true));
        }
    }

    // ---------------------------------------------------------------- reads

    /** Subjects with a live version; with {@code deleted} also those whose versions are all soft-deleted. */
    public synchronized List<String> subjects(boolean deleted) {
        List<String> out = new ArrayList<>();
        for (var e : subjects.entrySet()) {
            if (deleted || e.getValue().values().stream().anyMatch(v -> !v.deleted())) {
                out.add(e.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    /** Version numbers of a subject, oldest first; 40401 if it has none (live ones unless {@code deleted}). */
    public synchronized List<Integer> versions(String subject, boolean deleted) {
        List<Integer> out = new ArrayList<>();
        for (var e : versionsOf(subject, deleted).entrySet()) {
            out.add(e.getKey());
        }
        return out;
    }

    /** One version ("latest", -1 or a number); 40401, 40402, 42202 as Confluent. */
    public synchronized SchemaView version(String subject, String versionText, boolean deleted) {
        int requested = parseVersion(versionText);
        TreeMap<Integer, Version> versions = versionsOf(subject, deleted);
        int number = requested == -1 ? versions.lastKey() : requested;
        Version v = versions.get(number);
        if (v == null) {
            throw RegistryError.versionNotFound(subject, number);
        }
        return view(subject, number, v);
    }

    /** The schema with a global id, also when the versions that carry it are soft-deleted; 40403 if unknown. */
    public synchronized SchemaView schemaById(int id) {
        SchemaView found = null;
        for (var s : subjects.entrySet()) {
            for (var v : s.getValue().entrySet()) {
                if (v.getValue().id() == id && (found == null || found.deleted() && !v.getValue().deleted())) {
                    found = view(s.getKey(), v.getKey(), v.getValue());
                }
            }
        }
        if (found == null) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
        return found;
    }

    /** Every subject-version pair that carries a schema id; 40403 if none. */
    public synchronized List<SchemaView> versionsById(int id, boolean deleted) {
        List<SchemaView> out = new ArrayList<>();
        for (String subject : new TreeSet<>(subjects.keySet())) {
            for (var v : subjects.get(subject).entrySet()) {
                if (v.getValue().id() == id && (deleted || !v.getValue().deleted())) {
                    out.add(view(subject, v.getKey(), v.getValue()));
                }
            }
        }
        if (out.isEmpty()) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
        return out;
    }

    /** Whether a schema is registered under a subject: the matching version; 40401 or 40403 if not. */
    public synchronized SchemaView lookup(String subject, String schema, String schemaType, List<Reference> refs, boolean deleted) {
        TreeMap<Integer, Version> versions = versionsOf(subject, deleted);
        Parsed parsed = parse(schema, schemaType, refs);
        Optional<Map.Entry<Integer, Version>> match = versions.descendingMap().entrySet().stream()
                .filter(e -> sameSchema(parsed, e.getValue()))
                .findFirst();
        if (match.isEmpty()) {
            throw RegistryError.schemaNotFound("Schema not found under subject '" + subject + "'");
        }
        return view(subject, match.get().getKey(), match.get().getValue());
    }

    /** The level that governs a subject: its own, else the global one. */
    public synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subject != null && subjectLevels.containsKey(subject) ? subjectLevels.get(subject) : globalLevel();
    }

    public synchronized CompatibilityLevel globalLevel() {
        return globalLevel != null ? globalLevel : defaultLevel;
    }

    /** A subject's own level; 40408 if it has none, unless {@code defaultToGlobal}. */
    public synchronized CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        CompatibilityLevel level = subjectLevels.get(subject);
        if (level != null) {
            return level;
        }
        if (defaultToGlobal) {
            return globalLevel();
        }
        throw RegistryError.subjectLevelCompatibilityNotConfigured(subject);
    }

    /**
     * Tests a schema against a version ("latest" applies the subject's level, transitive levels against all live
     * versions; a numbered version is tested on its own).
     *
     * @return the incompatibilities; empty when compatible
     */
    public synchronized List<String> testCompatibility(String subject, String versionText, String schema, String schemaType,
                                                       List<Reference> refs) {
        int requested = parseVersion(versionText);
        Parsed parsed = parse(schema, schemaType, refs);
        TreeMap<Integer, Version> versions = versionsOf(subject, false);
        CompatibilityLevel level = effectiveLevel(subject);
        if (requested == -1) {
            return Compatibility.check(level, parsed.schema(), liveSchemas(subject, versions));
        }
        Version v = versions.get(requested);
        if (v == null) {
            throw RegistryError.versionNotFound(subject, requested);
        }
        CompatibilityLevel single = level.transitive() ? CompatibilityLevel.valueOf(level.name().replace("_TRANSITIVE", "")) : level;
        return Compatibility.check(single, parsed.schema(), List.of(parse(v.schema(), v.schemaType(), v.references()).schema()));
    }

    // ---------------------------------------------------------------- writes

    /** Registers a schema under a subject and returns its global id; 409 if incompatible, 42201 if invalid. */
    public int register(String subject, String schema, String schemaType, List<Reference> refs) {
        checkSubjectName(subject);
        return log.write(() -> {
            synchronized (this) {
                Parsed parsed = parse(schema, schemaType, refs);
                TreeMap<Integer, Version> versions = subjects.getOrDefault(subject, new TreeMap<>());
                for (var e : versions.descendingMap().entrySet()) {
                    if (!e.getValue().deleted() && sameSchema(parsed, e.getValue())) {
                        return StoreLog.Decision.answer(e.getValue().id());
                    }
                }
                List<String> problems = Compatibility.check(effectiveLevel(subject), parsed.schema(), liveSchemas(subject, versions));
                if (!problems.isEmpty()) {
                    throw RegistryError.incompatible("Schema being registered is incompatible with an earlier schema for subject '"
                            + subject + "' under compatibility level " + effectiveLevel(subject) + ": " + String.join("; ", problems));
                }
                int id = existingId(parsed).orElse(maxId + 1);
                int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
                return new StoreLog.Decision<>(List.of(schemaRecord(subject, version,
                        new Version(id, parsed.canonical(), parsed.type(), refs, false))), id);
            }
        });
    }

    /** Sets the global level. */
    public CompatibilityLevel setGlobalLevel(String level) {
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(List.of(configRecord(null, parsed)));
        return parsed;
    }

    /** Sets a subject's own level. */
    public CompatibilityLevel setSubjectLevel(String subject, String level) {
        checkSubjectName(subject);
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(List.of(configRecord(subject, parsed)));
        return parsed;
    }

    /** Removes a subject's own level and returns what it was; 40401 for an unknown subject without a level, else 40408. */
    public CompatibilityLevel deleteSubjectLevel(String subject) {
        return log.write(() -> {
            synchronized (this) {
                CompatibilityLevel previous = subjectLevels.get(subject);
                if (previous == null) {
                    if (!subjects.containsKey(subject)) {
                        throw RegistryError.subjectNotFound(subject);
                    }
                    throw RegistryError.subjectLevelCompatibilityNotConfigured(subject);
                }
                return new StoreLog.Decision<>(List.of(new StoreLog.Entry(configKey(subject), null)), previous);
            }
        });
    }

    /**
     * Deletes a subject. Soft: marks its live versions deleted (40404 if they all already are). Permanent: removes all
     * versions, which must all be soft-deleted first (40405 otherwise).
     *
     * @return the versions deleted
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        return log.write(() -> {
            List<StoreLog.Entry> records = new ArrayList<>();
            List<Integer> deleted = new ArrayList<>();
            synchronized (this) {
                TreeMap<Integer, Version> versions = subjects.get(subject);
                if (versions == null || versions.isEmpty()) {
                    throw RegistryError.subjectNotFound(subject);
                }
                boolean anyLive = versions.values().stream().anyMatch(v -> !v.deleted());
                if (permanent) {
                    if (anyLive) {
                        throw RegistryError.subjectNotSoftDeleted(subject);
                    }
                    for (int version : versions.keySet()) {
                        records.add(new StoreLog.Entry(schemaKey(subject, version), null));
                        deleted.add(version);
                    }
                    records.add(new StoreLog.Entry(deleteSubjectKey(subject), null));
                } else {
                    if (!anyLive) {
                        throw RegistryError.subjectSoftDeleted(subject);
                    }
                    for (var e : versions.entrySet()) {
                        if (!e.getValue().deleted()) {
                            Version v = e.getValue();
                            records.add(schemaRecord(subject, e.getKey(), new Version(v.id(), v.schema(), v.schemaType(), v.references(), true)));
                            deleted.add(e.getKey());
                        }
                    }
                    ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", versions.lastKey());
                    records.add(new StoreLog.Entry(deleteSubjectKey(subject), value.toString()));
                }
            }
            return new StoreLog.Decision<>(records, List.copyOf(deleted));
        });
    }

    /**
     * Deletes one version. Soft: marks it deleted (40406 if it already is). Permanent: removes it, which must be
     * soft-deleted first (40407 otherwise).
     *
     * @return the version number deleted
     */
    public int deleteVersion(String subject, String versionText, boolean permanent) {
        int requested = parseVersion(versionText);
        return log.write(() -> {
            StoreLog.Entry record;
            int number;
            synchronized (this) {
                TreeMap<Integer, Version> all = subjects.get(subject);
                if (all == null || all.isEmpty()) {
                    throw RegistryError.subjectNotFound(subject);
                }
                if (requested == -1) {
                    TreeMap<Integer, Version> live = versionsOf(subject, permanent);
                    number = live.lastKey();
                } else {
                    number = requested;
                }
                Version v = all.get(number);
                if (v == null) {
                    throw RegistryError.versionNotFound(subject, number);
                }
                if (permanent) {
                    if (!v.deleted()) {
                        throw RegistryError.versionNotSoftDeleted(subject, number);
                    }
                    record = new StoreLog.Entry(schemaKey(subject, number), null);
                } else {
                    if (v.deleted()) {
                        throw RegistryError.versionSoftDeleted(subject, number);
                    }
                    record = schemaRecord(subject, number, new Version(v.id(), v.schema(), v.schemaType(), v.references(), true));
                }
            }
            return new StoreLog.Decision<>(List.of(record), number);
        });
    }

    private void write(List<StoreLog.Entry> records) {
        log.write(() -> new StoreLog.Decision<>(records, null));
    }

    // ---------------------------------------------------------------- helpers

    /** Parses a version path segment: "latest" and -1 mean the latest (returned as -1); 42202 for anything else invalid. */
    public static int parseVersion(String text) {
        if (text == null) {
            throw RegistryError.invalidVersion(null);
        }
        if ("latest".equalsIgnoreCase(text.trim())) {
            return -1;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw RegistryError.invalidVersion(text);
    }

    private static void checkSubjectName(String subject) {
        if (subject == null || subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
            throw RegistryError.unprocessable("Subject name '" + subject + "' is invalid: use a non-blank name without control characters");
        }
    }

    private TreeMap<Integer, Version> versionsOf(String subject, boolean deleted) {
        TreeMap<Integer, Version> all = subjects.get(subject);
        if (all == null) {
            throw RegistryError.subjectNotFound(subject);
        }
        TreeMap<Integer, Version> out = new TreeMap<>();
        all.forEach((k, v) -> {
            if (deleted || !v.deleted()) {
                out.put(k, v);
            }
        });
        if (out.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return out;
    }

    private List<Schema> liveSchemas(String subject, TreeMap<Integer, Version> versions) {
        List<Schema> out = new ArrayList<>();
        for (Version v : versions.values()) {
            if (!v.deleted()) {
                try {
                    out.add(parse(v.schema(), v.schemaType(), v.references()).schema());
                } catch (RegistryError e) {
                    throw RegistryError.storeError("Stored schema id " + v.id() + " of subject '" + subject
                            + "' cannot be parsed any more: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private Optional<Integer> existingId(Parsed parsed) {
        for (var versions : subjects.values()) {
            for (Version v : versions.values()) {
                if (sameSchema(parsed, v)) {
                    return Optional.of(v.id());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean sameSchema(Parsed parsed, Version v) {
        return parsed.canonical().equals(v.schema()) && parsed.type().equals(v.schemaType()) && parsed.references().equals(v.references());
    }

    private static SchemaView view(String subject, int version, Version v) {
        return new SchemaView(subject, version, v.id(), v.schema(), v.schemaType(), v.references(), v.deleted());
    }

    /** A parsed schema with its canonical text (the identity the registry compares). */
    record Parsed(Schema schema, String canonical, String type, List<Reference> references) {
    }

    /** Parses an Avro schema with its references; 42201 for any other type or an invalid schema. */
    Parsed parse(String schema, String schemaType, List<Reference> refs) {
        String type = schemaType == null || schemaType.isBlank() ? AVRO : schemaType.trim().toUpperCase(java.util.Locale.ROOT);
        if (!AVRO.equals(type)) {
            throw RegistryError.invalidSchema("Schema type " + schemaType + " is not supported: this registry accepts AVRO schemas only");
        }
        if (schema == null || schema.isBlank()) {
            throw RegistryError.invalidSchema("Invalid schema: the request has no schema text");
        }
        List<Reference> references = refs == null ? List.of() : List.copyOf(refs);
        Schema.Parser parser = new Schema.Parser();
        List<Schema> referenced = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Reference ref : references) {
            addReference(parser, ref, referenced, seen, 0);
        }
        try {
            Schema parsed = parser.parse(schema);
            String canonical = references.isEmpty() ? parsed.toString() : parsed.toString(referenced, false);
            return new Parsed(parsed, canonical, type, references);
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema: " + e.getMessage());
        }
    }

    private void addReference(Schema.Parser parser, Reference ref, List<Schema> referenced, Set<String> seen, int depth) {
        if (ref.subject() == null || ref.name() == null || depth > 32) {
            throw RegistryError.invalidSchema("Invalid schema reference " + ref + ": name, subject and version are required");
        }
        if (!seen.add(ref.subject() + "/" + ref.version())) {
            return;
        }
        TreeMap<Integer, Version> versions = subjects.get(ref.subject());
        Version v = versions == null ? null
                : ref.version() == -1 ? versions.lastEntry().getValue() : versions.get(ref.version());
        if (v == null) {
            throw RegistryError.invalidSchema("Invalid schema: reference '" + ref.name() + "' points to subject '" + ref.subject()
                    + "' version " + ref.version() + ", which is not registered; register it first");
        }
        for (Reference inner : v.references()) {
            addReference(parser, inner, referenced, seen, depth + 1);
        }
        try {
            referenced.add(parser.parse(v.schema()));
        } catch (RuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema: referenced subject '" + ref.subject() + "' cannot be parsed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- record layout

    private static StoreLog.Entry schemaRecord(String subject, int version, Version v) {
        ObjectNode value = JSON.createObjectNode();
        value.put("subject", subject).put("version", version).put("id", v.id());
        if (!AVRO.equals(v.schemaType())) {
            value.put("schemaType", v.schemaType());
        }
        if (!v.references().isEmpty()) {
            ArrayNode refs = value.putArray("references");
            for (Reference r : v.references()) {
                refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
            }
        }
        value.put("schema", v.schema()).put("deleted", v.deleted());
        return new StoreLog.Entry(schemaKey(subject, version), value.toString());
    }

    private static StoreLog.Entry configRecord(String subject, CompatibilityLevel level) {
        return new StoreLog.Entry(configKey(subject), JSON.createObjectNode().put("compatibilityLevel", level.name()).toString());
    }

    static String schemaKey(String subject, int version) {
        return key(Map.of("keytype", "SCHEMA", "subject", subject, "version", version, "magic", 1));
    }

    static String configKey(String subject) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("keytype", "CONFIG");
        fields.put("subject", subject);
        fields.put("magic", 0);
        return key(fields);
    }

    static String deleteSubjectKey(String subject) {
        return key(Map.of("keytype", "DELETE_SUBJECT", "subject", subject, "magic", 0));
    }

    /** Keys must be byte-identical for the same logical key (compaction): fields in a fixed order. */
    private static String key(Map<String, Object> fields) {
        ObjectNode node = JSON.createObjectNode();
        for (String name : List.of("keytype", "subject", "version", "magic")) {
            if (fields.containsKey(name)) {
                Object value = fields.get(name);
                if (value == null) {
                    node.putNull(name);
                } else if (value instanceof Integer i) {
                    node.put(name, i);
                } else {
                    node.put(name, value.toString());
                }
            }
        }
        return node.toString();
    }
}
