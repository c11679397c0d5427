package cn.tianfu.databus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.registry.SchemaRegistryException.Kind;

class MockSchemaRegistryClientTest {

    private static final Schema V1 = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").endRecord();
    private static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").name("city").type().stringType().stringDefault("chengdu").endRecord();
    private static final Schema V2_WITHOUT_DEFAULT = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").requiredString("city").endRecord();

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();

    private static SchemaRegistryException.Kind kindOf(Runnable call) {
        try {
            call.run();
        } catch (SchemaRegistryException e) {
            return e.kind();
        }
        throw new AssertionError("no SchemaRegistryException");
    }

    @Test
    void registeringIsIdempotentAndIdsAreSharedAcrossSubjects() {
        int id = registry.register("a-value", V1);

        assertThat(registry.register("a-value", V1)).isEqualTo(id);
        assertThat(registry.register("b-value", V1)).isEqualTo(id);
        assertThat(registry.register("a-value", V2_WITH_DEFAULT)).isNotEqualTo(id);
        assertThat(registry.versions("a-value")).containsExactly(1, 2);
        assertThat(registry.latest("a-value").schema()).isEqualTo(V2_WITH_DEFAULT);
        assertThat(registry.version("a-value", 1)).isEqualTo(new RegisteredSchema("a-value", id, 1, V1));
        assertThat(registry.lookup("b-value", V2_WITH_DEFAULT)).isEmpty();
        assertThat(registry.subjects()).containsExactly("a-value", "b-value");
    }

    @Test
    void backwardIsTheDefaultAndRefusesAFieldWithoutDefault() {
        registry.register("a-value", V1);

        CompatibilityResult result = registry.testCompatibility("a-value", V2_WITHOUT_DEFAULT);

        assertThat(result.compatible()).isFalse();
        assertThat(result.messages()).singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("city");
        assertThatThrownBy(() -> registry.register("a-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INCOMPATIBLE);
                    assertThat(e.httpStatus()).isEqualTo(409);
                });
        assertThat(registry.testCompatibility("new-value", V2_WITHOUT_DEFAULT).compatible()).isTrue();
    }

    @Test
    void subjectLevelOverridesGlobal() {
        registry.register("a-value", V1);
        registry.setCompatibility(Optional.of("a-value"), "NONE");

        assertThat(registry.compatibility(Optional.of("a-value"))).isEqualTo("NONE");
        assertThat(registry.compatibility(Optional.of("b-value"))).isEqualTo("BACKWARD");
        assertThat(registry.register("a-value", V2_WITHOUT_DEFAULT)).isPositive();

        registry.setCompatibility(Optional.empty(), "FORWARD");
        registry.register("c-value", V2_WITH_DEFAULT);
        // forward: the old schema must read the new one; V1 reads V2 (drops city) -> allowed
        assertThat(registry.testCompatibility("c-value", V1).compatible()).isTrue();
    }

    @Test
    void softDeleteHidesVersionsButKeepsIdsReadable() {
        int id = registry.register("a-value", V1);

        assertThat(registry.deleteSubject("a-value", false)).containsExactly(1);

        assertThat(registry.subjects()).isEmpty();
        assertThat(kindOf(() -> registry.latest("a-value"))).isEqualTo(Kind.SUBJECT_NOT_FOUND);
        assertThat(registry.schemaById(id)).isEqualTo(V1);
        assertThat(kindOf(() -> registry.deleteSubject("a-value", false))).isEqualTo(Kind.SUBJECT_SOFT_DELETED);
        assertThat(registry.register("a-value", V1)).isEqualTo(id);
        assertThat(registry.versions("a-value")).containsExactly(2);
    }

    @Test
    void permanentDeleteRemovesEveryVersion() {
        registry.register("a-value", V1);
        registry.register("a-value", V2_WITH_DEFAULT);
        registry.deleteVersion("a-value", 2, false);

        assertThat(registry.versions("a-value")).containsExactly(1);
        assertThat(kindOf(() -> registry.version("a-value", 2))).isEqualTo(Kind.VERSION_NOT_FOUND);
        assertThat(registry.deleteSubject("a-value", true)).containsExactly(1, 2);
        assertThat(kindOf(() -> registry.versions("a-value"))).isEqualTo(Kind.SUBJECT_NOT_FOUND);
        assertThat(kindOf(() -> registry.schemaById(999))).isEqualTo(Kind.SCHEMA_NOT_FOUND);
    }
}
