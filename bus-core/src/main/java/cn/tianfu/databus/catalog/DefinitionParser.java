package cn.tianfu.databus.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import cn.tianfu.databus.config.YamlLines;
import cn.tianfu.databus.catalog.ResourceDefinition.Item;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.contract.Topics;

/**
 * Reads one resource definition file into a {@link ResourceDefinition}, collecting every problem with its line.
 * Lines come from a first streaming pass over the YAML that records the line of every JSON-pointer path.
 */
final class DefinitionParser {

    static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern CLASSIFICATION = Pattern.compile("[1-3][0-9]{0,11}");
    static final Pattern SEQUENCE = Pattern.compile("[0-9]{1,10}");

    private static final Set<String> TOP_KEYS = Set.of("code", "classification", "name", "category", "provider", "providerCode",
            "summary", "format", "recordName", "sharing", "open", "updateFrequency", "publishDate", "relatedResources",
            "usageRequirements", "items", "schema");
    private static final Set<String> SHARING_KEYS = Set.of("class", "conditions", "method", "reasonNotShared");
    private static final Set<String> OPEN_KEYS = Set.of("enabled", "conditions", "fields", "review");
    private static final Set<String> ITEM_KEYS = Set.of("name", "displayName", "type", "precision", "scale", "description",
            "sensitivity", "mask", "key");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final String source;
    private final Path baseDir;
    private YamlLines lines = YamlLines.none();
    private final List<Problem> problems = new ArrayList<>();

    DefinitionParser(String source, Path baseDir) {
        this.source = source;
        this.baseDir = baseDir;
    }

    ResourceDefinition parse(String yaml) {
        JsonNode root;
        try {
            lines = YamlLines.of(yaml);
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ResourceDefinitionException(source, List.of(new Problem(at == null ? 0 : at.getLineNr(), "",
                    "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new ResourceDefinitionException(source, List.of(new Problem(0, "", "cannot read the YAML: " + e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            throw new ResourceDefinitionException(source, List.of(new Problem(1, "",
                    "a resource definition is a YAML mapping (code: ..., name: ..., items: [...]); this file is not")));
        }
        ResourceDefinition definition = read(root);
        if (!problems.isEmpty()) {
            List<Problem> sorted = new ArrayList<>(problems);
            sorted.sort((a, b) -> Integer.compare(a.line(), b.line()));
            throw new ResourceDefinitionException(source, sorted);
        }
        return definition;
    }

