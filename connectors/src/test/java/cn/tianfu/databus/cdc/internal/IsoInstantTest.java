package cn.tianfu.databus.cdc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The fast reading of Debezium's {@code ZonedTimestamp} text gives what {@code OffsetDateTime.parse} gives, or leaves it to it. */
class IsoInstantTest {

    @Test
    void readsDebeziumsZonedTimestampsLikeOffsetDateTimeParse() {
        for (String s : List.of("2026-03-01T01:30:00Z", "2026-03-01T01:30:00.1Z", "2026-03-01T01:30:00.123Z",
                "2026-03-01T01:30:00.123456Z", "2026-03-01T01:30:00.123456789Z", "1969-12-31T23:59:59.999999Z",
                "1900-01-01T00:00:00Z", "2024-02-29T12:00:00+08:00", "2026-03-01T09:30:00.5-05:30", "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999+18:00", "2026-12-31T23:59:59-18:00")) {
            assertThat(Conversions.isoInstant(s)).as(s).isEqualTo(OffsetDateTime.parse(s).toInstant());
        }
    }

    @Test
    void leavesEveryOtherTextToTheGeneralParser() {
        for (String s : List.of("2026-03-01 01:30:00Z", "2026-03-01T01:30:00", "2026-02-30T01:30:00Z", "2026-13-01T01:30:00Z",
                "2026-03-01T24:00:00Z", "2026-03-01T01:60:00Z", "2026-03-01T01:30:60Z", "2026-03-01T01:30:00.Z",
                "2026-03-01T01:30:00.1234567890Z", "2026-03-01T01:30:00+19:00", "2026-03-01T01:30:00+08:00:00",
                " 2026-03-01T01:30:00Z", "+12026-03-01T01:30:00Z", "2026-0a-01T01:30:00Z", "2026-03-01T01:30:00+0800")) {
            assertThat(Conversions.isoInstant(s)).as(s).isNull();
        }
    }

    @Test
    void aTimestampColumnStillConvertsThroughTheGeneralParserWhenTheFastOneDeclines() {
        Conversions.Target target = Conversions.target(org.apache.avro.SchemaBuilder.builder().type(
                org.apache.avro.LogicalTypes.timestampMillis().addToSchema(org.apache.avro.Schema.create(org.apache.avro.Schema.Type.LONG))));
        assertThat(Conversions.convert(" 2026-03-01T09:30:00+08:00 ", null, target, java.time.ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-03-01T01:30:00Z").toEpochMilli());
        assertThat(Conversions.convert("2026-03-01T09:30:00.25+08:00", null, target, java.time.ZoneOffset.UTC))
                .isEqualTo(Instant.parse("2026-03-01T01:30:00.250Z").toEpochMilli());
        assertThatThrownBy(() -> Conversions.convert("2026-02-30T01:30:00Z", null, target, java.time.ZoneOffset.UTC))
                .isInstanceOf(Conversions.ConversionException.class).hasMessageContaining("is not a timestamp");
    }
}
