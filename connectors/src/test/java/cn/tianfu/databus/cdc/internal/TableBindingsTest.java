package cn.tianfu.databus.cdc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;

class TableBindingsTest {

    private static final String SUBJECT = Subjects.valueSubject("src.amr.10201-000001");
    private static final org.apache.avro.Schema V1 = new org.apache.avro.Schema.Parser().parse("""
            {"type":"record","name":"LegalEntity","fields":[{"name":"creditCode","type":"string"},
             {"name":"entityName","type":["null","string"],"default":null}]}""");
    private static final org.apache.avro.Schema V2 = new org.apache.avro.Schema.Parser().parse("""
            {"type":"record","name":"LegalEntity","fields":[{"name":"creditCode","type":"string"},
             {"name":"entityName","type":["null","string"],"default":null},
             {"name":"status","type":["null","string"],"default":null}]}""");
    private static final Schema ROW = SchemaBuilder.struct().name("registry.legal_entity.Value")
            .field("credit_code", Schema.STRING_SCHEMA).field("entity_name", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ROW_WITH_NOTE = SchemaBuilder.struct().name("registry.legal_entity.Value")
            .field("credit_code", Schema.STRING_SCHEMA).field("entity_name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA).build();

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final CdcMapping mapping = MappingParser.parseTablesOnly("""
            department: amr
            runner: le
            tables:
              - table: registry.legal_entity
                resource: 10201-000001
                key: [credit_code]
                columns:
                  credit_code: creditCode
                  entity_name: entityName
            """, "le.yaml");
    private final TableMapping table = mapping.tables().get(0);
    private final TableBindings bindings = new TableBindings(mapping, registry);

    private static Struct row(String code) {
        return new Struct(ROW).put("credit_code", code).put("entity_name", "天府");
    }

    @Test
    void aTableIsBoundOnceToItsCataloguedSchemaWhileItsRowsKeepTheirShape() {
        int v1 = registry.register(SUBJECT, V1);
        TableBindings.Bound first = bindings.bind(table, row("A"));
        assertThat(first.catalogued().id()).isEqualTo(v1);
        assertThat(first.binding().key(row("A"))).isEqualTo("A");
        assertThat(first.binding().toRecord(row("A")).get("entityName").toString()).isEqualTo("天府");

        registry.register(SUBJECT, V2);
        assertThat(bindings.bind(table, row("B"))).as("a new version is picked up only when asked").isSameAs(first);
    }

    @Test
    void aForgottenTableIsBoundToTheSchemaCataloguedThen() {
        registry.register(SUBJECT, V1);
        bindings.bind(table, row("A"));
        int v2 = registry.register(SUBJECT, V2);
        bindings.forget(table.table());
        assertThat(bindings.bind(table, row("A")).catalogued().id()).isEqualTo(v2);
    }

    @Test
    void aRowOfAnotherShapeIsBoundAgainAndRefusedWhenItNoLongerFits() {
        registry.register(SUBJECT, V1);
        bindings.bind(table, row("A"));
        Struct withNote = new Struct(ROW_WITH_NOTE).put("credit_code", "A").put("note", "x");
        assertThatThrownBy(() -> bindings.bind(table, withNote))
                .isInstanceOf(TableBinding.IncompatibleChangeException.class).hasMessageContaining("note");
    }

    @Test
    void aChangeWithoutARowImageCannotBeMapped() {
        assertThatThrownBy(() -> bindings.bind(table, null))
                .isInstanceOf(Conversions.ConversionException.class).hasMessageContaining("REPLICA IDENTITY FULL");
    }
}
