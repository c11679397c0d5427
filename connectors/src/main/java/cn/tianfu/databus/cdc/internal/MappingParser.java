package cn.tianfu.databus.cdc.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import cn.tianfu.databus.config.YamlLines;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.ColumnMapping;
import cn.tianfu.databus.cdc.CdcMapping.Database;
import cn.tianfu.databus.cdc.CdcMapping.DatabaseKind;
import cn.tianfu.databus.cdc.CdcMapping.FieldType;
import cn.tianfu.databus.cdc.CdcMapping.Secret;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMapping.UnmappedColumns;
import cn.tianfu.databus.cdc.CdcMappingException;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.contract.Topics;

/**
 * Reads a CDC mapping file, collecting every problem with its line (a first streaming pass records the line of every
 * JSON-pointer path). Secrets are resolved here; a problem names the reference, never the value.
 */
public final class MappingParser {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_KEYS = Set.of("department", "runner", "database", "timeZone", "unmappedColumns", "tables");
    private static final Set<String> DATABASE_KEYS = Set.of("kind", "host", "port", "database", "user", "password", "slot",
            "publication", "serverId");
    private static final Set<String> TABLE_KEYS = Set.of("table", "resource", "key", "columns", "exclude", "unmappedColumns");
    private static final Set<String> COLUMN_KEYS = Set.of("field", "type");
    /** A SQL identifier as the mapping accepts it (unquoted, letters, digits, '_' and '$'). */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

    private final String source;
    private final boolean requireDatabase;
    private final List<Problem> problems = new ArrayList<>();
    private YamlLines lines = YamlLines.none();

    private MappingParser(String source, boolean requireDatabase) {
        this.source = source;
        this.requireDatabase = requireDatabase;
    }

