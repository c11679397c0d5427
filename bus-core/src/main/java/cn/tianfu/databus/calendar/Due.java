package cn.tianfu.databus.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A deadline counted in working days, with the calendars it was counted on.
 *
 * @param date      the due date (Asia/Shanghai)
 * @param instant   the last millisecond of the due date, {@code 23:59:59.999+08:00}
 * @param calendars the year calendars of the days counted (the day after filing up to the due date), in year order
 */
public record Due(LocalDate date, Instant instant, List<YearCalendar> calendars) {

    public Due {
        calendars = List.copyOf(calendars);
    }

    /** Whether a day counted lies in a provisional year: the due date may move when the year's notice is loaded. */
    public boolean provisional() {
        return calendars.stream().anyMatch(c -> c.kind() == CalendarKind.PROVISIONAL);
    }

    /** The provisional years counted over, in order. */
    public List<Integer> provisionalYears() {
        return calendars.stream().filter(c -> c.kind() == CalendarKind.PROVISIONAL).map(YearCalendar::year).toList();
    }

    /** The calendars counted on, e.g. {@code 2026 OFFICIAL, 2027 PROVISIONAL}. */
    public String calendarSummary() {
        return calendars.stream().map(c -> c.year() + " " + c.kind()).collect(Collectors.joining(", "));
    }

    /** E.g. {@code due 2027-01-04, provisional calendar for 2027}, or {@code due 2026-10-09} on official years only. */
    public String describe() {
        return "due " + date + provisionalNote();
    }

    /** {@code ", provisional calendar for 2027"} when a provisional year was used, else empty. */
    public String provisionalNote() {
        if (!provisional()) {
            return "";
        }
        return ", provisional calendar for " + provisionalYears().stream().map(String::valueOf).collect(Collectors.joining(" and "));
    }
}
