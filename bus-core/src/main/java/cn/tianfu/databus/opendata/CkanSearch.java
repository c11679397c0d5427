package cn.tianfu.databus.opendata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * CKAN's {@code package_search} over the open packages ({@link CkanPackages}), the subset the open catalog answers:
 * <ul>
 * <li>{@code q}: terms, all of which must occur (case-insensitive) in a package's name, title, notes, tags or
 * organization; a term {@code field:value} matches that field instead; {@code *:*} or nothing matches all;
 * {@code "quoted phrases"} are one term;</li>
 * <li>{@code fq}: clauses {@code field:value} (or {@code field:"value"}, a leading {@code +} allowed), all of which
 * must hold; fields {@code organization}, {@code owner_org}, {@code tags}, {@code res_format}, {@code name},
 * {@code id}, {@code title}, or an {@code extras} key;</li>
 * <li>{@code sort}: comma-separated {@code field asc|desc} on {@code score}, {@code name}, {@code title},
 * {@code title_string}, {@code metadata_modified}, {@code metadata_created}; default
 * {@code score desc, metadata_modified desc} (every match scores the same);</li>
 * <li>{@code rows} (default 10, at most 1000) and {@code start} (default 0);</li>
 * <li>{@code facet.field}: a JSON list of fields ({@code organization}, {@code tags}, {@code res_format}) counted
 * over all matches, in {@code facets} and {@code search_facets}; {@code facet.limit} (default 50, negative:
 * unlimited) and {@code facet.mincount} (default 1).</li>
 * </ul>
 * Bad parameters throw {@link ValidationException} naming the parameter, as CKAN's Validation Error does.
 */
public final class CkanSearch {

    /** Largest {@code rows} accepted, as CKAN's {@code ckan.search.rows_max} default. */
    public static final int MAX_ROWS = 1000;
    public static final String DEFAULT_SORT = "score desc, metadata_modified desc";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parameter CKAN would refuse: {@code field} and its message. */
    public static final class ValidationException extends RuntimeException {
        private final String field;

        public ValidationException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The parsed parameters of one search. */
    public record Query(String q, String fq, String sort, int rows, int start, List<String> facetFields, int facetLimit,
                        int facetMinCount) {

        /** Parses CKAN's parameters (absent ones take CKAN's defaults). */
        public static Query parse(Map<String, String> params) {
            String q = params.getOrDefault("q", "");
            String fq = params.getOrDefault("fq", "");
            String sort = params.get("sort");
            int rows = natural(params, "rows", 10);
            if (rows > MAX_ROWS) {
                rows = MAX_ROWS;
            }
            int start = natural(params, "start", 0);
            List<String> facets = new ArrayList<>();
            String ff = params.get("facet.field");
            if (ff != null && !ff.isBlank()) {
                try {
                    JsonNode list = JSON.readTree(ff);
                    if (!list.isArray()) {
                        throw new ValidationException("facet.field", "Must be a JSON list of field names");
                    }
                    list.forEach(n -> facets.add(n.asText()));
                } catch (JsonProcessingException e) {
                    throw new ValidationException("facet.field", "Must be a JSON list of field names");
                }
            }
            int limit = integer(params, "facet.limit", 50);
            int minCount = natural(params, "facet.mincount", 1);
            return new Query(q, fq, sort == null || sort.isBlank() ? DEFAULT_SORT : sort, rows, start, List.copyOf(facets),
                    limit, minCount);
        }

        private static int natural(Map<String, String> params, String name, int dflt) {
            int v = integer(params, name, dflt);
            if (v < 0) {
                throw new ValidationException(name, "Must be a natural number");
            }
            return v;
        }

        private static int integer(Map<String, String> params, String name, int dflt) {
            String v = params.get(name);
            if (v == null || v.isBlank()) {
                return dflt;
            }
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new ValidationException(name, "Invalid integer");
            }
        }
    }

    private CkanSearch() {
    }

    /** The {@code result} of {@code package_search}: count, sort, facets, results, search_facets. */
    public static ObjectNode search(List<ObjectNode> packages, Query query) {
        List<String[]> terms = terms(query.q(), "q");
        List<String[]> filters = terms(query.fq(), "fq");
        for (String[] f : filters) {
            if (f[0] == null) {
                throw new ValidationException("fq", "each filter is field:value; '" + f[1] + "' names no field");
            }
        }
        List<ObjectNode> hits = new ArrayList<>();
        for (ObjectNode p : packages) {
            if (terms.stream().allMatch(t -> matches(p, t)) && filters.stream().allMatch(t -> matches(p, t))) {
                hits.add(p);
            }
        }
        hits.sort(comparator(query.sort()));
        ObjectNode result = JSON.createObjectNode();
        result.put("count", hits.size());
        result.put("sort", query.sort());
        ObjectNode facets = result.putObject("facets");
        ObjectNode searchFacets = JSON.createObjectNode();
        for (String field : query.facetFields()) {
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, String> display = new LinkedHashMap<>();
            for (ObjectNode p : hits) {
                for (String[] v : facetValues(p, field)) {
                    counts.merge(v[0], 1, Integer::sum);
                    display.putIfAbsent(v[0], v[1]);
                }
            }
            List<Map.Entry<String, Integer>> ordered = new ArrayList<>(counts.entrySet());
            ordered.removeIf(e -> e.getValue() < query.facetMinCount());
            ordered.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            if (query.facetLimit() >= 0 && ordered.size() > query.facetLimit()) {
                ordered = ordered.subList(0, query.facetLimit());
            }
            ObjectNode f = facets.putObject(field);
            ObjectNode sf = searchFacets.putObject(field);
            sf.put("title", field);
            ArrayNode items = sf.putArray("items");
            for (Map.Entry<String, Integer> e : ordered) {
                f.put(e.getKey(), e.getValue());
                ObjectNode item = items.addObject();
                item.put("name", e.getKey());
                item.put("display_name", display.get(e.getKey()));
                item.put("count", e.getValue());
            }
        }
        ArrayNode results = result.putArray("results");
        for (int i = query.start(); i < hits.size() && i < (long) query.start() + query.rows(); i++) {
            results.add(hits.get(i));
        }
        result.set("search_facets", searchFacets);
        return result;
    }

