package cn.tianfu.databus.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import cn.tianfu.databus.DatabusException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WorkingDayCalendarTest {

    private static final WorkingDayCalendar CAL = WorkingDayCalendar.bundled();

    /** The 2026 days off as published (inclusive ranges). */
    static Stream<Arguments> holidays2026() {
        return Stream.of(
                Arguments.of("2026-01-01", "2026-01-03", "元旦"),
                Arguments.of("2026-02-15", "2026-02-23", "春节"),
                Arguments.of("2026-04-04", "2026-04-06", "清明节"),
                Arguments.of("2026-05-01", "2026-05-05", "劳动节"),
                Arguments.of("2026-06-19", "2026-06-21", "端午节"),
                Arguments.of("2026-09-25", "2026-09-27", "中秋节"),
                Arguments.of("2026-10-01", "2026-10-07", "国庆节"));
    }

    private static final List<LocalDate> MAKE_UP_DAYS = Stream.of(
            "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10").map(LocalDate::parse).toList();

    @Test
    void bundledCalendarCovers2026() {
        assertThat(CAL.years()).containsExactly(2026);
    }

    @ParameterizedTest(name = "{2} {0}..{1}")
    @MethodSource("holidays2026")
    void everyDayOfAPublicHolidayIsOff(String from, String to, String name) {
        for (LocalDate d = LocalDate.parse(from); !d.isAfter(LocalDate.parse(to)); d = d.plusDays(1)) {
            assertThat(CAL.isWorkingDay(d)).as("%s", d).isFalse();
            assertThat(CAL.label(d)).as("%s", d).contains(name);
        }
    }

    @Test
    void everyMakeUpDayIsAWorkingWeekendDay() {
        for (LocalDate d : MAKE_UP_DAYS) {
            assertThat(isWeekend(d)).as("%s is a weekend day", d).isTrue();
            assertThat(CAL.isWorkingDay(d)).as("%s", d).isTrue();
            assertThat(CAL.label(d)).as("%s", d).contains("调休上班");
        }
    }

    @Test
    void ordinaryWeekendsAreOffAndOrdinaryWeekdaysAreWorking() {
        Set<LocalDate> holidays = holidays2026()
                .flatMap(a -> LocalDate.parse((String) a.get()[0]).datesUntil(LocalDate.parse((String) a.get()[1]).plusDays(1)))
                .collect(java.util.stream.Collectors.toSet());
        for (LocalDate d = LocalDate.of(2026, 1, 1); d.getYear() == 2026; d = d.plusDays(1)) {
            boolean expected = MAKE_UP_DAYS.contains(d) || !(isWeekend(d) || holidays.contains(d));
            assertThat(CAL.isWorkingDay(d)).as("%s (%s)", d, d.getDayOfWeek()).isEqualTo(expected);
        }
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 3, 7))).isFalse();   // a Saturday
        assertThat(CAL.isWorkingDay(LocalDate.of(2026, 3, 9))).isTrue();    // a Monday
        assertThat(CAL.label(LocalDate.of(2026, 3, 9))).isEmpty();
    }

    @Test
    void year2026Has248WorkingDays() {
        // 261 weekdays, 19 of them holidays, 6 make-up weekend days
        assertThat(CAL.workingDaysBetween(LocalDate.of(2025, 12, 31), LocalDate.of(2026, 12, 31))).isEqualTo(248);
    }

    @Test
    void workedExampleFromTheNotice() {
        assertThat(CAL.addWorkingDays(LocalDate.of(2026, 9, 18), 10)).isEqualTo(LocalDate.of(2026, 10, 9));

        Instant filed = OffsetDateTime.parse("2026-09-18T10:00:00+08:00").toInstant();
        assertThat(CAL.dueInstant(filed, 10)).isEqualTo(OffsetDateTime.parse("2026-10-09T23:59:59.999+08:00").toInstant());
        assertThat(CAL.dueInstant(filed, 10).plusMillis(1)).isEqualTo(OffsetDateTime.parse("2026-10-10T00:00:00+08:00").toInstant());
    }

    @Test
    void filingDayIsTheShanghaiDateNotTheUtcDate() {
        Instant filed = Instant.parse("2026-09-17T16:30:00Z");   // 2026-09-18 00:30 in Shanghai

        assertThat(CAL.dueInstant(filed, 10)).isEqualTo(Instant.parse("2026-10-09T15:59:59.999Z"));
    }

    @Test
    void countingStartsTheDayAfterFilingEvenOnAHoliday() {
        // filed on National Day: 10-08 is the 1st working day, 10-09 the 2nd, 10-10 (make-up Saturday) the 3rd
        assertThat(CAL.addWorkingDays(LocalDate.of(2026, 10, 1), 3)).isEqualTo(LocalDate.of(2026, 10, 10));
        assertThat(CAL.addWorkingDays(LocalDate.of(2026, 10, 1), 0)).isEqualTo(LocalDate.of(2026, 10, 1));
        assertThatThrownBy(() -> CAL.addWorkingDays(LocalDate.of(2026, 10, 1), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newYearHolidayAtTheStartOfTheYear() {
        // filed on the last day of 2025 (not itself examined): 01-01..03 off, Sunday 01-04 is the first working day
        assertThat(CAL.addWorkingDays(LocalDate.of(2025, 12, 31), 1)).isEqualTo(LocalDate.of(2026, 1, 4));
        assertThat(CAL.addWorkingDays(LocalDate.of(2025, 12, 31), 2)).isEqualTo(LocalDate.of(2026, 1, 5));
    }

    @Test
    void aDueDateRunningPastTheLastLoadedYearIsAnError() {
        assertThatThrownBy(() -> CAL.addWorkingDays(LocalDate.of(2026, 12, 25), 10))
                .isInstanceOf(CalendarException.class)
                .isInstanceOf(DatabusException.class)
                .hasMessageContaining("no calendar loaded for 2027")
                .hasMessageContaining("calendar/cn-2027.cal");
        assertThatThrownBy(() -> CAL.isWorkingDay(LocalDate.of(2025, 12, 31))).hasMessageContaining("2025");
        // the last days that fit still work: 12-28..12-31 are 4 working days
        assertThat(CAL.addWorkingDays(LocalDate.of(2026, 12, 25), 4)).isEqualTo(LocalDate.of(2026, 12, 31));
    }

    @Test
    void workingDaysBetweenInvertsAddWorkingDays() {
        for (LocalDate d = LocalDate.of(2026, 1, 1); d.isBefore(LocalDate.of(2026, 11, 1)); d = d.plusDays(1)) {
            for (int n = 0; n <= 15; n++) {
                LocalDate due = CAL.addWorkingDays(d, n);
                assertThat(CAL.workingDaysBetween(d, due)).as("%s + %d", d, n).isEqualTo(n);
                if (n > 0) {
                    assertThat(CAL.isWorkingDay(due)).as("%s + %d = %s", d, n, due).isTrue();
                }
            }
        }
        assertThatThrownBy(() -> CAL.workingDaysBetween(LocalDate.of(2026, 5, 2), LocalDate.of(2026, 5, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "line {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            year 2026\\n2026-13-01 off x                 | 2 | '2026-13-01' is not a date
            year 2026\\n2026-05-01 holiday              | 2 | unknown kind 'holiday'
            year 2026\\n# ok\\n2026-05-06 work 调休       | 3 | is a WEDNESDAY, already a working day
            year 2026\\n2027-01-01 off 元旦              | 2 | outside the file's year 2026
            year 2026\\n2026-05-01..2026-05-05 off a\\n2026-05-05 off b | 3 | 2026-05-05 is already listed on line 2
            # only a comment                          | 1 | no 'year <yyyy>' line
            year 2026\\nyear 2026                      | 2 | second 'year' line
            year 2026\\n2026-05-05..2026-05-01 off x    | 2 | ends before it starts
            2026-05-01 off x\\nyear 2026                | 1 | 'year <yyyy>' must come before the first date
            year 2026\\nholiday                         | 2 | cannot read 'holiday'
            """)
    void parseErrorsNameFileAndLine(String text, int line, String message) {
        assertThatThrownBy(() -> WorkingDayCalendar.parse(text.replace("\\n", "\n"), "test.cal"))
                .isInstanceOf(CalendarException.class)
                .hasMessageStartingWith("test.cal line " + line + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void aFileMustDeclareTheYearItIsNamedFor() {
        assertThatThrownBy(() -> WorkingDayCalendar.parse("\nyear 2027\n", "calendars/cn-2026.cal"))
                .hasMessage("calendars/cn-2026.cal line 2: declares year 2027 but the file is named for 2026; rename the file or fix the year");
    }

    @Test
    void loadsEveryCalendarFileOfADirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cn-2026.cal"), bundledText());
        // a synthetic year with no holidays, only to test crossing the year boundary
        Files.writeString(dir.resolve("test-2027.cal"), "year 2027\n2027-01-01 off 元旦\n");
        Files.writeString(dir.resolve("README.txt"), "not a calendar");

        WorkingDayCalendar cal = WorkingDayCalendar.load(dir);

        assertThat(cal.years()).containsExactly(2026, 2027);
        // 12-28..31 are 4, 2027-01-01 is off, 01-04..08 are 5 more
        assertThat(cal.addWorkingDays(LocalDate.of(2026, 12, 25), 9)).isEqualTo(LocalDate.of(2027, 1, 8));
        assertThat(cal.isWorkingDay(LocalDate.of(2026, 10, 10))).isTrue();
    }

    @Test
    void directoryProblemsAreTypedErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> WorkingDayCalendar.load(dir)).isInstanceOf(CalendarException.class).hasMessageContaining("no *.cal file");
        assertThatThrownBy(() -> WorkingDayCalendar.load(dir.resolve("missing"))).isInstanceOf(CalendarException.class)
                .hasMessageContaining("does not exist");

        Files.writeString(dir.resolve("a-2026.cal"), "year 2026\n");
        Files.writeString(dir.resolve("b-2026.cal"), "year 2026\n");
        assertThatThrownBy(() -> WorkingDayCalendar.load(dir)).isInstanceOf(CalendarException.class)
                .hasMessageContaining("two calendars for 2026").hasMessageContaining("a-2026.cal").hasMessageContaining("b-2026.cal");

        Files.writeString(dir.resolve("b-2026.cal"), "year 2026\n2026-02-30 off x\n");
        assertThatThrownBy(() -> WorkingDayCalendar.load(dir)).hasMessageContaining("b-2026.cal line 2: '2026-02-30' is not a date");
    }

    @Test
    void combiningCalendarsRefusesTheSameYearTwice() {
        WorkingDayCalendar y2027 = WorkingDayCalendar.parse("year 2027\n", "x-2027.cal");

        assertThat(CAL.with(y2027).years()).containsExactly(2026, 2027);
        assertThatThrownBy(() -> CAL.with(CAL)).isInstanceOf(CalendarException.class).hasMessageContaining("two calendars for 2026");
    }

    private static boolean isWeekend(LocalDate d) {
        return d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY;
    }

    private static String bundledText() throws IOException {
        try (var in = WorkingDayCalendar.class.getClassLoader().getResourceAsStream("calendar/cn-2026.cal")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
