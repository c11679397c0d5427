package cn.tianfu.databus.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cdc.internal.Positions;
import cn.tianfu.databus.contract.SourcePositions;

class PositionsTest {

    private static final Schema PG = SchemaBuilder.struct().field("connector", Schema.STRING_SCHEMA)
            .field("lsn", Schema.INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema BINLOG = SchemaBuilder.struct().field("connector", Schema.STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA).field("pos", Schema.INT64_SCHEMA).field("row", Schema.INT32_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA).build();

    private static String pg(long lsn, String sequence, String snapshot) {
        return Positions.of(new Struct(PG).put("connector", "postgresql").put("lsn", lsn).put("sequence", sequence)
                .put("snapshot", snapshot));
    }

    private static String binlog(String file, long pos, int row, String snapshot) {
        return Positions.of(new Struct(BINLOG).put("connector", "mariadb").put("file", file).put("pos", pos).put("row", row)
                .put("snapshot", snapshot));
    }

    @Test
    void positionsAreFixedWidthAndSortInLogOrder() {
        assertThat(pg(0x1733f20L, "[\"24330000\",\"24330016\"]", "false")).isEqualTo("pg:0000000001733f10:0000000001733f20");
        assertThat(pg(0x1733f20L, "[null,\"24330016\"]", "false")).isEqualTo("pg:0000000001733f20:0000000001733f20");
        assertThat(pg(0x1000L, "[\"1\",\"2\"]", "true")).as("snapshot rows carry the snapshot's LSN")
                .isEqualTo("pg:0000000000001000:0000000000001000");
        assertThat(binlog("binlog.000003", 2249, 2, "false")).isEqualTo("binlog:0000000003:000000002249:000002");
        assertThat(binlog("mysql-bin.000010", 4, 0, "last")).isEqualTo("binlog:0000000010:000000000004:000000");
        assertThat(binlog("binlog.000009", 999_999, 0, "false")).isLessThan(binlog("binlog.000010", 4, 0, "false"));
        assertThat(pg(0xfffL, null, "false")).isLessThan(pg(0x1000L, null, "false"));
    }

    @Test
    void positionsAtTheEdgesOfTheirWidthsAreWrittenInFull() {
        assertThat(pg(-1L, null, "false")).as("an LSN is unsigned").isEqualTo("pg:ffffffffffffffff:ffffffffffffffff");
        assertThat(pg(0L, null, "false")).isEqualTo("pg:0000000000000000:0000000000000000");
        assertThat(binlog("binlog.9999999999", 999_999_999_999L, 999_999, "false"))
                .isEqualTo("binlog:9999999999:999999999999:999999");
        assertThat(binlog("binlog.000001", 1_000_000_000_000L, 1_000_000, "false")).as("wider than the width: not cut")
                .isEqualTo("binlog:0000000001:1000000000000:1000000");
        assertThat(binlog("binlog.000001", 0, 0, "false")).isEqualTo("binlog:0000000001:000000000000:000000");
    }

    @Test
    void replaysAreRecognisedOnlyWithinOneKind() {
        String stored = "pg:0000000000001000:0000000000001010";
        assertThat(SourcePositions.isReplay(stored, "pg:0000000000001000:0000000000001010")).isTrue();
        assertThat(SourcePositions.isReplay(stored, "pg:0000000000000fff:0000000000002000")).isTrue();
        assertThat(SourcePositions.isReplay(stored, "pg:0000000000001000:0000000000001011")).isFalse();
        assertThat(SourcePositions.isReplay(stored, "binlog:0000000001:000000000004:000000")).isFalse();
        assertThat(SourcePositions.isReplay(null, stored)).isFalse();
    }
}
