package cn.tianfu.databus.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The client settings the bus's own components run with where they move records in volume — the streams apps (through
 * {@code StreamsAppConfig}) and the CDC runner's producer — instead of the client defaults: compressed, larger
 * producer batches and consumers that wait for a worthwhile fetch. The values come from the benchmark
 * ({@code docs/benchmarks.md}, <i>Client settings</i>); every one of them can still be overridden (a streams app's
 * {@code streams.} keys win).
 */
public final class ClientTuning {

    /** Compression of every batch the bus writes: lz4 costs the least CPU per byte of the codecs Kafka offers. */
    public static final String COMPRESSION_TYPE = "lz4";
    /** Producer batch size per partition (the client's default is 16 KiB, about 16 of the bus's 1 KB records). */
    public static final int BATCH_SIZE_BYTES = 128 * 1024;
    /** A fetch returns once this much is there (the client's default is 1 byte: a fetch per few records)... */
    public static final int FETCH_MIN_BYTES = 32 * 1024;
    /** ... or after this long, which bounds what it adds to a record's latency when little is flowing. */
    public static final int FETCH_MAX_WAIT_MS = 50;
    /**
     * How long the CDC runner's producer lets a batch fill (Kafka Streams' own producers linger 100 ms). The runner
     * flushes at the end of every engine batch, so the linger never delays a change's publish beyond its engine batch;
     * it only keeps the producer from cutting batches while the runner is still adding an engine batch's rows.
     */
    public static final int CDC_LINGER_MS = 20;
    /**
     * The CDC runner's producer batch size per partition: an engine batch (2,048 rows of about 1 KB, about 220 bytes
     * each with lz4) goes out in one or two produce requests per partition instead of several.
     */
    public static final int CDC_BATCH_SIZE_BYTES = 512 * 1024;

    private ClientTuning() {
    }

    /** Producer settings: compression and batch size. */
    public static Map<String, Object> producer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION_TYPE);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE_BYTES);
        return p;
    }

    /** Consumer settings: minimum fetch size and the longest wait for it. */
    public static Map<String, Object> consumer() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        return p;
    }

    /** The CDC runner's producer: {@link #producer()}'s compression, larger batches and a linger. */
    public static Map<String, Object> cdcProducer() {
        Map<String, Object> p = producer();
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, CDC_BATCH_SIZE_BYTES);
        p.put(ProducerConfig.LINGER_MS_CONFIG, CDC_LINGER_MS);
        return p;
    }
}
