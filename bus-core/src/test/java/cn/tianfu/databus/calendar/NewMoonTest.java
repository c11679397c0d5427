package cn.tianfu.databus.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NewMoonTest {

    /** Published new moons (UTC, to the minute). */
    @ParameterizedTest
    @CsvSource({
            "2026-02-17T12:01:00Z",   // the annular eclipse of 17 February 2026
            "2027-02-06T15:56:00Z",   // 23:56 China Standard Time: the Spring Festival of 2027 is on 6 February
            "2024-04-08T18:21:00Z",   // the total eclipse of 8 April 2024
    })
    void nearestNewMoonToTheMinute(String published) {
        Instant expected = Instant.parse(published);

        Instant computed = NewMoon.nearest(expected.minus(Duration.ofDays(9)));

        assertThat(Duration.between(expected, computed).abs()).isLessThan(Duration.ofMinutes(2));
        assertThat(NewMoon.nearest(expected.plus(Duration.ofDays(10)))).isEqualTo(computed);
    }
}
