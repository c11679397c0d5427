package cn.tianfu.databus.cdc.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.avro.Schema;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.ColumnMapping;
import cn.tianfu.databus.cdc.CdcMapping.FieldType;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMapping.UnmappedColumns;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.contract.Topics;

/**
 * Checks a mapping against each resource's catalogued schema — the latest registered under
 * {@code src.<dept>.<resource>-value} — and, when known, against the tables' columns: every mapped field exists, every
 * required field is fed, declared conversions fit the field types, key columns feed the key fields, and no column is
 * left unaccounted for under {@code unmappedColumns: fail}.
 */
public final class MappingCheck {

    private MappingCheck() {
    }

    /**
     * @param columns the columns of each mapped table (qualified name → column → {@link java.sql.Types} code), or null
     *                when the database was not asked
     */
    public static List<Problem> check(CdcMapping mapping, SchemaRegistryClient registry, Map<String, Map<String, Integer>> columns) {
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < mapping.tables().size(); i++) {
            TableMapping t = mapping.tables().get(i);
            String at = "tables[" + i + "]";
            String subject = Subjects.valueSubject(Topics.source(mapping.department(), t.resource()));
            Schema schema;
            try {
                RegisteredSchema latest = registry.latest(subject);
                schema = latest.schema();
            } catch (SchemaRegistryException e) {
                if (e.kind() == SchemaRegistryException.Kind.SUBJECT_NOT_FOUND) {
                    problems.add(new Problem(t.line(), at + ".resource", "resource " + t.resource() + " of "
                            + mapping.department() + " is not catalogued (no schema under '" + subject + "'): register it"
                            + " in the catalog first"));
                    continue;
                }
                throw e;
            }
            Map<String, Integer> tableColumns = columns == null ? null : columns.get(t.table());
            if (columns != null && tableColumns == null) {
                problems.add(new Problem(t.line(), at + ".table", "table " + t.table() + " does not exist in the database"
                        + " (or the user cannot see it)"));
            }
            check(t, at, schema, tableColumns, problems);
        }
        return problems;
    }

    private static void check(TableMapping t, String at, Schema schema, Map<String, Integer> columns, List<Problem> problems) {
        String fields = schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", "));
        Set<String> fed = new LinkedHashSet<>();
        for (ColumnMapping cm : t.columns().values()) {
            String cAt = at + ".columns." + cm.column();
            Schema.Field f = schema.getField(cm.field());
            if (f == null) {
                problems.add(new Problem(cm.line(), cAt, "field " + cm.field() + " is not a field of resource "
                        + t.resource() + " (its fields: " + fields + ")"));
                continue;
            }
            fed.add(f.name());
            Optional<FieldType> fieldType = Conversions.fieldType(f.schema());
            if (fieldType.isEmpty()) {
                problems.add(new Problem(cm.line(), cAt, "field " + f.name() + " has Avro type "
                        + Conversions.nonNull(f.schema()) + ", which no column converts to"));
                continue;
            }
            if (cm.type().isPresent() && cm.type().get() != fieldType.get()) {
                problems.add(new Problem(cm.line(), cAt, "column " + cm.column() + " is declared "
                        + name(cm.type().get()) + " but field " + f.name() + " is " + name(fieldType.get())));
            }
            if (columns != null) {
                Integer sqlType = columns.get(cm.column());
                if (sqlType == null) {
                    problems.add(new Problem(cm.line(), cAt, "column " + cm.column() + " is not a column of " + t.table()));
                } else if (!Conversions.convertible(sqlType, fieldType.get())) {
                    problems.add(new Problem(cm.line(), cAt, "column " + cm.column() + " (" + jdbcTypeName(sqlType)
                            + ") does not convert to field " + f.name() + " (" + name(fieldType.get()) + ")"));
                }
            }
        }
        if (columns != null) {
            List<String> unaccounted = new ArrayList<>();
            for (Map.Entry<String, Integer> c : columns.entrySet()) {
                String column = c.getKey();
                if (t.columns().containsKey(column) || t.excluded().contains(column)) {
                    continue;
                }
                Schema.Field same = schema.getField(column);
                if (same != null) {
                    fed.add(same.name());
                    Optional<FieldType> ft = Conversions.fieldType(same.schema());
                    if (ft.isEmpty() || !Conversions.convertible(c.getValue(), ft.get())) {
                        problems.add(new Problem(t.line(), at + ".columns", "column " + column + " (" + jdbcTypeName(c.getValue())
                                + ") does not convert to the same-named field " + same.name()
                                + ft.map(x -> " (" + name(x) + ")").orElse("")));
                    }
                } else {
                    unaccounted.add(column);
                }
            }
            if (!unaccounted.isEmpty() && t.unmappedColumns() == UnmappedColumns.FAIL) {
                problems.add(new Problem(t.line(), at + ".columns", "column(s) " + String.join(", ", unaccounted)
                        + " of " + t.table() + " are neither mapped nor excluded and resource " + t.resource()
                        + " has no such field: map them, list them under exclude, or set unmappedColumns: ignore"));
            }
            for (String k : t.keyColumns()) {
                if (!columns.containsKey(k)) {
                    problems.add(new Problem(t.line(), at + ".key", "key column " + k + " is not a column of " + t.table()));
                }
            }
            for (Schema.Field f : schema.getFields()) {
                if (!fed.contains(f.name()) && !Conversions.nullable(f.schema()) && !f.hasDefaultValue()) {
                    problems.add(new Problem(t.line(), at + ".columns", "required field " + f.name() + " of resource "
                            + t.resource() + " is not fed by any column: map a column to it"));
                }
            }
        }
        List<String> keyFields = TableBinding.keyFields(schema);
        if (!keyFields.isEmpty()) {
            Set<String> fromKeyColumns = new LinkedHashSet<>();
            for (String k : t.keyColumns()) {
                ColumnMapping cm = t.columns().get(k);
                fromKeyColumns.add(cm != null ? cm.field() : k);
            }
            if (!Set.copyOf(keyFields).equals(fromKeyColumns)) {
                problems.add(new Problem(t.line(), at + ".key", "the key columns feed field(s) " + fromKeyColumns
                        + " but the key of resource " + t.resource() + " is " + keyFields
                        + ": list the columns that feed exactly the key fields"));
            }
        }
    }

    private static String name(FieldType t) {
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }

    static String jdbcTypeName(int sqlType) {
        try {
            return java.sql.JDBCType.valueOf(sqlType).getName();
        } catch (IllegalArgumentException e) {
            return "type " + sqlType;
        }
    }
}
