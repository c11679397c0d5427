package cn.tianfu.databus.cdc.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.kafka.connect.data.Struct;

import cn.tianfu.databus.cdc.CdcMapping.FieldType;

/**
 * Converts a captured column value (as Debezium represents it in a Connect {@code Struct}) to the Avro representation
 * of a resource field: text, int, long, double, decimal (bytes at the field's scale, never rounded), date (days),
 * timestamps (an instant; zone-less database timestamps are read in the mapping's time zone), boolean.
 */
public final class Conversions {

    /** A value that cannot become the field's type; the message says which and why. */
    public static final class ConversionException extends RuntimeException {
        public ConversionException(String message) {
            super(message);
        }
    }

    private Conversions() {
    }

    /** The non-null branch of an optional field's schema. */
    public static Schema nonNull(Schema s) {
        if (s.getType() != Schema.Type.UNION) {
            return s;
        }
        return s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(s);
    }

    /** Whether a field may be null (a union with null). */
    public static boolean nullable(Schema s) {
        return s.getType() == Schema.Type.NULL || (s.getType() == Schema.Type.UNION
                && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL));
    }

    /** The conversion an Avro field type calls for; empty when the bus has none for it. */
    public static Optional<FieldType> fieldType(Schema fieldSchema) {
        Schema s = nonNull(fieldSchema);
        LogicalType lt = s.getLogicalType();
        if (lt instanceof LogicalTypes.Decimal) {
            return Optional.of(FieldType.DECIMAL);
        }
        if (lt instanceof LogicalTypes.Date) {
            return Optional.of(FieldType.DATE);
        }
        if (lt instanceof LogicalTypes.TimestampMillis || lt instanceof LogicalTypes.TimestampMicros) {
            return Optional.of(FieldType.TIMESTAMP);
        }
        return switch (s.getType()) {
            case STRING, ENUM -> Optional.of(FieldType.TEXT);
            case INT -> lt == null ? Optional.of(FieldType.INT) : Optional.empty();
            case LONG -> lt == null ? Optional.of(FieldType.LONG) : Optional.empty();
            case DOUBLE, FLOAT -> Optional.of(FieldType.DOUBLE);
            case BOOLEAN -> Optional.of(FieldType.BOOLEAN);
            default -> Optional.empty();
        };
    }

    /** Whether a column of JDBC type {@code sqlType} ({@link java.sql.Types}) converts to {@code target}. */
    public static boolean convertible(int sqlType, FieldType target) {
        boolean integer = sqlType == java.sql.Types.TINYINT || sqlType == java.sql.Types.SMALLINT
                || sqlType == java.sql.Types.INTEGER || sqlType == java.sql.Types.BIGINT;
        boolean numeric = integer || sqlType == java.sql.Types.NUMERIC || sqlType == java.sql.Types.DECIMAL
                || sqlType == java.sql.Types.REAL || sqlType == java.sql.Types.FLOAT || sqlType == java.sql.Types.DOUBLE;
        return switch (target) {
            case TEXT -> sqlType != java.sql.Types.BINARY && sqlType != java.sql.Types.VARBINARY
                    && sqlType != java.sql.Types.LONGVARBINARY && sqlType != java.sql.Types.BLOB;
            case INT, LONG -> integer || sqlType == java.sql.Types.BIT;
            case DOUBLE -> numeric;
            case DECIMAL -> numeric && sqlType != java.sql.Types.REAL && sqlType != java.sql.Types.FLOAT
                    && sqlType != java.sql.Types.DOUBLE;
            case DATE -> sqlType == java.sql.Types.DATE;
            case TIMESTAMP -> sqlType == java.sql.Types.TIMESTAMP || sqlType == java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
            case BOOLEAN -> sqlType == java.sql.Types.BOOLEAN || sqlType == java.sql.Types.BIT
                    || sqlType == java.sql.Types.TINYINT;
        };
    }

    /**
     * Converts one column value to the field's Avro value.
     *
     * @param value       the value from the captured row ({@code null} stays null)
     * @param columnType  the column's Connect schema (its name carries Debezium's semantic type)
     * @param field       the Avro field's schema (optional fields are unions with null)
     * @param zone        the zone of timestamps stored without one
     */
    public static Object convert(Object value, org.apache.kafka.connect.data.Schema columnType, Schema field, ZoneId zone) {
        if (value == null) {
            return null;
        }
        return convert(value, columnType, target(field), zone);
    }

    /**
     * What a conversion into one Avro field needs, worked out once per field instead of once per value.
     *
     * @param schema   the field's non-null branch
     * @param kind     the conversion it calls for
     * @param nullable whether the field may be null
     */
    public record Target(Schema schema, FieldType kind, boolean nullable) {
    }

    /**
     * The conversion target of an Avro field's schema.
     *
     * @throws ConversionException when the bus has no conversion into that type
     */
    public static Target target(Schema field) {
        Schema target = nonNull(field);
        FieldType kind = fieldType(field).orElseThrow(() -> new ConversionException("the field's Avro type "
                + target + " has no column conversion"));
        return new Target(target, kind, nullable(field));
    }

    /** Like {@link #convert(Object, org.apache.kafka.connect.data.Schema, Schema, ZoneId)}, to a target worked out before. */
    public static Object convert(Object value, org.apache.kafka.connect.data.Schema columnType, Target to, ZoneId zone) {
        if (value == null) {
            return null;
        }
        Schema target = to.schema();
        FieldType kind = to.kind();
        String semantic = columnType == null ? null : columnType.name();
        switch (kind) {
            case TEXT:
                return text(value, semantic, zone);
            case INT: {
                long l = integral(value, semantic);
                if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                    throw new ConversionException(l + " does not fit an int field; declare the field long");
                }
                return (int) l;
            }
            case LONG:
                return integral(value, semantic);
            case DOUBLE: {
                double d = decimal(value, semantic).doubleValue();
                return target.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
            }
            case DECIMAL: {
                LogicalTypes.Decimal dt = (LogicalTypes.Decimal) target.getLogicalType();
                BigDecimal d = decimal(value, semantic);
                BigDecimal scaled;
                try {
                    scaled = d.setScale(dt.getScale(), RoundingMode.UNNECESSARY);
                } catch (ArithmeticException e) {
                    throw new ConversionException(d.toPlainString() + " has more than the field's " + dt.getScale()
                            + " decimal places; it would be rounded");
                }
                if (scaled.precision() > dt.getPrecision()) {
                    throw new ConversionException(d.toPlainString() + " has more than the field's " + dt.getPrecision()
                            + " digits");
                }
                return ByteBuffer.wrap(scaled.unscaledValue().toByteArray());
            }
            case DATE:
                if (value instanceof Integer days && ("io.debezium.time.Date".equals(semantic) || semantic == null)) {
                    return days;   // already days since the epoch: no LocalDate round trip per row
                }
                return (int) date(value, semantic).toEpochDay();
            case TIMESTAMP: {
                Instant t = instant(value, semantic, zone);
                return target.getLogicalType() instanceof LogicalTypes.TimestampMicros
                        ? TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1_000
                        : t.toEpochMilli();
            }
            case BOOLEAN:
                if (value instanceof Boolean b) {
                    return b;
                }
                if (value instanceof Number n && (n.longValue() == 0 || n.longValue() == 1)) {
                    return n.longValue() == 1;
                }
                throw new ConversionException("'" + value + "' is not a boolean (true/false or 0/1)");
            default:
                throw new ConversionException("no conversion to " + kind);
        }
    }

    /** A column value as text (for record keys): numbers plain, dates ISO, timestamps as instants. */
    public static String toText(Object value, org.apache.kafka.connect.data.Schema columnType, ZoneId zone) {
        return text(value, columnType == null ? null : columnType.name(), zone);
    }

    private static String text(Object value, String semantic, ZoneId zone) {
        if (value instanceof String s) {
            return s;
        }
        if ("io.debezium.time.Date".equals(semantic) || value instanceof java.util.Date && "org.apache.kafka.connect.data.Date".equals(semantic)) {
            return date(value, semantic).toString();
        }
        if (semantic != null && (semantic.endsWith("Timestamp") || semantic.equals("org.apache.kafka.connect.data.Timestamp"))) {
            return instant(value, semantic, zone).toString();
        }
        if (value instanceof BigDecimal || value instanceof Struct) {
            return decimal(value, semantic).toPlainString();
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            throw new ConversionException("binary column values do not convert to text");
        }
        return value.toString();
    }

    private static long integral(Object value, String semantic) {
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        BigDecimal d = decimal(value, semantic);
        try {
            return d.longValueExact();
        } catch (ArithmeticException e) {
            throw new ConversionException(d.toPlainString() + " is not a whole number that fits a long");
        }
    }

    private static BigDecimal decimal(Object value, String semantic) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof Struct s && "io.debezium.data.VariableScaleDecimal".equals(semantic)) {
            return new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale"));
        }
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Float || value instanceof Double) {
            return BigDecimal.valueOf(((Number) value).doubleValue());
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw new ConversionException("'" + s + "' is not a number");
            }
        }
        throw new ConversionException("a " + value.getClass().getSimpleName() + " is not a number");
    }

    private static LocalDate date(Object value, String semantic) {
        if (value instanceof java.util.Date d) {
            return d.toInstant().atOffset(ZoneOffset.UTC).toLocalDate();
        }
        if (value instanceof Integer days && ("io.debezium.time.Date".equals(semantic) || semantic == null)) {
            return LocalDate.ofEpochDay(days);
        }
        if (value instanceof String s) {
            try {
                return LocalDate.parse(s.trim());
            } catch (DateTimeParseException e) {
                throw new ConversionException("'" + s + "' is not a date (yyyy-MM-dd)");
            }
        }
        throw new ConversionException("a " + (semantic == null ? value.getClass().getSimpleName() : semantic)
                + " column is not a date");
    }

    private static Instant instant(Object value, String semantic, ZoneId zone) {
        if (value instanceof String s) {
            Instant fast = isoInstant(s);   // io.debezium.time.ZonedTimestamp, as Debezium writes it
            if (fast != null) {
                return fast;
            }
            try {
                return OffsetDateTime.parse(s.trim()).toInstant();   // io.debezium.time.ZonedTimestamp
            } catch (DateTimeParseException e) {
                try {
                    return LocalDateTime.parse(s.trim()).atZone(zone).toInstant();
                } catch (DateTimeParseException e2) {
                    throw new ConversionException("'" + s + "' is not a timestamp");
                }
            }
        }
        if (value instanceof java.util.Date d) {
            // Connect Timestamp of a zone-less column: the wall-clock time read as UTC
            return LocalDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC).atZone(zone).toInstant();
        }
        if (value instanceof Long l && semantic != null) {
            LocalDateTime local = switch (semantic) {
                case "io.debezium.time.Timestamp" -> LocalDateTime.ofEpochSecond(Math.floorDiv(l, 1000),
                        (int) Math.floorMod(l, 1000) * 1_000_000, ZoneOffset.UTC);
                case "io.debezium.time.MicroTimestamp" -> LocalDateTime.ofEpochSecond(Math.floorDiv(l, 1_000_000),
                        (int) Math.floorMod(l, 1_000_000) * 1_000, ZoneOffset.UTC);
                case "io.debezium.time.NanoTimestamp" -> LocalDateTime.ofEpochSecond(Math.floorDiv(l, 1_000_000_000),
                        (int) Math.floorMod(l, 1_000_000_000), ZoneOffset.UTC);
                default -> null;
            };
            if (local != null) {
                return local.atZone(zone).toInstant();
            }
        }
        throw new ConversionException("a " + (semantic == null ? value.getClass().getSimpleName() : semantic)
                + " column is not a timestamp");
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, the form in which Debezium writes a {@code ZonedTimestamp}, read
     * without a {@code DateTimeFormatter} (which took a fifth of the runner's per-row work on PostgreSQL, where every
     * {@code timestamptz} arrives as such a string); null for any other text, which the caller parses the general way.
     * Gives what {@code OffsetDateTime.parse(s).toInstant()} gives.
     */
    static Instant isoInstant(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, i + 3);
            int om = digits(s, i + 4, i + 6);
            if ((oh | om) < 0 || oh > 18 || om > 59 || oh == 18 && om > 0) {
                return null;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        LocalDate date;
        try {
            date = LocalDate.of(year, month, day);
        } catch (java.time.DateTimeException e) {
            return null;
        }
        long epochSecond = date.toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The decimal number in {@code s[from, to)}; -1 when a character there is no digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
