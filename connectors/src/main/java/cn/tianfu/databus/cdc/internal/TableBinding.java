package cn.tianfu.databus.cdc.internal;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import cn.tianfu.databus.cdc.CdcMapping.ColumnMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMapping.UnmappedColumns;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.sdk.Publisher;

/**
 * One table's mapping bound to the resource's catalogued Avro schema and to the row shape Debezium captures: which
 * column feeds which field and how, which columns are left out. Built again whenever the row shape or the catalogued
 * schema changes.
 */
public final class TableBinding {

    /** The row's shape cannot be mapped to the resource any more (a column added or dropped, a type changed). */
    public static final class IncompatibleChangeException extends RuntimeException {
        public IncompatibleChangeException(String message) {
            super(message);
        }
    }

    private final TableMapping mapping;
    private final Schema schema;
    private final ZoneId zone;
    private final org.apache.kafka.connect.data.Schema rowSchema;
    private final Map<String, String> fieldOf = new LinkedHashMap<>();
    private final List<String> keyColumns;
    private final Set<String> ignored = new LinkedHashSet<>();
    /** Per mapped column, in {@link #fieldOf} order: its column, field and conversion target; built on first use. */
    private List<Slot> slots;
    /** The key columns of {@link #rowSchema}, in {@link #keyColumns} order (null where the row has no such column). */
    private final Field[] keyFields;

    private record Slot(Field column, Schema.Field field, Conversions.Target target) {
    }

    private TableBinding(TableMapping mapping, Schema schema, ZoneId zone, org.apache.kafka.connect.data.Schema rowSchema) {
        this.mapping = mapping;
        this.schema = schema;
        this.zone = zone;
        this.rowSchema = rowSchema;
        this.keyColumns = keyColumnsInFieldOrder(mapping, schema);
        this.keyFields = keyColumns.stream().map(rowSchema::field).toArray(Field[]::new);
    }

    /**
     * Binds {@code mapping} to the catalogued {@code schema} for rows of {@code rowSchema}.
     *
     * @throws IncompatibleChangeException when a column is neither mapped nor excluded (and the mapping does not say
     *                                     {@code unmappedColumns: ignore}), a required field has no column, or a key
     *                                     column is missing
     */
    public static TableBinding bind(TableMapping mapping, Schema schema, ZoneId zone, org.apache.kafka.connect.data.Schema rowSchema) {
        TableBinding b = new TableBinding(mapping, schema, zone, rowSchema);
        List<String> problems = new ArrayList<>();
        for (Field column : rowSchema.fields()) {
            String name = column.name();
            if (mapping.excluded().contains(name)) {
                continue;
            }
            ColumnMapping explicit = mapping.columns().get(name);
            String field = explicit != null ? explicit.field() : schema.getField(name) != null ? name : null;
            if (field == null) {
                if (mapping.unmappedColumns() == UnmappedColumns.IGNORE) {
                    b.ignored.add(name);
                    continue;
                }
                problems.add("column " + name + " of " + mapping.table() + " is neither mapped nor excluded, and resource "
                        + mapping.resource() + " has no field " + name + ": add the field to the catalogued schema (an"
                        + " optional field), map or exclude the column, or set unmappedColumns: ignore");
                continue;
            }
            if (schema.getField(field) == null) {
                problems.add("column " + name + " maps to field " + field + ", which resource " + mapping.resource()
                        + "'s catalogued schema does not have");
                continue;
            }
            b.fieldOf.put(name, field);
        }
        for (Schema.Field f : schema.getFields()) {
            if (!b.fieldOf.containsValue(f.name()) && !Conversions.nullable(f.schema()) && !f.hasDefaultValue()) {
                problems.add("required field " + f.name() + " of resource " + mapping.resource() + " has no column in "
                        + mapping.table() + " (was a column dropped or renamed?)");
            }
        }
        for (String k : mapping.keyColumns()) {
            if (rowSchema.field(k) == null) {
                problems.add("key column " + k + " is not a column of " + mapping.table());
            }
        }
        if (!problems.isEmpty()) {
            throw new IncompatibleChangeException(String.join("; ", problems));
        }
        return b;
    }

    /** The key columns ordered like the resource's key fields (so composite keys join like every publisher's). */
    private static List<String> keyColumnsInFieldOrder(TableMapping mapping, Schema schema) {
        List<String> ordered = new ArrayList<>(mapping.keyColumns());
        ordered.sort(java.util.Comparator.comparingInt(c -> {
            ColumnMapping cm = mapping.columns().get(c);
            Schema.Field f = schema.getField(cm != null ? cm.field() : c);
            return f == null ? Integer.MAX_VALUE : f.pos();
        }));
        return ordered;
    }

    public boolean fits(org.apache.kafka.connect.data.Schema row, Schema catalogued) {
        return row.equals(rowSchema) && catalogued.equals(schema);
    }

    public Schema schema() {
        return schema;
    }

    /** Columns left out under {@code unmappedColumns: ignore}. */
    public Set<String> ignoredColumns() {
        return ignored;
    }

    /**
     * The resource record of a captured row, a row of the shape this binding was made for ({@link #fits}): its columns
     * are taken by their position in that shape, resolved once per binding.
     */
    public GenericRecord toRecord(Struct row) {
        GenericRecord record = new GenericData.Record(schema);
        for (Slot slot : slots()) {
            Field column = slot.column();
            Schema.Field field = slot.field();
            Object value;
            try {
                value = Conversions.convert(row.get(column), column.schema(), slot.target(), zone);
            } catch (Conversions.ConversionException ex) {
                throw new Conversions.ConversionException("column " + column.name() + " → field " + field.name() + ": "
                        + ex.getMessage());
            }
            if (value == null && !slot.target().nullable()) {
                throw new Conversions.ConversionException("column " + column.name() + " is null but field " + field.name()
                        + " is required");
            }
            record.put(field.pos(), value);
        }
        return record;
    }

    private List<Slot> slots() {
        if (slots == null) {
            List<Slot> out = new ArrayList<>(fieldOf.size());
            for (Map.Entry<String, String> e : fieldOf.entrySet()) {
                Schema.Field field = schema.getField(e.getValue());
                Conversions.Target target;
                try {
                    target = Conversions.target(field.schema());
                } catch (Conversions.ConversionException ex) {
                    throw new Conversions.ConversionException("column " + e.getKey() + " → field " + field.name() + ": "
                            + ex.getMessage());
                }
                out.add(new Slot(rowSchema.field(e.getKey()), field, target));
            }
            slots = List.copyOf(out);
        }
        return slots;
    }

    /** The record key of a captured row: its key column values as text, joined like {@link Publisher#compositeKey}. */
    public String key(Struct row) {
        String[] parts = new String[keyColumns.size()];
        for (int i = 0; i < parts.length; i++) {
            Field column = keyFields[i];
            Object v = column == null ? null : row.get(column);
            if (v == null) {
                throw new Conversions.ConversionException("key column " + keyColumns.get(i) + " is null");
            }
            parts[i] = Conversions.toText(v, column.schema(), zone);
        }
        return parts.length == 1 ? parts[0] : Publisher.compositeKey(parts);
    }

    /** The resource's key fields as its schema marks them ({@code "key": true}), in schema order. */
    public static List<String> keyFields(Schema schema) {
        List<String> out = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            if (Boolean.TRUE.equals(f.getObjectProp(AvroSchemas.KEY_PROP))) {
                out.add(f.name());
            }
        }
        return out;
    }
}
