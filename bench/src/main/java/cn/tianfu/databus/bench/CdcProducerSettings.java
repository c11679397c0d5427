package cn.tianfu.databus.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.contract.SourceEvent;
import cn.tianfu.databus.contract.SourceEvents;
import cn.tianfu.databus.kafka.ClientTuning;

/**
 * The CDC runner's producer settings compared on its publishing path alone: the benchmark's records, framed and given
 * headers as the runner does, sent in engine batches of 2,048 (each flushed and awaited before the next, as the
 * runner's batch handler does) to a fresh two-partition topic of an in-process broker, then read back once by a
 * consumer with the bus's consumer settings, as the router reads a source topic. Per setting and round: CPU
 * microseconds per record of the sending thread (which appends to, and compresses, the producer's batches), the
 * producer's I/O thread, the broker, the reading consumer and the rest of the process (GC, JIT), and the bytes the
 * broker stored per record. Settings are run interleaved, in a rotated order each round; medians are printed.
 *
 * <pre>{@code
 * java -cp "bench/target/bench.jar:bench/target/lib/*" cn.tianfu.databus.bench.CdcProducerSettings [records] [rounds]
 * }</pre>
 */
public final class CdcProducerSettings {

    private static final int ENGINE_BATCH = 2_048;

    private record Setting(String name, Map<String, Object> overrides) {
    }

    private static final List<Setting> SETTINGS = List.of(
            setting("lz4", 5, 128),
            setting("none", 5, 128),
            setting("zstd", 5, 128),
            setting("lz4", 0, 128),
            setting("lz4", 20, 128),
            setting("lz4", 5, 32),
            setting("lz4", 5, 256),
            setting("lz4", 5, 512),
            setting("lz4", 5, 1024),
            setting("lz4", 20, 512),
            setting("none", 5, 512));

