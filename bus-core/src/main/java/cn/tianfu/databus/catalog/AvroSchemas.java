package cn.tianfu.databus.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

import cn.tianfu.databus.catalog.ResourceDefinition.Item;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;

/**
 * Derives the Avro value schema of a resource's topic {@code src.<dept>.<resource>} from its definition.
 *
 * <pre>{@code
 * Schema schema = AvroSchemas.forResource(definition);
 * MaskKind mask = AvroSchemas.mask(schema.getField("idNumber"));   // ID_NUMBER
 * }</pre>
 *
 * <p>Every field carries the custom properties {@value #SENSITIVITY_PROP} ({@code PUBLIC}, {@code INTERNAL},
 * {@code PERSONAL}), {@value #MASK_PROP} ({@code NONE}, {@code ID_NUMBER}, ...) and {@value #DISPLAY_NAME_PROP}, so
 * whoever holds the schema can apply the masking rules; key fields also carry {@value #KEY_PROP}{@code : true}.
 *
 * <p>From listed items: record name {@code recordName} (or {@code R<code>} with '-' as '_'), namespace
 * {@code cn.tianfu.databus.resource.<dept>} ('-' as '_'), key fields required, every other field
 * {@code ["null", T]} with default null; DECIMAL is bytes with the decimal logical type, DATE int with date,
 * TIMESTAMP long with timestamp-millis. From a referenced .avsc: that schema's names, order, types and defaults are
 * kept (a department's generated classes keep working) and only the properties above (and missing docs) are added.
 */
public final class AvroSchemas {

    public static final String NAMESPACE_PREFIX = "cn.tianfu.databus.resource.";
    public static final String SENSITIVITY_PROP = "sensitivity";
    public static final String MASK_PROP = "mask";
    public static final String DISPLAY_NAME_PROP = "displayName";
    public static final String KEY_PROP = "key";
    /** Record-level properties naming the resource and its provider. */
    public static final String RESOURCE_CODE_PROP = "resourceCode";
    public static final String PROVIDER_PROP = "provider";

    private AvroSchemas() {
    }

    /** The value schema of the resource's source topic. */
    public static Schema forResource(ResourceDefinition def) {
        Schema base = def.avroSchemaJson().map(json -> new Schema.Parser().parse(json)).orElse(null);
        List<Schema.Field> fields = new ArrayList<>();
        for (Item item : def.items()) {
            Schema.Field field;
            if (base != null) {
                Schema.Field original = base.getField(item.name());
                String doc = original.doc() != null ? original.doc() : doc(item);
                field = new Schema.Field(original.name(), original.schema(), doc, original.defaultVal(), original.order());
                original.getObjectProps().forEach(field::addProp);
                original.aliases().forEach(field::addAlias);
            } else if (item.key()) {
                field = new Schema.Field(item.name(), type(item), doc(item));
            } else {
                field = new Schema.Field(item.name(), Schema.createUnion(Schema.create(Schema.Type.NULL), type(item)), doc(item),
                        JsonProperties.NULL_VALUE);
            }
            field.addProp(DISPLAY_NAME_PROP, item.displayName());
            field.addProp(SENSITIVITY_PROP, item.sensitivity().name());
            field.addProp(MASK_PROP, item.mask().name());
            if (item.key()) {
                field.addProp(KEY_PROP, true);
            }
            fields.add(field);
        }
        Schema record = base != null
                ? Schema.createRecord(base.getName(), base.getDoc() != null ? base.getDoc() : recordDoc(def), base.getNamespace(), false, fields)
                : Schema.createRecord(recordName(def), recordDoc(def), namespace(def.provider()), false, fields);
        if (base != null) {
            base.getObjectProps().forEach(record::addProp);
            base.getAliases().forEach(record::addAlias);
        }
        record.addProp(RESOURCE_CODE_PROP, def.code());
        record.addProp(PROVIDER_PROP, def.provider());
        return record;
    }

    /** The record name derived from a definition: its {@code recordName}, or {@code R} + code with '-' as '_'. */
    public static String recordName(ResourceDefinition def) {
        return def.recordName().orElse("R" + def.code().replace('-', '_'));
    }

    /** {@code cn.tianfu.databus.resource.<dept>}, '-' replaced by '_'. */
    public static String namespace(String department) {
        return NAMESPACE_PREFIX + department.replace('-', '_').toLowerCase(Locale.ROOT);
    }

    /** The sensitivity a field of a resource schema declares; PUBLIC when it declares none. */
    public static Sensitivity sensitivity(Schema.Field field) {
        String s = field.getProp(SENSITIVITY_PROP);
        return s == null ? Sensitivity.PUBLIC : Sensitivity.valueOf(s);
    }

    /** The mask a field of a resource schema declares; NONE when it declares none. */
    public static MaskKind mask(Schema.Field field) {
        String s = field.getProp(MASK_PROP);
        return s == null ? MaskKind.NONE : MaskKind.valueOf(s);
    }

    private static Schema type(Item item) {
        return switch (item.type()) {
            case STRING -> Schema.create(Schema.Type.STRING);
            case INT -> Schema.create(Schema.Type.INT);
            case LONG -> Schema.create(Schema.Type.LONG);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case DECIMAL -> LogicalTypes.decimal(item.precision(), item.scale()).addToSchema(Schema.create(Schema.Type.BYTES));
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIMESTAMP -> LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        };
    }

    private static String doc(Item item) {
        return item.description().map(d -> item.displayName() + ": " + d).orElse(item.displayName());
    }

    private static String recordDoc(ResourceDefinition def) {
        return def.name() + " (" + def.code() + "): " + def.summary();
    }
}
