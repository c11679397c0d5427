package cn.tianfu.databus.registry.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CompatibilityTest {

    private static final String BASE = record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\"}");

    /** A schema change and whether it passes the backward and the forward direction under Avro's rules. */
    enum Change {
        ADD_OPTIONAL_FIELD(record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\"},"
                + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}"), true, true),
        ADD_REQUIRED_FIELD(record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"int\"},"
                + "{\"name\":\"note\",\"type\":\"string\"}"), false, true),
        REMOVE_FIELD(record("{\"name\":\"id\",\"type\":\"string\"}"), true, false),
        INT_TO_LONG(record("{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"long\"}"), true, false),
        STRING_TO_INT(record("{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"n\",\"type\":\"int\"}"), false, false);

        final String schema;
        final boolean backward;
        final boolean forward;

        Change(String schema, boolean backward, boolean forward) {
            this.schema = schema;
            this.backward = backward;
            this.forward = forward;
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            for (Change change : Change.values()) {
                boolean expected = (!level.backward() || change.backward) && (!level.forward() || change.forward);
                out.add(Arguments.of(level, change, expected));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} -> compatible={2}")
    @MethodSource("matrix")
    void followsAvroRulesForEveryLevel(CompatibilityLevel level, Change change, boolean expected) {
        List<String> problems = Compatibility.check(level, parse(change.schema), List.of(parse(BASE)));

        assertThat(problems.isEmpty()).as("problems: %s", problems).isEqualTo(expected);
    }

    @Test
    void theLevelTableNamesTheSevenConfluentLevels() {
        assertThat(CompatibilityLevel.values()).extracting(Enum::name).containsExactly(
                "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
    }

    @Test
    void transitiveBackwardChecksEveryVersionWhileBackwardChecksOnlyTheLatest() {
        Schema v1 = parse(record("{\"name\":\"f\",\"type\":\"string\"}"));
        Schema v2 = parse(record("{\"name\":\"g\",\"type\":\"int\",\"default\":0}"));
        // v3 reads v2 data (f gets its default) but cannot read v1 data: f was a string there
        Schema v3 = parse(record("{\"name\":\"g\",\"type\":\"int\",\"default\":0},{\"name\":\"f\",\"type\":\"int\",\"default\":0}"));

        assertThat(Compatibility.check(CompatibilityLevel.BACKWARD, v3, List.of(v1, v2))).isEmpty();
        assertThat(Compatibility.check(CompatibilityLevel.BACKWARD_TRANSITIVE, v3, List.of(v1, v2)))
                .isNotEmpty()
                .allSatisfy(m -> assertThat(m).contains("TYPE_MISMATCH"));
        assertThat(Compatibility.check(CompatibilityLevel.FULL, v3, List.of(v1, v2))).isEmpty();
        assertThat(Compatibility.check(CompatibilityLevel.FULL_TRANSITIVE, v3, List.of(v1, v2))).isNotEmpty();
    }

    @Test
    void transitiveForwardChecksEveryVersion() {
        Schema v1 = parse(record("{\"name\":\"a\",\"type\":\"int\"}"));
        Schema v2 = parse(record("{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}"));
        // v1 cannot read v3 data: a is missing there and v1 has no default for it; v2WithDefault can
        Schema v2WithDefault = parse(record("{\"name\":\"a\",\"type\":\"int\",\"default\":1},{\"name\":\"b\",\"type\":\"string\",\"default\":\"x\"}"));
        Schema v3 = parse(record("{\"name\":\"b\",\"type\":\"string\"}"));

        assertThat(Compatibility.check(CompatibilityLevel.FORWARD, v3, List.of(v1, v2WithDefault))).isEmpty();
        assertThat(Compatibility.check(CompatibilityLevel.FORWARD, v3, List.of(v1, v2))).isNotEmpty();
        assertThat(Compatibility.check(CompatibilityLevel.FORWARD_TRANSITIVE, v3, List.of(v1, v2WithDefault))).isNotEmpty();
    }

    @Test
    void aFirstVersionIsAlwaysCompatible() {
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            assertThat(Compatibility.check(level, parse(BASE), List.of())).isEmpty();
        }
    }

    @Test
    void parsesLevelNamesCaseInsensitivelyAndRejectsOthersWith42203() {
        assertThat(CompatibilityLevel.parse("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(42203))
                .hasMessageContaining("SIDEWAYS");
    }

    private static String record(String fields) {
        return "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"cn.tianfu.test\",\"fields\":[" + fields + "]}";
    }

    private static Schema parse(String schema) {
        return new Schema.Parser().parse(schema);
    }
}
