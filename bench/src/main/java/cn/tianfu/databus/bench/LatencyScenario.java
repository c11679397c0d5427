package cn.tianfu.databus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;

/**
 * End-to-end latency of the bus pipeline (Publisher → router → delivery topic → Subscriber) at a fixed offered rate,
 * open loop: the i-th send is scheduled at {@code start + i / rate} and sent then (or at once when the sender is
 * late); latency is measured from that intended time to the Subscriber handing the delivery over, so a stall in
 * the sender or the bus shows in the latency of every record it delayed (no coordinated omission). The record's
 * {@link BenchData#SEQUENCE_FIELD} (delivered in clear) ties each delivery to its intended time.
 */
final class LatencyScenario {

    private static final int WARMUP_SECONDS = 2;
    private static final long HIGHEST_MICROS = Duration.ofMinutes(10).toNanos() / 1000;

    private final BenchBus bus;
    private final BenchConfig config;
    private final RecordPool pool;

    LatencyScenario(BenchBus bus, BenchConfig config, RecordPool pool) {
        this.bus = bus;
        this.config = config;
        this.pool = pool;
    }

    ScenarioResult run(int rate) {
        List<Map<String, Double>> runs = new ArrayList<>();
        Histogram merged = new Histogram(HIGHEST_MICROS, 3);
        for (int rep = 0; rep < config.repeats(); rep++) {
            runs.add(Repetitions.once("latency", () -> once(rate, merged)));
        }
        return ScenarioResult.of("latency", rate + " rec/s", "publish -> Subscriber receives, open loop at " + rate
                + " records/s for " + config.latencySeconds() + " s after " + WARMUP_SECONDS + " s warm-up; HdrHistogram; "
                + "pooled: percentiles of the repetitions' histograms merged", runs).withPooled(percentiles(merged));
    }

    private static Map<String, Double> percentiles(Histogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("records", (double) h.getTotalCount());
        m.put("p50Ms", h.getValueAtPercentile(50) / 1000.0);
        m.put("p99Ms", h.getValueAtPercentile(99) / 1000.0);
        m.put("p999Ms", h.getValueAtPercentile(99.9) / 1000.0);
        m.put("maxMs", h.getMaxValue() / 1000.0);
        return m;
    }

    /** One repetition; its histogram is added to {@code merged} when the repetition succeeds. */
    private Map<String, Double> once(int rate, Histogram merged) {
        BenchBus.Resource resource = bus.newResource();
        String consumer = "bl" + bus.nextId();
        bus.grant(resource, consumer);
        int warmup = rate * WARMUP_SECONDS;
        int total = warmup + rate * config.latencySeconds();
        long[] intended = new long[total];
        Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
        Receipts receipts = new Receipts();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Subscriber subscriber = Subscriber.builder(bus.department(consumer), "bench").resource(resource.code())
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             KafkaProducer<String, byte[]> producer = bus.producer(resource.provider());
             Publisher publisher = Publisher.create(resource.provider(), resource.code(), producer, registry)) {
            // the first record makes the router find the topic and the subscriber get its partitions; not measured
            publisher.upsert(pool.key(Long.MAX_VALUE), pool.record(Long.MAX_VALUE));
            thread.submit(() -> {
                try {
                    subscriber.run(d -> {
                        long now = System.nanoTime();
                        long seq = sequence(d);
                        if (seq >= warmup && seq < total) {
                            histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - intended[(int) seq]) / 1000)));
                        }
                        receipts.received(1);
                    });
                } catch (RuntimeException e) {
                    receipts.failed(e);
                }
            });
            Duration timeout = Duration.ofSeconds(config.timeoutSeconds());
            receipts.await(1, timeout, "latency set-up");

            long period = 1_000_000_000L / rate;
            long start = System.nanoTime() + 10_000_000L;
            for (int i = 0; i < total; i++) {
                long at = start + i * period;
                intended[i] = at;
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    if (wait > 200_000) {
                        LockSupport.parkNanos(wait - 100_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                publisher.upsert(pool.key(i), pool.record(i));
            }
            long sendSeconds = System.nanoTime() - start;
            receipts.await(total + 1, timeout, "latency at " + rate + " records/s");
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("records", (double) (total - warmup));
            m.put("achievedSendRate", total / (sendSeconds / 1e9));
            percentiles(histogram).forEach((k, v) -> {
                if (!k.equals("records")) {
                    m.put(k, v);
                }
            });
            merged.add(histogram);
            return m;
        } finally {
            subscriber.close();
            ThroughputScenarios.shutdown(thread);
        }
    }

    private static long sequence(Delivery d) {
        Object v = d.value() == null ? null : d.value().get(BenchData.SEQUENCE_FIELD);
        return v instanceof Long l ? l : -1;
    }
}
