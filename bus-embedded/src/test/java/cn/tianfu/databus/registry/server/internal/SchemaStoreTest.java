package cn.tianfu.databus.registry.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaStoreTest {

    /** A log in memory: records are applied as they are appended, and kept for a replay. */
    private static final class MemoryLog implements StoreLog {
        final List<Entry> records = new ArrayList<>();
        final SchemaStore store;

        MemoryLog(SchemaStore store) {
            this.store = store;
        }

        @Override
        public synchronized <T> T write(java.util.function.Supplier<Decision<T>> decide) {
            Decision<T> decision = decide.get();
            for (Entry e : decision.records()) {
                records.add(e);
                store.apply(e.key(), e.value());
            }
            return decision.answer();
        }
    }

    private static final String V1 = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    private static final String V1_SPACED = "{ \"type\" : \"record\", \"name\" : \"R\",\n \"fields\" : [ {\"name\":\"a\", \"type\":\"int\"} ] }";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\",\"default\":\"\"}]}";
    private static final String V2_REQUIRED = "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
            + "{\"name\":\"b\",\"type\":\"string\"}]}";

    private SchemaStore store;
    private MemoryLog log;

    @BeforeEach
    void setUp() {
        store = new SchemaStore(CompatibilityLevel.BACKWARD);
        log = new MemoryLog(store);
        store.attach(log);
    }

    @Test
    void sameCanonicalSchemaGetsOneGlobalIdAcrossSubjectsAndNoNewVersionWhenRepeated() {
        int a = store.register("a-value", V1, null, List.of());
        int again = store.register("a-value", V1_SPACED, "AVRO", List.of());
        int b = store.register("b-value", V1_SPACED, null, List.of());
        int v2 = store.register("a-value", V2, null, List.of());

        assertThat(again).isEqualTo(a);
        assertThat(b).isEqualTo(a);
        assertThat(v2).isNotEqualTo(a);
        assertThat(store.versions("a-value", false)).containsExactly(1, 2);
        assertThat(store.versions("b-value", false)).containsExactly(1);
    }

    @Test
    void incompatibleSchemaIsRefusedWith409UntilTheLevelAllowsIt() {
        store.register("s", V1, null, List.of());

        assertThatThrownBy(() -> store.register("s", V2_REQUIRED, null, List.of()))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(409));

        store.setSubjectLevel("s", "FORWARD");
        assertThat(store.register("s", V2_REQUIRED, null, List.of())).isPositive();
        assertThat(store.versions("s", false)).containsExactly(1, 2);
    }

    @Test
    void softDeletedVersionsAreHiddenButTheirIdsStayResolvable() {
        int id = store.register("s", V1, null, List.of());

        assertThat(store.deleteSubject("s", false)).containsExactly(1);

        assertThat(store.subjects(false)).doesNotContain("s");
        assertThat(store.subjects(true)).contains("s");
        assertThat(store.schemaById(id).schema()).isEqualTo(store.version("s", "1", true).schema());
        assertThatThrownBy(() -> store.version("s", "1", false))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> store.deleteSubject("s", false))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(40404));

        // registering it again makes a new version with the same id
        assertThat(store.register("s", V1, null, List.of())).isEqualTo(id);
        assertThat(store.versions("s", false)).containsExactly(2);
    }

    @Test
    void permanentDeleteNeedsASoftDeleteFirst() {
        store.register("s", V1, null, List.of());
        store.register("s", V2, null, List.of());

        assertThatThrownBy(() -> store.deleteVersion("s", "1", true))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(40407));
        assertThat(store.deleteVersion("s", "1", false)).isEqualTo(1);
        assertThatThrownBy(() -> store.deleteVersion("s", "1", false))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(40406));
        assertThat(store.deleteVersion("s", "1", true)).isEqualTo(1);
        assertThat(store.versions("s", true)).containsExactly(2);

        assertThatThrownBy(() -> store.deleteSubject("s", true))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(40405));
        store.deleteSubject("s", false);
        assertThat(store.deleteSubject("s", true)).containsExactly(2);
        assertThat(store.subjects(true)).doesNotContain("s");
    }

    @Test
    void aReplayOfTheLogRebuildsTheSameState() {
        int id1 = store.register("s", V1, null, List.of());
        int id2 = store.register("s", V2, null, List.of());
        store.setGlobalLevel("FULL");
        store.setSubjectLevel("s", "NONE");
        store.deleteVersion("s", "1", false);

        SchemaStore replayed = new SchemaStore(CompatibilityLevel.BACKWARD);
        log.records.forEach(e -> replayed.apply(e.key(), e.value()));

        assertThat(replayed.globalLevel()).isEqualTo(CompatibilityLevel.FULL);
        assertThat(replayed.subjectLevel("s", false)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(replayed.versions("s", false)).containsExactly(2);
        assertThat(replayed.schemaById(id1).schema()).isEqualTo(store.schemaById(id1).schema());
        assertThat(replayed.schemaById(id2).version()).isEqualTo(2);
    }

    @Test
    void keysFollowConfluentLayout() {
        assertThat(SchemaStore.schemaKey("s", 3)).isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":3,\"magic\":1}");
        assertThat(SchemaStore.configKey(null)).isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
        assertThat(SchemaStore.deleteSubjectKey("s")).isEqualTo("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}");
    }

    @Test
    void onlyAvroIsAcceptedAndInvalidSchemasAreRefusedWith42201() {
        assertThatThrownBy(() -> store.register("s", "{\"type\":\"object\"}", "JSON", List.of()))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(42201))
                .hasMessageContaining("AVRO");
        assertThatThrownBy(() -> store.register("s", "{\"type\":\"recrod\"}", null, List.of()))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    }

    @Test
    void referencesResolveTypesFromOtherSubjects() {
        String address = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"t\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
        String person = "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"t\",\"fields\":[{\"name\":\"home\",\"type\":\"t.Address\"}]}";
        store.register("address", address, null, List.of());
        List<Reference> refs = List.of(new Reference("t.Address", "address", 1));

        int id = store.register("person", person, null, refs);

        assertThat(store.schemaById(id).references()).isEqualTo(refs);
        assertThat(store.schemaById(id).schema()).doesNotContain("city");
        assertThatThrownBy(() -> store.register("person2", person, null, List.of()))
                .isInstanceOfSatisfying(RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    }
}
