package cn.tianfu.databus.cdc.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.debezium.data.Envelope;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroDeserializer;

/** The Connect transform on Debezium change events built with Debezium's own envelope schema. */
class ResourceMappingTransformTest {

    private static final String TOPIC = "src.amr.10201-000001";
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final ResourceMappingTransform<SourceRecord> transform = new ResourceMappingTransform<>();
    private org.apache.avro.Schema catalogued;

    private static final Schema ROW = SchemaBuilder.struct().name("registry.legal_entity.Value")
            .field("credit_code", Schema.STRING_SCHEMA)
            .field("entity_name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("capital", Decimal.builder(2).optional().build())
            .field("established", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
            .field("status", Schema.OPTIONAL_STRING_SCHEMA)
            .field("internal_note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mariadb.Source")
            .field("connector", Schema.STRING_SCHEMA).field("db", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA).build();
    private static final Envelope ENVELOPE = Envelope.defineSchema().withName("le.registry.legal_entity.Envelope")
            .withRecord(ROW).withSource(SOURCE).build();

    @BeforeEach
    void setUp() {
        catalogued = AvroSchemas.forResource(ResourceDefinitions.parse(Path.of("../examples/resources/amr-legal-entity.yaml")));
        registry.register(Subjects.valueSubject(TOPIC), catalogued);
        transform.configure("""
                department: amr
                runner: le
                tables:
                  - table: registry.legal_entity
                    resource: 10201-000001
                    key: [credit_code]
                    columns:
                      credit_code: creditCode
                      entity_name: entityName
                      capital: registeredCapital
                      established: establishedDate
                      status: registrationStatus
                    exclude: [internal_note]
                """, "le.yaml", registry);
    }

    @AfterEach
    void tearDown() {
        transform.close();
    }

    private static Struct row(String code, String name, String capital) {
        return new Struct(ROW).put("credit_code", code).put("entity_name", name)
                .put("capital", capital == null ? null : new BigDecimal(capital))
                .put("established", (int) LocalDate.of(2015, 6, 18).toEpochDay()).put("status", "存续")
                .put("internal_note", "x");
    }

    private static Struct source(String table, long pos, int row) {
        return new Struct(SOURCE).put("connector", "mariadb").put("db", "registry").put("table", table)
                .put("ts_ms", 1_772_328_600_000L).put("snapshot", "false").put("file", "binlog.000003").put("pos", pos).put("row", row);
    }

    private static SourceRecord event(Struct value) {
        return new SourceRecord(Map.of("server", "le"), Map.of("pos", 1), "le.registry.legal_entity", null,
                null, null, ENVELOPE.schema(), value);
    }

    private GenericRecord decode(SourceRecord r) {
        return (GenericRecord) new AvroDeserializer<>(registry).deserialize(r.topic(), (byte[]) r.value());
    }

    private static String header(SourceRecord r, String name) {
        return (String) r.headers().lastWithName(name).value();
    }

    @Test
    void anInsertBecomesTheCataloguedRecordOnTheResourceTopicWithTheBusHeaders() {
        SourceRecord out = transform.apply(event(ENVELOPE.create(row("91510100MA61XY2K3A", "成都天府软件有限公司", "1000.50"),
                source("legal_entity", 2249, 0), Instant.now())));

        assertThat(out.topic()).isEqualTo(TOPIC);
        assertThat(out.key()).isEqualTo("91510100MA61XY2K3A");
        assertThat(out.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
        byte[] wire = (byte[]) out.value();
        assertThat(ByteBuffer.wrap(wire, 1, 4).getInt()).isEqualTo(registry.latest(Subjects.valueSubject(TOPIC)).id());
        GenericRecord v = decode(out);
        assertThat(v.getSchema()).isEqualTo(catalogued);
        assertThat(v.get("entityName").toString()).isEqualTo("成都天府软件有限公司");
        org.apache.avro.Schema decimal = cn.tianfu.databus.cdc.internal.Conversions.nonNull(catalogued.getField("registeredCapital").schema());
        assertThat(new Conversions.DecimalConversion().fromBytes((ByteBuffer) v.get("registeredCapital"), decimal,
                LogicalTypes.fromSchema(decimal))).isEqualByComparingTo("1000.50");
        assertThat(v.get("establishedDate")).isEqualTo((int) LocalDate.of(2015, 6, 18).toEpochDay());
        assertThat(v.get("legalRepresentative")).isNull();
        assertThat(header(out, EventHeaders.OP)).isEqualTo("UPSERT");
        assertThat(header(out, EventHeaders.SOURCE_POSITION)).isEqualTo("binlog:0000000003:000000002249:000000");
        assertThat(header(out, EventHeaders.SOURCE_TIME)).isEqualTo("1772328600000");
        assertThat(header(out, EventHeaders.EVENT_ID)).matches("[0-9a-f-]{36}");
    }

    @Test
    void anUpdateIsAnUpsertAndADeleteATombstoneWithItsPosition() {
        SourceRecord updated = transform.apply(event(ENVELOPE.update(row("91510100MA61XY2K3A", "旧名", "1000.50"),
                row("91510100MA61XY2K3A", "新名", "2000.00"), source("legal_entity", 2564, 1), Instant.now())));
        assertThat(decode(updated).get("entityName").toString()).isEqualTo("新名");
        assertThat(header(updated, EventHeaders.SOURCE_POSITION)).isEqualTo("binlog:0000000003:000000002564:000001");

        SourceRecord deleted = transform.apply(event(ENVELOPE.delete(row("91510100MA61XY2K3A", "新名", null),
                source("legal_entity", 2969, 0), Instant.now())));
        assertThat(deleted.key()).isEqualTo("91510100MA61XY2K3A");
        assertThat(deleted.value()).isNull();
        assertThat(header(deleted, EventHeaders.OP)).isEqualTo("DELETE");
        assertThat(header(deleted, EventHeaders.SOURCE_POSITION)).isEqualTo("binlog:0000000003:000000002969:000000");
    }

    @Test
    void otherTablesDebeziumTombstonesAndNonChangeEventsAreDropped() {
        assertThat(transform.apply(event(ENVELOPE.create(row("X", "n", "1.00"), source("other_table", 1, 0), Instant.now())))).isNull();
        assertThat(transform.apply(new SourceRecord(Map.of(), Map.of(), "le.registry.legal_entity", null, null, null, null, null)))
                .isNull();
    }

    @Test
    void aValueTheFieldCannotHoldAndAnUnmappedColumnFailTheTaskWithTheReason() {
        assertThatThrownBy(() -> transform.apply(event(ENVELOPE.create(row("91510100MA61XY2K3A", "n", "1.005"),
                source("legal_entity", 1, 0), Instant.now()))))
                .isInstanceOf(DataException.class).hasMessageContaining("registeredCapital").hasMessageContaining("rounded");

        Schema wider = SchemaBuilder.struct().name("registry.legal_entity.Value")
                .field("credit_code", Schema.STRING_SCHEMA).field("blood_type", Schema.OPTIONAL_STRING_SCHEMA).build();
        Envelope envelope = Envelope.defineSchema().withName("e").withRecord(wider).withSource(SOURCE).build();
        assertThatThrownBy(() -> transform.apply(new SourceRecord(Map.of(), Map.of(), "t", null, null, null, envelope.schema(),
                envelope.create(new Struct(wider).put("credit_code", "X").put("blood_type", "O"), source("legal_entity", 1, 0),
                        Instant.now()))))
                .isInstanceOf(DataException.class).hasMessageContaining("blood_type").hasMessageContaining("unmappedColumns: ignore");
    }
}
