package cn.tianfu.databus.calendar;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The working days of one year: Monday to Friday work and weekends are off, except the listed days off and make-up
 * working days. Immutable.
 */
public final class YearCalendar {

    private final int year;
    private final BitSet workingDays;
    private final Map<LocalDate, String> labels;
    private final String source;
    private final CalendarKind kind;

    YearCalendar(int year, BitSet workingDays, Map<LocalDate, String> labels, String source, CalendarKind kind) {
        this.year = year;
        this.workingDays = (BitSet) workingDays.clone();
        this.labels = Map.copyOf(labels);
        this.source = Objects.requireNonNull(source, "source");
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    YearCalendar(int year, BitSet workingDays, Map<LocalDate, String> labels, String source) {
        this(year, workingDays, labels, source, CalendarKind.OFFICIAL);
    }

    /**
     * A year from its days off and make-up working days (each with its label).
     *
     * @throws CalendarException when a date lies outside the year, is listed as both, or a make-up day is a weekday
     */
    public static YearCalendar of(int year, Map<LocalDate, String> daysOff, Map<LocalDate, String> makeUpDays,
                                  String source, CalendarKind kind) {
        BitSet working = weekdaysOf(year);
        Map<LocalDate, String> labels = new TreeMap<>();
        daysOff.forEach((d, label) -> {
            checkYear(year, d, source);
            working.clear(d.getDayOfYear() - 1);
            labels.put(d, label);
        });
        makeUpDays.forEach((d, label) -> {
            checkYear(year, d, source);
            if (daysOff.containsKey(d)) {
                throw new CalendarException(source + ": " + d + " is listed both as a day off and as a make-up working day");
            }
            if (!isWeekend(d)) {
                throw new CalendarException(source + ": make-up working day " + d + " is a " + d.getDayOfWeek()
                        + ", already a working day");
            }
            working.set(d.getDayOfYear() - 1);
            labels.put(d, label);
        });
        return new YearCalendar(year, working, labels, source, kind);
    }

    public int year() {
        return year;
    }

    /** The file or rules the year comes from. */
    public String source() {
        return source;
    }

    /** The same days with another {@link #source()} (e.g. the file name and the notice it transcribes). */
    public YearCalendar withSource(String source) {
        return new YearCalendar(year, workingDays, labels, source, kind);
    }

    public CalendarKind kind() {
        return kind;
    }

    public boolean isWorkingDay(LocalDate date) {
        return workingDays.get(date.getDayOfYear() - 1);
    }

    /** Labels of the listed dates (days off and make-up days). */
    Map<LocalDate, String> labels() {
        return labels;
    }

    /** Listed days off with their labels, in date order (not the ordinary weekends). */
    public SortedMap<LocalDate, String> daysOff() {
        TreeMap<LocalDate, String> off = new TreeMap<>();
        labels.forEach((d, l) -> {
            if (!isWorkingDay(d)) {
                off.put(d, l);
            }
        });
        return Collections.unmodifiableSortedMap(off);
    }

    /** Weekend days that are working days (调休上班), with their labels, in date order. */
    public SortedMap<LocalDate, String> makeUpDays() {
        TreeMap<LocalDate, String> work = new TreeMap<>();
        labels.forEach((d, l) -> {
            if (isWorkingDay(d) && isWeekend(d)) {
                work.put(d, l);
            }
        });
        return Collections.unmodifiableSortedMap(work);
    }

    /** The number of working days of the year. */
    public int workingDayCount() {
        return workingDays.cardinality();
    }

    static boolean isWeekend(LocalDate date) {
        return date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
    }

    static BitSet weekdaysOf(int year) {
        BitSet bits = new BitSet(366);
        for (LocalDate d = LocalDate.of(year, 1, 1); d.getYear() == year; d = d.plusDays(1)) {
            if (!isWeekend(d)) {
                bits.set(d.getDayOfYear() - 1);
            }
        }
        return bits;
    }

    private static void checkYear(int year, LocalDate d, String source) {
        if (d.getYear() != year) {
            throw new CalendarException(source + ": " + d + " is outside the calendar's year " + year);
        }
    }

    @Override
    public String toString() {
        return "YearCalendar[" + year + " " + kind + " from " + source + "]";
    }
}
