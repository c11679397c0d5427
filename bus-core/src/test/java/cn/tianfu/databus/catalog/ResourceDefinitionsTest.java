package cn.tianfu.databus.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.catalog.ResourceDefinition.Item;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceDefinitionsTest {

    static final Path EXAMPLES = Path.of(System.getProperty("basedir", ".")).resolve("../examples/resources").normalize();

    static Stream<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleFiles")
    void everyExampleFileIsValid(Path file) {
        ResourceDefinition def = ResourceDefinitions.parse(file);

        assertThat(file.getFileName().toString()).startsWith(def.provider() + "-");
        assertThat(def.code()).startsWith(def.classification() + "-");
        assertThat(def.keyItems()).isNotEmpty();
        assertThat(def.items()).allSatisfy(i -> {
            assertThat(i.type()).isNotNull();
            assertThat(i.displayName()).isNotBlank();
            if (i.sensitivity() == Sensitivity.PERSONAL) {
                assertThat(i.mask()).as(i.name()).isNotEqualTo(MaskKind.NONE);
            }
        });
        assertThat(def.topic()).isEqualTo("src." + def.provider() + "." + def.code());
    }

    @Test
    void examplesCoverEverySharingClassAndCategoryAcrossDepartments() throws IOException {
        List<ResourceDefinition> defs = exampleFiles().map(ResourceDefinitions::parse).toList();

        assertThat(defs.stream().map(ResourceDefinition::sharingClass).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(SharingClass.values());
        assertThat(defs.stream().map(ResourceDefinition::category).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(Category.values());
        assertThat(defs.stream().map(ResourceDefinition::provider).collect(Collectors.toSet())).hasSizeGreaterThanOrEqualTo(3);
        assertThat(defs.stream().filter(d -> d.avroSchemaJson().isPresent())).hasSize(1);
    }

    @Test
    void populationExampleReadsEveryCatalogField() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("psb-population.yaml"));

        assertThat(def.code()).isEqualTo("10101-000001");
        assertThat(def.name()).isEqualTo("人口基础信息");
        assertThat(def.category()).isEqualTo(Category.BASIC);
        assertThat(def.provider()).isEqualTo("psb");
        assertThat(def.sharingClass()).isEqualTo(SharingClass.CONDITIONAL);
        assertThat(def.sharingConditions()).hasValueSatisfying(c -> assertThat(c).contains("法定职责"));
        assertThat(def.sharingMethod()).isEqualTo(SharingMethod.BOTH);
        assertThat(def.open()).isFalse();
        assertThat(def.publishDate()).isEqualTo(LocalDate.of(2026, 3, 1));
        assertThat(def.relatedResources()).containsExactly("10201-000001");
        assertThat(def.recordName()).contains("Population");
        assertThat(def.items()).extracting(Item::name, Item::type, Item::sensitivity, Item::mask, Item::key).containsExactly(
                tuple("idNumber", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.ID_NUMBER, true),
                tuple("name", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.NAME, false),
                tuple("mobile", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.PHONE, false),
                tuple("gender", FieldType.STRING, Sensitivity.INTERNAL, MaskKind.NONE, false),
                tuple("birthDate", FieldType.DATE, Sensitivity.PERSONAL, MaskKind.FULL, false),
                tuple("householdAddress", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.FULL, false),
                tuple("divisionCode", FieldType.STRING, Sensitivity.INTERNAL, MaskKind.NONE, false),
                tuple("updatedAt", FieldType.TIMESTAMP, Sensitivity.INTERNAL, MaskKind.NONE, false));
    }

    @Test
    void avscReferencingExampleTakesTypesFromTheSchemaFile() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLES.resolve("hrss-social-insurance.yaml"));

        assertThat(def.avroSchemaJson()).isPresent();
        assertThat(def.keyItems()).extracting(Item::name).containsExactly("idNumber", "insuranceType");
        assertThat(def.item("contributionBase")).hasValueSatisfying(i -> {
            assertThat(i.type()).isEqualTo(FieldType.DECIMAL);
            assertThat(i.precision()).isEqualTo(12);
            assertThat(i.scale()).isEqualTo(2);
            assertThat(i.mask()).isEqualTo(MaskKind.FULL);
        });
        assertThat(def.item("startDate").map(Item::type)).contains(FieldType.DATE);
        assertThat(def.item("updatedAt").map(Item::type)).contains(FieldType.TIMESTAMP);
    }

    @Test
    void brokenFileListsEveryProblemWithItsLine() throws IOException {
        Path broken = Path.of("src/test/resources/catalog/broken.yaml");

        var e = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(broken));

        assertThat(e).isInstanceOf(DatabusException.class);
        assertThat(e.source()).isEqualTo(broken.toString());
        assertThat(e.problems()).extracting(Problem::line, Problem::path).containsExactly(
                tuple(2, "format"),
                tuple(2, "code"),
                tuple(5, "category"),
                tuple(6, "provider"),
                tuple(7, "providerCode"),
                tuple(10, "sharing.conditions"),
                tuple(11, "sharing.method"),
                tuple(12, "updateFrequency"),
                tuple(13, "publishDate"),
                tuple(14, "colour"),
                tuple(16, "items[0].name"),
                tuple(19, "items[0].mask"),
                tuple(23, "items[1].precision"),
                tuple(25, "items[2].name"),
                tuple(27, "items[2].type"),
                tuple(28, "items[2].sensitivity"));
        assertThat(e.problems().get(2).message()).contains("'BASICS' is not one of [BASIC, THEMATIC, DEPARTMENTAL]");
        assertThat(e.problems().get(13).message()).contains("already the name of items[1]");
        assertThat(e.getMessage()).contains("16 problems").contains(broken + ":13: publishDate: '2026-02-30' is not a date");
    }

    @Test
    void notSharedNeedsAReason() throws IOException {
        String yaml = example("mca-marriage.yaml").replaceAll("(?m)^  reasonNotShared:.*$", "");

        var e = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(yaml, "mca.yaml"));

        assertThat(e.problems()).extracting(Problem::path).containsExactly("sharing.reasonNotShared");
        assertThat(e.problems().get(0).line()).isEqualTo(lineOf(yaml, "  class: NOT_SHARED"));
    }

    @Test
    void aDefinitionNeedsAKeyItemAndACategoryMatchingItsClassification() throws IOException {
        String yaml = example("amr-legal-entity.yaml").replace("    key: true\n", "");
        var e = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(yaml, "amr.yaml"));
        assertThat(e.problems()).extracting(Problem::path, Problem::line).containsExactly(tuple("items", lineOf(yaml, "items:")));

        String thematic = example("amr-legal-entity.yaml").replace("category: BASIC", "category: THEMATIC");
        var e2 = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(thematic, "amr.yaml"));
        assertThat(e2.problems()).extracting(Problem::path).containsExactly("classification");
        assertThat(e2.problems().get(0).message()).contains("category is THEMATIC (class 2)");
    }

    @Test
    void personalItemsNeedARealMask() throws IOException {
        String yaml = example("psb-population.yaml").replace("mask: PHONE", "mask: NONE");

        var e = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(yaml, "psb.yaml"));

        assertThat(e.problems()).extracting(Problem::path, Problem::line)
                .containsExactly(tuple("items[2].mask", lineOf(yaml, "mask: NONE")));
    }

    @Test
    void invalidYamlIsOneProblemWithItsLine() {
        var e = catchThrowableOfType(ResourceDefinitionException.class,
                () -> ResourceDefinitions.parse("code: 10101-000001\nname: [unclosed\nsummary: x\n", "bad.yaml"));

        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0).message()).startsWith("not valid YAML");
        assertThat(e.problems().get(0).line()).isGreaterThanOrEqualTo(2);

        var notMapping = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse("- a\n- b\n", "list.yaml"));
        assertThat(notMapping.problems()).extracting(Problem::line).containsExactly(1);
    }

    @Test
    void referencedSchemaMustExistParseAndMatchTheItems(@TempDir Path dir) throws IOException {
        String yaml = example("hrss-social-insurance.yaml");
        Files.writeString(dir.resolve("si.yaml"), yaml.replace("schema: hrss-social-insurance.avsc", "schema: missing.avsc"));
        var missing = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(dir.resolve("si.yaml")));
        assertThat(missing.problems()).extracting(Problem::path, Problem::line)
                .containsExactly(tuple("schema", lineOf(yaml, "schema: hrss-social-insurance.avsc")));
        assertThat(missing.problems().get(0).message()).contains("does not exist");

        Files.writeString(dir.resolve("hrss-social-insurance.avsc"), "{\"type\": \"record\", \"name\": ");
        Files.writeString(dir.resolve("si.yaml"), yaml);
        var unparsable = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(dir.resolve("si.yaml")));
        assertThat(unparsable.problems()).extracting(Problem::path).containsExactly("schema");
        assertThat(unparsable.problems().get(0).message()).contains("not a valid Avro schema");

        String avsc = Files.readString(EXAMPLES.resolve("hrss-social-insurance.avsc"), StandardCharsets.UTF_8)
                .replace("{\"name\": \"idNumber\", \"type\": \"string\"", "{\"name\": \"idNumber\", \"type\": [\"null\", \"string\"], \"default\": null")
                .replace("\"name\": \"employerCreditCode\", \"type\": [\"null\", \"string\"]", "\"name\": \"employerCreditCode\", \"type\": [\"null\", \"long\"]")
                .replace("{\"name\": \"updatedAt\"", "{\"name\": \"extra\", \"type\": \"string\"},\n    {\"name\": \"updatedAt\"");
        Files.writeString(dir.resolve("hrss-social-insurance.avsc"), avsc);
        Files.writeString(dir.resolve("si.yaml"), yaml
                .replace("displayName: 参保单位统一社会信用代码", "displayName: 参保单位统一社会信用代码\n    type: STRING")
                .replace("  - name: enrollmentStatus", "  - name: notInSchema\n    displayName: x\n    sensitivity: PUBLIC\n  - name: enrollmentStatus"));
        var mismatch = catchThrowableOfType(ResourceDefinitionException.class, () -> ResourceDefinitions.parse(dir.resolve("si.yaml")));
        assertThat(mismatch.problems()).extracting(Problem::path).containsExactlyInAnyOrder(
                "items",                  // the schema's field 'extra' is not listed
                "items[0].key",           // key field nullable in the schema
                "items[3].name",          // notInSchema is not a field of the schema
                "items[6].type");         // STRING listed, LONG in the schema
        assertThat(mismatch.problems()).allSatisfy(p -> assertThat(p.line()).isPositive());
    }

    @Test
    void providerCodesAreCheckedAgainstGb32100() {
        assertThat(ProviderCodes.isCreditCode("91350100M000100Y43")).isTrue();
        assertThat(ProviderCodes.isCreditCode("91350100M000100Y44")).isFalse();
        assertThat(ProviderCodes.isCreditCode("91350100M000100Y4I")).isFalse();
        assertThat(ProviderCodes.isValid("MB0F3122-4")).isTrue();
        assertThat(ProviderCodes.isValid("12345")).isFalse();
        Set<String> examples = Set.of("11510100MB0F31224T", "11510100MB1D22617A", "11510100MB0T189053", "11510100MB2L405383");
        assertThat(examples).allMatch(ProviderCodes::isCreditCode);
    }

    static String example(String name) throws IOException {
        return Files.readString(EXAMPLES.resolve(name), StandardCharsets.UTF_8);
    }

    static int lineOf(String text, String fragment) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i + 1;
            }
        }
        throw new AssertionError(fragment + " not found");
    }
}
