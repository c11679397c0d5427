package cn.tianfu.databus.server.console.resources;

import java.time.LocalDate;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.server.console.ApiClient;

/**
 * A catalog entry as the API answers it ({@code GET /api/v1/catalog/{code}}, Avro JSON) written back as a resource
 * definition in the file layout {@code databus catalog register} reads, to prefill the update form. The catalog keeps
 * every part of the definition but the Avro record name ({@code recordName}) and a referenced {@code .avsc} (whose field
 * types it holds as the items' types), so a definition that named a record name must name it again: the YAML says so in
 * its first line.
 */
final class DefinitionYaml {

    private DefinitionYaml() {
    }

    /** The definition of {@code entry} as YAML. */
    static String of(JsonNode entry) {
        StringBuilder y = new StringBuilder();
        y.append("# recordName: the Avro record name, if the definition file named one (the catalog does not keep it)\n");
        line(y, "", "code", ApiClient.text(entry, "code"));
        line(y, "", "classification", ApiClient.text(entry, "classification"));
        line(y, "", "name", ApiClient.text(entry, "name"));
        plain(y, "", "category", ApiClient.text(entry, "category"));
        line(y, "", "provider", ApiClient.text(entry, "provider"));
        line(y, "", "providerCode", ApiClient.text(entry, "providerCode"));
        line(y, "", "summary", ApiClient.text(entry, "summary"));
        line(y, "", "format", ApiClient.text(entry, "format"));
        y.append("sharing:\n");
        plain(y, "  ", "class", ApiClient.text(entry, "sharingClass"));
        plain(y, "  ", "method", ApiClient.text(entry, "sharingMethod"));
        line(y, "  ", "conditions", ApiClient.text(entry, "sharingConditions"));
        line(y, "  ", "reasonNotShared", ApiClient.text(entry, "reasonNotShared"));
        boolean open = entry.path("open").asBoolean(false);
        String openConditions = ApiClient.text(entry, "openConditions");
        JsonNode openFields = union(entry.path("openFields"));
        String review = ApiClient.text(union(entry.path("confidentialityReview")), "statement");
        if (open || !openConditions.isEmpty() || openFields.isArray() || !review.isEmpty()) {
            y.append("open:\n");
            plain(y, "  ", "enabled", Boolean.toString(open));
            line(y, "  ", "conditions", openConditions);
            if (openFields.isArray()) {
                list(y, "  ", "fields", ApiClient.strings(entry, "openFields"));
            }
            line(y, "  ", "review", review);
        }
        plain(y, "", "updateFrequency", ApiClient.text(entry, "updateFrequency"));
        JsonNode published = union(entry.path("publishDate"));
        if (published.isNumber()) {
            plain(y, "", "publishDate", LocalDate.ofEpochDay(published.asLong()).toString());
        }
        List<String> related = ApiClient.strings(entry, "relatedResources");
        if (!related.isEmpty()) {
            list(y, "", "relatedResources", related);
        }
        line(y, "", "usageRequirements", ApiClient.text(entry, "usageRequirements"));
        y.append("items:\n");
        for (JsonNode item : entry.path("dataItems")) {
            y.append("  - name: ").append(quoted(ApiClient.text(item, "name"))).append('\n');
            line(y, "    ", "displayName", ApiClient.text(item, "displayName"));
            plain(y, "    ", "type", ApiClient.text(item, "type"));
            plain(y, "    ", "precision", ApiClient.text(item, "precision"));
            plain(y, "    ", "scale", ApiClient.text(item, "scale"));
            line(y, "    ", "description", ApiClient.text(item, "description"));
            plain(y, "    ", "sensitivity", ApiClient.text(item, "sensitivity"));
            String mask = ApiClient.text(item, "mask");
            if (!mask.equals("NONE")) {
                plain(y, "    ", "mask", mask);
            }
            if (item.path("key").asBoolean(false)) {
                plain(y, "    ", "key", "true");
            }
        }
        return y.toString();
    }

    /** A member that may be an Avro union's {@code {"type": value}}: the value. */
    private static JsonNode union(JsonNode v) {
        if (v.isObject() && v.size() == 1 && !v.has("statement")) {
            return v.elements().next();
        }
        return v;
    }

    private static void line(StringBuilder y, String indent, String key, String value) {
        if (!value.isEmpty()) {
            y.append(indent).append(key).append(": ").append(quoted(value)).append('\n');
        }
    }

    private static void plain(StringBuilder y, String indent, String key, String value) {
        if (!value.isEmpty()) {
            y.append(indent).append(key).append(": ").append(value).append('\n');
        }
    }

    private static void list(StringBuilder y, String indent, String key, List<String> values) {
        y.append(indent).append(key).append(": [");
        for (int i = 0; i < values.size(); i++) {
            y.append(i == 0 ? "" : ", ").append(quoted(values.get(i)));
        }
        y.append("]\n");
    }

    /** A YAML double-quoted scalar: any text, as the bus holds it. */
    static String quoted(String text) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> q.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return q.append('"').toString();
    }
}
