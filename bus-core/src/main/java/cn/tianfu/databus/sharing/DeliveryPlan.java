package cn.tianfu.databus.sharing;

import cn.tianfu.databus.contract.Topics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * What one grant delivers of one version of a resource's schema: the projection to the granted fields and the masking
 * of sensitive ones. Built once per grant and source schema (all checks happen here), then applied to every record.
 *
 * <pre>{@code
 * DeliveryPlan plan = DeliveryPlan.build(populationSchema, "civil-affairs",
 *         Optional.of(List.of("idNumber", "name", "divisionCode")), Set.of());
 * GenericRecord out = plan.apply(sourceRecord);   // idNumber 510104********1234, name 张*, divisionCode 510104
 * plan.deliverySchema();                          // register this for dlv.civil-affairs.<resource>
 * }</pre>
 *
 * <p>Key fields are the fields that are not nullable (every other resource field is an optional union); a
 * projection must include all of them. A field is masked by its {@code "mask"} property (a {@code PERSONAL} field
 * without one is masked {@link MaskRule#FULL FULL}) unless the grant lists it in {@code clearFields}. In the delivery
 * schema each field's {@code "mask"} property states the rule actually applied ({@code NONE} for a field in clear).
 *
 * <p>Instances are immutable and thread-safe. {@link #apply} does no schema work: it copies values by precomputed
 * positions and masks strings.
 */
public final class DeliveryPlan {

    /** Namespace prefix of every delivery schema; the consumer's id follows. */
    public static final String DELIVERY_NAMESPACE_PREFIX = "cn.tianfu.databus.delivery.";
    /** Appended to the source record's name to name the delivery record. */
    public static final String DELIVERY_NAME_SUFFIX = "Delivery";

    private final Schema sourceSchema;
    private final Schema deliverySchema;
    private final int[] sourcePositions;
    private final MaskRule[] rules;
    private final boolean[] nulled;
    private final Map<String, MaskRule> appliedMasks;
    private volatile Schema lastEqualSchema;

    private DeliveryPlan(Schema sourceSchema, Schema deliverySchema, int[] sourcePositions, MaskRule[] rules,
                         boolean[] nulled, Map<String, MaskRule> appliedMasks) {
        this.sourceSchema = sourceSchema;
        this.deliverySchema = deliverySchema;
        this.sourcePositions = sourcePositions;
        this.rules = rules;
        this.nulled = nulled;
        this.appliedMasks = appliedMasks;
        this.lastEqualSchema = sourceSchema;
    }

    /**
     * Plans a grant's delivery of a resource.
     *
     * @param sourceSchema  the resource's record schema, as published on its source topic
     * @param consumer      the consuming department's id (names the delivery schema's namespace)
     * @param allowedFields the granted fields; empty means every field. Output keeps the source's field order
     * @param clearFields   granted fields the consumer may receive unmasked
     * @throws PolicyException naming every unknown field, every key field left out, every granted-in-clear field
     *                         outside the projection, and every mask that does not fit its field's type
     */
    public static DeliveryPlan build(Schema sourceSchema, String consumer, Optional<List<String>> allowedFields,
                                     Set<String> clearFields) {
        if (sourceSchema == null || sourceSchema.getType() != Schema.Type.RECORD) {
            throw new PolicyException("A delivery plan needs the resource's record schema, got "
                    + (sourceSchema == null ? "none" : sourceSchema.getType()));
        }
        if (consumer == null || !Topics.DEPARTMENT_ID.matcher(consumer).matches()) {
            throw new PolicyException("Consumer id '" + consumer + "' is invalid: use 2-32 characters, lower-case "
                    + "letters, digits and '-', starting with a letter");
        }
        Set<String> clear = clearFields == null ? Set.of() : clearFields;
        List<String> problems = new ArrayList<>();

        Set<String> granted = new LinkedHashSet<>();
        if (allowedFields.isPresent()) {
            Set<String> unknown = new TreeSet<>();
            for (String name : allowedFields.get()) {
                if (sourceSchema.getField(name) == null) {
                    unknown.add(name);
                }
                granted.add(name);
            }
            if (!unknown.isEmpty()) {
                problems.add("unknown field(s) " + unknown + " in the projection");
            }
            Set<String> missingKeys = new TreeSet<>();
            for (Schema.Field f : sourceSchema.getFields()) {
                if (!isNullable(f.schema()) && !granted.contains(f.name())) {
                    missingKeys.add(f.name());
                }
            }
            if (!missingKeys.isEmpty()) {
                problems.add("key field(s) " + missingKeys + " must be included in the projection");
            }
        } else {
            for (Schema.Field f : sourceSchema.getFields()) {
                granted.add(f.name());
            }
        }
        Set<String> unknownClear = new TreeSet<>();
        Set<String> clearNotGranted = new TreeSet<>();
        for (String name : clear) {
            if (sourceSchema.getField(name) == null) {
                unknownClear.add(name);
            } else if (!granted.contains(name)) {
                clearNotGranted.add(name);
            }
        }
        if (!unknownClear.isEmpty()) {
            problems.add("unknown field(s) " + unknownClear + " listed in clear");
        }
        if (!clearNotGranted.isEmpty()) {
            problems.add("field(s) " + clearNotGranted + " listed in clear are not in the projection");
        }

        List<Schema.Field> outFields = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<MaskRule> outRules = new ArrayList<>();
        List<Boolean> outNulled = new ArrayList<>();
        Map<String, MaskRule> applied = new LinkedHashMap<>();
        for (Schema.Field f : sourceSchema.getFields()) {
            if (!granted.contains(f.name())) {
                continue;
            }
            MaskRule declared;
            try {
                Sensitivity sensitivity = Sensitivity.fromProperty(f.name(), f.getProp(Sensitivity.PROPERTY));
                declared = MaskRule.fromProperty(f.name(), f.getProp(MaskRule.PROPERTY), sensitivity);
            } catch (PolicyException e) {
                problems.add(e.getMessage());
                continue;
            }
            MaskRule rule = clear.contains(f.name()) ? MaskRule.NONE : declared;
            boolean nullable = isNullable(f.schema());
            boolean string = isString(f.schema());
            boolean nullOut = false;
            if (rule.requiresString() && !string) {
                problems.add("field '" + f.name() + "' declares mask " + rule + " but is not a string ("
                        + f.schema() + "); declare mask FULL or change its type");
            } else if (rule == MaskRule.FULL && !string) {
                if (nullable) {
                    nullOut = true;
                } else {
                    problems.add("field '" + f.name() + "' is not a string and not nullable, so mask FULL cannot "
                            + "withhold it; grant it in clear, leave it out, or make it a nullable field");
                }
            }
            outFields.add(copyField(f, rule));
            positions.add(f.pos());
            outRules.add(rule);
            outNulled.add(nullOut);
            applied.put(f.name(), rule);
        }
        if (!problems.isEmpty()) {
            throw new PolicyException("Cannot plan the delivery of " + sourceSchema.getFullName() + " to '"
                    + consumer + "': " + String.join("; ", problems));
        }

        Schema delivery = Schema.createRecord(sourceSchema.getName() + DELIVERY_NAME_SUFFIX, sourceSchema.getDoc(),
                DELIVERY_NAMESPACE_PREFIX + consumer.replace('-', '_'), false, outFields);
        sourceSchema.getObjectProps().forEach(delivery::addProp);

        int n = outFields.size();
        int[] pos = new int[n];
        MaskRule[] rs = new MaskRule[n];
        boolean[] nl = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = positions.get(i);
            rs[i] = outRules.get(i);
            nl[i] = outNulled.get(i);
        }
        return new DeliveryPlan(sourceSchema, delivery, pos, rs, nl, Collections.unmodifiableMap(applied));
    }

    /**
     * Projects and masks one record of the source schema.
     *
     * @throws PolicyException when the record is not of the source schema this plan was built for
     */
    public GenericRecord apply(GenericRecord source) {
        Schema actual = source.getSchema();
        if (actual != sourceSchema && actual != lastEqualSchema) {
            if (!sourceSchema.equals(actual)) {
                throw new PolicyException("Record of schema " + actual.getFullName() + " does not match the schema "
                        + "this delivery plan was built for; build a plan for the record's schema");
            }
            lastEqualSchema = actual;
        }
        GenericData.Record out = new GenericData.Record(deliverySchema);
        for (int i = 0; i < sourcePositions.length; i++) {
            Object value = source.get(sourcePositions[i]);
            if (value != null) {
                if (nulled[i]) {
                    value = null;
                } else if (rules[i] != MaskRule.NONE) {
                    value = rules[i].apply((CharSequence) value);
                }
            }
            out.put(i, value);
        }
        return out;
    }

    /** The schema records are published with. */
    public Schema sourceSchema() {
        return sourceSchema;
    }

    /** The schema of delivered records: the granted fields only, named {@code <name>Delivery} in the consumer's namespace. */
    public Schema deliverySchema() {
        return deliverySchema;
    }

    /** The rule applied to each delivered field, in output order ({@link MaskRule#NONE} for fields in clear). */
    public Map<String, MaskRule> appliedMasks() {
        return appliedMasks;
    }

    /** Whether a schema (of a field) admits {@code null}. */
    static boolean isNullable(Schema schema) {
        if (schema.getType() == Schema.Type.NULL) {
            return true;
        }
        if (schema.getType() == Schema.Type.UNION) {
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() == Schema.Type.NULL) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The non-null branch of {@code ["null", T]}, or the schema itself. */
    static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            Schema only = null;
            for (Schema branch : schema.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    if (only != null) {
                        return schema;
                    }
                    only = branch;
                }
            }
            return only == null ? schema : only;
        }
        return schema;
    }

    private static boolean isString(Schema schema) {
        return nonNull(schema).getType() == Schema.Type.STRING;
    }

    private static Schema.Field copyField(Schema.Field f, MaskRule applied) {
        Schema.Field copy = new Schema.Field(f.name(), f.schema(), f.doc(),
                f.hasDefaultValue() ? f.defaultVal() : null, f.order());
        f.getObjectProps().forEach((k, v) -> {
            if (!MaskRule.PROPERTY.equals(k)) {
                copy.addProp(k, v);
            }
        });
        copy.addProp(MaskRule.PROPERTY, applied.name());
        for (String alias : f.aliases()) {
            copy.addAlias(alias);
        }
        return copy;
    }
}
