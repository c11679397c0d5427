package cn.tianfu.databus.server.console.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ConfidentialityReview;

/** The update form's prefill: a catalog entry written back as a definition reads as the same entry. */
class DefinitionYamlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-02T02:00:00Z");

    @Test
    void everyExampleResourceReadsBackAsTheSameCatalogEntry() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("../examples/resources"))) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        for (Path file : files) {
            ResourceDefinition def = ResourceDefinitions.parse(file);
            CatalogEntry entry = entry(def);
            String yaml = DefinitionYaml.of(apiJson(entry));
            ResourceDefinition back = ResourceDefinitions.parse(yaml, file.getFileName().toString());
            assertThat(entry(back)).as(file + " as\n" + yaml).isEqualTo(entry);
            assertThat(back.items()).as(file.toString()).isEqualTo(def.items());
            assertThat(back.recordName()).as("the catalog does not keep it").isEmpty();
        }
    }

    @Test
    void textIsQuotedSoThatAnyCharacterSurvives() throws Exception {
        assertThat(DefinitionYaml.quoted("a \"b\": c\\d\n# e")).isEqualTo("\"a \\\"b\\\": c\\\\d\\n# e\"");
        ResourceDefinition def = ResourceDefinitions.parse(Path.of("../examples/resources/amr-legal-entity.yaml"));
        CatalogEntry tricky = CatalogEntry.newBuilder(entry(def)).setSummary("摘要: \"引号\" #不是注释\n第二行 'x'").build();
        ResourceDefinition back = ResourceDefinitions.parse(DefinitionYaml.of(apiJson(tricky)), "tricky");
        assertThat(back.summary()).isEqualTo("摘要: \"引号\" #不是注释\n第二行 'x'");
    }

    /** The entry as governance keeps it: with its confidentiality review when the definition opens it. */
    private static CatalogEntry entry(ResourceDefinition def) {
        CatalogEntry entry = CatalogEntries.toCatalogEntry(def, "src." + def.provider() + "." + def.code() + "-value", 1, 1, 1, AT);
        if (def.confidentialityStatement().isPresent()) {
            entry = CatalogEntry.newBuilder(entry).setConfidentialityReview(ConfidentialityReview.newBuilder().setReviewedBy(def.provider())
                    .setReviewedAt(AT).setStatement(def.confidentialityStatement().get()).setCatalogVersion(1).build()).build();
        }
        return entry;
    }

    /** The entry as {@code GET /api/v1/catalog/{code}} answers it (Avro JSON). */
    private static JsonNode apiJson(CatalogEntry entry) throws Exception {
        return JSON.readTree(AvroJson.encode(List.of(entry), CatalogEntry.class)).get(0);
    }
}
