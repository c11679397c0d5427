package cn.tianfu.databus.service;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;

/**
 * Claims of a verification: field name → the value the consumer believes the record holds. Judged against the record
 * as the consumer's grant delivers it (projected, masked, row-filtered), so a claim can only be made on a field the
 * grant gives in clear: a true/false answer on a masked or withheld field would let the value be guessed.
 *
 * <p>Values are JSON values: a string equals a string field (or an enum symbol); a number equals a numeric field of
 * the same numeric value ({@code 3} and {@code 3.0} are equal); a boolean a boolean; {@code null} a null field. Across
 * the two, a number claimed of a text field is compared as its plain text ({@code 1} holds of {@code "1"}, as a
 * command line cannot tell them apart) and a text claimed of a numeric field as a decimal number. Anything else is
 * unequal, never an error.
 */
public final class Claims {

    private Claims() {
    }

    /**
     * Checks that every claimed field may be verified under the grant.
     *
     * @param claims    the claims
     * @param resource  the resource's code (for the messages)
     * @param delivered the fields of the delivery schema (what the grant delivers)
     * @param clear     the delivered fields that are not masked
     * @throws ServiceException BAD_REQUEST without claims; FORBIDDEN naming the first field not delivered in clear
     */
    public static void checkAllowed(Map<String, ?> claims, String resource, Set<String> delivered, Set<String> clear) {
        if (claims == null || claims.isEmpty()) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "a verification needs at least one claim"
                    + " (\"claims\": {\"field\": value, ...})");
        }
        for (String field : new TreeMap<>(claims).keySet()) {
            if (!delivered.contains(field)) {
                throw new ServiceException(ServiceException.Kind.FORBIDDEN, "field '" + field + "' of " + resource
                        + " is not delivered under your grant: claims only on the fields it delivers in clear "
                        + new TreeSet<>(clear));
            }
            if (!clear.contains(field)) {
                throw new ServiceException(ServiceException.Kind.FORBIDDEN, "field '" + field + "' of " + resource
                        + " is masked under your grant: claims only on the fields it delivers in clear " + new TreeSet<>(clear));
            }
        }
    }

    /**
     * Judges each claim against the record as delivered; the result keeps the claims' order.
     *
     * @param record the record as the grant delivers it, or null when there is none (every claim is then false)
     */
    public static Map<String, Boolean> evaluate(Map<String, ?> claims, GenericRecord record) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> c : claims.entrySet()) {
            boolean holds = false;
            if (record != null) {
                Schema.Field f = record.getSchema().getField(c.getKey());
                holds = f != null && matches(c.getValue(), record.get(f.pos()));
            }
            out.put(c.getKey(), holds);
        }
        return out;
    }

    /** Whether a claimed JSON value equals a record's field value. */
    static boolean matches(Object claimed, Object actual) {
        if (claimed == null || actual == null) {
            return claimed == null && actual == null;
        }
        if (claimed instanceof Boolean b) {
            return actual instanceof Boolean a && a.equals(b);
        }
        if (claimed instanceof Number n) {
            if (actual instanceof CharSequence text) {
                // a command line cannot tell 1 from "1": a number claimed of a text field is its plain text
                return decimal(n).stripTrailingZeros().toPlainString().equals(text.toString())
                        || n.toString().equals(text.toString());
            }
            return actual instanceof Number a && decimal(n).compareTo(decimal(a)) == 0;
        }
        if (claimed instanceof CharSequence s && actual instanceof Number a) {
            try {
                return new BigDecimal(s.toString().trim()).compareTo(decimal(a)) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (claimed instanceof CharSequence s) {
            if (actual instanceof CharSequence || actual instanceof GenericEnumSymbol<?> || actual instanceof Enum<?>) {
                return s.toString().equals(actual.toString());
            }
            if (actual instanceof ByteBuffer) {
                return false;
            }
            // a logical type kept as its Java value (a date, a timestamp) compares by its text form
            return !(actual instanceof Number || actual instanceof Boolean || actual instanceof Map<?, ?>
                    || actual instanceof Iterable<?>) && s.toString().equals(actual.toString());
        }
        return Objects.equals(claimed, actual);
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof Double || n instanceof Float) {
            double v = n.doubleValue();
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return BigDecimal.valueOf(Long.MIN_VALUE).subtract(BigDecimal.ONE); // never equal to a claim
            }
            return BigDecimal.valueOf(v);
        }
        return new BigDecimal(n.toString());
    }
}
