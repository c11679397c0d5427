package cn.tianfu.databus.bench.jmh;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.bench.BenchData;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.MaskRule;
import cn.tianfu.databus.sharing.RowFilter;

/**
 * The router's per-record policy work on a benchmark record as the router sees it (decoded from the wire, strings as
 * {@link Utf8}): the grant's CEL row filter, masking of single values, and the delivery plan (projection of 12 of
 * 21 items with masking).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyBenchmark {

    private RowFilter filter;
    private DeliveryPlan plan;
    private GenericRecord record;
    private Utf8 idNumber;
    private Utf8 name;
    private Utf8 note;

    @Setup
    public void setUp() {
        BenchData data = BenchData.load();
        MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
        registry.register(Subjects.valueSubject("t"), data.schema());
        byte[] bytes = new AvroSerializer<GenericRecord>(registry).serialize("t", data.records(11, 1, 0).get(0));
        record = new AvroDeserializer<GenericRecord>(registry).deserialize("t", bytes);
        filter = RowFilter.compile(BenchData.ROW_FILTER, data.schema());
        plan = DeliveryPlan.build(data.schema(), "mca", Optional.of(BenchData.GRANTED_FIELDS), Set.of());
        idNumber = (Utf8) record.get("idNumber");
        name = (Utf8) record.get("name");
        note = (Utf8) record.get("changeNote");
        if (!filter.test(record)) {
            throw new IllegalStateException("the benchmark record must pass the benchmark filter");
        }
    }

    @Benchmark
    public boolean rowFilter() {
        return filter.test(record);
    }

    @Benchmark
    public String maskIdNumber() {
        return MaskRule.ID_NUMBER.apply(idNumber);
    }

    @Benchmark
    public String maskName() {
        return MaskRule.NAME.apply(name);
    }

    @Benchmark
    public String maskFreeText() {
        return MaskRule.FULL.apply(note);
    }

    @Benchmark
    public GenericRecord deliveryPlanApply() {
        return plan.apply(record);
    }
}
