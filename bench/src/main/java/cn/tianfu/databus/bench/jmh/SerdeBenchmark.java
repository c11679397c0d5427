package cn.tianfu.databus.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
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

/**
 * The bus's Avro serde on a benchmark record (about 1 KB): registry wire format, schema id and datum writer/reader
 * from the client's cache (an in-memory registry, so only the cache path is measured).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SerdeBenchmark {

    private static final String TOPIC = "src.psb.10101-000001";

    private AvroSerializer<GenericRecord> serializer;
    private AvroDeserializer<GenericRecord> deserializer;
    private GenericRecord record;
    private byte[] bytes;

    @Setup
    public void setUp() {
        MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
        BenchData data = BenchData.load();
        registry.register(Subjects.valueSubject(TOPIC), data.schema());
        serializer = new AvroSerializer<>(registry);
        deserializer = new AvroDeserializer<>(registry);
        record = data.records(7, 1, 0).get(0);
        bytes = serializer.serialize(TOPIC, record);
    }

    @Benchmark
    public byte[] serialize() {
        return serializer.serialize(TOPIC, record);
    }

    @Benchmark
    public GenericRecord deserialize() {
        return deserializer.deserialize(TOPIC, bytes);
    }
}
