package cn.tianfu.databus.server.console;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

import cn.tianfu.databus.calendar.WorkingDayCalendar;

/** Dates as the console shows them (Asia/Shanghai, where deadlines are counted) and working days left to a deadline. */
public final class Deadlines {

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private Deadlines() {
    }

    /** The day of {@code at} in Asia/Shanghai; empty for null. */
    public static String date(Instant at) {
        return at == null ? "" : at.atZone(WorkingDayCalendar.ZONE).toLocalDate().toString();
    }

    /** {@code at} to the minute in Asia/Shanghai; empty for null. */
    public static String dateTime(Instant at) {
        return at == null ? "" : DATE_TIME.format(at.atZone(WorkingDayCalendar.ZONE));
    }

    /**
     * Working days from today to the day {@code due} falls on, on the calendar governance counts deadlines with: 0 on
     * the due day, negative once it has passed (the working days since).
     */
    public static int workingDaysLeft(WorkingDayCalendar calendar, Instant now, Instant due) {
        LocalDate today = now.atZone(WorkingDayCalendar.ZONE).toLocalDate();
        LocalDate day = due.atZone(WorkingDayCalendar.ZONE).toLocalDate();
        return day.isBefore(today) ? -calendar.workingDaysBetween(day, today) : calendar.workingDaysBetween(today, day);
    }

    /** Whether {@code due} has passed at {@code now}. */
    public static boolean overdue(Instant now, Instant due) {
        return due != null && now.isAfter(due);
    }
}