    public static CdcMapping parse(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CdcMappingException(file.toString(), List.of(new Problem(0, "", "cannot read the file: " + e.getMessage())));
        }
        return parse(yaml, file.toString());
    }

    public static CdcMapping parse(String yaml, String source) {
        return new MappingParser(source, true).read(yaml);
    }

    /**
     * Reads a mapping whose database section is optional (null when absent): Kafka Connect holds the connection in the
     * connector's own configuration.
     */
    public static CdcMapping parseTablesOnly(String yaml, String source) {
        return new MappingParser(source, false).read(yaml);
    }

    private CdcMapping read(String yaml) {
        JsonNode root;
        try {
            lines = YamlLines.of(yaml);
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new CdcMappingException(source, List.of(new Problem(line, "", "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new CdcMappingException(source, List.of(new Problem(0, "", "cannot read: " + e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new CdcMappingException(source, List.of(new Problem(1, "", "the mapping must be a YAML mapping with"
                    + " department, runner, database and tables")));
        }
        unknownKeys(root, "", TOP_KEYS);
        String department = text(root, "", "department", true);
        if (department != null && !Topics.DEPARTMENT_ID.matcher(department).matches()) {
            problem("/department", "department '" + department + "' is not a department id: 2-32 lower-case letters,"
                    + " digits and '-', starting with a letter");
        }
        String runner = text(root, "", "runner", true);
        if (runner != null && !Topics.CDC_RUNNER.matcher(runner).matches()) {
            problem("/runner", "runner '" + runner + "' is invalid: 2-48 lower-case letters, digits and '-', starting with"
                    + " a letter (it names the runner's offset topics, slot and publication)");
        }
        Database database = root.get("database") == null && !requireDatabase ? null : database(root.get("database"), runner);
        ZoneId zone = ZoneOffset.UTC;
        String zoneText = text(root, "", "timeZone", false);
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                problem("/timeZone", "'" + zoneText + "' is not a time zone; use a region id such as Asia/Shanghai");
            }
        }
        UnmappedColumns defaultPolicy = policy(root, "", UnmappedColumns.FAIL);
        List<TableMapping> tables = new ArrayList<>();
        JsonNode tablesNode = root.get("tables");
        if (tablesNode == null || !tablesNode.isArray() || tablesNode.isEmpty()) {
            problem("/tables", "list at least one table under 'tables'");
        } else {
            Set<String> seenTables = new LinkedHashSet<>();
            Set<String> seenResources = new LinkedHashSet<>();
            for (int i = 0; i < tablesNode.size(); i++) {
                TableMapping t = table(tablesNode.get(i), "/tables/" + i, database == null ? null : database.kind(), defaultPolicy);
                if (t == null) {
                    continue;
                }
                if (!seenTables.add(t.table())) {
                    problem("/tables/" + i + "/table", "table " + t.table() + " is mapped twice");
                }
                if (!seenResources.add(t.resource())) {
                    problem("/tables/" + i + "/resource", "resource " + t.resource() + " is fed by two tables; a resource"
                            + " has one source table per runner");
                }
                tables.add(t);
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(java.util.Comparator.comparingInt(Problem::line));
            throw new CdcMappingException(source, problems);
        }
        return new CdcMapping(source, department, runner, database, zone, tables);
    }

    private Database database(JsonNode node, String runner) {
        if (node == null || !node.isObject()) {
            problem("/database", "a 'database' section is required: kind, host, port, database, user, password");
            return null;
        }
        unknownKeys(node, "/database", DATABASE_KEYS);
        String kindText = text(node, "/database", "kind", true);
        DatabaseKind kind = null;
        if (kindText != null) {
            kind = switch (kindText.toLowerCase(Locale.ROOT)) {
                case "postgres", "postgresql" -> DatabaseKind.POSTGRES;
                case "mysql" -> DatabaseKind.MYSQL;
                case "mariadb" -> DatabaseKind.MARIADB;
                default -> {
                    problem("/database/kind", "kind '" + kindText + "' is not supported; use postgres, mysql or mariadb");
                    yield null;
                }
            };
        }
        String host = text(node, "/database", "host", true);
        int port = kind == null ? 0 : kind.defaultPort();
        JsonNode portNode = node.get("port");
        if (portNode != null) {
            if (!portNode.canConvertToInt() || portNode.asInt() < 1 || portNode.asInt() > 65535) {
                problem("/database/port", "port must be a number from 1 to 65535, got '" + portNode.asText() + "'");
            } else {
                port = portNode.asInt();
            }
        }
        String name = text(node, "/database", "database", true);
        String user = text(node, "/database", "user", true);
        Secret password = secret(node.get("password"));
        String base = runner == null ? "databus" : "databus_" + runner.replace('-', '_');
        String slot = Optional.ofNullable(text(node, "/database", "slot", false)).orElse(base);
        String publication = Optional.ofNullable(text(node, "/database", "publication", false)).orElse(base);
        if (!IDENTIFIER.matcher(slot).matches() || !slot.equals(slot.toLowerCase(Locale.ROOT))) {
            problem("/database/slot", "slot '" + slot + "' is invalid: lower-case letters, digits and '_'");
        }
        if (!IDENTIFIER.matcher(publication).matches()) {
            problem("/database/publication", "publication '" + publication + "' is not a plain SQL identifier");
        }
        long serverId = runner == null ? 0 : 5_400 + (runner.hashCode() & 0x3fff_ffffL);
        JsonNode idNode = node.get("serverId");
        if (idNode != null) {
            if (!idNode.canConvertToLong() || idNode.asLong() < 1 || idNode.asLong() > 4_294_967_295L) {
                problem("/database/serverId", "serverId must be a number from 1 to 4294967295, unique among the"
                        + " database's replicas");
            } else {
                serverId = idNode.asLong();
            }
        }
        if (kind == null || host == null || name == null || user == null || password == null) {
            return null;
        }
        return new Database(kind, host, port, name, user, password, slot, publication, serverId);
    }

    private Secret secret(JsonNode node) {
        if (node == null || node.isNull() || node.asText().isEmpty()) {
            problem("/database/password", "a password is required: ${env:VAR}, ${file:/path} or the password itself");
            return null;
        }
        String text = node.asText();
        Matcher m = REFERENCE.matcher(text.trim());
        if (!m.matches()) {
            if (text.contains("${")) {
                problem("/database/password", "the password reference is malformed; use ${env:VAR} or ${file:/path}");
                return null;
            }
            return new Secret(text, "literal");
        }
        String ref = m.group(1) + ":" + m.group(2);
        if (m.group(1).equals("env")) {
            String value = System.getenv(m.group(2));
            if (value == null || value.isEmpty()) {
                problem("/database/password", "environment variable " + m.group(2) + " (the password) is not set");
                return null;
            }
            return new Secret(value, ref);
        }
        Path file = Path.of(m.group(2));
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                problem("/database/password", "password file " + file + " is empty");
                return null;
            }
            return new Secret(value, ref);
        } catch (IOException e) {
            problem("/database/password", "cannot read password file " + file + " (" + e.getClass().getSimpleName() + ")");
            return null;
        }
    }

    private TableMapping table(JsonNode node, String at, DatabaseKind kind, UnmappedColumns defaultPolicy) {
        if (node == null || !node.isObject()) {
            problem(at, "each table is a mapping with table, resource, key and columns");
            return null;
        }
        unknownKeys(node, at, TABLE_KEYS);
        int problemsBefore = problems.size();
        String table = text(node, at, "table", true);
        if (table != null) {
            String[] parts = table.split("\\.", -1);
            if (parts.length != 2 || !IDENTIFIER.matcher(parts[0]).matches() || !IDENTIFIER.matcher(parts[1]).matches()) {
                problem(at + "/table", "table '" + table + "' must be qualified: "
                        + (kind == DatabaseKind.POSTGRES ? "schema.table, e.g. public.resident" : "database.table, e.g. registry.legal_entity"));
            }
        }
        String resource = text(node, at, "resource", true);
        if (resource != null && !Topics.RESOURCE_CODE.matcher(resource).matches()) {
            problem(at + "/resource", "resource code '" + resource + "' is invalid: letters, digits, '-' and '_'");
        }
        List<String> key = new ArrayList<>();
        JsonNode keyNode = node.get("key");
        if (keyNode == null || (keyNode.isArray() && keyNode.isEmpty())) {
            problem(at + "/key", "list the key column(s) under 'key': their values form the record key");
        } else if (keyNode.isArray()) {
            for (int i = 0; i < keyNode.size(); i++) {
                identifier(keyNode.get(i).asText(), at + "/key/" + i, "key column").ifPresent(key::add);
            }
        } else {
            identifier(keyNode.asText(), at + "/key", "key column").ifPresent(key::add);
        }
        Map<String, ColumnMapping> columns = new LinkedHashMap<>();
        JsonNode columnsNode = node.get("columns");
        Map<String, String> fieldOwners = new HashMap<>();
        if (columnsNode != null && !columnsNode.isObject()) {
            problem(at + "/columns", "columns is a mapping of column: field (or column: {field: f, type: t})");
        } else if (columnsNode != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = columnsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String cAt = at + "/columns/" + e.getKey();
                if (identifier(e.getKey(), cAt, "column").isEmpty()) {
                    continue;
                }
                ColumnMapping cm = column(e.getKey(), e.getValue(), cAt);
                if (cm == null) {
                    continue;
                }
                String previous = fieldOwners.putIfAbsent(cm.field(), cm.column());
                if (previous != null) {
                    problem(cAt, "field " + cm.field() + " is already mapped from column " + previous);
                }
                columns.put(cm.column(), cm);
            }
        }
        Set<String> excluded = new LinkedHashSet<>();
        JsonNode excludeNode = node.get("exclude");
        if (excludeNode != null) {
            if (!excludeNode.isArray()) {
                problem(at + "/exclude", "exclude is a list of column names");
            } else {
                for (int i = 0; i < excludeNode.size(); i++) {
                    String c = excludeNode.get(i).asText();
                    if (identifier(c, at + "/exclude/" + i, "column").isEmpty()) {
                        continue;
                    }
                    if (columns.containsKey(c)) {
                        problem(at + "/exclude/" + i, "column " + c + " is both mapped and excluded");
                    }
                    if (key.contains(c)) {
                        problem(at + "/exclude/" + i, "key column " + c + " cannot be excluded");
                    }
                    excluded.add(c);
                }
            }
        }
        UnmappedColumns policy = policy(node, at, defaultPolicy);
        if (problems.size() > problemsBefore || table == null || resource == null) {
            return null;
        }
        return new TableMapping(table, resource, key, columns, excluded, policy, line(at));
    }

    private ColumnMapping column(String column, JsonNode value, String at) {
        String field;
        Optional<FieldType> type = Optional.empty();
        if (value.isTextual()) {
            field = value.asText();
        } else if (value.isObject()) {
            unknownKeys(value, at, COLUMN_KEYS);
            field = value.hasNonNull("field") ? value.get("field").asText() : column;
            if (value.hasNonNull("type")) {
                String t = value.get("type").asText();
                type = fieldType(t);
                if (type.isEmpty()) {
                    problem(at + "/type", "type '" + t + "' is not a conversion; use one of text, int, long, double,"
                            + " decimal, date, timestamp, boolean");
                    return null;
                }
            }
        } else {
            problem(at, "map a column to a field name, or to {field: name, type: conversion}");
            return null;
        }
        if (!AVRO_NAME.matcher(field).matches()) {
            problem(at, "'" + field + "' is not a field name (letters, digits and '_', not starting with a digit)");
            return null;
        }
        return new ColumnMapping(column, field, type, line(at));
    }

    static Optional<FieldType> fieldType(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "text", "string" -> Optional.of(FieldType.TEXT);
            case "int", "integer" -> Optional.of(FieldType.INT);
            case "long", "bigint" -> Optional.of(FieldType.LONG);
            case "double", "float" -> Optional.of(FieldType.DOUBLE);
            case "decimal", "numeric" -> Optional.of(FieldType.DECIMAL);
            case "date" -> Optional.of(FieldType.DATE);
            case "timestamp", "timestamptz", "timestamp-with-zone" -> Optional.of(FieldType.TIMESTAMP);
            case "boolean", "bool" -> Optional.of(FieldType.BOOLEAN);
            default -> Optional.empty();
        };
    }

    private UnmappedColumns policy(JsonNode node, String at, UnmappedColumns dflt) {
        String text = text(node, at, "unmappedColumns", false);
        if (text == null) {
            return dflt;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "fail" -> UnmappedColumns.FAIL;
            case "ignore" -> UnmappedColumns.IGNORE;
            default -> {
                problem(at + "/unmappedColumns", "unmappedColumns '" + text + "' is invalid; use fail (the default) or ignore");
                yield dflt;
            }
        };
    }

    private Optional<String> identifier(String text, String at, String what) {
        if (text == null || !IDENTIFIER.matcher(text).matches()) {
            problem(at, what + " '" + text + "' is not a plain SQL identifier");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    private String text(JsonNode node, String at, String key, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull() || (v.isValueNode() && v.asText().isBlank())) {
            if (required) {
                problem(at + "/" + key, key + " is required");
            }
            return null;
        }
        if (!v.isValueNode()) {
            problem(at + "/" + key, key + " must be a single value");
            return null;
        }
        return v.asText().trim();
    }

    private void unknownKeys(JsonNode node, String at, Set<String> known) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                problem(at + "/" + k, "unknown key '" + k + "'; known keys: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        });
    }

    private void problem(String pointer, String message) {
        problems.add(new Problem(line(pointer), display(pointer), message));
    }

    private int line(String pointer) {
        return lines.line(pointer);
    }

    static String display(String pointer) {
        return YamlLines.display(pointer);
    }


}
