package cn.tianfu.databus.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

import com.ibm.icu.impl.CalendarAstronomer;
import com.ibm.icu.util.Calendar;
import com.ibm.icu.util.ChineseCalendar;
import com.ibm.icu.util.TimeZone;
import com.ibm.icu.util.ULocale;

/**
 * The public holidays of the national holiday regulation (全国年节及纪念日放假办法, as revised in 2024, in force from
 * 2025): New Year's Day 1 day (1 January); Spring Festival 4 days, lunar New Year's Eve to the 3rd day of the first
 * lunar month; Qingming 1 day, on the solar term; Labour Day 2 days (1–2 May); Dragon Boat 1 day (5th day of the 5th
 * lunar month); Mid-Autumn 1 day (15th day of the 8th lunar month); National Day 3 days (1–3 October).
 *
 * <p>A {@link #provisional(int) provisional year} has exactly these days off, weekends off and no make-up working days:
 * the State Council's notice for a year adds bridge days and make-up days that no rule predicts, so a provisional
 * calendar never guesses them. Lunar dates come from ICU4J's {@link ChineseCalendar}; Qingming is the day (China
 * Standard Time) on which the sun's apparent ecliptic longitude reaches 15°, from ICU4J's {@code CalendarAstronomer}.
 */
public final class StatutoryHolidays {

    /** First year the 2024 revision applies to; earlier years had other holidays and are never computed. */
    public static final int FIRST_YEAR = 2025;
    /** Last year computed: far enough for any deadline, and inside the range the astronomy is checked for. */
    public static final int LAST_YEAR = 2100;
    /** The {@link YearCalendar#source()} of a provisional year. */
    public static final String SOURCE = "statutory holidays (全国年节及纪念日放假办法, 2024 revision), no notice loaded";

    /** China Standard Time, in which lunar dates and solar terms are reckoned. */
    private static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
    private static final double QINGMING_LONGITUDE = Math.toRadians(15);
    /** Years computed so far: a pure function of the year, and a few milliseconds of ICU4J each. */
    private static final java.util.concurrent.ConcurrentMap<Integer, SortedMap<LocalDate, String>> COMPUTED =
            new java.util.concurrent.ConcurrentHashMap<>();

    private StatutoryHolidays() {
    }

    /** Whether {@link #provisional(int)} can compute this year. */
    public static boolean covers(int year) {
        return year >= FIRST_YEAR && year <= LAST_YEAR;
    }

    /**
     * The statutory days off of a year, with their names, in date order.
     *
     * @throws CalendarException for a year before {@value #FIRST_YEAR} or after {@value #LAST_YEAR}
     */
    public static SortedMap<LocalDate, String> of(int year) {
        return COMPUTED.computeIfAbsent(year, StatutoryHolidays::compute);
    }

    private static SortedMap<LocalDate, String> compute(int year) {
        if (!covers(year)) {
            throw new CalendarException("no provisional calendar for " + year + ": the statutory holidays of the 2024"
                    + " revision are computed for " + FIRST_YEAR + " to " + LAST_YEAR + "; load the year's calendar");
        }
        TreeMap<LocalDate, String> days = new TreeMap<>();
        add(days, LocalDate.of(year, 1, 1), "元旦");
        LocalDate newYear = firstDayOfLunarMonth(year, 1);
        add(days, newYear.minusDays(1), "春节");   // New Year's Eve: the last day of the 12th month, 29th or 30th
        for (int d = 0; d < 3; d++) {
            add(days, newYear.plusDays(d), "春节");
        }
        add(days, firstDayOfLunarMonth(year, 5).plusDays(4), "端午节");
        add(days, firstDayOfLunarMonth(year, 8).plusDays(14), "中秋节");
        add(days, qingming(year), "清明节");
        add(days, LocalDate.of(year, 5, 1), "劳动节");
        add(days, LocalDate.of(year, 5, 2), "劳动节");
        for (int d = 1; d <= 3; d++) {
            add(days, LocalDate.of(year, 10, d), "国庆节");
        }
        return Collections.unmodifiableSortedMap(days);
    }

    /** The provisional calendar of a year: the statutory days off, weekends off, no make-up working days. */
    public static YearCalendar provisional(int year) {
        return YearCalendar.of(year, of(year), java.util.Map.of(), SOURCE, CalendarKind.PROVISIONAL);
    }

    /**
     * The first day of the (non-leap) lunar {@code month} that begins in Gregorian {@code year}: ICU4J names the month
     * (which month is which, and leap months, follow the solar terms), and its first day is the China Standard Time date
     * of the exact new moon nearest to ICU4J's first day (see {@link NewMoon} for why).
     */
    static LocalDate firstDayOfLunarMonth(int year, int month) {
        ChineseCalendar lunar = new ChineseCalendar(TimeZone.getTimeZone("GMT+08:00"), ULocale.ROOT);
        for (LocalDate d = LocalDate.of(year, 1, 1); d.getYear() == year; d = d.plusDays(1)) {
            long noon = d.atTime(12, 0).toInstant(CHINA).toEpochMilli();
            lunar.setTimeInMillis(noon);
            if (lunar.get(Calendar.IS_LEAP_MONTH) == 0 && lunar.get(Calendar.MONTH) + 1 == month
                    && lunar.get(Calendar.DAY_OF_MONTH) == 1) {
                return NewMoon.nearest(Instant.ofEpochMilli(noon)).atZone(CHINA).toLocalDate();
            }
        }
        throw new CalendarException("lunar month " + month + " does not begin in " + year);
    }

    /** The date of the Qingming solar term (清明): the sun's ecliptic longitude reaches 15°, in China Standard Time. */
    public static LocalDate qingming(int year) {
        long march1 = LocalDate.of(year, 3, 1).atStartOfDay(CHINA).toInstant().toEpochMilli();
        long at = new CalendarAstronomer(march1).getSunTime(QINGMING_LONGITUDE, true);
        return Instant.ofEpochMilli(at).atZone(CHINA).toLocalDate();
    }

    private static void add(TreeMap<LocalDate, String> days, LocalDate date, String name) {
        // two holidays on one date (Mid-Autumn on 1-3 October) stay one day off under both names
        days.merge(date, name, (a, b) -> a.equals(b) ? a : a + "、" + b);
    }
}
