package cn.tianfu.databus.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * The throughput scenarios, each on fresh topics: raw Kafka pipe, the bus pipeline, the bare engine and fan-out.
 * A repetition sends the warm-up records and waits for them, then measures from the first measured send to the last
 * measured arrival. CPU is the whole process's (broker, streams apps and clients alike) from the first measured send
 * until the last record arrived and, for the bus and the bare engine, the last log entry was committed.
 */
final class ThroughputScenarios {

    private final BenchBus bus;
    private final BenchConfig config;
    private final RecordPool pool;
    private final Duration timeout;

    ThroughputScenarios(BenchBus bus, BenchConfig config, RecordPool pool) {
        this.bus = bus;
        this.config = config;
        this.pool = pool;
        this.timeout = Duration.ofSeconds(config.timeoutSeconds());
    }

    /**
     * Raw pipe, bus pipeline and bare engine, interleaved: repetition i of each runs back to back (raw, bus, bare,
     * raw, bus, bare, ...), so the load of a shared machine, which drifts over minutes, weighs on all three alike
     * and the ratios compare neighbours.
     */
    List<ScenarioResult> interleaved(boolean raw, boolean bus, boolean bare, java.io.PrintStream progress) {
        List<Map<String, Double>> rawRuns = new ArrayList<>();
        List<Map<String, Double>> busRuns = new ArrayList<>();
        List<Map<String, Double>> bareRuns = new ArrayList<>();
        List<Map<String, Double>> bare2Runs = new ArrayList<>();
        byte[][] encoded = raw ? encodePool("bench.raw.values") : null;
        // rounds below 0 warm the whole process up (JIT, clients, broker) and are discarded
        for (int rep = -config.warmupRounds(); rep < config.repeats(); rep++) {
            boolean kept = rep >= 0;
            progress.printf(kept ? "  repetition %d of %d%n" : "  warm-up round (discarded)%n", rep + 1, config.repeats());
            if (raw) {
                keep(kept, rawRuns, Repetitions.once("raw", () -> rawRun(encoded)));
            }
            if (bus) {
                keep(kept, busRuns, Repetitions.once("bus", () -> busRun(1, config.records(), config.warmupRecords(), true, true)));
            }
            if (bare) {
                keep(kept, bareRuns, Repetitions.once("bare", () -> bareRun(1)));
                keep(kept, bare2Runs, Repetitions.once("bare2", () -> bareRun(2)));
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        if (raw) {
            out.add(ScenarioResult.of("raw", "", RAW_DESCRIPTION, rawRuns));
        }
        if (bus) {
            out.add(ScenarioResult.of("bus", "1 grant", BUS_DESCRIPTION, busRuns));
        }
        if (bare) {
            out.add(ScenarioResult.of("bare", "1 EOS hop", BARE_DESCRIPTION, bareRuns));
            out.add(ScenarioResult.of("bare2", "2 EOS hops", BARE2_DESCRIPTION, bare2Runs));
        }
        return out;
    }

    private static void keep(boolean kept, List<Map<String, Double>> runs, Map<String, Double> run) {
        if (kept) {
            runs.add(run);
        }
    }

    private static final String RAW_DESCRIPTION = "producer -> topic -> consumer; idempotent, acks=all, lz4; records "
            + "pre-encoded, not decoded";
    private static final String BUS_DESCRIPTION = "Publisher -> router (projection 12/21 items, masking, CEL filter) "
            + "-> dlv topic -> Subscriber; ledger chains each delivery; exactly-once";
    private static final String BARE_DESCRIPTION = "producer -> one pass-through hop writing the delivery copy and the "
            + "log copy; Subscriber on the delivery copy; exactly-once, no policy (the bus's intended one-hop shape)";
    private static final String BARE2_DESCRIPTION = "producer -> pass-through hop (delivery + staging copy) -> "
            + "pass-through hop (log copy); Subscriber on the delivery copy; exactly-once, no policy (the bus's "
            + "two-hop shape)";

    /** Producer → topic → consumer, the same records (already encoded) and producer settings: the ceiling. */
    private Map<String, Double> rawRun(byte[][] encoded) {
        String topic = "bench.raw." + bus.nextId();
        bus.createTopics(BenchBus.PARTITIONS, topic);
        Receipts receipts = new Receipts();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (KafkaProducer<String, byte[]> producer = bus.producer("bench-raw")) {
            thread.submit(() -> bus.count(List.of(topic), "bench-raw-" + topic, receipts, stop));
            Sender send = i -> producer.send(new ProducerRecord<>(topic, null, pool.key(i),
                    encoded[(int) (i % encoded.length)], headers()));
            WarmUp warm = warmUp(send, receipts, 1, true, config.warmupRecords(), "raw warm-up");
            long w = warm.records();
            long n = measured(warm, true, config.records());
            Map<String, Long> records0 = BrokerRecords.snapshot();
            Map<String, Long> bytes0 = BrokerRecords.snapshotBytes();
            long cpu0 = Receipts.processCpuNanos();
            long t0 = System.nanoTime();
            for (long i = w; i < w + n; i++) {
                send.send(i);
            }
            receipts.await(w + n, timeout, "raw pipe");
            long cpu1 = Receipts.processCpuNanos();
            Map<String, Double> m = throughput(n, 1, t0, receipts.lastNanos(), -1, cpu1 - cpu0);
            m.putAll(BrokerRecords.perSourceRecord(records0, BrokerRecords.snapshot(), n));
            m.putAll(BrokerRecords.bytesPerSourceRecord(bytes0, BrokerRecords.snapshotBytes(), n));
            return m;
        } finally {
            stop.set(true);
            shutdown(thread);
        }
    }

    /**
     * {@code grants} grants on one resource, each to another department; deliveries counted (not decoded) by one
     * consumer of every delivery topic, so the variants differ only in the number of grants.
     */
    ScenarioResult fanout(int grants) {
        List<Map<String, Double>> runs = new ArrayList<>();
        int n = config.fanoutRecords();
        int w = Math.max(1, Math.min(config.warmupRecords(), n / 5));
        for (int rep = 0; rep < config.repeats(); rep++) {
            runs.add(Repetitions.once("fanout", () -> busRun(grants, n, w, false, false)));
        }
        return ScenarioResult.of("fanout", grants + (grants == 1 ? " grant" : " grants"), "one resource, " + grants
                + " grant(s) to different departments; deliveries/s and CPU per delivered copy (ledger included)", runs);
    }

    /** SDK Publisher → router ({@code grants} grants) → delivery topics → Subscriber or counting consumer; ledger. */
    private Map<String, Double> busRun(int grants, int records, int warmupRecords, boolean sdkSubscriber,
                                       boolean windowed) {
        BenchBus.Resource resource = bus.newResource();
        List<String> deliveryTopics = new ArrayList<>();
        List<String> consumers = new ArrayList<>();
        for (int g = 0; g < grants; g++) {
            String consumer = "bc" + bus.nextId();
            bus.grant(resource, consumer);
            consumers.add(consumer);
            deliveryTopics.add(Topics.delivery(consumer, resource.code()));
        }
        Receipts receipts = new Receipts();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Subscriber subscriber = null;
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             KafkaProducer<String, byte[]> producer = bus.producer(resource.provider());
             Publisher publisher = Publisher.create(resource.provider(), resource.code(), producer, registry)) {
            if (sdkSubscriber) {
                // the consuming department's own client: decodes every delivery
                Subscriber s = Subscriber.builder(bus.department(consumers.get(0)), "bench").resource(resource.code())
                        .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
                subscriber = s;
                thread.submit(() -> {
                    try {
                        s.run(d -> receipts.received(1));
                    } catch (RuntimeException e) {
                        receipts.failed(e);
                    }
                });
            } else {
                thread.submit(() -> bus.count(deliveryTopics, "bench-fanout-" + resource.code(), receipts, stop));
            }
            long logBefore = bus.chainedEntries();
            Sender send = i -> publisher.upsert(pool.key(i), pool.record(i));
            WarmUp warm = warmUp(send, receipts, grants, windowed, warmupRecords, "bus warm-up");
            long w = warm.records();
            long n = measured(warm, windowed, records);
            Receipts.awaitValue(bus::chainedEntries, logBefore + w * grants, timeout, "ledger warm-up");

            Map<String, Long> records0 = BrokerRecords.snapshot();
            Map<String, Long> bytes0 = BrokerRecords.snapshotBytes();
            long cpu0 = Receipts.processCpuNanos();
            long t0 = System.nanoTime();
            for (long i = w; i < w + n; i++) {
                send.send(i);
            }
            receipts.await((w + n) * grants, timeout, "bus pipeline");
            long last = receipts.lastNanos();
            long chained = Receipts.awaitValue(bus::chainedEntries, logBefore + (w + n) * grants, timeout,
                    "ledger");
            long cpu1 = Receipts.processCpuNanos();
            Map<String, Double> m = throughput(n, grants, t0, last, chained, cpu1 - cpu0);
            m.putAll(BrokerRecords.perSourceRecord(records0, BrokerRecords.snapshot(), n));
            m.putAll(BrokerRecords.bytesPerSourceRecord(bytes0, BrokerRecords.snapshotBytes(), n));
            return m;
        } finally {
            stop.set(true);
            if (subscriber != null) {
                subscriber.close();
            }
            shutdown(thread);
        }
    }

    /**
     * The bus's shape with no policy, exactly-once: {@code hops == 1} is the intended shape — producer → one
     * pass-through hop writing a delivery copy and a log copy; {@code hops == 2} is the shape the bus has today —
     * producer → pass-through hop writing a delivery copy and a staging copy → pass-through hop writing the log copy.
     * The delivery copy is read by the SDK Subscriber. Records are encoded at send time, as the Publisher does, and
     * every client runs with the settings the bus's streams apps use ({@link BenchBus#streamsClientDefaults}).
     */
    private Map<String, Double> bareRun(int hops) {
        int id = bus.nextId();
        String consumer = "bb" + id;
        String code = "10101-" + id;
        String in = "bench.bare." + id + ".in";
        String staging = "bench.bare." + id + ".staging";
        String log = "bench.bare." + id + ".log";
        String out = Topics.delivery(consumer, code);
        bus.createTopics(BenchBus.PARTITIONS, in, staging, log);
        bus.createTopics(BenchBus.DELIVERY_PARTITIONS, out);
        List<KafkaStreams> apps = new ArrayList<>();
        if (hops == 1) {
            apps.add(new KafkaStreams(passThrough(in, out, log), bareConfig("bench-bare1-" + id)));
        } else {
            apps.add(new KafkaStreams(passThrough(in, out, staging), bareConfig("bench-bare-hop1-" + id)));
            apps.add(new KafkaStreams(passThrough(staging, log, null), bareConfig("bench-bare-hop2-" + id)));
        }
        Receipts receipts = new Receipts();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Subscriber subscriber = Subscriber.builder(bus.department(consumer), "bench").resource(code)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry);
             KafkaProducer<String, byte[]> producer = bus.producer("bench-bare")) {
            apps.forEach(KafkaStreams::start);
            apps.forEach(app -> BenchBus.awaitRunning(app, timeout));
            thread.submit(() -> {
                try {
                    subscriber.run(d -> receipts.received(1));
                } catch (RuntimeException e) {
                    receipts.failed(e);
                }
            });
            Sender send = i -> producer.send(new ProducerRecord<>(in, null, pool.key(i),
                    serializer.serialize(in, pool.record(i)), headers()));
            WarmUp warm = warmUp(send, receipts, 1, true, config.warmupRecords(), "bare warm-up");
            long w = warm.records();
            long n = measured(warm, true, config.records());
            Receipts.awaitValue(() -> bus.committedRecords(List.of(log)), w, timeout, "bare log warm-up");
            Map<String, Long> records0 = BrokerRecords.snapshot();
            Map<String, Long> bytes0 = BrokerRecords.snapshotBytes();
            long cpu0 = Receipts.processCpuNanos();
            long t0 = System.nanoTime();
            for (long i = w; i < w + n; i++) {
                send.send(i);
            }
            receipts.await(w + n, timeout, "bare engine");
            long last = receipts.lastNanos();
            long logged = Receipts.awaitValue(() -> bus.committedRecords(List.of(log)), w + n, timeout, "bare log");
            long cpu1 = Receipts.processCpuNanos();
            Map<String, Double> m = throughput(n, 1, t0, last, logged, cpu1 - cpu0);
            m.putAll(BrokerRecords.perSourceRecord(records0, BrokerRecords.snapshot(), n));
            m.putAll(BrokerRecords.bytesPerSourceRecord(bytes0, BrokerRecords.snapshotBytes(), n));
            return m;
        } finally {
            subscriber.close();
            shutdown(thread);
            apps.forEach(app -> app.close(Duration.ofSeconds(30)));
        }
    }

    /** Sends the {@code i}-th record of a repetition. */
    @FunctionalInterface
    private interface Sender {
        void send(long i);
    }

    /** What the warm-up sent and the rate its last chunk reached (NaN when it sent a fixed count). */
    private record WarmUp(long records, double rate) {
    }

    /**
     * Warms a repetition up. With {@code windowed} and {@link BenchConfig#warmupSeconds()} &gt; 0: sends chunks of
     * records, each awaited, until that many seconds have passed; a chunk is sized to about two seconds at the
     * rate the previous one reached, so the JIT and the clients' batching settle before the window. Otherwise
     * {@code fixedRecords} records, awaited.
     */
    private WarmUp warmUp(Sender send, Receipts receipts, long copies, boolean windowed, long fixedRecords, String what) {
        if (!windowed || config.warmupSeconds() == 0) {
            for (long i = 0; i < fixedRecords; i++) {
                send.send(i);
            }
            receipts.await(fixedRecords * copies, timeout, what);
            return new WarmUp(fixedRecords, Double.NaN);
        }
        long end = System.nanoTime() + config.warmupSeconds() * 1_000_000_000L;
        long sent = 0;
        long chunk = 1_000;
        double rate;
        do {
            long t = System.nanoTime();
            for (long i = sent; i < sent + chunk; i++) {
                send.send(i);
            }
            receipts.await((sent + chunk) * copies, timeout, what);
            rate = chunk / ((System.nanoTime() - t) / 1e9);
            sent += chunk;
            chunk = Math.max(1_000, Math.min(2_000_000, (long) (rate * 2)));
        } while (System.nanoTime() < end);
        return new WarmUp(sent, rate);
    }

    /** Records to measure: the warm-up's rate over the window (at least {@code records}), or {@code records}. */
    private long measured(WarmUp warm, boolean windowed, long records) {
        if (!windowed || config.windowSeconds() == 0 || Double.isNaN(warm.rate())) {
            return records;
        }
        return Math.max(records, (long) (warm.rate() * config.windowSeconds()));
    }

    private Topology passThrough(String from, String to, String copyTo) {
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), from);
        t.addProcessor("pass", () -> new PassThrough(copyTo != null), "in");
        t.addSink("out", to, new ByteArraySerializer(), new ByteArraySerializer(), "pass");
        if (copyTo != null) {
            t.addSink("copy", copyTo, new ByteArraySerializer(), new ByteArraySerializer(), "pass");
        }
        return t;
    }

    private java.util.Properties bareConfig(String appId) {
        java.util.Properties p = new java.util.Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, bus.dataDir().resolve("streams-bare").toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.putAll(BenchBus.streamsClientDefaults());
        p.putAll(bus.streamsOverrides(""));
        return p;
    }

    /** Forwards every record to the first sink and, when asked, a copy to the second. */
    private static final class PassThrough implements Processor<byte[], byte[], byte[], byte[]> {
        private final boolean copy;
        private ProcessorContext<byte[], byte[]> context;

        PassThrough(boolean copy) {
            this.copy = copy;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            context.forward(record, "out");
            if (copy) {
                context.forward(record, "copy");
            }
        }
    }

    private Map<String, Double> throughput(long n, int copies, long t0, long lastArrival, long logDone, long cpuNanos) {
        double seconds = (lastArrival - t0) / 1e9;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("records", (double) n);
        m.put("seconds", seconds);
        m.put("recordsPerSec", n / seconds);
        m.put("mbPerSec", n * pool.averageBytes() / seconds / 1e6);
        if (copies > 1) {
            m.put("deliveriesPerSec", (double) n * copies / seconds);
        }
        if (logDone > 0) {
            m.put("logCompleteSeconds", (logDone - t0) / 1e9);
        }
        if (cpuNanos >= 0) {
            m.put("cpuMicrosPerCopy", cpuNanos / 1e3 / ((double) n * copies));
        }
        return m;
    }

    private byte[][] encodePool(String topic) {
        byte[][] out = new byte[pool.size()][];
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry)) {
            for (int i = 0; i < out.length; i++) {
                out[i] = serializer.serialize(topic, pool.record(i));
            }
        }
        return out;
    }

    /** The headers the Publisher writes. */
    private static RecordHeaders headers() {
        RecordHeaders h = new RecordHeaders();
        h.add(EventHeaders.EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        h.add(EventHeaders.OP, EventHeaders.bytes(EventHeaders.OP_UPSERT));
        h.add(EventHeaders.SOURCE_TIME, EventHeaders.bytes(Long.toString(Instant.now().toEpochMilli())));
        return h;
    }

    static void shutdown(ExecutorService thread) {
        thread.shutdown();
        try {
            thread.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
