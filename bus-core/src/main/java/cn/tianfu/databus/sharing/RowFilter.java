package cn.tianfu.databus.sharing;

import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 * <p><b>Limits.</b> A filter runs on every record of the resource in the shared router, so its cost is bounded. The
 * language has no loops (CEL's comprehension macros {@code all}, {@code exists}, {@code map}, {@code filter} are not
 * enabled), so evaluation visits each node of the expression once; what remains to bound is the expression's size and
 * the regular expressions of {@code matches}, whose cost grows with their compiled program size. At compile time: at
 * most {@value #MAX_EXPRESSION_LENGTH} code points, nesting at most {@value #MAX_NESTING} deep, every pattern of
 * {@code matches} a string literal that compiles within {@value #MAX_REGEX_PROGRAM_SIZE} instructions; over any of these
 * the filter is refused with a {@link RowFilterException} naming the limit. A filter already in a grant (made before
 * the limits) is compiled with {@link #compileGranted}: an over-limit pattern does not refuse it, but the filter is
 * then never run — {@link #evaluate} answers {@link Result#OVER_LIMIT} and no record passes; a pattern taken from a
 * field is limited when run (over the limit: {@link Result#OVER_LIMIT}).
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
    /** Largest compiled program (re2j instructions) of a {@code matches} pattern that is run. */
    public static final int MAX_REGEX_PROGRAM_SIZE = 500;

    /** The outcome of evaluating a filter on one record. */
    public enum Result {
        /** The record passes. */
        PASS,
        /** The record does not pass (the expression is false, or failed on this record). */
        REJECT,
        /** The evaluation went over a limit ({@link #MAX_REGEX_PROGRAM_SIZE}); the record does not pass. */
        OVER_LIMIT
    }

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .maxParseRecursionDepth(MAX_NESTING)
            .maxRegexProgramSize(MAX_REGEX_PROGRAM_SIZE)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .build();
    /** {@code "".matches(pattern)}: compiles a pattern under the run-time limit, to refuse it when the filter is decided. */
    private static final CelRuntime.Program REGEX_PROBE = regexProbe();

    private final String expression;
    private final Schema sourceSchema;
    private final CelRuntime.Program program;
    private final Map<String, Binding> bindings;
    private final ErrorListener listener;
    private final LongAdder errors = new LongAdder();
    /** Why a filter compiled with {@link #compileGranted} is over a limit (it is then never run), or null. */
    private String overLimit;

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
     *                            unknown field, mixes types, or is not of type {@code bool}, or is over a limit
     */
    public static RowFilter compile(String expression, Schema sourceSchema, ErrorListener listener) {
        return compile(expression, sourceSchema, listener, true);
    }

    /**
     * Compiles a filter that is already in a grant (made, perhaps, before the limits): a {@code matches} pattern over the
     * limit does not refuse it, but makes {@link #evaluate} answer {@link Result#OVER_LIMIT} for every record without
     * running it; a pattern that is not a literal is allowed and limited when run.
     *
     * @throws RowFilterException as {@link #compile(String, Schema, ErrorListener)}, but never for a pattern
     */
    public static RowFilter compileGranted(String expression, Schema sourceSchema, ErrorListener listener) {
        return compile(expression, sourceSchema, listener, false);
    }

    private static RowFilter compile(String expression, Schema sourceSchema, ErrorListener listener, boolean decided) {
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
            List<String> problems = new ArrayList<>();
            checkPatterns(ast.getExpr(), decided, problems);
            if (decided && !problems.isEmpty()) {
                throw new RowFilterException(expression, String.join("\n", problems));
            }
            RowFilter f = new RowFilter(expression, sourceSchema, RUNTIME.createProgram(ast), Map.copyOf(bindings),
                    listener == null ? (e, m) -> { } : listener);
            f.overLimit = problems.isEmpty() ? null : String.join("; ", problems);
            return f;
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
        if (overLimit != null) {
            fail(overLimit);
            return Result.OVER_LIMIT;
        }
        Object result;
        try {
            result = program.eval(resolver);
        } catch (CelEvaluationException | RuntimeException e) {
            if (isOverLimit(e)) {
                fail("a regular expression over the limit of " + MAX_REGEX_PROGRAM_SIZE + " instructions was not run:"
                        + " the filter is too expensive");
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

    private static CelRuntime.Program regexProbe() {
        try {
            CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(OPTIONS)
                    .addVar("pattern", SimpleType.STRING)
                    .setResultType(SimpleType.BOOL)
                    .build();
            return RUNTIME.createProgram(compiler.compile("\"\".matches(pattern)").getAst());
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("the pattern probe does not compile", e);
        }
    }

    private static boolean isOverLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("exceeds allowed program size")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Collects the problems of the {@code matches} patterns: a constant pattern that does not compile or is over
     * {@link #MAX_REGEX_PROGRAM_SIZE}; when the filter is being decided, also a pattern that is not a constant (it would
     * come from the data, at a cost the filter's author does not control).
     */
    private static void checkPatterns(CelExpr e, boolean decided, List<String> problems) {
        if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("matches")) {
            List<CelExpr> args = e.call().args();
            CelExpr pattern = args.get(args.size() - 1);     // s.matches(p) or matches(s, p)
            if (pattern.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && pattern.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                String p = pattern.constant().stringValue();
                try {
                    REGEX_PROBE.eval(Map.of("pattern", p));
                } catch (CelEvaluationException | RuntimeException ex) {
                    problems.add(isOverLimit(ex)
                            ? "the regular expression \"" + p + "\" is too complex: its compiled program is over the"
                                    + " limit of " + MAX_REGEX_PROGRAM_SIZE + " instructions (nested or large repetitions"
                                    + " such as (a{100}){100} multiply); simplify it"
                            : "the regular expression \"" + p + "\" is not valid: " + ex.getMessage());
                }
            } else if (decided) {
                problems.add("the pattern of matches must be a string literal, not a value of the record");
            }
        }
        for (CelExpr child : children(e)) {
            checkPatterns(child, decided, problems);
        }
    }

    private static List<CelExpr> children(CelExpr e) {
        List<CelExpr> out = new ArrayList<>();
        switch (e.getKind()) {
            case SELECT -> out.add(e.select().operand());
            case CALL -> {
                e.call().target().ifPresent(out::add);
                out.addAll(e.call().args());
            }
            case LIST -> out.addAll(e.list().elements());
            case MAP -> e.map().entries().forEach(x -> {
                out.add(x.key());
                out.add(x.value());
            });
            case STRUCT -> e.struct().entries().forEach(x -> out.add(x.value()));
            case COMPREHENSION -> {
                var k = e.comprehension();
                out.addAll(List.of(k.iterRange(), k.accuInit(), k.loopCondition(), k.loopStep(), k.result()));
            }
            default -> {
            }
        }
        return out;
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
