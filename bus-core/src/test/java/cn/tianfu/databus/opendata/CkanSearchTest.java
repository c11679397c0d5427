package cn.tianfu.databus.opendata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class CkanSearchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode pkg(String name, String title, String notes, String org, String modified, String... tags) {
        ObjectNode p = JSON.createObjectNode();
        p.put("id", name);
        p.put("name", name);
        p.put("title", title);
        p.put("notes", notes);
        p.put("metadata_modified", modified);
        p.putObject("organization").put("name", org).put("title", org + "局");
        p.put("owner_org", org);
        tags(p, tags);
        p.putArray("resources").addObject().put("format", "CSV");
        p.withArray("resources").addObject().put("format", "JSON");
        p.putArray("extras").addObject().put("key", "update_frequency").put("value", "DAILY");
        return p;
    }

    static void tags(ObjectNode p, String... tags) {
        var a = p.putArray("tags");
        for (String t : tags) {
            a.addObject().put("name", t);
        }
    }

    static final List<ObjectNode> PACKAGES = List.of(
            pkg("10201-000001", "法人基础信息", "市场主体登记信息", "amr", "2026-03-02T00:00:00.000000", "基础", "名称"),
            pkg("10201-000002", "个体工商户", "个体工商户登记", "amr", "2026-03-05T00:00:00.000000", "基础"),
            pkg("20301-000001", "公交线路", "Bus routes of the city", "traffic", "2026-03-04T00:00:00.000000", "主题", "公交"),
            pkg("30101-000001", "行政许可", "许可决定", "amr", "2026-03-01T00:00:00.000000", "部门"));

    static JsonNode search(Map<String, String> params) {
        return CkanSearch.search(PACKAGES, CkanSearch.Query.parse(params));
    }

    static List<String> names(JsonNode result) {
        List<String> out = new java.util.ArrayList<>();
        result.get("results").forEach(p -> out.add(p.get("name").asText()));
        return out;
    }

    @Test
    void everythingMatchesAnEmptyOrStarQuery_sortedByModifiedNewestFirst() {
        JsonNode all = search(Map.of());
        assertThat(all.get("count").asInt()).isEqualTo(4);
        assertThat(all.get("sort").asText()).isEqualTo("score desc, metadata_modified desc");
        assertThat(names(all)).containsExactly("10201-000002", "20301-000001", "10201-000001", "30101-000001");
        assertThat(search(Map.of("q", "*:*")).get("count").asInt()).isEqualTo(4);
    }

    @Test
    void qTermsMustAllMatchTextOrANamedField() {
        assertThat(names(search(Map.of("q", "登记")))).containsExactlyInAnyOrder("10201-000001", "10201-000002");
        assertThat(names(search(Map.of("q", "登记 个体")))).containsExactly("10201-000002");
        assertThat(names(search(Map.of("q", "bus ROUTES")))).containsExactly("20301-000001");
        assertThat(names(search(Map.of("q", "\"Bus routes\"")))).containsExactly("20301-000001");
        assertThat(names(search(Map.of("q", "tags:公交")))).containsExactly("20301-000001");
        assertThat(names(search(Map.of("q", "nothing-like-this")))).isEmpty();
    }

    @Test
    void fqClausesFilterByOrganizationTagsFormatAndExtras() {
        assertThat(names(search(Map.of("fq", "organization:amr", "sort", "name asc"))))
                .containsExactly("10201-000001", "10201-000002", "30101-000001");
        assertThat(names(search(Map.of("fq", "organization:amr +tags:基础", "sort", "name desc"))))
                .containsExactly("10201-000002", "10201-000001");
        assertThat(search(Map.of("fq", "res_format:CSV")).get("count").asInt()).isEqualTo(4);
        assertThat(search(Map.of("fq", "update_frequency:\"DAILY\"")).get("count").asInt()).isEqualTo(4);
        assertThat(search(Map.of("fq", "organization:nobody")).get("count").asInt()).isZero();
        assertThatThrownBy(() -> search(Map.of("fq", "amr"))).isInstanceOf(CkanSearch.ValidationException.class)
                .extracting(e -> ((CkanSearch.ValidationException) e).field()).isEqualTo("fq");
    }

    @Test
    void rowsAndStartPageThroughTheSortedMatches() {
        JsonNode p1 = search(Map.of("sort", "title_string asc", "rows", "2", "start", "0"));
        JsonNode p2 = search(Map.of("sort", "title_string asc", "rows", "2", "start", "2"));
        JsonNode p3 = search(Map.of("sort", "title_string asc", "rows", "2", "start", "4"));
        assertThat(p1.get("count").asInt()).isEqualTo(4);
        assertThat(names(p1)).hasSize(2);
        assertThat(names(p2)).hasSize(2);
        assertThat(names(p3)).isEmpty();
        assertThat(List.of(names(p1), names(p2)).stream().flatMap(List::stream).toList())
                // by code point, as Solr sorts a string field: 个 < 公 < 法 < 行
                .containsExactly("10201-000002", "20301-000001", "10201-000001", "30101-000001");
        assertThat(CkanSearch.Query.parse(Map.of("rows", "5000")).rows()).isEqualTo(CkanSearch.MAX_ROWS);
    }

    @Test
    void facetsCountOrganizationsAndTagsOverAllMatches() {
        JsonNode r = search(Map.of("facet.field", "[\"organization\",\"tags\"]", "rows", "1"));
        assertThat(r.get("facets").get("organization").get("amr").asInt()).isEqualTo(3);
        assertThat(r.get("facets").get("organization").get("traffic").asInt()).isEqualTo(1);
        assertThat(r.get("facets").get("tags").get("基础").asInt()).isEqualTo(2);
        JsonNode items = r.get("search_facets").get("organization").get("items");
        assertThat(items.get(0).get("name").asText()).isEqualTo("amr");
        assertThat(items.get(0).get("display_name").asText()).isEqualTo("amr局");
        assertThat(items.get(0).get("count").asInt()).isEqualTo(3);
        JsonNode limited = search(Map.of("facet.field", "[\"tags\"]", "facet.limit", "1"));
        assertThat(limited.get("search_facets").get("tags").get("items")).hasSize(1);
    }

    @Test
    void badParametersAreValidationErrorsNamingTheParameter() {
        for (var bad : List.of(Map.of("rows", "-1"), Map.of("rows", "ten"), Map.of("start", "-3"),
                Map.of("facet.field", "organization"), Map.of("sort", "shoe_size asc"), Map.of("sort", "name upward"),
                Map.of("q", "\"unbalanced"))) {
            String param = bad.keySet().iterator().next();
            assertThatThrownBy(() -> search(bad)).as(bad.toString()).isInstanceOf(CkanSearch.ValidationException.class)
                    .extracting(e -> ((CkanSearch.ValidationException) e).field()).isEqualTo(param);
        }
    }
}
