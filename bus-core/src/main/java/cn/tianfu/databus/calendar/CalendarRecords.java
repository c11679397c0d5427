package cn.tianfu.databus.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import cn.tianfu.databus.schemas.CalendarDay;
import cn.tianfu.databus.schemas.CalendarVersion;
import cn.tianfu.databus.schemas.HolidayCalendar;

/**
 * Year calendars as the records of {@code bus.calendars} ({@link HolidayCalendar}, keyed {@code <region>/<year>}), and
 * back. Pure; the loading rules (what replaces what, and the history it leaves) are here too.
 */
public final class CalendarRecords {

    /** The region of mainland China's national holidays, the only one governance counts on. */
    public static final String REGION_CN = "CN";

    private static final Pattern KEY = Pattern.compile("([A-Z]{2,8})/(\\d{4})");

    private CalendarRecords() {
    }

    /** The record key of a region's year, e.g. {@code CN/2027}. */
    public static String key(String region, int year) {
        String k = region + "/" + year;
        if (!KEY.matcher(k).matches()) {
            throw new IllegalArgumentException("calendar key '" + k + "' is invalid: a region of 2-8 capital letters and a 4-digit year");
        }
        return k;
    }

    /** The year of a key of {@code region}; empty for another region's key or a malformed one. */
    public static Optional<Integer> yearOf(String key, String region) {
        Matcher m = KEY.matcher(key == null ? "" : key);
        return m.matches() && m.group(1).equals(region) ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty();
    }

    /** The year calendar a record holds. */
    public static YearCalendar toYear(HolidayCalendar r) {
        return YearCalendar.of(r.getYear(), days(r.getDaysOff()), days(r.getMakeUpDays()), r.getSource(), kind(r.getKind()));
    }

    /**
     * The record that loads {@code year} over {@code current} (the record on the topic for that year, if any). Loading
     * an official year over a provisional one (on the topic or computed) records the provisional one in the history; an
     * official year over an official one (a corrected notice) needs {@code replaceOfficial}.
     *
     * @throws CalendarException when an official year would be replaced without {@code replaceOfficial}, or a
     *                           provisional year would replace an official one
     */
    public static HolidayCalendar loading(YearCalendar year, String region, Optional<HolidayCalendar> current,
                                          boolean replaceOfficial, Instant now) {
        List<CalendarVersion> history = new ArrayList<>();
        if (current.isPresent()) {
            HolidayCalendar c = current.get();
            if (c.getKind() == cn.tianfu.databus.schemas.CalendarKind.OFFICIAL) {
                if (year.kind() == CalendarKind.PROVISIONAL) {
                    throw new CalendarException(region + " " + year.year() + " has an official calendar (" + c.getSource()
                            + "); a provisional one never replaces it");
                }
                if (!replaceOfficial) {
                    throw new CalendarException(region + " " + year.year() + " already has an official calendar, loaded"
                            + " at " + c.getLoadedAt() + " from " + c.getSource() + "; to correct it, load again with --replace");
                }
            }
            history.add(CalendarVersion.newBuilder().setKind(c.getKind()).setSource(c.getSource())
                    .setLoadedAt(c.getLoadedAt()).setReplacedAt(now).build());
            history.addAll(c.getHistory());
        } else if (year.kind() == CalendarKind.OFFICIAL && StatutoryHolidays.covers(year.year())) {
            // until now the year was counted provisionally: keep that on record
            history.add(CalendarVersion.newBuilder().setKind(cn.tianfu.databus.schemas.CalendarKind.PROVISIONAL)
                    .setSource(StatutoryHolidays.SOURCE).setLoadedAt(null).setReplacedAt(now).build());
        }
        return toRecord(year, region, now, history);
    }

    /** The record of a year calendar, loaded at {@code loadedAt}, with the given history. */
    public static HolidayCalendar toRecord(YearCalendar year, String region, Instant loadedAt, List<CalendarVersion> history) {
        return HolidayCalendar.newBuilder()
                .setRegion(region)
                .setYear(year.year())
                .setKind(cn.tianfu.databus.schemas.CalendarKind.valueOf(year.kind().name()))
                .setDaysOff(records(year.daysOff()))
                .setMakeUpDays(records(year.makeUpDays()))
                .setSource(year.source())
                .setLoadedAt(loadedAt)
                .setHistory(history)
                .build();
    }

    /**
     * The calendar due times are counted on: {@code base} (the bundled years) with the {@code region}'s loaded records
     * over its own years, every other year provisional. A record that does not hold a valid year is left out (and named
     * in {@code skipped}, when given), so one bad record never stops a count.
     */
    public static WorkingDayCalendar effective(WorkingDayCalendar base, Iterable<HolidayCalendar> records, String region,
                                               java.util.function.Consumer<String> skipped) {
        List<YearCalendar> loaded = new ArrayList<>();
        for (HolidayCalendar r : records) {
            if (!region.equals(r.getRegion())) {
                continue;
            }
            try {
                loaded.add(toYear(r));
            } catch (CalendarException e) {
                skipped.accept(key(r.getRegion(), r.getYear()) + ": " + e.getMessage());
            }
        }
        return base.overriddenBy(loaded).withProvisionalYears();
    }

    private static CalendarKind kind(cn.tianfu.databus.schemas.CalendarKind kind) {
        return CalendarKind.valueOf(kind.name());
    }

    private static Map<LocalDate, String> days(List<CalendarDay> days) {
        Map<LocalDate, String> m = new LinkedHashMap<>();
        for (CalendarDay d : days) {
            m.put(d.getDate(), d.getLabel());
        }
        return m;
    }

    private static List<CalendarDay> records(Map<LocalDate, String> days) {
        List<CalendarDay> out = new ArrayList<>();
        days.forEach((d, l) -> out.add(CalendarDay.newBuilder().setDate(d).setLabel(l).build()));
        return out;
    }
}
