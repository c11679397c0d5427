package cn.tianfu.databus.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class RowFilterTest {

    private static final Schema SCHEMA = Population.SCHEMA;

    private static GenericRecord person(String gender, String birthDate, String division) {
        return Population.record("510104199001011234", "张三", "13812345678", gender, birthDate, null, division,
                Instant.parse("2024-03-01T08:00:00Z"));
    }

    @Test
    void equalityOnAString() {
        RowFilter f = RowFilter.compile("divisionCode == \"510104\"", SCHEMA);
        assertThat(f.test(person("M", "1990-01-01", "510104"))).isTrue();
        assertThat(f.test(person("M", "1990-01-01", "510105"))).isFalse();
    }

    @Test
    void functionsAndConjunctions() {
        RowFilter f = RowFilter.compile("divisionCode.startsWith(\"5101\") && gender == \"F\"", SCHEMA);
        assertThat(f.test(person("F", "1990-01-01", "510107"))).isTrue();
        assertThat(f.test(person("M", "1990-01-01", "510107"))).isFalse();
        assertThat(f.test(person("F", "1990-01-01", "510205"))).isFalse();
        assertThat(f.evaluationErrors()).isZero();
    }

    @Test
    void datesCompareAsIsoStrings() {
        RowFilter f = RowFilter.compile("birthDate < \"2008-01-01\"", SCHEMA);
        assertThat(f.test(person("F", "2007-12-31", "510104"))).isTrue();
        assertThat(f.test(person("F", "2008-01-01", "510104"))).isFalse();
        assertThat(f.test(person("F", "2010-06-15", "510104"))).isFalse();
    }

    @Test
    void timestampsCompareAsCelTimestamps() {
        RowFilter f = RowFilter.compile("updatedAt >= timestamp(\"2024-03-01T08:00:00Z\")", SCHEMA);
        assertThat(f.test(person("F", "2000-01-01", "510104"))).isTrue();
        GenericRecord older = Population.record("510104199001011234", null, null, null, null, null, null,
                Instant.parse("2024-03-01T07:59:59.999Z"));
        assertThat(f.test(older)).isFalse();
    }

    @Test
    void nullValuesFailComparisonsWithoutThrowing() {
        List<String> reported = new ArrayList<>();
        RowFilter f = RowFilter.compile("divisionCode.startsWith(\"5101\")", SCHEMA, (e, m) -> reported.add(m));
        GenericRecord noDivision = person("F", "1990-01-01", null);

        assertThat(f.test(noDivision)).isFalse();
        assertThat(f.evaluationErrors()).isEqualTo(1);
        assertThat(reported).hasSize(1);
        assertThat(reported.get(0)).contains("startsWith");

        RowFilter eq = RowFilter.compile("divisionCode == \"510104\"", SCHEMA);
        assertThat(eq.test(noDivision)).isFalse();
        assertThat(eq.evaluationErrors()).as("equality with null is simply false").isZero();

        RowFilter presence = RowFilter.compile("divisionCode != null && divisionCode.startsWith(\"5101\")", SCHEMA);
        assertThat(presence.test(noDivision)).isFalse();
        assertThat(presence.test(person("F", "1990-01-01", "510104"))).isTrue();
        assertThat(presence.evaluationErrors()).isZero();

        RowFilter date = RowFilter.compile("birthDate < \"2008-01-01\"", SCHEMA);
        assertThat(date.test(person("F", null, "510104"))).isFalse();
        assertThat(date.evaluationErrors()).isEqualTo(1);

        RowFilter ts = RowFilter.compile("updatedAt == null", SCHEMA);
        assertThat(ts.test(Population.record("510104199001011234", null, null, null, null, null, null, null)))
                .isTrue();
    }

    @Test
    void aFailingListenerDoesNotEscape() {
        RowFilter f = RowFilter.compile("gender.startsWith(\"F\")", SCHEMA, (e, m) -> {
            throw new IllegalStateException("listener broke");
        });
        assertThat(f.test(person(null, "1990-01-01", "510104"))).isFalse();
        assertThat(f.evaluationErrors()).isEqualTo(1);
    }

    @Test
    void typeMismatchIsRefusedWithTheCompilersMessage() {
        RowFilterException e = catchThrowableOfType(RowFilterException.class,
                () -> RowFilter.compile("divisionCode == 510104", SCHEMA));
        assertThat(e.compilerMessage()).contains("found no matching overload for '_==_'").contains("int");
        assertThat(e.getMessage()).contains(e.compilerMessage());
        assertThat(e.expression()).isEqualTo("divisionCode == 510104");
        assertThat(e).isInstanceOf(PolicyException.class);
    }

    @Test
    void unknownFieldIsRefused() {
        assertThatThrownBy(() -> RowFilter.compile("unknownField == \"x\"", SCHEMA))
                .isInstanceOf(RowFilterException.class)
                .hasMessageContaining("undeclared reference to 'unknownField'");
    }

    @Test
    void nonBooleanResultIsRefused() {
        assertThatThrownBy(() -> RowFilter.compile("divisionCode", SCHEMA))
                .isInstanceOf(RowFilterException.class)
                .hasMessageContaining("expected type 'bool'");
    }

    @Test
    void syntaxErrorsAreRefusedWithAPosition() {
        RowFilterException e = catchThrowableOfType(RowFilterException.class,
                () -> RowFilter.compile("divisionCode == ", SCHEMA));
        assertThat(e.compilerMessage()).contains("<input>:1:").contains("^");
        assertThatThrownBy(() -> RowFilter.compile("", SCHEMA)).isInstanceOf(RowFilterException.class);
        assertThatThrownBy(() -> RowFilter.compile("gender == \"F\" &&", SCHEMA))
                .isInstanceOf(RowFilterException.class);
    }

    @Test
    void numericBooleanEnumAndDecimalFields() {
        Schema decimal = LogicalTypes.decimal(12, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema s = SchemaBuilder.record("Enterprise").namespace("cn.tianfu.databus.resources").fields()
                .name("code").type().stringType().noDefault()
                .name("employees").type().optional().intType()
                .name("capital").type(decimal).noDefault()
                .name("rating").type().optional().doubleType()
                .name("listed").type().optional().booleanType()
                .name("kind").type().enumeration("Kind").symbols("STATE", "PRIVATE").noDefault()
                .name("photo").type().optional().bytesType()
                .endRecord();
        GenericData.Record r = new GenericData.Record(s);
        r.put("code", "91350100M000100Y43");
        r.put("employees", 120);
        r.put("capital", ByteBuffer.wrap(new BigDecimal("1500000.50").unscaledValue().toByteArray()));
        r.put("rating", 4.5);
        r.put("listed", true);
        r.put("kind", new GenericData.EnumSymbol(s.getField("kind").schema(), "PRIVATE"));

        assertThat(RowFilter.compile("employees > 100 && employees <= 120", s).test(r)).isTrue();
        assertThat(RowFilter.compile("capital > 1000000.0", s).test(r)).isTrue();
        assertThat(RowFilter.compile("capital > 1000000", s).test(r)).as("int literal against double").isTrue();
        assertThat(RowFilter.compile("capital == 1500000.5", s).test(r)).isTrue();
        assertThat(RowFilter.compile("rating >= 4.5 && listed", s).test(r)).isTrue();
        assertThat(RowFilter.compile("kind == \"PRIVATE\"", s).test(r)).isTrue();
        assertThatThrownBy(() -> RowFilter.compile("photo == b\"x\"", s))
                .as("bytes fields are not filter variables").isInstanceOf(RowFilterException.class);

        r.put("listed", null);
        RowFilter listed = RowFilter.compile("listed", s);
        assertThat(listed.test(r)).as("a null bool result does not pass").isFalse();
        assertThat(listed.evaluationErrors()).isEqualTo(1);
    }

    @Test
    void aCompiledFilterIsReusedAcrossThreads() throws InterruptedException {
        RowFilter f = RowFilter.compile("divisionCode.startsWith(\"5101\") && gender == \"F\"", SCHEMA);
        GenericRecord yes = person("F", "1990-01-01", "510107");
        GenericRecord no = person("M", "1990-01-01", "510107");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    if (!f.test(yes) || f.test(no)) {
                        failures.add(new AssertionError("wrong result at " + i));
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failures).isEmpty();
        assertThat(f.evaluationErrors()).isZero();
    }

    // ---- limits ----

    /** {@code [0,…,0].all(a, […].all(b, […].all(c, divisionCode != "x")))}: n^3 iterations, were macros enabled. */
    private static String nestedComprehension(int n) {
        String list = "[" + String.join(",", java.util.Collections.nCopies(n, "0")) + "]";
        return list + ".all(a, " + list + ".all(b, " + list + ".all(c, divisionCode != \"x\")))";
    }

    @Test
    void aNestedComprehensionIsRefusedTheLanguageHasNoLoops() {
        String expensive = nestedComprehension(100);      // 10^6 iterations per record if it ran
        assertThat(expensive.length()).isLessThan(RowFilter.MAX_EXPRESSION_LENGTH);
        RowFilterException e = catchThrowableOfType(() -> RowFilter.compile(expensive, SCHEMA), RowFilterException.class);
        assertThat(e.compilerMessage()).contains("undeclared reference to 'all'");
        assertThatThrownBy(() -> RowFilter.compileGranted(expensive, SCHEMA, null)).isInstanceOf(RowFilterException.class);
        assertThatThrownBy(() -> RowFilter.compile("[\"510104\"].exists(d, d == divisionCode)", SCHEMA))
                .isInstanceOf(RowFilterException.class);
        // membership in a written-out list needs no loop
        assertThat(RowFilter.compile("divisionCode in [\"510104\", \"510105\"]", SCHEMA)
                .test(person("F", "1990-01-01", "510105"))).isTrue();
    }

    /** Costs about 2 s per record on a 100-character value without the limit (10^6 program instructions). */
    private static final String EXPENSIVE_REGEX = "name.matches(\"((a{1000}){1000})\")";

    @Test
    void anExpensiveRegularExpressionIsRefusedWhenDecided() {
        RowFilterException e = catchThrowableOfType(() -> RowFilter.compile(EXPENSIVE_REGEX, SCHEMA), RowFilterException.class);
        assertThat(e.compilerMessage()).contains("too complex").contains(Integer.toString(RowFilter.MAX_REGEX_PROGRAM_SIZE));
        assertThat(e.getMessage()).contains("was refused");
        assertThatThrownBy(() -> RowFilter.compile("divisionCode.matches(\"5101(\")", SCHEMA))
                .isInstanceOf(RowFilterException.class).hasMessageContaining("not valid");
        assertThatThrownBy(() -> RowFilter.compile("matches(name, \"(a{30}){30}\")", SCHEMA))
                .isInstanceOf(RowFilterException.class).hasMessageContaining("too complex");
    }

    @Test
    void anExpensiveFilterAlreadyInAGrantIsNotRunAndDoesNotPass() {
        List<String> reported = new ArrayList<>();
        RowFilter f = RowFilter.compileGranted(EXPENSIVE_REGEX, SCHEMA, (expr, message) -> reported.add(message));
        GenericRecord r = Population.record("510104199001011234", "a".repeat(100), null, "F", "1990-01-01", null,
                "510104", Instant.parse("2024-03-01T08:00:00Z"));
        assertThat(f.evaluate(r)).isEqualTo(RowFilter.Result.OVER_LIMIT);
        assertThat(f.test(r)).isFalse();
        assertThat(f.evaluationErrors()).isEqualTo(2);
        assertThat(reported).hasSize(2).allMatch(m -> m.contains("limit of " + RowFilter.MAX_REGEX_PROGRAM_SIZE));
    }

    @Test
    void aPatternFromAFieldIsRefusedWhenDecidedAndLimitedWhenRun() {
        assertThatThrownBy(() -> RowFilter.compile("divisionCode.matches(name)", SCHEMA))
                .isInstanceOf(RowFilterException.class).hasMessageContaining("string literal");
        RowFilter f = RowFilter.compileGranted("divisionCode.matches(name)", SCHEMA, null);
        GenericRecord cheap = Population.record("510104199001011234", "^5101", null, "F", "1990-01-01", null,
                "510104", Instant.parse("2024-03-01T08:00:00Z"));
        GenericRecord bomb = Population.record("510104199001011234", "((a{1000}){1000})", null, "F", "1990-01-01", null,
                "510104", Instant.parse("2024-03-01T08:00:00Z"));
        assertThat(f.evaluate(cheap)).isEqualTo(RowFilter.Result.PASS);
        assertThat(f.evaluate(bomb)).isEqualTo(RowFilter.Result.OVER_LIMIT);
    }

    @Test
    void ordinaryPatternsAreWithinTheLimit() {
        RowFilter f = RowFilter.compile("idNumber.matches(\"^[0-9]{17}[0-9X]$\") && divisionCode.matches(\"^5101[0-9]{2}$\")", SCHEMA);
        assertThat(f.evaluate(person("F", "1990-01-01", "510104"))).isEqualTo(RowFilter.Result.PASS);
        assertThat(f.evaluate(person("F", "1990-01-01", "520104"))).isEqualTo(RowFilter.Result.REJECT);
    }

    @Test
    void anOverlongExpressionIsRefusedNamingTheLimit() {
        String longOne = "divisionCode == \"" + "9".repeat(RowFilter.MAX_EXPRESSION_LENGTH) + "\"";
        RowFilterException e = catchThrowableOfType(() -> RowFilter.compile(longOne, SCHEMA), RowFilterException.class);
        assertThat(e.compilerMessage()).contains("at most " + RowFilter.MAX_EXPRESSION_LENGTH);
        assertThatThrownBy(() -> RowFilter.compileGranted(longOne, SCHEMA, null)).isInstanceOf(RowFilterException.class);
    }

    @Test
    void aTooDeeplyNestedExpressionIsRefused() {
        int depth = RowFilter.MAX_NESTING + 10;
        String deep = "(".repeat(depth) + "divisionCode == \"510104\"" + ")".repeat(depth);
        assertThatThrownBy(() -> RowFilter.compile(deep, SCHEMA)).isInstanceOf(RowFilterException.class);
        String shallow = "((divisionCode == \"510104\"))";
        assertThat(RowFilter.compile(shallow, SCHEMA).test(person("F", "1990-01-01", "510104"))).isTrue();
    }
}
