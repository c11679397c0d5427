package cn.tianfu.databus.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.UpdateFrequency;

class QualityScoresTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Firm", "fields": [
              {"name": "uscc", "type": ["null", "string"], "default": null},
              {"name": "regionCode", "type": ["null", "string"], "default": null},
              {"name": "legalRep", "type": ["null", "string"], "default": null},
              {"name": "founded", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
              {"name": "staff", "type": ["null", "int"], "default": null}
            ]}""");

    private static DataItem item(String name, String display, FieldType type, MaskKind mask) {
        return DataItem.newBuilder().setName(name).setDisplayName(display).setType(type)
                .setSensitivity(Sensitivity.PUBLIC).setMask(mask).build();
    }

    private static final List<DataItem> ITEMS = List.of(
            item("uscc", "统一社会信用代码", FieldType.STRING, MaskKind.NONE),
            item("regionCode", "注册地行政区划", FieldType.STRING, MaskKind.NONE),
            item("legalRep", "法定代表人身份证号", FieldType.STRING, MaskKind.FULL),
            item("founded", "成立日期", FieldType.DATE, MaskKind.NONE),
            item("staff", "从业人数", FieldType.INT, MaskKind.NONE));

    private static GenericRecord firm(String uscc, String region, String rep, Integer founded, Integer staff) {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("uscc", uscc);
        r.put("regionCode", region);
        r.put("legalRep", rep);
        r.put("founded", founded);
        r.put("staff", staff);
        return r;
    }

    @Test
    void eachItemGetsTheCheckItsCatalogEntrySays() {
        assertThat(ITEMS.stream().map(ItemCheck::of)).containsExactly(ItemCheck.CREDIT_CODE, ItemCheck.DIVISION_CODE,
                ItemCheck.ID_NUMBER, ItemCheck.DATE, ItemCheck.NONE);
        assertThat(ItemCheck.of(item("idNumber", "证件号", FieldType.STRING, MaskKind.NONE))).isEqualTo(ItemCheck.ID_NUMBER);
        assertThat(ItemCheck.of(item("code", "代码", FieldType.STRING, MaskKind.ID_NUMBER))).isEqualTo(ItemCheck.ID_NUMBER);
        assertThat(ItemCheck.of(item("idNumber", "证件号", FieldType.LONG, MaskKind.NONE))).isEqualTo(ItemCheck.NONE);
    }

    @Test
    void divisionCodesAreChengdusKnownOnes() {
        assertThat(IdentityCodes.isKnownDivisionCode("510104")).isTrue();
        assertThat(IdentityCodes.isKnownDivisionCode("510185")).isTrue();
        assertThat(IdentityCodes.isKnownDivisionCode("510100")).isTrue();
        assertThat(IdentityCodes.isKnownDivisionCode("510109")).as("not a county-level code").isFalse();
        assertThat(IdentityCodes.isKnownDivisionCode("5101040")).isFalse();
        assertThat(IdentityCodes.isKnownDivisionCode(null)).isFalse();
    }

    @Test
    void aTallyCountsPresentItemsAndInvalidValuesAndSubtractsAReplacedRecord() {
        QualityTally good = QualityTally.of(firm("91350100M000100Y43", "510107", "11010519491231002X",
                (int) java.time.LocalDate.of(2001, 5, 1).toEpochDay(), 12), ITEMS);
        QualityTally bad = QualityTally.of(firm("91350100M000100Y44", "999999", "110105194912310021",
                (int) java.time.LocalDate.of(1899, 12, 31).toEpochDay(), null), ITEMS);
        QualityTally blank = QualityTally.of(firm(" ", null, null, null, 3), ITEMS);
        QualityTally total = QualityTally.EMPTY.plus(good).plus(bad).plus(blank);
        assertThat(total.records()).isEqualTo(3);
        assertThat(total.required()).isEqualTo(15);
        assertThat(total.present()).isEqualTo(5 + 4 + 1);
        assertThat(total.checked()).isEqualTo(8);
        assertThat(total.invalid()).isEqualTo(4);
        for (ItemCheck c : List.of(ItemCheck.ID_NUMBER, ItemCheck.CREDIT_CODE, ItemCheck.DIVISION_CODE, ItemCheck.DATE)) {
            assertThat(total.invalid(c)).as(c.name()).isEqualTo(1);
        }
        assertThat(total.minus(bad).invalid()).isZero();
        assertThat(QualityTally.fromBytes(total.toBytes())).isEqualTo(total);

        QualityScores s = QualityScores.of(total.plus(QualityTally.UNREADABLE_RECORD), UpdateFrequency.IRREGULAR,
                Instant.EPOCH, Instant.EPOCH);
        assertThat(s.completeness()).isEqualTo(0.667);
        assertThat(s.validity()).isEqualTo(0.5);
        assertThat(s.timeliness()).as("IRREGULAR declares no period").isNull();
        assertThat(s.availability()).isEqualTo(0.75);
        assertThat(s.overall()).isEqualTo(0.639);
    }

    @Test
    void timelinessIsFullForOnePeriodThenFallsToZeroAtTwo() {
        Instant t = Instant.parse("2027-01-01T00:00:00Z");
        assertThat(Timeliness.score(UpdateFrequency.WEEKLY, t, t.plus(Duration.ofDays(7)))).contains(1.0);
        assertThat(Timeliness.score(UpdateFrequency.WEEKLY, t, t.plus(Duration.ofDays(14)).minus(Duration.ofHours(42))))
                .contains(0.25);
        assertThat(Timeliness.score(UpdateFrequency.WEEKLY, t, t.plus(Duration.ofDays(30)))).contains(0.0);
        assertThat(Timeliness.score(UpdateFrequency.IRREGULAR, t, t.plus(Duration.ofDays(3000)))).isEmpty();
    }

    @Test
    void thresholdsNameEachScoreBelowThemAndRejectValuesOutsideZeroToOne() {
        QualityThresholds th = new QualityThresholds(0.6, 0.9, 0.95, 0.5, 0.9);
        assertThat(th.breaches(new QualityScores(0.8, 0.96, null, 1.0, 0.587)))
                .containsExactly("overall 0.587 < 0.600", "completeness 0.800 < 0.900");
        assertThat(th.breaches(new QualityScores(null, null, null, null, null))).isEmpty();
        assertThatThrownBy(() -> new QualityThresholds(1.5, 0.9, 0.95, 0.5, 0.9))
                .hasMessageContaining("overall").hasMessageContaining("1.5");
    }
}
