package cn.tianfu.databus.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ClaimsTest {

    private static final Schema SCHEMA = SchemaBuilder.record("P").fields()
            .requiredString("idNumber").optionalString("gender").optionalInt("age").optionalBoolean("alive")
            .optionalString("note").endRecord();

    private static GenericRecord record() {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("idNumber", "510104199001011234");
        r.put("gender", new org.apache.avro.util.Utf8("1"));
        r.put("age", 36);
        r.put("alive", true);
        r.put("note", null);
        return r;
    }

    @Test
    void each_claim_is_judged_against_the_record_in_the_claims_order() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("gender", "1");
        claims.put("age", 36);
        claims.put("alive", false);
        claims.put("note", null);
        assertThat(Claims.evaluate(claims, record())).containsExactly(Map.entry("gender", true), Map.entry("age", true),
                Map.entry("alive", false), Map.entry("note", true));
    }

    @Test
    void numbers_compare_by_value_and_across_text_as_plain_text() {
        assertThat(Claims.matches(new BigDecimal("36.0"), 36)).isTrue();
        assertThat(Claims.matches(36L, 36)).isTrue();
        assertThat(Claims.matches(37, 36)).isFalse();
        assertThat(Claims.matches(new BigDecimal("1"), "1")).isTrue();
        assertThat(Claims.matches(1, "01")).isFalse();
        assertThat(Claims.matches("36", 36)).isTrue();
        assertThat(Claims.matches("x", 36)).isFalse();
        assertThat(Claims.matches(true, "true")).isFalse();
        assertThat(Claims.matches("1", null)).isFalse();
    }

    @Test
    void without_a_record_every_claim_is_false() {
        assertThat(Claims.evaluate(Map.of("gender", "1"), null)).containsEntry("gender", false);
    }

    @Test
    void claims_only_on_fields_delivered_in_clear() {
        Set<String> delivered = Set.of("idNumber", "gender", "name");
        Set<String> clear = Set.of("gender");
        Claims.checkAllowed(Map.of("gender", "1"), "r", delivered, clear);
        assertThatThrownBy(() -> Claims.checkAllowed(Map.of("name", "x"), "r", delivered, clear))
                .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.kind()).isEqualTo(ServiceException.Kind.FORBIDDEN))
                .hasMessageContaining("masked");
        assertThatThrownBy(() -> Claims.checkAllowed(Map.of("mobile", "x"), "r", delivered, clear))
                .hasMessageContaining("not delivered");
        assertThatThrownBy(() -> Claims.checkAllowed(Map.of(), "r", delivered, clear))
                .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.kind()).isEqualTo(ServiceException.Kind.BAD_REQUEST));
    }
}