    private ResourceDefinition read(JsonNode root) {
        unknownKeys(root, "", "", TOP_KEYS);
        String code = text(root, "", "code", true);
        String classification = text(root, "", "classification", true);
        String name = text(root, "", "name", true);
        Category category = enumValue(root, "", "category", Category.class, true);
        String provider = text(root, "", "provider", true);
        String providerCode = text(root, "", "providerCode", true);
        String summary = text(root, "", "summary", true);
        String format = text(root, "", "format", true);
        String recordName = text(root, "", "recordName", false);
        UpdateFrequency frequency = enumValue(root, "", "updateFrequency", UpdateFrequency.class, true);
        LocalDate publishDate = date(root, "", "publishDate");
        String usage = text(root, "", "usageRequirements", false);

        checkCodes(code, classification, category);
        if (provider != null && !Topics.DEPARTMENT_ID.matcher(provider).matches()) {
            problem("/provider", "provider", "'" + provider + "' is not a department id: use 2-32 characters, lower-case letters, "
                    + "digits and '-', starting with a letter (the <dept> of src.<dept>.<resource>)");
        }
        if (providerCode != null && !ProviderCodes.isValid(providerCode)) {
            problem("/providerCode", "providerCode", "'" + providerCode + "' is neither a unified social credit code (18 characters, "
                    + "GB 32100, valid check character) nor an organisation code (9 characters)");
        }
        if (recordName != null && !AVRO_NAME.matcher(recordName).matches()) {
            problem("/recordName", "recordName", "'" + recordName + "' is not a valid Avro name: letters, digits and '_', not starting with a digit");
        }

        JsonNode sharing = object(root, "", "sharing", true);
        SharingClass sharingClass = null;
        SharingMethod method = null;
        String conditions = null;
        String reasonNotShared = null;
        if (sharing != null) {
            unknownKeys(sharing, "/sharing", "sharing.", SHARING_KEYS);
            sharingClass = enumValue(sharing, "/sharing", "class", SharingClass.class, true);
            method = enumValue(sharing, "/sharing", "method", SharingMethod.class, true);
            conditions = text(sharing, "/sharing", "conditions", false);
            reasonNotShared = text(sharing, "/sharing", "reasonNotShared", false);
            if (sharingClass == SharingClass.CONDITIONAL && conditions == null) {
                problem("/sharing/class", "sharing.conditions", "required when sharing.class is CONDITIONAL: state the conditions "
                        + "a requesting department must meet (Art. 26)");
            }
            if (sharingClass == SharingClass.NOT_SHARED && reasonNotShared == null) {
                problem("/sharing/class", "sharing.reasonNotShared", "required when sharing.class is NOT_SHARED: state why, "
                        + "citing the law or regulation (Art. 26)");
            }
        }
        boolean open = false;
        String openConditions = null;
        List<String> openFields = null;
        String review = null;
        JsonNode openNode = object(root, "", "open", false);
        if (openNode != null) {
            unknownKeys(openNode, "/open", "open.", OPEN_KEYS);
            open = bool(openNode, "/open", "enabled");
            openConditions = text(openNode, "/open", "conditions", false);
            if (openNode.has("fields")) {
                openFields = stringList(openNode, "/open", "fields");
            }
            review = text(openNode, "/open", "review", false);
            if (open && review == null) {
                problem("/open/enabled", "open.review", "required when open.enabled is true: state the provider's confidentiality"
                        + " review (保密审查, Art. 40) of what is opened");
            }
        }
        List<String> related = stringList(root, "", "relatedResources");
        for (int i = 0; i < related.size(); i++) {
            String r = related.get(i);
            if (!codeLooksValid(r)) {
                problem("/relatedResources/" + i, "relatedResources[" + i + "]", "'" + r
                        + "' is not a resource code (<classification>-<sequence>, e.g. 101-000001)");
            }
        }

        String schemaRef = text(root, "", "schema", false);
        List<Item> items = items(root, schemaRef == null);
        String schemaJson = null;
        if (schemaRef != null) {
            Schema schema = referencedSchema(schemaRef);
            if (schema != null) {
                items = matchSchema(schema, items);
                schemaJson = schema.toString();
            }
        }
        if (problems.isEmpty() && items.stream().noneMatch(Item::key)) {
            problem("/items", "items", "no key item: mark the item(s) identifying a record with 'key: true'");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new ResourceDefinition(code, classification, name, category, provider, providerCode, summary, format, sharingClass,
                Optional.ofNullable(conditions), method, open, Optional.ofNullable(openConditions),
                Optional.ofNullable(openFields), Optional.ofNullable(review), frequency, publishDate, related,
                Optional.ofNullable(usage), Optional.ofNullable(reasonNotShared), Optional.ofNullable(recordName), items,
                Optional.ofNullable(schemaJson), source);
    }

    private void checkCodes(String code, String classification, Category category) {
        if (classification != null && !CLASSIFICATION.matcher(classification).matches()) {
            problem("/classification", "classification", "'" + classification + "' is not a classification code: 1-12 digits, "
                    + "the first being the class (1 basic, 2 thematic, 3 departmental)");
        } else if (classification != null && category != null && classification.charAt(0) != classDigit(category)) {
            problem("/classification", "classification", "'" + classification + "' starts with class " + classification.charAt(0)
                    + " but category is " + category + " (class " + classDigit(category) + ")");
        }
        if (code == null) {
            return;
        }
        if (!Topics.RESOURCE_CODE.matcher(code).matches()) {
            problem("/code", "code", "'" + code + "' cannot name a topic: use 1-100 letters, digits, '-' and '_'");
        } else if (!codeLooksValid(code)) {
            problem("/code", "code", "'" + code + "' is not <classification>-<sequence> (e.g. 101-000001)");
        } else if (classification != null && !code.startsWith(classification + "-")) {
            problem("/code", "code", "'" + code + "' does not start with its classification code '" + classification + "-'");
        }
    }

    private static boolean codeLooksValid(String code) {
        int dash = code.lastIndexOf('-');
        return dash > 0 && CLASSIFICATION.matcher(code.substring(0, dash)).matches()
                && SEQUENCE.matcher(code.substring(dash + 1)).matches();
    }

    private static char classDigit(Category category) {
        return switch (category) {
            case BASIC -> '1';
            case THEMATIC -> '2';
            case DEPARTMENTAL -> '3';
        };
    }

    private List<Item> items(JsonNode root, boolean typesRequired) {
        JsonNode items = root.get("items");
        if (items == null || items.isNull()) {
            problem("", "items", "missing: list the data items (name, displayName, type, sensitivity, ...)");
            return List.of();
        }
        if (!items.isArray() || items.isEmpty()) {
            problem("/items", "items", "must be a non-empty list of data items");
            return List.of();
        }
        List<Item> result = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String ptr = "/items/" + i;
            String path = "items[" + i + "].";
            JsonNode node = items.get(i);
            if (!node.isObject()) {
                problem(ptr, "items[" + i + "]", "must be a mapping (name: ..., type: ...)");
                continue;
            }
            unknownKeys(node, ptr, path, ITEM_KEYS);
            String name = text(node, ptr, "name", true);
            String displayName = text(node, ptr, "displayName", true);
            FieldType type = enumValue(node, ptr, "type", FieldType.class, typesRequired);
            Integer precision = integer(node, ptr, "precision");
            Integer scale = integer(node, ptr, "scale");
            String description = text(node, ptr, "description", false);
            Sensitivity sensitivity = enumValue(node, ptr, "sensitivity", Sensitivity.class, true);
            MaskKind mask = enumValue(node, ptr, "mask", MaskKind.class, false);
            boolean key = bool(node, ptr, "key");
            if (name != null) {
                if (!AVRO_NAME.matcher(name).matches()) {
                    problem(ptr + "/name", path + "name", "'" + name + "' is not a valid Avro field name: ASCII letters, digits "
                            + "and '_', not starting with a digit (put the Chinese name in displayName)");
                }
                Integer earlier = seen.putIfAbsent(name, i);
                if (earlier != null) {
                    problem(ptr + "/name", path + "name", "'" + name + "' is already the name of items[" + earlier + "]; field names must be unique");
                }
            }
            if (type == FieldType.DECIMAL && typesRequired) {
                if (precision == null || scale == null) {
                    problem(ptr + "/type", path + "precision", "a DECIMAL item needs precision and scale (e.g. precision: 18, scale: 2)");
                } else if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
                    problem(ptr + "/precision", path + "precision", "precision " + precision + ", scale " + scale
                            + " is not valid: 1 <= precision <= 38 and 0 <= scale <= precision");
                }
            } else if (type != null && (precision != null || scale != null)) {
                problem(ptr + (precision != null ? "/precision" : "/scale"), path + (precision != null ? "precision" : "scale"),
                        "only DECIMAL items have precision and scale; this item is " + type);
            }
            if (sensitivity == Sensitivity.PERSONAL && (mask == null || mask == MaskKind.NONE)) {
                problem(ptr + (mask == null ? "/sensitivity" : "/mask"), path + "mask", "a PERSONAL item needs a mask kind other than NONE: "
                        + "one of ID_NUMBER, PHONE, NAME, FULL");
            }
            result.add(new Item(name, displayName, type, precision == null ? 0 : precision, scale == null ? 0 : scale,
                    Optional.ofNullable(description), sensitivity, mask == null ? MaskKind.NONE : mask, key));
        }
        return result;
    }

    private Schema referencedSchema(String ref) {
        Path file = baseDir.resolve(ref).normalize();
        if (!Files.isRegularFile(file)) {
            problem("/schema", "schema", "schema file " + file + " does not exist; give a path relative to the definition file");
            return null;
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | SchemaParseException e) {
            problem("/schema", "schema", "schema file " + file + " is not a valid Avro schema: " + e.getMessage());
            return null;
        }
        if (schema.getType() != Schema.Type.RECORD) {
            problem("/schema", "schema", "schema file " + file + " holds a " + schema.getType() + ", not a record");
            return null;
        }
        return schema;
    }

    /** Types from the .avsc, everything else from the YAML; every field listed exactly once. */
    private List<Item> matchSchema(Schema schema, List<Item> items) {
        Map<String, Integer> listed = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).name() != null) {
                listed.putIfAbsent(items.get(i).name(), i);
            }
        }
        Set<String> fields = schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toCollection(LinkedHashSet::new));
        for (String f : fields) {
            if (!listed.containsKey(f)) {
                problem("/items", "items", "field '" + f + "' of the schema file is not listed; add an item for it (displayName, sensitivity)");
            }
        }
        List<Item> result = new ArrayList<>();
        for (Map.Entry<String, Integer> e : listed.entrySet()) {
            int i = e.getValue();
            Item item = items.get(i);
            String ptr = "/items/" + i;
            Schema.Field field = schema.getField(e.getKey());
            if (field == null) {
                problem(ptr + "/name", "items[" + i + "].name", "'" + e.getKey() + "' is not a field of the schema file; its fields are " + fields);
                continue;
            }
            boolean nullable = field.schema().isNullable();
            Schema plain = nonNull(field.schema());
            FieldType type = plain == null ? null : fieldType(plain);
            if (type == null) {
                problem(ptr + "/name", "items[" + i + "].name", "field '" + field.name() + "' has type " + field.schema()
                        + ", which the bus does not support; use string, int, long, double, boolean, decimal bytes, date or "
                        + "timestamp-millis, optionally as [\"null\", type]");
                continue;
            }
            if (item.type() != null && item.type() != type) {
                problem(ptr + "/type", "items[" + i + "].type", "the item says " + item.type() + " but the schema file's field is " + type);
            }
            if (item.key() && nullable) {
                problem(ptr + "/key", "items[" + i + "].key", "key field '" + field.name() + "' is nullable in the schema file; a key must always be present");
            }
            int precision = 0;
            int scale = 0;
            if (plain.getLogicalType() instanceof LogicalTypes.Decimal d) {
                precision = d.getPrecision();
                scale = d.getScale();
            }
            if ((item.precision() != 0 && item.precision() != precision) || (item.scale() != 0 && item.scale() != scale)) {
                problem(ptr + "/precision", "items[" + i + "].precision", "the item says precision " + item.precision() + ", scale "
                        + item.scale() + " but the schema file's field has " + precision + ", " + scale + "; drop them from the item");
            }
            result.add(new Item(item.name(), item.displayName(), type, precision, scale, item.description(), item.sensitivity(),
                    item.mask(), item.key()));
        }
        // keep the schema's field order
        result.sort((a, b) -> Integer.compare(schema.getField(a.name()).pos(), schema.getField(b.name()).pos()));
        return result;
    }

    private static Schema nonNull(Schema s) {
        if (!s.isUnion()) {
            return s;
        }
        List<Schema> types = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
        return types.size() == 1 && s.getTypes().size() == 2 ? types.get(0) : null;
    }

    static FieldType fieldType(Schema s) {
        LogicalType logical = s.getLogicalType();
        return switch (s.getType()) {
            case STRING -> logical == null ? FieldType.STRING : null;
            case INT -> logical == null ? FieldType.INT : logical instanceof LogicalTypes.Date ? FieldType.DATE : null;
            case LONG -> logical == null ? FieldType.LONG : logical instanceof LogicalTypes.TimestampMillis ? FieldType.TIMESTAMP : null;
            case DOUBLE -> FieldType.DOUBLE;
            case BOOLEAN -> FieldType.BOOLEAN;
            case BYTES -> logical instanceof LogicalTypes.Decimal ? FieldType.DECIMAL : null;
            default -> null;
        };
    }

    // ---- node access, each recording a problem instead of failing ----

    private String text(JsonNode parent, String parentPtr, String key, boolean required) {
        JsonNode v = parent.get(key);
        String ptr = parentPtr + "/" + key;
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                problem(v == null ? parentPtr : ptr, display(ptr), "missing: this field is required");
            }
            return null;
        }
        if (!v.isValueNode()) {
            problem(ptr, display(ptr), "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
            return null;
        }
        return v.asText().strip();
    }

    private <E extends Enum<E>> E enumValue(JsonNode parent, String parentPtr, String key, Class<E> type, boolean required) {
        String s = text(parent, parentPtr, key, required);
        if (s == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, s);
        } catch (IllegalArgumentException e) {
            String ptr = parentPtr + "/" + key;
            problem(ptr, display(ptr), "'" + s + "' is not one of " + Arrays.toString(type.getEnumConstants()));
            return null;
        }
    }

    private Integer integer(JsonNode parent, String parentPtr, String key) {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            String ptr = parentPtr + "/" + key;
            problem(ptr, display(ptr), "'" + v.asText() + "' is not a whole number");
            return null;
        }
        return v.intValue();
    }

    private boolean bool(JsonNode parent, String parentPtr, String key) {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            String ptr = parentPtr + "/" + key;
            problem(ptr, display(ptr), "'" + v.asText() + "' is not true or false");
            return false;
        }
        return v.booleanValue();
    }

    private LocalDate date(JsonNode parent, String parentPtr, String key) {
        String s = text(parent, parentPtr, key, true);
        if (s == null) {
            return null;
        }
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            String ptr = parentPtr + "/" + key;
            problem(ptr, display(ptr), "'" + s + "' is not a date; write yyyy-MM-dd");
            return null;
        }
    }

    private JsonNode object(JsonNode parent, String parentPtr, String key, boolean required) {
        JsonNode v = parent.get(key);
        String ptr = parentPtr + "/" + key;
        if (v == null || v.isNull()) {
            if (required) {
                problem(v == null ? parentPtr : ptr, display(ptr), "missing: this section is required");
            }
            return null;
        }
        if (!v.isObject()) {
            problem(ptr, display(ptr), "must be a mapping of keys");
            return null;
        }
        return v;
    }

    private List<String> stringList(JsonNode parent, String parentPtr, String key) {
        JsonNode v = parent.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        String ptr = parentPtr + "/" + key;
        if (!v.isArray()) {
            problem(ptr, display(ptr), "must be a list");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode() || v.get(i).isNull()) {
                problem(ptr + "/" + i, display(ptr + "/" + i), "must be a single value");
            } else {
                out.add(v.get(i).asText());
            }
        }
        return out;
    }

    private void unknownKeys(JsonNode node, String ptr, String pathPrefix, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                problem(ptr + "/" + k, pathPrefix + k, "unknown key; known keys here are " + known.stream().sorted().toList());
            }
        }
    }

    private void problem(String pointer, String path, String message) {
        problems.add(new Problem(line(pointer), path, message));
    }

    private int line(String pointer) {
        return lines.line(pointer);
    }

    static String display(String pointer) {
        return YamlLines.display(pointer);
    }

}
