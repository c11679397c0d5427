package cn.tianfu.databus.sharing;

import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * A grant's row filter: a <a href="https://cel.dev">CEL</a> expression over the resource's fields, type-checked
 * against the resource's schema when the grant is made, then evaluated on every record.
 *
 * <pre>{@code
 * RowFilter f = RowFilter.compile("divisionCode.startsWith(\"5101\") && gender == \"F\"", populationSchema);
 * if (f.test(record)) { ... deliver ... }
 * }</pre>
 *
 * <p>Each field is a variable of the same name; types map as follows (see the package's DESIGN.md):
 * string and enum → {@code string}; int and long → {@code int}; float and double → {@code double}; boolean →
 * {@code bool}; decimal → {@code double}; date → {@code string} in ISO form {@code yyyy-MM-dd} (so
 * {@code birthDate < "2008-01-01"} compares dates); timestamp-millis and timestamp-micros → {@code timestamp}
 * (compare with {@code timestamp("2024-01-01T00:00:00Z")}). Fields of other types (bytes, arrays, maps, nested
 * records) are not variables. Numeric comparisons across int and double are allowed ({@code amount > 100}).
 *
 * <p>A nullable field's variable holds {@code null} when the record has no value: {@code field == null} and
 * {@code field != null} test presence, {@code field == "x"} is then {@code false}, and any other use (ordering,
 * {@code startsWith}, arithmetic) is an evaluation error. An evaluation error, or a result that is not a boolean,
 * means the record does not pass; it is counted and reported to the listener, never thrown.
 *
 * <p>Instances are immutable apart from the error counter, and thread-safe.
 */
public final class RowFilter {

    /** Receives evaluation errors; the message names the expression's failing part, never a field's value. */
    @FunctionalInterface
    public interface ErrorListener {
        void evaluationFailed(String expression, String message);
    }

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .build();

    private final String expression;
    private final Schema sourceSchema;
    private final CelRuntime.Program program;
    private final Map<String, Binding> bindings;
    private final ErrorListener listener;
    private final LongAdder errors = new LongAdder();

    private RowFilter(String expression, Schema sourceSchema, CelRuntime.Program program,
                      Map<String, Binding> bindings, ErrorListener listener) {
        this.expression = expression;
        this.sourceSchema = sourceSchema;
        this.program = program;
        this.bindings = bindings;
        this.listener = listener;
    }

    /**
     * Compiles and type-checks a filter with no error listener (errors are only counted).
     *
     * @throws RowFilterException with the compiler's message when the expression does not parse, refers to an
     *                            unknown field, mixes types, or is not of type {@code bool}
     */
    public static RowFilter compile(String expression, Schema sourceSchema) {
        return compile(expression, sourceSchema, (e, m) -> { });
    }

    /**
     * Compiles and type-checks a filter.
     *
     * @param listener told of every record whose evaluation failed (such a record does not pass)
     * @throws RowFilterException with the compiler's message when the expression does not parse, refers to an
     *                            unknown field, mixes types, or is not of type {@code bool}
     */
    public static RowFilter compile(String expression, Schema sourceSchema, ErrorListener listener) {
        if (expression == null) {
            throw new RowFilterException("null", "no expression given");
        }
        if (sourceSchema == null || sourceSchema.getType() != Schema.Type.RECORD) {
            throw new PolicyException("A row filter needs the resource's record schema");
        }
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setResultType(SimpleType.BOOL);
        Map<String, Binding> bindings = new HashMap<>();
        for (Schema.Field f : sourceSchema.getFields()) {
            boolean nullable = DeliveryPlan.isNullable(f.schema());
            Schema type = DeliveryPlan.nonNull(f.schema());
            Kind kind = kindOf(type);
            if (kind == null) {
                continue;
            }
            CelType celType = kind.celType;
            if (nullable && kind != Kind.TIMESTAMP_MILLIS && kind != Kind.TIMESTAMP_MICROS) {
                celType = NullableType.create(celType);
            }
            builder.addVar(f.name(), celType);
            int scale = kind == Kind.DECIMAL ? ((LogicalTypes.Decimal) type.getLogicalType()).getScale() : 0;
            bindings.put(f.name(), new Binding(f.pos(), kind, scale));
        }
        CelCompiler compiler = builder.build();
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            throw new RowFilterException(expression, result.getErrorString());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return new RowFilter(expression, sourceSchema, RUNTIME.createProgram(ast), Map.copyOf(bindings),
                    listener == null ? (e, m) -> { } : listener);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new RowFilterException(expression, e.getMessage());
        }
    }

    /**
     * Whether a record passes. Never throws for a record of the source schema: an evaluation error counts as
     * "does not pass" and is reported.
     */
    public boolean test(GenericRecord record) {
        CelVariableResolver resolver = name -> {
            Binding b = bindings.get(name);
            return b == null ? Optional.empty() : Optional.of(b.value(record));
        };
        Object result;
        try {
            result = program.eval(resolver);
        } catch (CelEvaluationException | RuntimeException e) {
            fail(e.getMessage());
            return false;
        }
        if (result instanceof Boolean b) {
            return b;
        }
        fail("the expression evaluated to " + result + ", not a boolean");
        return false;
    }

    /** The expression as compiled. */
    public String expression() {
        return expression;
    }

    /** The schema the filter was compiled against. */
    public Schema sourceSchema() {
        return sourceSchema;
    }

    /** How many evaluations failed since this filter was compiled. */
    public long evaluationErrors() {
        return errors.sum();
    }

    private void fail(String message) {
        errors.increment();
        try {
            listener.evaluationFailed(expression, message);
        } catch (RuntimeException ignored) {
            // a failing listener must not turn a filtered record into a crashed task
        }
    }

    private static Kind kindOf(Schema type) {
        LogicalType logical = type.getLogicalType();
        switch (type.getType()) {
            case STRING:
            case ENUM:
                return Kind.STRING;
            case INT:
                return logical instanceof LogicalTypes.Date ? Kind.DATE : Kind.INT;
            case LONG:
                if (logical instanceof LogicalTypes.TimestampMillis) {
                    return Kind.TIMESTAMP_MILLIS;
                }
                if (logical instanceof LogicalTypes.TimestampMicros) {
                    return Kind.TIMESTAMP_MICROS;
                }
                return Kind.INT;
            case FLOAT:
            case DOUBLE:
                return Kind.DOUBLE;
            case BOOLEAN:
                return Kind.BOOL;
            case BYTES:
            case FIXED:
                return logical instanceof LogicalTypes.Decimal ? Kind.DECIMAL : null;
            default:
                return null;
        }
    }

    private enum Kind {
        STRING(SimpleType.STRING), INT(SimpleType.INT), DOUBLE(SimpleType.DOUBLE), BOOL(SimpleType.BOOL),
        DECIMAL(SimpleType.DOUBLE), DATE(SimpleType.STRING), TIMESTAMP_MILLIS(SimpleType.TIMESTAMP),
        TIMESTAMP_MICROS(SimpleType.TIMESTAMP);

        final CelType celType;

        Kind(CelType celType) {
            this.celType = celType;
        }
    }

    /** Where a variable's value is in a record and how it becomes a CEL value. */
    private record Binding(int position, Kind kind, int scale) {

        Object value(GenericRecord record) {
            Object v = record.get(position);
            if (v == null) {
                return NullValue.NULL_VALUE;
            }
            return switch (kind) {
                case STRING -> v.toString();
                case INT -> ((Number) v).longValue();
                case DOUBLE -> ((Number) v).doubleValue();
                case BOOL -> v;
                case DECIMAL -> decimal(v, scale);
                case DATE -> v instanceof LocalDate d ? d.toString() : LocalDate.ofEpochDay(((Number) v).longValue()).toString();
                case TIMESTAMP_MILLIS -> v instanceof Instant i ? timestamp(i) : timestamp(Instant.ofEpochMilli(((Number) v).longValue()));
                case TIMESTAMP_MICROS -> v instanceof Instant i ? timestamp(i) : micros(((Number) v).longValue());
            };
        }

        private static double decimal(Object v, int scale) {
            if (v instanceof BigDecimal d) {
                return d.doubleValue();
            }
            byte[] bytes;
            if (v instanceof ByteBuffer buffer) {
                ByteBuffer dup = buffer.duplicate();
                bytes = new byte[dup.remaining()];
                dup.get(bytes);
            } else {
                bytes = ((GenericFixed) v).bytes();
            }
            return new BigDecimal(new BigInteger(bytes), scale).doubleValue();
        }

        private static Timestamp micros(long micros) {
            return Timestamp.newBuilder()
                    .setSeconds(Math.floorDiv(micros, 1_000_000L))
                    .setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000)
                    .build();
        }

        private static Timestamp timestamp(Instant i) {
            return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
        }
    }
}
