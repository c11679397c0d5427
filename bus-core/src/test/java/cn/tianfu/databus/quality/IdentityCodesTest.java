package cn.tianfu.databus.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentityCodesTest {

    @Test
    void idNumberWorkedExampleFromTheStandard() {
        assertThat(IdentityCodes.idNumberCheck("11010519491231002")).isEqualTo('X');
        assertThat(IdentityCodes.isValidIdNumber("11010519491231002X")).isTrue();
    }

    @Test
    void idNumberRejectsWrongCheckBadDateAndWrongLength() {
        assertThat(IdentityCodes.isValidIdNumber("110105194912310021")).isFalse();
        assertThat(IdentityCodes.isValidIdNumber("11010519491331002X")).as("month 13").isFalse();
        assertThat(IdentityCodes.isValidIdNumber("11010519491231002")).isFalse();
        assertThat(IdentityCodes.isValidIdNumber(null)).isFalse();
        assertThatThrownBy(() -> IdentityCodes.idNumberCheck("1101051949123100A")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void creditCodeWorkedExampleFromTheStandard() {
        assertThat(IdentityCodes.creditCodeCheck("91350100M000100Y4")).isEqualTo('3');
        assertThat(IdentityCodes.isValidCreditCode("91350100M000100Y43")).isTrue();
        assertThat(IdentityCodes.isValidCreditCode("91350100M000100Y44")).isFalse();
        assertThat(IdentityCodes.isValidCreditCode("91350100M000100YO3")).as("O is not in the alphabet").isFalse();
    }
}