    private static Setting setting(String compression, int lingerMs, int batchKiB) {
        return new Setting(compression + ", linger " + lingerMs + ", " + batchKiB + " KiB", Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression, ProducerConfig.LINGER_MS_CONFIG, lingerMs,
                ProducerConfig.BATCH_SIZE_CONFIG, batchKiB * 1024));
    }

    private CdcProducerSettings() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        run(records, rounds, System.out);
        System.exit(0);
    }

    static void run(int records, int rounds, PrintStream out) throws Exception {
        BenchData data = BenchData.load();
        RecordPool pool = new RecordPool(data, Math.min(records, 20_000));
        SourceEvents codec = new SourceEvents();
        List<SourceEvent> events = new ArrayList<>(records);
        long position = 0x1000_0000L;
        for (int i = 0; i < records; i++) {
            GenericRecord r = pool.record(i);
            events.add(codec.upsert(pool.key(i), 1, r, Instant.ofEpochMilli(1_765_000_000_000L + i),
                    "pg:" + Long.toHexString(position + i * 64L)));
        }
        Path dir = Files.createTempDirectory("databus-cdc-settings-");
        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, dir.toString(),
                BrokerConfig.PORT_CONFIG, 0,
                BrokerConfig.PARTITIONS_CONFIG, BenchBus.PARTITIONS,
                BrokerConfig.SECURITY_ENABLED_CONFIG, false)));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            out.printf("CDC producer settings: %d records (%.0f bytes framed on average), engine batches of %d, %d rounds"
                    + " after one discarded%n", records, events.stream().mapToInt(e -> e.value().length).average()
                    .orElse(0), ENGINE_BATCH, rounds);
            // both threads live through every trial, so their CPU is counted as theirs (a thread that ended is vm's)
            ExecutorService sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-settings-send"));
            ExecutorService reader = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-count-settings"));
            Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
            int topic = 0;
            for (int round = -1; round < rounds; round++) {
                List<Setting> order = new ArrayList<>(SETTINGS);
                Collections.rotate(order, Math.max(0, round));
                for (Setting s : order) {
                    String name = "cdc-settings-" + topic++;
                    admin.createTopics(List.of(new NewTopic(name, BenchBus.PARTITIONS, (short) 1))).all()
                            .get(30, TimeUnit.SECONDS);
                    Map<String, Double> m = trial(broker.bootstrapServers(), admin, name, s, events, sender, reader,
                            topic);
                    if (round >= 0) {
                        results.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(m);
                    }
                    admin.deleteTopics(List.of(name)).all().get(30, TimeUnit.SECONDS);
                }
            }
            sender.shutdownNow();
            reader.shutdownNow();
            out.printf("%-26s %8s %8s %8s %8s %8s %8s %8s %9s%n", "setting", "total", "send", "io", "broker",
                    "read", "vm+other", "rec/s", "bytes/rec");
            results.forEach((name, runs) -> out.printf("%-26s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.0f %9.0f%n", name,
                    median(runs, "total"), median(runs, "send"), median(runs, "io"), median(runs, "broker"),
                    median(runs, "read"), median(runs, "rest"), median(runs, "recordsPerSec"), median(runs, "storedBytes")));
        } finally {
            BenchBus.deleteRecursively(dir);
        }
    }

    private static Map<String, Double> trial(String bootstrap, Admin admin, String topic, Setting s,
                                             List<SourceEvent> events, ExecutorService sender, ExecutorService reader,
                                             int n) throws Exception {
        Map<String, Object> props = new HashMap<>(ClientTuning.cdcProducer());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bp" + (900_000 + n));
        props.putAll(s.overrides());
        Map<String, Double> m = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            // a fresh topic's partitions get their leader shortly after creation; a send before that is retried, and
            // an idempotent producer's retry of its first batch can then be refused as out of sequence
            long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())
                    && System.nanoTime() < ready) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            ThreadCpu.Sample cpu0 = ThreadCpu.sample();
            long t0 = System.nanoTime();
            sender.submit(() -> {
                for (int from = 0; from < events.size(); from += ENGINE_BATCH) {
                    List<CompletableFuture<?>> sends = new ArrayList<>(ENGINE_BATCH);
                    for (SourceEvent e : events.subList(from, Math.min(events.size(), from + ENGINE_BATCH))) {
                        RecordHeaders headers = new RecordHeaders();
                        for (SourceEvent.Header h : e.headers()) {
                            headers.add(h.name(), h.bytes());
                        }
                        CompletableFuture<Void> done = new CompletableFuture<>();
                        producer.send(new ProducerRecord<>(topic, null, e.key(), e.value(), headers), (md, ex) -> {
                            if (ex != null) {
                                done.completeExceptionally(ex);
                            } else {
                                done.complete(null);
                            }
                        });
                        sends.add(done);
                    }
                    producer.flush();
                    for (CompletableFuture<?> f : sends) {
                        f.get(2, TimeUnit.MINUTES);
                    }
                }
                return null;
            }).get(10, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ThreadCpu.Sample cpu1 = ThreadCpu.sample();
            long read = read(bootstrap, topic, events.size(), reader);
            ThreadCpu.Sample cpu2 = ThreadCpu.sample();
            Map<String, Double> produce = ThreadCpu.perUnit(cpu0, cpu1, events.size());
            Map<String, Double> consume = ThreadCpu.perUnit(cpu1, cpu2, events.size());
            m.put("send", produce.getOrDefault("capture", 0.0));
            m.put("io", produce.getOrDefault("publish", 0.0));
            m.put("broker", produce.getOrDefault("broker", 0.0) + consume.getOrDefault("broker", 0.0));
            m.put("read", consume.getOrDefault("count", 0.0));
            double total = (cpu2.processCpu() - cpu0.processCpu()) / 1e3 / events.size();
            m.put("total", total);
            m.put("rest", total - m.get("send") - m.get("io") - m.get("broker") - m.get("read"));
            m.put("recordsPerSec", events.size() / seconds);
            m.put("storedBytes", storedBytes(admin, topic) / (double) events.size());
            if (read != events.size()) {
                throw new IllegalStateException(topic + ": read " + read + " of " + events.size() + " records");
            }
        }
        return m;
    }

    /** Reads the topic to its end as the router reads a source topic (the bus's consumer settings); records read. */
    private static long read(String bootstrap, String topic, int expected, ExecutorService reader) throws Exception {
        Map<String, Object> props = new HashMap<>(ClientTuning.consumer());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return reader.submit(() -> {
            long n = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < BenchBus.PARTITIONS; p++) {
                    parts.add(new TopicPartition(topic, p));
                }
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (n < expected && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                    n += polled.count();
                }
            }
            return n;
        }).get(3, TimeUnit.MINUTES);
    }

    private static long storedBytes(Admin admin, String topic) throws Exception {
        long bytes = 0;
        for (var dirs : admin.describeLogDirs(List.of(1)).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
            for (var d : dirs.values()) {
                for (var e : d.replicaInfos().entrySet()) {
                    if (e.getKey().topic().equals(topic)) {
                        bytes += e.getValue().size();
                    }
                }
            }
        }
        return bytes;
    }

    private static double median(List<Map<String, Double>> runs, String key) {
        double[] v = runs.stream().mapToDouble(r -> r.getOrDefault(key, Double.NaN)).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
