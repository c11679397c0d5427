package cn.tianfu.databus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.ServerConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.testkit.KafkaCluster;

/**
 * The bus as a city runs it: a three-broker KRaft cluster (three voters, SCRAM and ACLs, replication factor 3 with two
 * in sync; {@link KafkaCluster}) in this JVM, {@code databus init} on it, and {@code databus serve} nodes as processes
 * of their own. The benchmark resource is registered, requested and approved through the bus's governance (the same
 * projection, masking and row filter as the {@code bus} scenario), then published by the provider's SDK Publisher and
 * received by the consumer's SDK Subscriber, with ONE node and then with TWO nodes sharing the streams apps' tasks;
 * raw Kafka (producer, topic, consumer, the same records pre-encoded) on the same cluster is the ceiling. Each node's
 * CPU is its process's CPU time ({@link ProcessHandle.Info#totalCpuDuration()}) from the first measured send until the
 * last delivery arrived and the ledger committed the last log entry.
 */
final class ClusterScenario {

    static final String NAME = "cluster";
    static final String RAW = "raw kafka";
    static final String ONE_NODE = "1 node";
    static final String TWO_NODES = "2 nodes";
    /** Heap of each {@code serve} node. */
    static final String NODE_HEAP = "-Xmx768m";
    private static final String PROVIDER = "benchpsb";
    private static final String CONSUMER = "benchmca";
    private static final String CODE = "10101-900001";
    private static final Pattern REQUEST_ID = Pattern.compile("request ([^,)\\s]+)");

    private static final String RAW_DESCRIPTION = "three brokers (RF 3, min ISR 2, SASL/SCRAM): producer -> topic -> "
            + "consumer; idempotent, acks=all, lz4; records pre-encoded";
    private static final String BUS_DESCRIPTION = "three brokers; %s `serve` process(es) (" + NODE_HEAP + " each): "
            + "Publisher -> router (projection 12/21 items, masking, CEL filter) -> dlv topic -> Subscriber; ledger "
            + "chains each delivery; exactly-once; node CPU = the serve processes' CPU time";

    private final BenchConfig config;
    private final RecordPool pool;
    private final Duration timeout;

    ClusterScenario(BenchConfig config, RecordPool pool) {
        this.config = config;
        this.pool = pool;
        this.timeout = Duration.ofSeconds(config.timeoutSeconds());
    }

