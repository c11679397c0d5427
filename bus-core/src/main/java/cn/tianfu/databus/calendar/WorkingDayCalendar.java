package cn.tianfu.databus.calendar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * Working days for the bus's deadlines (Art. 26, 27: "within 10 working days"), from holiday calendar files.
 *
 * <pre>{@code
 * WorkingDayCalendar cal = WorkingDayCalendar.bundled();
 * cal.addWorkingDays(LocalDate.of(2026, 9, 18), 10);      // 2026-10-09
 * cal.dueInstant(filedAt, 10);                           // 2026-10-09T23:59:59.999+08:00
 * }</pre>
 *
 * <h2>Calendar files</h2>
 * One UTF-8 file per year, named {@code <region>-<yyyy>.cal} (the bus ships {@code calendar/cn-2026.cal}). Monday
 * to Friday are working days and Saturday and Sunday are not, except for the dates the file lists:
 * <pre>
 * # comment (to the end of the line)
 * year 2026
 * 2026-10-01..2026-10-07  off   国庆节      days off, an inclusive range or a single date
 * 2026-10-10              work  调休上班    a weekend day that is a working day
 * </pre>
 * {@code year} comes first and exactly once; every date must lie in that year; a date may be listed once; a
 * {@code work} date must be a Saturday or Sunday. Any violation is a {@link CalendarException} naming the file and
 * line.
 *
 * <h2>Rules</h2>
 * Dates are in {@link #ZONE Asia/Shanghai}. Counting starts the day after filing, whatever day the filing was on. A
 * question about a date in a year no file covers throws {@link CalendarException}: the calendar never falls back to
 * weekdays, because a missed holiday would move a legal deadline. A calendar {@link #withProvisionalYears() with
 * provisional years} answers such a year from the statutory holidays instead ({@link StatutoryHolidays}), and
 * {@link #due} says when it did.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class WorkingDayCalendar {

    /** Zone of every date the bus counts in. */
    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    /** Classpath folder of the bundled calendar files. */
    public static final String RESOURCE_DIR = "calendar/";
    /** Classpath resource listing the bundled calendar file names, one a line ({@code #} comments allowed). */
    public static final String RESOURCE_INDEX = RESOURCE_DIR + "calendars.txt";
    /** File name ending of calendar files in a directory. */
    public static final String FILE_SUFFIX = ".cal";

    private final TreeMap<Integer, YearCalendar> years;
    private final boolean provisionalYears;
    /** Provisional years computed so far (a pure function of the year, so caching keeps the instance immutable). */
    private final ConcurrentMap<Integer, YearCalendar> provisional = new ConcurrentHashMap<>();

    private WorkingDayCalendar(Collection<YearCalendar> calendars) {
        this(calendars, false);
    }

    private WorkingDayCalendar(Collection<YearCalendar> calendars, boolean provisionalYears) {
        this.provisionalYears = provisionalYears;
        TreeMap<Integer, YearCalendar> byYear = new TreeMap<>();
        for (YearCalendar c : calendars) {
            YearCalendar earlier = byYear.putIfAbsent(c.year(), c);
            if (earlier != null) {
                throw new CalendarException("two calendars for " + c.year() + ": " + earlier.source() + " and "
                        + c.source() + "; keep one file per year");
            }
        }
        this.years = byYear;
    }

    /** These year calendars; two for one year is an error. */
    public static WorkingDayCalendar of(Collection<YearCalendar> calendars) {
        return new WorkingDayCalendar(calendars);
    }

    /** The calendars shipped on the classpath ({@value #RESOURCE_INDEX} lists them). */
    public static WorkingDayCalendar bundled() {
        ClassLoader loader = WorkingDayCalendar.class.getClassLoader();
        String index = readResource(loader, RESOURCE_INDEX);
        List<YearCalendar> calendars = new ArrayList<>();
        for (String line : index.split("\\R")) {
            String name = line.replaceFirst("#.*", "").strip();
            if (!name.isEmpty()) {
                calendars.add(CalendarFileParser.parse(readResource(loader, RESOURCE_DIR + name), RESOURCE_DIR + name));
            }
        }
        return new WorkingDayCalendar(calendars);
    }

    /** Every {@code *.cal} file in a directory (not its subdirectories). */
    public static WorkingDayCalendar load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CalendarException("calendar directory " + dir + " does not exist or is not a directory");
        }
        List<YearCalendar> calendars = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(FILE_SUFFIX)).sorted().toList()) {
                calendars.add(CalendarFileParser.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
            }
        } catch (IOException e) {
            throw new CalendarException("cannot read calendar directory " + dir + ": " + e.getMessage(), e);
        }
        if (calendars.isEmpty()) {
            throw new CalendarException("no *" + FILE_SUFFIX + " file in calendar directory " + dir);
        }
        return new WorkingDayCalendar(calendars);
    }

    /** One calendar file's text; {@code sourceName} names it in error messages. */
    public static WorkingDayCalendar parse(String text, String sourceName) {
        return new WorkingDayCalendar(List.of(CalendarFileParser.parse(text, sourceName)));
    }

    /** This calendar plus another's years; a year present in both is an error. */
    public WorkingDayCalendar with(WorkingDayCalendar other) {
        List<YearCalendar> all = new ArrayList<>(years.values());
        all.addAll(other.years.values());
        return new WorkingDayCalendar(all);
    }

    /**
     * This calendar, answering every year it does not hold from the statutory holidays ({@link
     * StatutoryHolidays#provisional}), for the years {@link StatutoryHolidays#covers covered}; other years still throw.
     */
    public WorkingDayCalendar withProvisionalYears() {
        return new WorkingDayCalendar(years.values(), true);
    }

    /** This calendar with the given years replacing its own of the same year (e.g. the loaded ones over the bundled). */
    public WorkingDayCalendar overriddenBy(Collection<YearCalendar> calendars) {
        TreeMap<Integer, YearCalendar> merged = new TreeMap<>(years);
        List<YearCalendar> given = new ArrayList<>(calendars);
        new WorkingDayCalendar(given);   // rejects two for one year
        given.forEach(c -> merged.put(c.year(), c));
        return new WorkingDayCalendar(merged.values(), provisionalYears);
    }

    /** The calendar loaded for a year, if any (not a provisional one). */
    public Optional<YearCalendar> loaded(int year) {
        return Optional.ofNullable(years.get(year));
    }

    /**
     * The calendar a year is counted on: the loaded one, else (with provisional years) the provisional one.
     *
     * @throws CalendarException when there is none
     */
    public YearCalendar calendarOf(int year) {
        YearCalendar c = years.get(year);
        if (c != null) {
            return c;
        }
        if (provisionalYears && StatutoryHolidays.covers(year)) {
            return provisional.computeIfAbsent(year, StatutoryHolidays::provisional);
        }
        throw CalendarException.noCalendarFor(year);
    }

    /** Whether years without a loaded calendar are answered provisionally. */
    public boolean providesProvisionalYears() {
        return provisionalYears;
    }

    /** The years covered. */
    public SortedSet<Integer> years() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(years.keySet()));
    }

    /** Whether the date is a working day. */
    public boolean isWorkingDay(LocalDate date) {
        return year(date).isWorkingDay(date);
    }

    /** The label a calendar file gives the date (e.g. 国庆节, 调休上班); empty for an ordinary weekday or weekend. */
    public Optional<String> label(LocalDate date) {
        return Optional.ofNullable(year(date).labels().get(date));
    }

    /**
     * The date of the {@code n}th working day after {@code filed}; counting starts the day after filing, so
     * {@code n == 0} returns {@code filed}.
     */
    public LocalDate addWorkingDays(LocalDate filed, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        LocalDate d = filed;
        for (int counted = 0; counted < n; ) {
            d = d.plusDays(1);
            if (isWorkingDay(d)) {
                counted++;
            }
        }
        return d;
    }

    /**
     * The deadline of a duty filed at {@code filedAt} that must be done within {@code n} working days: the last
     * millisecond of the due date in Asia/Shanghai (the start of the next day minus one millisecond, i.e.
     * {@code 23:59:59.999+08:00}). Done at or before this instant is in time; the filing day is the
     * {@code filedAt} date in Asia/Shanghai.
     */
    public Instant dueInstant(Instant filedAt, int n) {
        LocalDate due = addWorkingDays(filedAt.atZone(ZONE).toLocalDate(), n);
        return due.plusDays(1).atStartOfDay(ZONE).toInstant().minusMillis(1);
    }

    /**
     * The deadline of a duty filed at {@code filedAt} within {@code n} working days, as {@link #dueInstant}, with the
     * calendars counted on, so a due date over a provisional year says so.
     */
    public Due due(Instant filedAt, int n) {
        return due(filedAt.atZone(ZONE).toLocalDate(), n);
    }

    /** The due date {@code n} working days after {@code filed} (see {@link #addWorkingDays}), with the calendars used. */
    public Due due(LocalDate filed, int n) {
        LocalDate date = addWorkingDays(filed, n);
        List<YearCalendar> used = new ArrayList<>();
        for (int y = filed.plusDays(1).getYear(); n > 0 && y <= date.getYear(); y++) {
            used.add(calendarOf(y));
        }
        return new Due(date, date.plusDays(1).atStartOfDay(ZONE).toInstant().minusMillis(1), used);
    }

    /**
     * Working days after {@code from} up to and including {@code to}; the inverse of {@link #addWorkingDays}:
     * {@code workingDaysBetween(d, addWorkingDays(d, n)) == n}.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from}
     */
    public int workingDaysBetween(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException(to + " is before " + from);
        }
        int count = 0;
        for (LocalDate d = from.plusDays(1); !d.isAfter(to); d = d.plusDays(1)) {
            if (isWorkingDay(d)) {
                count++;
            }
        }
        return count;
    }

    private YearCalendar year(LocalDate date) {
        return calendarOf(date.getYear());
    }

    private static String readResource(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new CalendarException("calendar resource " + name + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CalendarException("cannot read calendar resource " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "WorkingDayCalendar" + years.keySet() + (provisionalYears ? " with provisional years" : "");
    }
}
