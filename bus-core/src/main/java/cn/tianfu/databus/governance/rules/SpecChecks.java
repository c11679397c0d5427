package cn.tianfu.databus.governance.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.contract.Topics;

/**
 * Checks of a resource spec and of its Avro schema against the spec's data items. Each method returns every problem
 * found (empty when there is none), each naming the field or item it is about.
 */
public final class SpecChecks {

    private SpecChecks() {
    }

    /** Problems of the spec on its own: code, sharing class and its required text, data items. */
    public static List<String> spec(ResourceSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.getCode() == null || !Topics.RESOURCE_CODE.matcher(spec.getCode()).matches()) {
            problems.add("code '" + spec.getCode() + "' is invalid: use letters, digits, '-' and '_'");
        }
        if (blank(spec.getName())) {
            problems.add("name is required");
        }
        if (spec.getSharingClass() == SharingClass.NOT_SHARED && blank(spec.getReasonNotShared())) {
            problems.add("a NOT_SHARED resource needs reasonNotShared: state why it is not shared and the legal basis (Art. 26)");
        }
        if (spec.getSharingClass() == SharingClass.CONDITIONAL && blank(spec.getSharingConditions())) {
            problems.add("a CONDITIONAL resource needs sharingConditions: state the conditions a requester must meet (Art. 26)");
        }
        List<DataItem> items = spec.getDataItems();
        if (items == null || items.isEmpty()) {
            problems.add("dataItems is empty: list every data item of the resource");
            return problems;
        }
        Set<String> names = new HashSet<>();
        boolean anyKey = false;
        for (DataItem item : items) {
            if (!names.add(item.getName())) {
                problems.add("data item '" + item.getName() + "' is listed twice");
            }
            if (item.getSensitivity() == Sensitivity.PERSONAL && item.getMask() == MaskKind.NONE) {
                problems.add("data item '" + item.getName() + "' is PERSONAL but its mask is NONE: declare how it is masked");
            }
            if (item.getType() == FieldType.DECIMAL && (item.getPrecision() == null || item.getScale() == null)) {
                problems.add("DECIMAL data item '" + item.getName() + "' needs precision and scale");
            }
            anyKey |= item.getKey();
        }
        if (!anyKey) {
            problems.add("no data item is marked key: mark the item(s) that identify a record");
        }
        return problems;
    }

    /**
     * Problems of a resource schema against the spec's data items: a record schema with exactly one field per item,
     * of the item's type; key fields not nullable; sensitivity and mask declared on the field as the item declares
     * them (required for items that are not PUBLIC or are masked), since delivery masks by the schema's properties.
     */
    public static List<String> schema(List<DataItem> items, Schema schema) {
        List<String> problems = new ArrayList<>();
        if (schema.getType() != Schema.Type.RECORD) {
            problems.add("the schema is a " + schema.getType() + ", not a record");
            return problems;
        }
        Set<String> itemNames = new HashSet<>();
        for (DataItem item : items) {
            itemNames.add(item.getName());
            Schema.Field field = schema.getField(item.getName());
            if (field == null) {
                problems.add("data item '" + item.getName() + "' has no field in the schema");
                continue;
            }
            boolean nullable = nullable(field.schema());
            Schema type = nonNull(field.schema());
            if (!matches(item, type)) {
                problems.add("field '" + item.getName() + "' is " + type + " but data item '" + item.getName()
                        + "' is " + item.getType() + describeDecimal(item));
            }
            if (item.getKey() && nullable) {
                problems.add("key field '" + item.getName() + "' must not be nullable");
            }
            Object keyProp = field.getObjectProp(AvroSchemas.KEY_PROP);
            if (Boolean.TRUE.equals(keyProp) && !item.getKey()) {
                problems.add("field '" + item.getName() + "' is marked key in the schema but data item '" + item.getName()
                        + "' is not a key item");
            }
            String sensitivity = field.getProp(AvroSchemas.SENSITIVITY_PROP);
            String mask = field.getProp(AvroSchemas.MASK_PROP);
            boolean required = item.getSensitivity() != Sensitivity.PUBLIC || item.getMask() != MaskKind.NONE;
            if (sensitivity == null ? required : !sensitivity.equals(item.getSensitivity().name())) {
                problems.add("field '" + item.getName() + "' must declare \"" + AvroSchemas.SENSITIVITY_PROP + "\": \""
                        + item.getSensitivity() + "\" as its data item does" + (sensitivity == null ? "" : " (it declares " + sensitivity + ")"));
            }
            if (mask == null ? required : !mask.equals(item.getMask().name())) {
                problems.add("field '" + item.getName() + "' must declare \"" + AvroSchemas.MASK_PROP + "\": \""
                        + item.getMask() + "\" as its data item does" + (mask == null ? "" : " (it declares " + mask + ")"));
            }
        }
        for (Schema.Field field : schema.getFields()) {
            if (!itemNames.contains(field.name())) {
                problems.add("field '" + field.name() + "' of the schema is not a data item of the spec: list it or remove it");
            }
        }
        return problems;
    }

    private static String describeDecimal(DataItem item) {
        return item.getType() == FieldType.DECIMAL ? "(" + item.getPrecision() + "," + item.getScale() + ")" : "";
    }

    private static boolean matches(DataItem item, Schema type) {
        LogicalType logical = type.getLogicalType();
        return switch (item.getType()) {
            case STRING -> type.getType() == Schema.Type.STRING || type.getType() == Schema.Type.ENUM;
            case INT -> type.getType() == Schema.Type.INT && logical == null;
            case LONG -> type.getType() == Schema.Type.LONG && logical == null;
            case DOUBLE -> type.getType() == Schema.Type.DOUBLE;
            case BOOLEAN -> type.getType() == Schema.Type.BOOLEAN;
            case DECIMAL -> (type.getType() == Schema.Type.BYTES || type.getType() == Schema.Type.FIXED)
                    && logical instanceof LogicalTypes.Decimal d
                    && Objects.equals(d.getPrecision(), item.getPrecision()) && Objects.equals(d.getScale(), item.getScale());
            case DATE -> type.getType() == Schema.Type.INT && logical instanceof LogicalTypes.Date;
            case TIMESTAMP -> type.getType() == Schema.Type.LONG && logical instanceof LogicalTypes.TimestampMillis;
        };
    }

    static boolean nullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL || schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
    }

    static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        List<Schema> others = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        return others.size() == 1 ? others.get(0) : schema;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