    /** Raw Kafka, one node and two nodes on one cluster, {@link BenchConfig#repeats()} times each, interleaved. */
    List<ScenarioResult> run(PrintStream progress) {
        Path dir = workDir();
        List<Map<String, Double>> rawRuns = new ArrayList<>();
        List<Map<String, Double>> oneRuns = new ArrayList<>();
        List<Map<String, Double>> twoRuns = new ArrayList<>();
        Node first = null;
        Node second = null;
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 3)) {
            progress.println("  cluster: three brokers up; init, first node ...");
            Path node1 = dir.resolve("node1");
            Path node2 = dir.resolve("node2");
            cli("init", "--config", cluster.writeAdminFile(dir.resolve("admin.properties")).toString(),
                    "--data-dir", node1.toString());
            Path node1Config = writeNodeConfig(dir.resolve("node1.properties"), node1, cluster);
            first = Node.start("node1", node1Config, dir.resolve("node1.out"), timeout);
            // the second node: the same principal and keys (key hashes, exchange-log signatures)
            copyTree(node1.resolve("keys"), node2.resolve("keys"));
            Files.createDirectories(node2.resolve("clients"));
            Files.copy(BusCredentials.file(node1), BusCredentials.file(node2));
            Path node2Config = writeNodeConfig(dir.resolve("node2.properties"), node2, cluster);

            Path providerFile = department(node1, PROVIDER, "市公安局（benchmark）");
            Path consumerFile = department(node1, CONSUMER, "市民政局（benchmark）");
            grantThroughGovernance(dir, providerFile, consumerFile);
            DatabusClientConfig provider = DatabusClientConfig.load(providerFile);
            DatabusClientConfig consumer = DatabusClientConfig.load(consumerFile);
            byte[][] encoded = encodePool();
            String rawTopic = "bench.raw.cluster";
            try (Admin admin = Admin.create(cluster.adminProperties())) {
                admin.createTopics(List.of(new NewTopic(rawTopic, BenchBus.PARTITIONS, (short) 3))).all().get(30, TimeUnit.SECONDS);
                awaitRouterMembers(admin, 1);
                Receipts deliveries = new Receipts();
                ExecutorService receiving = Executors.newSingleThreadExecutor();
                Subscriber subscriber = Subscriber.builder(consumer, "bench-cluster").resource(CODE).fromBeginning(true)
                        .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
                try (Publisher publisher = Publisher.create(provider, CODE)) {
                    receiving.submit(() -> {
                        try {
                            subscriber.run(d -> deliveries.received(1));
                        } catch (RuntimeException e) {
                            deliveries.failed(e);
                        }
                    });
                    Bus bus = new Bus(publisher, deliveries, admin);
                    long sent = 0;
                    for (int rep = 0; rep < config.repeats(); rep++) {
                        progress.printf("  cluster repetition %d of %d: raw kafka%n", rep + 1, config.repeats());
                        rawRuns.add(rawRun(cluster, rawTopic, encoded, rep));
                        if (second != null) {
                            second.stop();
                            second = null;
                            awaitRouterMembers(admin, 1);
                        }
                        progress.printf("  cluster repetition %d of %d: one node%n", rep + 1, config.repeats());
                        Map<String, Double> one = bus.run(sent, List.of(first));
                        sent += one.get("records").longValue() + config.warmupRecords();
                        oneRuns.add(one);
                        second = Node.start("node2", node2Config, dir.resolve("node2-" + rep + ".out"), timeout);
                        awaitRouterMembers(admin, 2);
                        progress.printf("  cluster repetition %d of %d: two nodes%n", rep + 1, config.repeats());
                        Map<String, Double> two = bus.run(sent, List.of(first, second));
                        sent += two.get("records").longValue() + config.warmupRecords();
                        twoRuns.add(two);
                    }
                } finally {
                    subscriber.close();
                    ThroughputScenarios.shutdown(receiving);
                }
            }
        } catch (IOException e) {
            throw new DatabusException("cluster scenario: " + e.getMessage(), e);
        } catch (DatabusException e) {
            throw e;
        } catch (Exception e) {
            throw new DatabusException("cluster scenario: " + e.getMessage(), e);
        } finally {
            if (second != null) {
                second.stop();
            }
            if (first != null) {
                first.stop();
            }
            if (config.dataDir() == null) {
                BenchBus.deleteRecursively(dir);
            }
        }
        return List.of(ScenarioResult.of(NAME, RAW, RAW_DESCRIPTION, rawRuns),
                ScenarioResult.of(NAME, ONE_NODE, BUS_DESCRIPTION.formatted("one"), oneRuns),
                ScenarioResult.of(NAME, TWO_NODES, BUS_DESCRIPTION.formatted("two"), twoRuns));
    }

    /** The bus pipeline on the cluster: one Publisher, one Subscriber, the nodes given. */
    private final class Bus {
        private final Publisher publisher;
        private final Receipts deliveries;
        private final Admin admin;

        Bus(Publisher publisher, Receipts deliveries, Admin admin) {
            this.publisher = publisher;
            this.deliveries = deliveries;
            this.admin = admin;
        }

        /** Sends the warm-up and the measured records from sequence {@code from}; deliveries so far equal {@code from}. */
        Map<String, Double> run(long from, List<Node> nodes) {
            long w = config.warmupRecords();
            long n = config.records();
            long logBefore = committed(admin, Topics.EXCHANGE_LOG);
            for (long i = from; i < from + w; i++) {
                publisher.upsert(pool.key(i), pool.record(i));
            }
            deliveries.await(from + w, timeout, "cluster warm-up");
            Receipts.awaitValue(() -> committed(admin, Topics.EXCHANGE_LOG), logBefore + w, timeout, "cluster ledger warm-up");
            long[] cpu0 = nodes.stream().mapToLong(Node::cpuNanos).toArray();
            long t0 = System.nanoTime();
            for (long i = from + w; i < from + w + n; i++) {
                publisher.upsert(pool.key(i), pool.record(i));
            }
            deliveries.await(from + w + n, timeout, "cluster bus pipeline");
            long last = deliveries.lastNanos();
            long logged = Receipts.awaitValue(() -> committed(admin, Topics.EXCHANGE_LOG), logBefore + w + n, timeout,
                    "cluster ledger");
            Map<String, Double> m = rates(n, t0, last);
            m.put("logCompleteSeconds", (logged - t0) / 1e9);
            double cpuSeconds = 0;
            for (int i = 0; i < nodes.size(); i++) {
                double s = (nodes.get(i).cpuNanos() - cpu0[i]) / 1e9;
                m.put("cpuSeconds[" + nodes.get(i).name() + "]", s);
                cpuSeconds += s;
            }
            m.put("nodeCpuSeconds", cpuSeconds);
            m.put("recordsPerCpuSecond", n / cpuSeconds);
            return m;
        }
    }

    /** Producer → topic → consumer on the cluster, as the administrator, the same records pre-encoded. */
    private Map<String, Double> rawRun(KafkaCluster cluster, String topic, byte[][] encoded, int rep) {
        Receipts receipts = new Receipts();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Map<String, Object> producerProps = new HashMap<>(cluster.adminProperties());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        Map<String, Object> consumerProps = new HashMap<>(cluster.adminProperties());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-cluster-raw-" + rep);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new ByteArraySerializer());
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            // the consumer starts at the topic's current end: earlier repetitions' records are not counted again
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < BenchBus.PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            try {
                return rawMeasure(producer, consumer, topic, encoded, receipts, stop, thread);
            } finally {
                // the polling thread ends before the consumer is closed
                stop.set(true);
                ThroughputScenarios.shutdown(thread);
            }
        }
    }

    private Map<String, Double> rawMeasure(KafkaProducer<String, byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
                                           String topic, byte[][] encoded, Receipts receipts, AtomicBoolean stop,
                                           ExecutorService thread) {
        thread.submit(() -> {
            try {
                while (!stop.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        receipts.received(records.count());
                    }
                }
            } catch (RuntimeException e) {
                receipts.failed(e);
            }
        });
        long w = config.warmupRecords();
        long n = config.records();
        for (long i = 0; i < w; i++) {
            producer.send(new ProducerRecord<>(topic, pool.key(i), encoded[(int) (i % encoded.length)]));
        }
        receipts.await(w, timeout, "cluster raw warm-up");
        long t0 = System.nanoTime();
        for (long i = w; i < w + n; i++) {
            producer.send(new ProducerRecord<>(topic, pool.key(i), encoded[(int) (i % encoded.length)]));
        }
        receipts.await(w + n, timeout, "cluster raw pipe");
        return rates(n, t0, receipts.lastNanos());
    }

    private Map<String, Double> rates(long n, long t0, long last) {
        double seconds = (last - t0) / 1e9;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("records", (double) n);
        m.put("seconds", seconds);
        m.put("recordsPerSec", n / seconds);
        m.put("mbPerSec", n * pool.averageBytes() / seconds / 1e6);
        return m;
    }

    /** Registers the benchmark resource as {@code provider}, requests it as the consumer, approves with the filter. */
    private static void grantThroughGovernance(Path dir, Path providerFile, Path consumerFile) throws IOException {
        Path definition = dir.resolve(BenchData.DEFINITION);
        try (InputStream in = BenchData.class.getResourceAsStream(BenchData.DEFINITION)) {
            if (in == null) {
                throw new DatabusException(BenchData.DEFINITION + " is missing from the classpath");
            }
            Files.writeString(definition, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        cli("catalog", "register", definition.toString(), "--config", providerFile.toString());
        String requested = cli("request", CODE, "--purpose", "最低生活保障资格核查（benchmark）",
                "--fields", String.join(",", BenchData.GRANTED_FIELDS), "--config", consumerFile.toString());
        Matcher m = REQUEST_ID.matcher(requested);
        if (!m.find()) {
            throw new DatabusException("cluster scenario: no request id in '" + requested.trim() + "'");
        }
        cli("decide", m.group(1), "--approve", "--filter", BenchData.ROW_FILTER, "--config", providerFile.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cliOutput("grants", "--mine", "--config", consumerFile.toString()).contains(CODE)) {
            if (System.nanoTime() > deadline) {
                throw new DatabusException("cluster scenario: the grant of " + CODE + " did not appear within 60 s");
            }
            BenchBus.sleep(200);
        }
    }

    /** Waits until the router's group has {@code members} members, each owning a partition of the resource. */
    private void awaitRouterMembers(Admin admin, int members) {
        String source = Topics.source(PROVIDER, CODE);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no group";
        while (System.nanoTime() < deadline) {
            try {
                var group = admin.describeConsumerGroups(List.of(RouterConfig.APPLICATION_ID_DEFAULT)).all()
                        .get(30, TimeUnit.SECONDS).get(RouterConfig.APPLICATION_ID_DEFAULT);
                long owning = group.members().stream().filter(mem -> mem.assignment().topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().equals(source))).count();
                if (group.members().size() == members && owning == members) {
                    return;
                }
                last = group.members().size() + " members, " + owning + " owning " + source;
            } catch (Exception e) {
                last = e.toString();
            }
            BenchBus.sleep(200);
        }
        throw new DatabusException("cluster scenario: the router's group did not reach " + members + " member(s) ("
                + last + ")");
    }

    /** Committed records of {@code topic}: the sum of its partitions' last stable offsets. */
    private static long committed(Admin admin, String topic) {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
        } catch (Exception e) {
            throw new DatabusException("cannot read the end offsets of " + topic + ": " + e.getMessage(), e);
        }
    }

    private byte[][] encodePool() {
        byte[][] out = new byte[pool.size()][];
        try (MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
             AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry)) {
            for (int i = 0; i < out.length; i++) {
                out[i] = serializer.serialize("bench.raw.cluster", pool.record(i));
            }
        }
        return out;
    }

    private Path workDir() {
        try {
            return config.dataDir() == null ? Files.createTempDirectory("databus-bench-cluster-")
                    : Files.createDirectories(config.dataDir().resolve("cluster"));
        } catch (IOException e) {
            throw new DatabusException("cannot create the cluster scenario's directory: " + e.getMessage(), e);
        }
    }

    private static Path writeNodeConfig(Path file, Path dataDir, KafkaCluster cluster) throws IOException {
        Properties p = new Properties();
        p.setProperty(ServerConfig.DATA_DIR_CONFIG, dataDir.toString());
        p.setProperty(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.setProperty(ServerConfig.REGISTRY_PORT_CONFIG, "0");
        p.setProperty(ServerConfig.HTTP_PORT_CONFIG, "0");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "a bus node of the cluster benchmark");
        }
        return file;
    }

    private static Path department(Path dataDir, String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        cli("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        return file;
    }

    /**
     * Runs a {@code databus} command in this JVM; its output, or a failure with its error output. A command that
     * could not reach the bus (on a loaded machine the node's registry or HTTP API may not answer in time) is run
     * again, up to three times in all; any other failure ends the scenario.
     */
    private static String cli(String... args) {
        for (int attempt = 1; ; attempt++) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
            if (exit == 0) {
                return out.toString();
            }
            String text = out + err.toString();
            if (attempt >= 3 || !(text.contains("unreachable") || text.contains("timed out"))) {
                throw new DatabusException("cluster scenario: 'databus " + String.join(" ", args) + "' failed (" + exit
                        + "): " + text);
            }
            BenchBus.sleep(2_000);
        }
    }

    private static String cliOutput(String... args) {
        StringWriter out = new StringWriter();
        DatabusCli.run(args, new PrintWriter(out), new PrintWriter(new StringWriter()));
        return out.toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    /** A {@code databus serve} process. */
    record Node(String name, Process process) {

        static Node start(String name, Path config, Path output, Duration timeout) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = List.of(java, NODE_HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp",
                    System.getProperty("java.class.path"), DatabusCli.class.getName(), "serve", "--config", config.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!Files.readString(output).contains("databus ready")) {
                if (!p.isAlive()) {
                    throw new DatabusException(name + " stopped while starting: " + Files.readString(output));
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new DatabusException(name + " was not ready within " + timeout.toSeconds() + " s; see " + output);
                }
                BenchBus.sleep(200);
            }
            return new Node(name, p);
        }

        /** The process's CPU time so far (every thread, user and system). */
        long cpuNanos() {
            return process.info().totalCpuDuration().map(Duration::toNanos)
                    .orElseThrow(() -> new DatabusException("the CPU time of " + name + " cannot be read"));
        }

        /** Stops the node cleanly (its streams apps leave their groups) and waits. */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
