package cn.tianfu.databus.opendata;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * The values of an open record as the public downloads them: strings, numbers and booleans; a DATE as ISO date, a
 * TIMESTAMP as ISO instant (UTC), a DECIMAL as its plain decimal text.
 */
public final class OpenValues {

    private OpenValues() {
    }

    /** The plain value of an Avro field value ({@code null} stays null). */
    public static Object plain(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        Schema s = nonNull(schema);
        LogicalType logical = s.getLogicalType();
        if (logical instanceof LogicalTypes.Date && value instanceof Integer days) {
            return LocalDate.ofEpochDay(days).toString();
        }
        if (logical instanceof LogicalTypes.TimestampMillis && value instanceof Long millis) {
            return Instant.ofEpochMilli(millis).toString();
        }
        if (logical instanceof LogicalTypes.Decimal d) {
            byte[] bytes;
            if (value instanceof ByteBuffer b) {
                ByteBuffer dup = b.duplicate();
                bytes = new byte[dup.remaining()];
                dup.get(bytes);
            } else if (value instanceof GenericData.Fixed f) {
                bytes = f.bytes();
            } else if (value instanceof BigDecimal bd) {
                return bd.toPlainString();
            } else {
                return value.toString();
            }
            return new BigDecimal(new BigInteger(bytes), d.getScale()).toPlainString();
        }
        if (value instanceof CharSequence || value instanceof GenericData.EnumSymbol) {
            return value.toString();
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }

    /** The value as CSV text: {@link #plain} as a string, empty for null. */
    public static String text(Object value, Schema schema) {
        Object p = plain(value, schema);
        return p == null ? null : p.toString();
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema t : schema.getTypes()) {
            if (t.getType() != Schema.Type.NULL) {
                return t;
            }
        }
        return schema;
    }
}
