package cn.tianfu.databus.calendar;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses one calendar file; see {@link WorkingDayCalendar} for the format. */
final class CalendarFileParser {

    private static final Pattern YEAR = Pattern.compile("year\\s+(\\d{4})");
    private static final Pattern ENTRY = Pattern.compile("(\\S+?)(?:\\.\\.(\\S+))?\\s+(\\S+)(?:\\s+(.*))?");
    /** A file named like {@code cn-2026.cal} must declare that year. */
    private static final Pattern FILE_YEAR = Pattern.compile(".*?(\\d{4})\\.cal");

    private CalendarFileParser() {
    }

    static YearCalendar parse(String text, String source) {
        Integer year = null;
        BitSet working = null;
        Map<LocalDate, String> labels = new HashMap<>();
        Map<LocalDate, Integer> listedOn = new HashMap<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher y = YEAR.matcher(line);
            if (y.matches()) {
                if (year != null) {
                    throw CalendarException.parseError(source, lineNo, "second 'year' line; a file holds exactly one year");
                }
                year = Integer.parseInt(y.group(1));
                checkFileName(source, year, lineNo);
                working = YearCalendar.weekdaysOf(year);
                continue;
            }
            Matcher e = ENTRY.matcher(line);
            if (!e.matches()) {
                throw CalendarException.parseError(source, lineNo, "cannot read '" + line
                        + "'; expected 'year <yyyy>', '<date> off|work [label]' or '<date>..<date> off|work [label]'");
            }
            if (year == null) {
                throw CalendarException.parseError(source, lineNo, "'year <yyyy>' must come before the first date");
            }
            LocalDate from = date(e.group(1), source, lineNo);
            LocalDate to = e.group(2) == null ? from : date(e.group(2), source, lineNo);
            String kind = e.group(3);
            if (!kind.equals("off") && !kind.equals("work")) {
                throw CalendarException.parseError(source, lineNo, "unknown kind '" + kind + "'; use 'off' or 'work'");
            }
            if (to.isBefore(from)) {
                throw CalendarException.parseError(source, lineNo, "range " + from + ".." + to + " ends before it starts");
            }
            if (from.getYear() != year || to.getYear() != year) {
                throw CalendarException.parseError(source, lineNo, "date outside the file's year " + year
                        + "; put it in the calendar file of its own year");
            }
            String label = e.group(4) == null ? kind : e.group(4).strip();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                Integer earlier = listedOn.putIfAbsent(d, lineNo);
                if (earlier != null) {
                    throw CalendarException.parseError(source, lineNo, d + " is already listed on line " + earlier);
                }
                if (kind.equals("work")) {
                    if (!YearCalendar.isWeekend(d)) {
                        throw CalendarException.parseError(source, lineNo, d + " is a " + d.getDayOfWeek()
                                + ", already a working day; 'work' lists weekend days worked instead (调休上班)");
                    }
                    working.set(d.getDayOfYear() - 1);
                } else {
                    working.clear(d.getDayOfYear() - 1);
                }
                labels.put(d, label);
            }
        }
        if (year == null) {
            throw CalendarException.parseError(source, lines.length, "no 'year <yyyy>' line; the file must declare its year");
        }
        return new YearCalendar(year, working, labels, source);
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static LocalDate date(String text, String source, int line) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw CalendarException.parseError(source, line, "'" + text + "' is not a date; write yyyy-MM-dd");
        }
    }

    private static void checkFileName(String source, int year, int line) {
        String name = source.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        Matcher m = FILE_YEAR.matcher(name);
        if (m.matches() && Integer.parseInt(m.group(1)) != year) {
            throw CalendarException.parseError(source, line, "declares year " + year + " but the file is named for "
                    + m.group(1) + "; rename the file or fix the year");
        }
    }
}
