package cn.tianfu.databus.bench;

import java.util.List;
import org.apache.avro.generic.GenericRecord;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerializer;

/**
 * The records every scenario sends: a fixed pool of generated residents, sent in turn, each carrying its send
 * sequence number in {@link BenchData#SEQUENCE_FIELD}. The same seed gives every scenario the same data. Not
 * thread-safe: one sending thread (the publisher encodes a record before {@code upsert} returns, so the next
 * sequence number may be set right after).
 */
final class RecordPool {

    private static final long SEED = 20_260_301L;

    private final GenericRecord[] records;
    private final String[] keys;
    private final double averageBytes;

    RecordPool(BenchData data, int size) {
        List<GenericRecord> generated = data.records(SEED, size, 0);
        this.records = generated.toArray(new GenericRecord[0]);
        this.keys = new String[records.length];
        long bytes = 0;
        try (MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
             AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry)) {
            for (int i = 0; i < records.length; i++) {
                keys[i] = BenchData.key(records[i]);
                bytes += serializer.serialize("size", records[i]).length;
            }
        }
        this.averageBytes = (double) bytes / records.length;
    }

    /** The record to send as the {@code sequence}-th, its sequence number set. */
    GenericRecord record(long sequence) {
        GenericRecord r = records[(int) (sequence % records.length)];
        r.put(BenchData.SEQUENCE_FIELD, sequence);
        return r;
    }

    String key(long sequence) {
        return keys[(int) (sequence % keys.length)];
    }

    int size() {
        return records.length;
    }

    /** Average size of a record's value on the wire (registry wire format, before compression). */
    double averageBytes() {
        return averageBytes;
    }
}
