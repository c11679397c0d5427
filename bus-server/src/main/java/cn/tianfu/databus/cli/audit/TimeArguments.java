package cn.tianfu.databus.cli.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * The audit commands' time bounds: a day ({@code yyyy-MM-dd}, in a zone, by default the bus's Asia/Shanghai) or an
 * ISO instant ({@code 2025-01-01T08:00:00Z}). A day as a start means its first millisecond, as an end its last.
 */
public final class TimeArguments {

    /** The zone of dates on the command line unless {@code --zone} says otherwise. */
    public static final String DEFAULT_ZONE = "Asia/Shanghai";

    private TimeArguments() {
    }

    /** The first instant a start bound includes. */
    public static Instant start(String text, ZoneId zone) {
        return parse(text, zone, false);
    }

    /** The last instant (millisecond) an end bound includes. */
    public static Instant end(String text, ZoneId zone) {
        return parse(text, zone, true);
    }

    private static Instant parse(String text, ZoneId zone, boolean endOfDay) {
        try {
            LocalDate day = LocalDate.parse(text);
            return endOfDay ? day.plusDays(1).atStartOfDay(zone).toInstant().minusMillis(1)
                    : day.atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("'" + text + "' is neither a date (yyyy-MM-dd) nor an ISO instant "
                        + "(like 2025-01-01T08:00:00Z)");
            }
        }
    }
}
