package cn.tianfu.databus.sharing;

import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
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
 * <p><b>Limits.</b> A filter runs on every record of the resource in the shared router, so its cost is bounded. At
 * compile time: at most {@value #MAX_EXPRESSION_LENGTH} code points, nesting at most {@value #MAX_NESTING} deep, and an
 * estimated cost (evaluation steps per record, counting each comprehension's iterations times its body; a list whose
 * size is not written out counts as {@value #MAX_EXPRESSION_LENGTH} elements) of at most {@value #MAX_ESTIMATED_COST};
 * over any of these the filter is refused with a {@link RowFilterException} naming the limit. At run time a filter
 * that iterates (has a comprehension) is stopped after {@value #MAX_EVALUATION_STEPS} steps: {@link #evaluate} answers
 * {@link Result#OVER_LIMIT} and the record does not pass. {@link #compileGranted} skips the cost estimate, for a filter
 * already in a grant (made before the limits): the run-time limit still applies.
 *
 * <p>Instances are immutable apart from the error counter, and thread-safe.
 */
public final class RowFilter {

    /** Receives evaluation errors; the message names the expression's failing part, never a field's value. */
    @FunctionalInterface
    public interface ErrorListener {
        void evaluationFailed(String expression, String message);
    }

    /** Longest expression accepted, in code points. */
    public static final int MAX_EXPRESSION_LENGTH = 1000;
    /** Deepest nesting of the expression accepted by the parser. */
    public static final int MAX_NESTING = 32;
    /** Highest estimated cost (evaluation steps per record) accepted when a filter is decided. */
    public static final int MAX_ESTIMATED_COST = 10_000;
    /** Evaluation steps after which an iterating filter is stopped on a record. */
    public static final int MAX_EVALUATION_STEPS = 50_000;
    /** Iterations after which one comprehension is stopped (a second guard behind the step count). */
    private static final int MAX_COMPREHENSION_ITERATIONS = MAX_EVALUATION_STEPS;

    /** The outcome of evaluating a filter on one record. */
    public enum Result {
        /** The record passes. */
        PASS,
        /** The record does not pass (the expression is false, or failed on this record). */
        REJECT,
        /** The evaluation went over {@link #MAX_EVALUATION_STEPS}; the record does not pass. */
        OVER_LIMIT
    }

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .maxParseRecursionDepth(MAX_NESTING)
            .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .build();

    private final String expression;
    private final Schema sourceSchema;
    private final CelRuntime.Program program;
    private final Map<String, Binding> bindings;
    private final ErrorListener listener;
    private final boolean iterates;
    private final LongAdder errors = new LongAdder();

    private RowFilter(String expression, Schema sourceSchema, CelRuntime.Program program,
                      Map<String, Binding> bindings, ErrorListener listener, boolean iterates) {
        this.iterates = iterates;
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
     *                            unknown field, mixes types, or is not of type {@code bool}, or is over a limit
     */
    public static RowFilter compile(String expression, Schema sourceSchema, ErrorListener listener) {
        return compile(expression, sourceSchema, listener, true);
    }

    /**
     * Compiles a filter that is already in a grant, without the cost estimate: a grant made before the limits keeps
     * evaluating, and the run-time step limit ({@link Result#OVER_LIMIT}) protects the evaluator.
     *
     * @throws RowFilterException as {@link #compile(String, Schema, ErrorListener)}, but never for the estimated cost
     */
    public static RowFilter compileGranted(String expression, Schema sourceSchema, ErrorListener listener) {
        return compile(expression, sourceSchema, listener, false);
    }

    private static RowFilter compile(String expression, Schema sourceSchema, ErrorListener listener, boolean estimate) {
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
        int length = expression.codePointCount(0, expression.length());
        if (length > MAX_EXPRESSION_LENGTH) {
            throw new RowFilterException(expression.substring(0, expression.offsetByCodePoints(0, 80)) + "...",
                    "the expression is " + length + " characters long; a row filter may have at most "
                            + MAX_EXPRESSION_LENGTH);
        }
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            throw new RowFilterException(expression, result.getErrorString());
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            long cost = estimatedCost(ast.getExpr());
            if (estimate && cost > MAX_ESTIMATED_COST) {
                throw new RowFilterException(expression, "the expression's estimated cost is " + cost + " evaluation"
                        + " steps per record (its comprehensions multiply); a row filter may cost at most "
                        + MAX_ESTIMATED_COST + ": iterate over fewer elements or nest fewer comprehensions");
            }
            return new RowFilter(expression, sourceSchema, RUNTIME.createProgram(ast), Map.copyOf(bindings),
                    listener == null ? (e, m) -> { } : listener, hasComprehension(ast.getExpr()));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new RowFilterException(expression, e.getMessage());
        }
    }

    /**
     * Whether a record passes. Never throws for a record of the source schema: an evaluation error counts as
     * "does not pass" and is reported.
     */
    public boolean test(GenericRecord record) {
        return evaluate(record) == Result.PASS;
    }

    /**
     * Evaluates the filter on a record. Never throws for a record of the source schema: an evaluation error is
     * {@link Result#REJECT} and reported; going over the step limit is {@link Result#OVER_LIMIT} and reported.
     */
    public Result evaluate(GenericRecord record) {
        CelVariableResolver resolver = name -> {
            Binding b = bindings.get(name);
            return b == null ? Optional.empty() : Optional.of(b.value(record));
        };
        Object result;
        StepBudget budget = iterates ? new StepBudget() : null;
        try {
            result = budget == null ? program.eval(resolver) : program.trace(resolver, budget);
        } catch (CelEvaluationException | RuntimeException e) {
            if ((budget != null && budget.exceeded) || isIterationLimit(e)) {
                fail("stopped after " + MAX_EVALUATION_STEPS + " evaluation steps: the filter is too expensive");
                return Result.OVER_LIMIT;
            }
            fail(e.getMessage());
            return Result.REJECT;
        }
        if (result instanceof Boolean b) {
            return b ? Result.PASS : Result.REJECT;
        }
        fail("the expression evaluated to " + result + ", not a boolean");
        return Result.REJECT;
    }

    /** Whether the compiled filter iterates (has a comprehension), so is evaluated under the step count. */
    public boolean iterates() {
        return iterates;
    }

    /** Counts evaluation steps of one evaluation and stops it past the limit. */
    private static final class StepBudget implements CelEvaluationListener {
        private int steps;
        private boolean exceeded;

        @Override
        public void callback(CelExpr expr, Object value) {
            if (++steps > MAX_EVALUATION_STEPS) {
                exceeded = true;
                throw new StepLimitExceeded();
            }
        }
    }

    private static final class StepLimitExceeded extends RuntimeException {
        StepLimitExceeded() {
            super("evaluation step limit exceeded", null, false, false);
        }
    }

    private static boolean isIterationLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StepLimitExceeded || (t.getMessage() != null && t.getMessage().contains("Iteration budget exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * An upper estimate of the evaluation steps of an expression: one per node, and for a comprehension its range,
     * its initial value and result, plus its condition and step times the number of elements it iterates — written out
     * for a list or map literal (or a concatenation of them), else assumed {@link #MAX_EXPRESSION_LENGTH}.
     */
    static long estimatedCost(CelExpr e) {
        return switch (e.getKind()) {
            case CONSTANT, IDENT, NOT_SET -> 1;
            case SELECT -> 1 + estimatedCost(e.select().operand());
            case CALL -> {
                long c = 1 + e.call().target().map(RowFilter::estimatedCost).orElse(0L);
                for (CelExpr a : e.call().args()) {
                    c = saturatedAdd(c, estimatedCost(a));
                }
                yield c;
            }
            case LIST -> {
                long c = 1;
                for (CelExpr a : e.list().elements()) {
                    c = saturatedAdd(c, estimatedCost(a));
                }
                yield c;
            }
            case MAP -> {
                long c = 1;
                for (var entry : e.map().entries()) {
                    c = saturatedAdd(c, saturatedAdd(estimatedCost(entry.key()), estimatedCost(entry.value())));
                }
                yield c;
            }
            case STRUCT -> {
                long c = 1;
                for (var entry : e.struct().entries()) {
                    c = saturatedAdd(c, estimatedCost(entry.value()));
                }
                yield c;
            }
            case COMPREHENSION -> {
                var k = e.comprehension();
                long body = saturatedAdd(estimatedCost(k.loopCondition()), estimatedCost(k.loopStep()));
                long c = saturatedAdd(estimatedCost(k.iterRange()), estimatedCost(k.accuInit()));
                c = saturatedAdd(c, estimatedCost(k.result()));
                yield saturatedAdd(c, saturatedMultiply(elements(k.iterRange()), body));
            }
        };
    }

    /** How many elements a comprehension's range has, when written out; else the most an expression could write. */
    private static long elements(CelExpr range) {
        return switch (range.getKind()) {
            case LIST -> range.list().elements().size();
            case MAP -> range.map().entries().size();
            case CALL -> range.call().function().equals("_+_") && range.call().args().size() == 2
                    ? saturatedAdd(elements(range.call().args().get(0)), elements(range.call().args().get(1)))
                    : MAX_EXPRESSION_LENGTH;
            case COMPREHENSION -> elements(range.comprehension().iterRange());   // map / filter keep at most as many
            default -> MAX_EXPRESSION_LENGTH;
        };
    }

    private static boolean hasComprehension(CelExpr e) {
        return switch (e.getKind()) {
            case COMPREHENSION -> true;
            case SELECT -> hasComprehension(e.select().operand());
            case CALL -> e.call().target().map(RowFilter::hasComprehension).orElse(false)
                    || e.call().args().stream().anyMatch(RowFilter::hasComprehension);
            case LIST -> e.list().elements().stream().anyMatch(RowFilter::hasComprehension);
            case MAP -> e.map().entries().stream().anyMatch(x -> hasComprehension(x.key()) || hasComprehension(x.value()));
            case STRUCT -> e.struct().entries().stream().anyMatch(x -> hasComprehension(x.value()));
            default -> false;
        };
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMultiply(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
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