    /** Splits q or fq into terms: {field or null, value}; quotes group words; {@code *:*} is no term. */
    static List<String[]> terms(String text, String param) {
        List<String[]> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (text.charAt(i) == '+') {
                i++;
            }
            String field = null;
            int colon = -1;
            int j = i;
            while (j < n && !Character.isWhitespace(text.charAt(j)) && text.charAt(j) != '"') {
                if (text.charAt(j) == ':' && colon < 0) {
                    colon = j;
                    break;
                }
                j++;
            }
            if (colon > i) {
                field = text.substring(i, colon);
                i = colon + 1;
            }
            String value;
            if (i < n && text.charAt(i) == '"') {
                int close = text.indexOf('"', i + 1);
                if (close < 0) {
                    throw new ValidationException(param, "unbalanced quote in '" + text + "'");
                }
                value = text.substring(i + 1, close);
                i = close + 1;
            } else {
                int k = i;
                while (k < n && !Character.isWhitespace(text.charAt(k))) {
                    k++;
                }
                value = text.substring(i, k);
                i = k;
            }
            if ("*".equals(field) && "*".equals(value) || field == null && "*".equals(value)) {
                continue;
            }
            out.add(new String[] {field, value});
        }
        return out;
    }

    private static boolean matches(ObjectNode p, String[] term) {
        String field = term[0];
        String value = term[1].toLowerCase(Locale.ROOT);
        if (field == null || field.equals("text")) {
            return text(p).contains(value);
        }
        List<String> values = fieldValues(p, field);
        return values.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).equals(value));
    }

    private static String text(ObjectNode p) {
        StringBuilder b = new StringBuilder();
        for (String f : new String[] {"name", "title", "notes"}) {
            b.append(p.path(f).asText()).append('\n');
        }
        p.path("tags").forEach(t -> b.append(t.path("name").asText()).append('\n'));
        b.append(p.path("organization").path("name").asText()).append('\n');
        b.append(p.path("organization").path("title").asText()).append('\n');
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** The values a package has for a field name as CKAN's index names them. */
    static List<String> fieldValues(ObjectNode p, String field) {
        List<String> out = new ArrayList<>();
        switch (field) {
            case "organization" -> out.add(p.path("organization").path("name").asText());
            case "owner_org" -> out.add(p.path("owner_org").asText());
            case "tags" -> p.path("tags").forEach(t -> out.add(t.path("name").asText()));
            case "res_format" -> p.path("resources").forEach(r -> out.add(r.path("format").asText()));
            case "name", "id", "title", "notes", "metadata_modified", "metadata_created", "license_id", "state", "type" ->
                    out.add(p.path(field).asText());
            default -> p.path("extras").forEach(x -> {
                if (x.path("key").asText().equals(field)) {
                    out.add(x.path("value").asText());
                }
            });
        }
        return out;
    }

    private static List<String[]> facetValues(ObjectNode p, String field) {
        List<String[]> out = new ArrayList<>();
        if (field.equals("organization")) {
            out.add(new String[] {p.path("organization").path("name").asText(), p.path("organization").path("title").asText()});
            return out;
        }
        for (String v : fieldValues(p, field)) {
            out.add(new String[] {v, v});
        }
        return out;
    }

    private static Comparator<ObjectNode> comparator(String sort) {
        Comparator<ObjectNode> c = null;
        for (String clause : sort.split(",")) {
            String[] parts = clause.trim().split("\\s+");
            if (parts.length == 0 || parts[0].isEmpty()) {
                continue;
            }
            if (parts.length > 2 || parts.length == 2 && !parts[1].equalsIgnoreCase("asc") && !parts[1].equalsIgnoreCase("desc")) {
                throw new ValidationException("sort", "'" + clause.trim() + "' is not 'field asc' or 'field desc'");
            }
            boolean desc = parts.length == 2 && parts[1].equalsIgnoreCase("desc");
            String field = parts[0];
            Comparator<ObjectNode> next = switch (field) {
                case "score" -> (a, b) -> 0;
                case "name", "title", "metadata_modified", "metadata_created" ->
                        Comparator.comparing((ObjectNode p) -> p.path(field).asText());
                case "title_string" -> Comparator.comparing((ObjectNode p) -> p.path("title").asText());
                default -> throw new ValidationException("sort", "cannot sort by '" + field + "': use score, name, title,"
                        + " title_string, metadata_modified or metadata_created");
            };
            if (desc) {
                next = next.reversed();
            }
            c = c == null ? next : c.thenComparing(next);
        }
        Comparator<ObjectNode> byName = Comparator.comparing((ObjectNode p) -> p.path("name").asText());
        return c == null ? byName : c.thenComparing(byName);
    }
}
