package cn.tianfu.databus.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import cn.tianfu.databus.schemas.HolidayCalendar;

class StatutoryHolidaysTest {

    private static final WorkingDayCalendar OFFICIAL = WorkingDayCalendar.bundled();

    @Test
    void everyStatutoryDayOf2026IsADayOffOfTheOfficialNotice() {
        SortedMap<LocalDate, String> statutory = StatutoryHolidays.of(2026);

        // 1 + 4 + 1 + 2 + 1 + 1 + 3
        assertThat(statutory).hasSize(13);
        statutory.forEach((d, name) -> {
            assertThat(OFFICIAL.isWorkingDay(d)).as("%s %s", d, name).isFalse();
            assertThat(OFFICIAL.label(d)).as("%s", d).contains(name);
        });
    }

    @Test
    void the2026DatesAreTheKnownOnes() {
        assertThat(StatutoryHolidays.of(2026)).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.ofEntries(
                Map.entry(LocalDate.parse("2026-01-01"), "元旦"),
                Map.entry(LocalDate.parse("2026-02-16"), "春节"),   // eve: 腊月二十九 (the 12th month has 29 days)
                Map.entry(LocalDate.parse("2026-02-17"), "春节"),
                Map.entry(LocalDate.parse("2026-02-18"), "春节"),
                Map.entry(LocalDate.parse("2026-02-19"), "春节"),
                Map.entry(LocalDate.parse("2026-04-05"), "清明节"),
                Map.entry(LocalDate.parse("2026-05-01"), "劳动节"),
                Map.entry(LocalDate.parse("2026-05-02"), "劳动节"),
                Map.entry(LocalDate.parse("2026-06-19"), "端午节"),
                Map.entry(LocalDate.parse("2026-09-25"), "中秋节"),
                Map.entry(LocalDate.parse("2026-10-01"), "国庆节"),
                Map.entry(LocalDate.parse("2026-10-02"), "国庆节"),
                Map.entry(LocalDate.parse("2026-10-03"), "国庆节"))));
    }

    @ParameterizedTest(name = "{0}: eve {1}, Qingming {2}, Dragon Boat {3}, Mid-Autumn {4}")
    @CsvSource({
            "2025, 2025-01-28, 2025-04-04, 2025-05-31, 2025-10-06",
            "2027, 2027-02-05, 2027-04-05, 2027-06-09, 2027-09-15",
            "2028, 2028-01-25, 2028-04-04, 2028-05-28, 2028-10-03",
    })
    void lunarHolidaysAndQingmingOfOtherYears(int year, String eve, String qingming, String dragonBoat, String midAutumn) {
        SortedMap<LocalDate, String> days = StatutoryHolidays.of(year);

        LocalDate e = LocalDate.parse(eve);
        assertThat(List.of(e, e.plusDays(1), e.plusDays(2), e.plusDays(3))).allSatisfy(d -> assertThat(days.get(d)).as("%s", d).isEqualTo("春节"));
        assertThat(days.get(e.minusDays(1))).isNull();
        assertThat(days.get(e.plusDays(4))).isNull();
        assertThat(StatutoryHolidays.qingming(year)).isEqualTo(LocalDate.parse(qingming));
        assertThat(days.get(LocalDate.parse(qingming))).isEqualTo("清明节");
        assertThat(days.get(LocalDate.parse(dragonBoat))).isEqualTo("端午节");
        assertThat(days.get(LocalDate.parse(midAutumn))).contains("中秋节");
    }

    @Test
    void midAutumnOnNationalDayIsOneDayOffUnderBothNames() {
        // 2028: the 15th of the 8th month is 3 October
        SortedMap<LocalDate, String> days = StatutoryHolidays.of(2028);

        assertThat(days.get(LocalDate.parse("2028-10-03"))).isEqualTo("中秋节、国庆节");
        assertThat(days).hasSize(12);
    }

    @Test
    void aProvisionalYearHasNoMakeUpDaysAndOnlyTheStatutoryDaysOff() {
        YearCalendar y = StatutoryHolidays.provisional(2027);

        assertThat(y.kind()).isEqualTo(CalendarKind.PROVISIONAL);
        assertThat(y.makeUpDays()).isEmpty();
        assertThat(y.daysOff()).isEqualTo(StatutoryHolidays.of(2027));
        assertThat(y.source()).contains("全国年节及纪念日放假办法");
        // 2027: 261 weekdays; of the 13 statutory days, 02-06/07 (Sat/Sun), 05-01/02 (Sat/Sun), 10-02/03 (Sat/Sun) are weekend days
        assertThat(y.workingDayCount()).isEqualTo(261 - 7);
    }

    @Test
    void yearsOutsideTheRevisionAreNotComputed() {
        assertThatThrownBy(() -> StatutoryHolidays.of(2024)).isInstanceOf(CalendarException.class)
                .hasMessageContaining("2025 to 2100");
        assertThat(StatutoryHolidays.covers(2025)).isTrue();
        assertThat(StatutoryHolidays.covers(2101)).isFalse();
    }

    @Test
    void aRequestFiledOn20DecemberIsDueOn4JanuaryOnTheProvisional2027() {
        // 12-21..25 (5), 12-28..31 (4), 2027-01-01 New Year off, 01-02/03 weekend, 01-04 the 10th
        WorkingDayCalendar cal = OFFICIAL.withProvisionalYears();
        Instant filed = OffsetDateTime.parse("2026-12-20T10:00:00+08:00").toInstant();

        Due due = cal.due(filed, 10);

        assertThat(due.date()).isEqualTo(LocalDate.parse("2027-01-04"));
        assertThat(due.instant()).isEqualTo(OffsetDateTime.parse("2027-01-04T23:59:59.999+08:00").toInstant());
        assertThat(due.provisional()).isTrue();
        assertThat(due.provisionalYears()).containsExactly(2027);
        assertThat(due.calendarSummary()).isEqualTo("2026 OFFICIAL, 2027 PROVISIONAL");
        assertThat(due.describe()).isEqualTo("due 2027-01-04, provisional calendar for 2027");
        assertThat(cal.years()).containsExactly(2026);
    }

    @Test
    void aDueDateOnOfficialYearsOnlySaysNothingProvisional() {
        Due due = OFFICIAL.withProvisionalYears().due(LocalDate.parse("2026-09-18"), 10);

        assertThat(due.date()).isEqualTo(LocalDate.parse("2026-10-09"));
        assertThat(due.provisional()).isFalse();
        assertThat(due.describe()).isEqualTo("due 2026-10-09");
        assertThat(due.calendarSummary()).isEqualTo("2026 OFFICIAL");
    }

    @Test
    void withoutProvisionalYearsAMissingYearIsStillAnError() {
        assertThatThrownBy(() -> OFFICIAL.due(LocalDate.parse("2026-12-20"), 10)).isInstanceOf(CalendarException.class)
                .hasMessageContaining("no calendar loaded for 2027");
        assertThatThrownBy(() -> OFFICIAL.withProvisionalYears().isWorkingDay(LocalDate.parse("2024-05-06")))
                .hasMessageContaining("2024");
    }

    @Test
    void aLoadedOfficialYearOverridesTheProvisionalOne() {
        // an invented 2027 notice (for the test only): 2027-01-01..03 off, Saturday 2027-01-09 worked
        YearCalendar notice = WorkingDayCalendar.parse("year 2027\n2027-01-01..2027-01-03 off 元旦\n2027-01-09 work 调休上班\n",
                "test-2027.cal").calendarOf(2027);
        WorkingDayCalendar cal = OFFICIAL.withProvisionalYears().overriddenBy(List.of(notice));

        Due due = cal.due(LocalDate.parse("2026-12-20"), 10);

        assertThat(due.provisional()).isFalse();
        assertThat(due.date()).isEqualTo(LocalDate.parse("2027-01-04"));
        assertThat(cal.due(LocalDate.parse("2026-12-31"), 6).date()).isEqualTo(LocalDate.parse("2027-01-09"));
        assertThat(cal.calendarOf(2028).kind()).isEqualTo(CalendarKind.PROVISIONAL);
    }

    @Test
    void recordsRoundTripAndLoadingOverAProvisionalYearKeepsItInTheHistory() {
        YearCalendar official2026 = OFFICIAL.calendarOf(2026);
        Instant now = Instant.parse("2026-12-01T02:00:00Z");

        HolidayCalendar first = CalendarRecords.loading(official2026, CalendarRecords.REGION_CN, Optional.empty(), false, now);
        YearCalendar back = CalendarRecords.toYear(first);

        assertThat(CalendarRecords.key("CN", 2026)).isEqualTo("CN/2026");
        assertThat(CalendarRecords.yearOf("CN/2026", "CN")).contains(2026);
        assertThat(CalendarRecords.yearOf("HK/2026", "CN")).isEmpty();
        assertThat(back.daysOff()).isEqualTo(official2026.daysOff());
        assertThat(back.makeUpDays()).isEqualTo(official2026.makeUpDays());
        assertThat(back.kind()).isEqualTo(CalendarKind.OFFICIAL);
        assertThat(first.getHistory()).singleElement().satisfies(v -> {
            assertThat(v.getKind()).isEqualTo(cn.tianfu.databus.schemas.CalendarKind.PROVISIONAL);
            assertThat(v.getReplacedAt()).isEqualTo(now);
        });
        assertThatThrownBy(() -> CalendarRecords.loading(official2026, "CN", Optional.of(first), false, now))
                .isInstanceOf(CalendarException.class).hasMessageContaining("--replace");
        HolidayCalendar corrected = CalendarRecords.loading(official2026, "CN", Optional.of(first), true, now.plusSeconds(60));
        assertThat(corrected.getHistory()).hasSize(2);
        assertThat(corrected.getHistory().get(0).getKind()).isEqualTo(cn.tianfu.databus.schemas.CalendarKind.OFFICIAL);
        assertThatThrownBy(() -> CalendarRecords.loading(StatutoryHolidays.provisional(2026), "CN", Optional.of(first), true, now))
                .hasMessageContaining("never replaces");
    }
}
