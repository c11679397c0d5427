package cn.tianfu.databus.cli.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Times as people at the bus read them: Asia/Shanghai, to the minute. */
public final class Times {

    public static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZONE);

    private Times() {
    }

    public static String format(Instant t) {
        return t == null ? "" : MINUTES.format(t);
    }

    /** {@code yyyy-MM-dd} (the start of that day in Asia/Shanghai) or an ISO date-time with offset. */
    public static final class Start implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            return parse(value, false);
        }
    }

    /** {@code yyyy-MM-dd} (the end of that day in Asia/Shanghai, i.e. the next day's start) or an ISO date-time with offset. */
    public static final class End implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            return parse(value, true);
        }
    }

    static Instant parse(String value, boolean endOfDay) {
        try {
            LocalDate day = LocalDate.parse(value.trim());
            return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZONE).toInstant();
        } catch (DateTimeParseException notADate) {
            try {
                return OffsetDateTime.parse(value.trim()).toInstant();
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a date: use 2026-12-31 (Asia/Shanghai) or 2026-12-31T18:00+08:00");
            }
        }
    }
}
