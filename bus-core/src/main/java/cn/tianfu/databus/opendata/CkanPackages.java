package cn.tianfu.databus.opendata;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;

/**
 * An open resource as a CKAN package (dataset) dictionary, with CKAN's field names: {@code id}, {@code name},
 * {@code title}, {@code notes}, {@code organization} and {@code owner_org}, {@code tags}, {@code resources} (a CSV
 * and a JSON download of the open fields), {@code metadata_created}, {@code metadata_modified}, {@code extras}.
 * The package's id and name are the resource code; the organization is the providing department.
 */
public final class CkanPackages {

    /** Download formats of every open resource: CKAN format name, file suffix, media type. */
    public enum Format {
        CSV("csv", "text/csv"),
        JSON("json", "application/json");

        private final String suffix;
        private final String mediaType;

        Format(String suffix, String mediaType) {
            this.suffix = suffix;
            this.mediaType = mediaType;
        }

        public String suffix() {
            return suffix;
        }

        public String mediaType() {
            return mediaType;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private CkanPackages() {
    }

    /** The download path of an open resource in a format, below the bus's HTTP root: {@code /open/<code>.<suffix>}. */
    public static String downloadPath(String code, Format format) {
        return "/open/" + code + "." + format.suffix();
    }

    /** The CKAN resource id of an open resource's download in a format: {@code <code>-<suffix>}. */
    public static String resourceId(String code, Format format) {
        return code + "-" + format.suffix();
    }

    /** The Chinese label of a category (基础, 主题, 部门), used as a tag and a DCAT theme label. */
    public static String categoryLabel(Category c) {
        return switch (c) {
            case BASIC -> "基础";
            case THEMATIC -> "主题";
            case DEPARTMENTAL -> "部门";
        };
    }

    /**
     * The package dictionary of an open entry.
     *
     * @param orgTitle the providing department's name (its id when unknown)
     * @param baseUrl  the bus's HTTP root, e.g. {@code http://127.0.0.1:8080}, for the resources' URLs
     */
    public static ObjectNode toPackage(CatalogEntry e, String orgTitle, String baseUrl) {
        ObjectNode p = JSON.createObjectNode();
        p.put("id", e.getCode());
        p.put("name", e.getCode().toLowerCase(java.util.Locale.ROOT));
        p.put("title", e.getName());
        p.put("notes", e.getSummary());
        p.put("type", "dataset");
        p.put("state", "active");
        p.put("private", false);
        p.put("isopen", true);
        p.put("license_id", "notspecified");
        p.put("license_title", e.getOpenConditions() == null ? "无条件开放" : "有条件开放");
        p.put("author", orgTitle);
        p.put("maintainer", orgTitle);
        p.put("version", Integer.toString(e.getCatalogVersion()));
        p.put("metadata_created", ckanTime(e.getConfidentialityReview() == null ? e.getLastChanged()
                : e.getConfidentialityReview().getReviewedAt()));
        p.put("metadata_modified", ckanTime(e.getLastChanged()));
        p.set("organization", organization(e.getProvider(), orgTitle));
        p.put("owner_org", e.getProvider());
        ArrayNode tags = p.putArray("tags");
        for (String t : tags(e)) {
            ObjectNode tag = tags.addObject();
            tag.put("id", t);
            tag.put("name", t);
            tag.put("display_name", t);
            tag.put("state", "active");
        }
        p.put("num_tags", tags.size());
        ArrayNode resources = p.putArray("resources");
        int position = 0;
        for (Format f : Format.values()) {
            resources.add(resource(e, f, baseUrl, position++));
        }
        p.put("num_resources", resources.size());
        ArrayNode extras = p.putArray("extras");
        extra(extras, "resource_code", e.getCode());
        extra(extras, "classification", e.getClassification());
        extra(extras, "category", e.getCategory().name());
        extra(extras, "update_frequency", e.getUpdateFrequency().name());
        extra(extras, "publish_date", e.getPublishDate().toString());
        extra(extras, "format", e.getFormat());
        if (e.getOpenConditions() != null) {
            extra(extras, "open_conditions", e.getOpenConditions());
        }
        extra(extras, "open_fields", String.join(",", e.getOpenFields()));
        return p;
    }

    /** A package's resource (one download format). */
    public static ObjectNode resource(CatalogEntry e, Format f, String baseUrl, int position) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", resourceId(e.getCode(), f));
        r.put("package_id", e.getCode());
        r.put("name", e.getName() + " (" + f.name() + ")");
        r.put("description", "开放信息项: " + String.join(", ", openItemNames(e)));
        r.put("format", f.name());
        r.put("mimetype", f.mediaType());
        r.put("url", baseUrl + downloadPath(e.getCode(), f));
        r.put("url_type", (String) null);
        r.put("state", "active");
        r.put("position", position);
        r.put("last_modified", ckanTime(e.getLastChanged()));
        return r;
    }

    /** The organization dictionary of a department. */
    public static ObjectNode organization(String dept, String title) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", dept);
        o.put("name", dept);
        o.put("title", title);
        o.put("display_name", title);
        o.put("type", "organization");
        o.put("state", "active");
        o.put("is_organization", true);
        return o;
    }

    /** The tags of an entry: its category label and the catalogued names of its open items. */
    public static List<String> tags(CatalogEntry e) {
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add(categoryLabel(e.getCategory()));
        for (String n : openItemNames(e)) {
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<String> openItemNames(CatalogEntry e) {
        List<String> open = e.getOpenFields() == null ? List.of() : e.getOpenFields();
        return e.getDataItems().stream().filter(i -> open.contains(i.getName())).map(DataItem::getDisplayName).toList();
    }

    private static void extra(ArrayNode extras, String key, String value) {
        ObjectNode x = extras.addObject();
        x.put("key", key);
        x.put("value", value);
    }

    /** CKAN's timestamp form: ISO local date-time in UTC without offset, e.g. {@code 2026-12-20T08:00:00.000000}. */
    public static String ckanTime(Instant t) {
        LocalDateTime local = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        return String.format("%04d-%02d-%02dT%02d:%02d:%02d.%06d", local.getYear(), local.getMonthValue(),
                local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond(), local.getNano() / 1000);
    }
}
