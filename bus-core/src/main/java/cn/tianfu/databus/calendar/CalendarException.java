package cn.tianfu.databus.calendar;

import cn.tianfu.databus.DatabusException;

/**
 * A working-day question the loaded calendars cannot answer (a date in a year with no calendar file), or a calendar
 * file that cannot be read. The bus never guesses working days from weekdays alone: a missing year is an error that
 * names the file to add.
 */
public class CalendarException extends DatabusException {

    public CalendarException(String message) {
        super(message);
    }

    public CalendarException(String message, Throwable cause) {
        super(message, cause);
    }

    static CalendarException noCalendarFor(int year) {
        return new CalendarException("no calendar loaded for " + year + "; load calendar/cn-" + year + ".cal"
                + " (days off and make-up working days of " + year + ") with 'databus calendar load', or add it to the"
                + " calendar directory or the classpath");
    }

    static CalendarException parseError(String source, int line, String message) {
        return new CalendarException(source + " line " + line + ": " + message);
    }
}
