package cn.tianfu.databus.cdc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import io.debezium.data.Envelope;

class ChangeEventTest {

    private static final Schema ROW = SchemaBuilder.struct().name("hukou.resident.Value")
            .field("id_number", Schema.STRING_SCHEMA).build();
    private static final Schema PG_SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("connector", Schema.STRING_SCHEMA).field("schema", Schema.STRING_SCHEMA).field("db", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).field("lsn", Schema.INT64_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema BINLOG_SOURCE = SchemaBuilder.struct().name("io.debezium.connector.mariadb.Source")
            .field("connector", Schema.STRING_SCHEMA).field("db", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA).build();

    private static Struct envelope(Schema sourceSchema, Struct source, String op, Struct before, Struct after) {
        Envelope e = Envelope.defineSchema().withName("x.Envelope").withRecord(ROW).withSource(sourceSchema).build();
        Struct v = new Struct(e.schema()).put("op", op).put("source", source);
        if (before != null) {
            v.put("before", before);
        }
        if (after != null) {
            v.put("after", after);
        }
        return v;
    }

    private static Struct pgSource(Long ts, String snapshot) {
        return new Struct(PG_SOURCE).put("connector", "postgresql").put("schema", "hukou").put("db", "city")
                .put("table", "resident").put("ts_ms", ts).put("snapshot", snapshot).put("lsn", 0x1000L);
    }

    private static Struct row(String id) {
        return new Struct(ROW).put("id_number", id);
    }

    @Test
    void aPostgresChangeNamesItsTableBySchemaAndCarriesItsRowsPositionAndTime() {
        ChangeEvent c = ChangeEvent.of(envelope(PG_SOURCE, pgSource(1_772_328_600_000L, "false"), "u", row("1"), row("2")))
                .orElseThrow();
        assertThat(c.table()).isEqualTo("hukou.resident");
        assertThat(c.op()).isEqualTo("u");
        assertThat(c.before().getString("id_number")).isEqualTo("1");
        assertThat(c.after().getString("id_number")).isEqualTo("2");
        assertThat(c.isDelete()).isFalse();
        assertThat(c.isTableEvent()).isFalse();
        assertThat(c.snapshot()).isFalse();
        assertThat(c.position()).isEqualTo("pg:0000000000001000:0000000000001000");
        assertThat(c.sourceTime()).isEqualTo(Instant.ofEpochMilli(1_772_328_600_000L));
    }

    @Test
    void aBinlogChangeNamesItsTableByDatabase() {
        Struct source = new Struct(BINLOG_SOURCE).put("connector", "mariadb").put("db", "registry").put("table", "legal_entity")
                .put("ts_ms", 1L).put("snapshot", "true").put("file", "binlog.000003").put("pos", 4L).put("row", 0);
        ChangeEvent c = ChangeEvent.of(envelope(BINLOG_SOURCE, source, "d", row("1"), null)).orElseThrow();
        assertThat(c.table()).isEqualTo("registry.legal_entity");
        assertThat(c.isDelete()).isTrue();
        assertThat(c.after()).isNull();
        assertThat(c.snapshot()).isTrue();
    }

    @Test
    void truncatesAndMessagesConcernNoRow() {
        assertThat(ChangeEvent.of(envelope(PG_SOURCE, pgSource(1L, null), "t", null, null)).orElseThrow().isTableEvent()).isTrue();
        assertThat(ChangeEvent.of(envelope(PG_SOURCE, pgSource(1L, null), "m", null, null)).orElseThrow().isTableEvent()).isTrue();
    }

    @Test
    void withoutASourceTimeTheChangeIsDatedWhenRead() {
        Instant before = Instant.now();
        Instant t = ChangeEvent.of(envelope(PG_SOURCE, pgSource(null, null), "c", null, row("1"))).orElseThrow().sourceTime();
        assertThat(t).isBetween(before, Instant.now());
    }

    @Test
    void valuesThatAreNoChangeEnvelopeAreNoChangeEvents() {
        assertThat(ChangeEvent.of(null)).isEmpty();
        assertThat(ChangeEvent.of("heartbeat")).isEmpty();
        assertThat(ChangeEvent.of(row("1"))).isEmpty();
    }
}
