package cn.tianfu.databus.catalog;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import cn.tianfu.databus.catalog.ResourceDefinition.Item;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;

/**
 * The catalog in the national core-metadata layout (政务信息资源目录核心元数据): one row per resource, the catalog
 * entry's fields under their Chinese column names, enumerations by their Chinese names; the layout of
 * {@code databus catalog export} (the city-wide aggregate, Art. 32) and of the spreadsheets departments keep, which
 * {@code databus catalog import} reads back ({@link #parse}), every problem named by its row and column.
 *
 * <p>The 信息项信息 cell lists the data items, one per line: {@code name|displayName|TYPE|SENSITIVITY|MASK|key|description}
 * (TYPE {@code DECIMAL(p,s)} for decimals, the key flag {@code 主键} or empty, the description optional), e.g.
 * {@code creditCode|统一社会信用代码|STRING|PUBLIC|NONE|主键|18 位统一社会信用代码}.
 */
public final class CoreMetadata {

    public static final String CODE = "信息资源代码";
    public static final String CLASSIFICATION = "信息资源分类";
    public static final String NAME = "信息资源名称";
    public static final String CATEGORY = "资源属性分类";
    public static final String PROVIDER = "信息资源提供方";
    public static final String PROVIDER_CODE = "提供方代码";
    public static final String SUMMARY = "信息资源摘要";
    public static final String FORMAT = "信息资源格式";
    public static final String ITEMS = "信息项信息";
    public static final String SHARING_CLASS = "共享属性";
    public static final String SHARING_CONDITIONS = "共享条件";
    public static final String SHARING_METHOD = "共享方式";
    public static final String NOT_SHARED_REASON = "不予共享理由";
    public static final String OPEN = "是否向社会开放";
    public static final String OPEN_CONDITIONS = "开放条件";
    public static final String OPEN_FIELDS = "开放信息项";
    public static final String REVIEW = "保密审查意见";
    public static final String FREQUENCY = "更新周期";
    public static final String PUBLISH_DATE = "发布日期";
    public static final String RELATED = "关联资源代码";
    public static final String USAGE = "使用要求";
    public static final String STATUS = "状态";
    public static final String VERSION = "目录版本";

    /** The columns, in order; the last two are informative only (ignored on import). */
    public static final List<String> COLUMNS = List.of(CODE, CLASSIFICATION, NAME, CATEGORY, PROVIDER, PROVIDER_CODE,
            SUMMARY, FORMAT, ITEMS, SHARING_CLASS, SHARING_CONDITIONS, SHARING_METHOD, NOT_SHARED_REASON, OPEN,
            OPEN_CONDITIONS, OPEN_FIELDS, REVIEW, FREQUENCY, PUBLISH_DATE, RELATED, USAGE, STATUS, VERSION);

