package cn.tianfu.databus.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MaskRuleTest {

    @ParameterizedTest
    @CsvSource({
            "510104199001011234, 510104********1234",
            "11010519491231002X, 110105********002X",
            "12345678901, 123456*8901",
            "1234567890, **********",
            "51010, *****",
            "'', ''"
    })
    void idNumberKeepsFirstSixAndLastFour(String clear, String masked) {
        assertThat(MaskRule.ID_NUMBER.apply(clear)).isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource({
            "13812345678, 138****5678",
            "+8613812345678, +86*******5678",
            "12345678, 123*5678",
            "1234567, *******",
            "110, ***"
    })
    void phoneKeepsFirstThreeAndLastFour(String clear, String masked) {
        assertThat(MaskRule.PHONE.apply(clear)).isEqualTo(masked);
    }

    @ParameterizedTest
    @CsvSource({
            "张三, 张*",
            "王小明, 王**",
            "欧阳娜娜, 欧阳**",
            "司马光, 司马*",
            "欧阳, **",
            "李, *",
            "阿卜杜拉·买买提, 阿*******",
            "Alice, A****"
    })
    void nameKeepsTheSurname(String clear, String masked) {
        assertThat(MaskRule.NAME.apply(clear)).isEqualTo(masked);
    }

    @Test
    void nonBmpCharactersAreOneCharacterEach() {
        String surname = new String(Character.toChars(0x2000B));   // 𠀋, outside the BMP
        String given = new String(Character.toChars(0x20021));
        String name = surname + given + "明";
        assertThat(MaskRule.NAME.apply(name)).isEqualTo(surname + "**");
        assertThat(MaskRule.FULL.apply(name)).isEqualTo("***");
        assertThat(MaskRule.NAME.apply(given + surname)).isEqualTo(given + "*");
        // a non-BMP character in the masked middle of an ID-like value is one '*', never half a surrogate pair
        String id = "510104" + surname + surname + "1234";
        assertThat(MaskRule.ID_NUMBER.apply(id)).isEqualTo("510104**1234");
        String shortValue = surname + surname + surname;
        assertThat(MaskRule.PHONE.apply(shortValue)).isEqualTo("***");
    }

    @Test
    void fullReplacesEveryCharacterAndNoneKeepsEverything() {
        assertThat(MaskRule.FULL.apply("四川省成都市锦江区春熙路1号")).isEqualTo("*".repeat(14));
        assertThat(MaskRule.NONE.apply("四川省成都市")).isEqualTo("四川省成都市");
        assertThat(MaskRule.FULL.apply("")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(MaskRule.class)
    void nullStaysNull(MaskRule rule) {
        assertThat(rule.apply(null)).isNull();
    }

    @Test
    void acceptsAvroUtf8() {
        assertThat(MaskRule.PHONE.apply(new Utf8("13812345678"))).isEqualTo("138****5678");
    }

    @ParameterizedTest
    @EnumSource(value = MaskRule.class, names = {"ID_NUMBER", "PHONE", "NAME", "FULL"})
    void maskedValuesNeverRevealTheWholeValue(MaskRule rule) {
        for (int length = 0; length <= 20; length++) {
            String value = "0123456789abcdefghij".substring(0, length);
            String masked = rule.apply(value);
            assertThat(masked).hasSize(length);
            if (length > 0) {
                assertThat(masked).isNotEqualTo(value).contains("*");
            }
        }
    }

    @Test
    void propertyParsing() {
        assertThat(MaskRule.fromProperty("f", "phone", Sensitivity.PERSONAL)).isEqualTo(MaskRule.PHONE);
        assertThat(MaskRule.fromProperty("f", null, Sensitivity.PERSONAL)).isEqualTo(MaskRule.FULL);
        assertThat(MaskRule.fromProperty("f", null, Sensitivity.INTERNAL)).isEqualTo(MaskRule.NONE);
        assertThat(MaskRule.fromProperty("f", "NONE", Sensitivity.PERSONAL)).isEqualTo(MaskRule.NONE);
        assertThatThrownBy(() -> MaskRule.fromProperty("phone", "HASH", Sensitivity.PERSONAL))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("phone").hasMessageContaining("HASH").hasMessageContaining("ID_NUMBER");
        assertThatThrownBy(() -> Sensitivity.fromProperty("phone", "SECRET"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("SECRET");
    }
}