    private static final Map<Category, String> CATEGORIES = Map.of(Category.BASIC, "基础", Category.THEMATIC, "主题",
            Category.DEPARTMENTAL, "部门");
    private static final Map<SharingClass, String> CLASSES = Map.of(SharingClass.UNCONDITIONAL, "无条件共享",
            SharingClass.CONDITIONAL, "有条件共享", SharingClass.NOT_SHARED, "不予共享");
    private static final Map<SharingMethod, String> METHODS = Map.of(SharingMethod.PUSH, "推送",
            SharingMethod.SERVICE, "服务接口", SharingMethod.BOTH, "推送和服务接口");
    private static final Map<UpdateFrequency, String> FREQUENCIES = Map.of(UpdateFrequency.REAL_TIME, "实时",
            UpdateFrequency.DAILY, "每日", UpdateFrequency.WEEKLY, "每周", UpdateFrequency.MONTHLY, "每月",
            UpdateFrequency.QUARTERLY, "每季度", UpdateFrequency.YEARLY, "每年", UpdateFrequency.IRREGULAR, "不定期");
    private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+),(\\d+)\\)");
    private static final String KEY = "主键";

    private CoreMetadata() {
    }

    /** A problem of an imported row: its spreadsheet row (1-based, the header being row 1) and column. */
    public record Problem(int row, String column, String message) {
        @Override
        public String toString() {
            return "row " + row + (column == null ? "" : ", column " + column) + ": " + message;
        }
    }

    /** One row as read: its spreadsheet row number and its cells by column name (missing or blank cells absent). */
    public record Row(int number, Map<String, String> cells) {
    }

    /** What an import read: the definitions (with their rows) and every problem. */
    public record Parsed(List<Map.Entry<Integer, ResourceDefinition>> definitions, List<Problem> problems) {
    }

    /** The row of an entry, one cell per column of {@link #COLUMNS}. */
    public static List<String> row(CatalogEntry e) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(CODE, e.getCode());
        c.put(CLASSIFICATION, e.getClassification());
        c.put(NAME, e.getName());
        c.put(CATEGORY, CATEGORIES.get(e.getCategory()));
        c.put(PROVIDER, e.getProvider());
        c.put(PROVIDER_CODE, e.getProviderCode());
        c.put(SUMMARY, e.getSummary());
        c.put(FORMAT, e.getFormat());
        c.put(ITEMS, items(e.getDataItems()));
        c.put(SHARING_CLASS, CLASSES.get(e.getSharingClass()));
        c.put(SHARING_CONDITIONS, e.getSharingConditions());
        c.put(SHARING_METHOD, METHODS.get(e.getSharingMethod()));
        c.put(NOT_SHARED_REASON, e.getReasonNotShared());
        c.put(OPEN, e.getOpen() ? "是" : "否");
        c.put(OPEN_CONDITIONS, e.getOpenConditions());
        c.put(OPEN_FIELDS, e.getOpenFields() == null ? null : String.join(",", e.getOpenFields()));
        c.put(REVIEW, e.getConfidentialityReview() == null ? null : e.getConfidentialityReview().getStatement());
        c.put(FREQUENCY, FREQUENCIES.get(e.getUpdateFrequency()));
        c.put(PUBLISH_DATE, e.getPublishDate().toString());
        c.put(RELATED, String.join(",", e.getRelatedResources()));
        c.put(USAGE, e.getUsageRequirements());
        c.put(STATUS, e.getStatus().name() + (e.getRetiredReason() == null ? "" : ": " + e.getRetiredReason()));
        c.put(VERSION, Integer.toString(e.getCatalogVersion()));
        return COLUMNS.stream().map(k -> c.get(k) == null ? "" : c.get(k)).toList();
    }

    /** The 信息项信息 cell of data items. */
    public static String items(List<DataItem> items) {
        List<String> lines = new ArrayList<>();
        for (DataItem i : items) {
            String type = i.getType() == FieldType.DECIMAL ? "DECIMAL(" + i.getPrecision() + "," + i.getScale() + ")" : i.getType().name();
            lines.add(String.join("|", i.getName(), i.getDisplayName(), type, i.getSensitivity().name(), i.getMask().name(),
                    i.getKey() ? KEY : "", i.getDescription() == null ? "" : i.getDescription().replace('\n', ' ')));
        }
        return String.join("\n", lines);
    }

    /**
     * Reads rows into definitions provided by {@code department}: every problem of every row, each with its row and
     * column; a row with problems gives no definition. A blank provider cell means {@code department}.
     */
    public static Parsed parse(List<Row> rows, String department) {
        List<Problem> problems = new ArrayList<>();
        List<Map.Entry<Integer, ResourceDefinition>> defs = new ArrayList<>();
        for (Row row : rows) {
            RowReader r = new RowReader(row, problems);
            ResourceDefinition d = r.read(department);
            if (d != null) {
                defs.add(Map.entry(row.number(), d));
            }
        }
        return new Parsed(defs, problems);
    }

    private static final class RowReader {
        private final Row row;
        private final List<Problem> problems;
        private final int before;

        RowReader(Row row, List<Problem> problems) {
            this.row = row;
            this.problems = problems;
            this.before = problems.size();
        }

        private void problem(String column, String message) {
            problems.add(new Problem(row.number(), column, message));
        }

        private String text(String column, boolean required) {
            String v = row.cells().get(column);
            if (v == null || v.isBlank()) {
                if (required) {
                    problem(column, "required");
                }
                return null;
            }
            return v.trim();
        }

        private <E extends Enum<E>> E choice(String column, Map<E, String> names, Class<E> type, boolean required) {
            String v = text(column, required);
            if (v == null) {
                return null;
            }
            for (Map.Entry<E, String> e : names.entrySet()) {
                if (e.getValue().equals(v) || e.getKey().name().equalsIgnoreCase(v)) {
                    return e.getKey();
                }
            }
            problem(column, "'" + v + "' is not one of " + names.values().stream().sorted().toList());
            return null;
        }

        ResourceDefinition read(String department) {
            String code = text(CODE, true);
            String classification = text(CLASSIFICATION, true);
            String name = text(NAME, true);
            Category category = choice(CATEGORY, CATEGORIES, Category.class, true);
            String provider = text(PROVIDER, false);
            if (provider != null && !provider.equals(department)) {
                problem(PROVIDER, "the row is provided by '" + provider + "', not by " + department
                        + ": a department imports only the resources it provides (one data, one source, Art. 17)");
            }
            String providerCode = text(PROVIDER_CODE, true);
            if (providerCode != null && !ProviderCodes.isValid(providerCode)) {
                problem(PROVIDER_CODE, "'" + providerCode + "' is neither a unified social credit code nor an organisation code");
            }
            String summary = text(SUMMARY, true);
            String format = text(FORMAT, true);
            if (code != null && !Topics.RESOURCE_CODE.matcher(code).matches()) {
                problem(CODE, "'" + code + "' is not a resource code (e.g. 10101-000001)");
            }
            if (classification != null && !DefinitionParser.CLASSIFICATION.matcher(classification).matches()) {
                problem(CLASSIFICATION, "'" + classification + "' is not a classification code (1-12 digits, the first 1-3)");
            }
            SharingClass sharing = choice(SHARING_CLASS, CLASSES, SharingClass.class, true);
            String conditions = text(SHARING_CONDITIONS, false);
            SharingMethod method = choice(SHARING_METHOD, METHODS, SharingMethod.class, true);
            String reason = text(NOT_SHARED_REASON, false);
            if (sharing == SharingClass.CONDITIONAL && conditions == null) {
                problem(SHARING_CONDITIONS, "required for 有条件共享 (Art. 26)");
            }
            if (sharing == SharingClass.NOT_SHARED && reason == null) {
                problem(NOT_SHARED_REASON, "required for 不予共享 (Art. 26)");
            }
            String openText = text(OPEN, true);
            boolean open = false;
            if (openText != null) {
                if (openText.equals("是") || openText.equalsIgnoreCase("true") || openText.equalsIgnoreCase("yes")) {
                    open = true;
                } else if (!openText.equals("否") && !openText.equalsIgnoreCase("false") && !openText.equalsIgnoreCase("no")) {
                    problem(OPEN, "'" + openText + "' is neither 是 nor 否");
                }
            }
            String openConditions = text(OPEN_CONDITIONS, false);
            String openFieldsText = text(OPEN_FIELDS, false);
            List<String> openFields = openFieldsText == null ? null : split(openFieldsText);
            String review = text(REVIEW, false);
            if (open && review == null) {
                problem(REVIEW, "required when the resource is opened: the confidentiality review (保密审查, Art. 40)");
            }
            UpdateFrequency frequency = choice(FREQUENCY, FREQUENCIES, UpdateFrequency.class, true);
            LocalDate published = null;
            String date = text(PUBLISH_DATE, true);
            if (date != null) {
                try {
                    published = LocalDate.parse(date.length() > 10 ? date.substring(0, 10) : date);
                } catch (DateTimeParseException e) {
                    problem(PUBLISH_DATE, "'" + date + "' is not a date (yyyy-MM-dd)");
                }
            }
            String relatedText = text(RELATED, false);
            List<String> related = relatedText == null ? List.of() : split(relatedText);
            String usage = text(USAGE, false);
            List<Item> items = items(text(ITEMS, true));
            if (problems.size() > before) {
                return null;
            }
            return new ResourceDefinition(code, classification, name, category, department, providerCode, summary, format,
                    sharing, Optional.ofNullable(conditions), method, open, Optional.ofNullable(openConditions),
                    Optional.ofNullable(openFields), Optional.ofNullable(review), frequency, published, related,
                    Optional.ofNullable(usage), Optional.ofNullable(reason), Optional.empty(), items, Optional.empty(),
                    "row " + row.number());
        }

        private List<Item> items(String cell) {
            List<Item> out = new ArrayList<>();
            if (cell == null) {
                return out;
            }
            int n = 0;
            for (String line : cell.split("\\r?\\n|；|;")) {
                if (line.isBlank()) {
                    continue;
                }
                n++;
                String[] p = Arrays.copyOf(line.trim().split("\\|", -1), 7);
                String where = "item " + n + " ('" + line.trim() + "'): ";
                if (p[0] == null || p[1] == null || p[2] == null || p[3] == null || p[4] == null) {
                    problem(ITEMS, where + "write name|displayName|TYPE|SENSITIVITY|MASK|主键|description");
                    continue;
                }
                String fieldName = p[0].trim();
                if (!DefinitionParser.AVRO_NAME.matcher(fieldName).matches()) {
                    problem(ITEMS, where + "'" + fieldName + "' is not an Avro field name");
                }
                FieldType type = null;
                int precision = 0;
                int scale = 0;
                Matcher dm = DECIMAL.matcher(p[2].trim().toUpperCase(Locale.ROOT));
                if (dm.matches()) {
                    type = FieldType.DECIMAL;
                    precision = Integer.parseInt(dm.group(1));
                    scale = Integer.parseInt(dm.group(2));
                } else {
                    type = enumOf(FieldType.class, p[2], where + "type", "DECIMAL(p,s)");
                    if (type == FieldType.DECIMAL) {
                        problem(ITEMS, where + "a DECIMAL needs its precision and scale: DECIMAL(18,2)");
                    }
                }
                Sensitivity sensitivity = enumOf(Sensitivity.class, p[3], where + "sensitivity", null);
                MaskKind mask = enumOf(MaskKind.class, p[4], where + "mask", null);
                if (sensitivity == Sensitivity.PERSONAL && mask == MaskKind.NONE) {
                    problem(ITEMS, where + "a PERSONAL item needs a mask other than NONE");
                }
                boolean key = p[5] != null && (p[5].trim().equals(KEY) || p[5].trim().equalsIgnoreCase("key"));
                String description = p[6] == null || p[6].isBlank() ? null : p[6].trim();
                out.add(new Item(fieldName, p[1].trim(), type, precision, scale, Optional.ofNullable(description),
                        sensitivity, mask, key));
            }
            if (out.isEmpty() && problems.size() == before) {
                problem(ITEMS, "no data item: list every item, one per line");
            } else if (out.stream().noneMatch(Item::key)) {
                problem(ITEMS, "no key item: mark the item(s) identifying a record with 主键");
            }
            return out;
        }

        private <E extends Enum<E>> E enumOf(Class<E> type, String value, String what, String also) {
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> known = new ArrayList<>(Arrays.stream(type.getEnumConstants()).map(Enum::name).toList());
                if (also != null) {
                    known.add(also);
                }
                problem(ITEMS, what + " '" + value.trim() + "' is not one of " + known);
                return null;
            }
        }
    }

    private static List<String> split(String text) {
        return Arrays.stream(text.split("[,，、\\s]+")).filter(s -> !s.isBlank()).toList();
    }
}
