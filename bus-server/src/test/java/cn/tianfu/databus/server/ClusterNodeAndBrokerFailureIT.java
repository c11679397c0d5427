package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.testkit.KafkaCluster;
import cn.tianfu.databus.tls.ServerTls;
import picocli.CommandLine.ExitCode;

/**
 * A city-scale deployment losing a broker and a bus node at the same moment. A three-broker KRaft cluster (a
 * three-voter controller quorum) whose only client listener speaks SASL_SSL with certificates of one CA;
 * {@code databus init} replicates the system topics three ways with two in sync; two {@code serve} nodes share the
 * streams apps' tasks, the first in the test JVM, the second a process of its own. A department publishes
 * continuously, several versions of each key; mid-stream the broker leading the consumer's delivery topic is stopped
 * and the second node is killed (SIGKILL: no clean shutdown, its transactions left open), the stream goes on, then
 * both come back and the last part of the stream flows while the restarted node rejoins and takes its share of the
 * router's tasks again. Every (key, version) reaches the
 * consumer exactly once, the exchange log holds exactly one entry per delivery and per open publication, and
 * {@code audit verify} finds the chain and its signed checkpoints intact.
 */
class ClusterNodeAndBrokerFailureIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static final String CODE = "10201-000001";
    /** Distinct keys; record {@code i} is version {@code i / KEYS} of key {@code i % KEYS}. */
    private static final int KEYS = 30;
    private static final int RECORDS = 150;
    /** Records published with everything up, then with a broker and a node down, then with both back. */
    private static final int PHASE = RECORDS / 3;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theStreamSurvivesABrokerAndABusNodeFailingTogetherExactlyOnce() throws Exception {
        // one CA for the cluster's listeners and the nodes' HTTPS: a TLS handshake checks validity against the real clock
        Path caDir = dir.resolve("cluster-ca");
        ServerTls clusterTls = ServerTls.loadOrCreate(caDir, List.of("localhost", "127.0.0.1"), InstantSource.system());
        Path caFile = ServerTls.caFile(caDir);
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 3, clusterTls)) {
            Path node1 = dir.resolve("node1");
            Path node2 = dir.resolve("node2");
            Run init = run("init", "--config", cluster.writeAdminFile(dir.resolve("admin.properties")).toString(),
                    "--data-dir", node1.toString());
            assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
            assertThat(init.out()).contains("3 brokers: system topics with replication factor 3, min.insync.replicas 2")
                    .doesNotContain("fewer than three brokers");
            assertReplicatedThreeWaysTwoInSync(cluster, Topics.EXCHANGE_LOG);

            Map<String, Object> nodeConfig = new HashMap<>(Map.of(
                    ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                    ServerConfig.KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, caFile.toString(),
                    ServerConfig.TLS_CONFIG, "on",
                    ServerConfig.TLS_CERT_FILE_CONFIG, caDir.resolve("tls/server.crt").toString(),
                    ServerConfig.TLS_KEY_FILE_CONFIG, caDir.resolve("tls/server.key").toString(),
                    ServerConfig.TLS_CA_FILE_CONFIG, caFile.toString(),
                    ServerConfig.REGISTRY_PORT_CONFIG, 0,
                    ServerConfig.HTTP_PORT_CONFIG, 0));
            Map<String, Object> node1Config = new HashMap<>(nodeConfig);
            node1Config.put(ServerConfig.DATA_DIR_CONFIG, node1.toString());
            Process second = null;
            try (BusRuntime first = BusRuntime.start(new ServerConfig(node1Config))) {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                        assertThat(first.health().up()).as("%s", first.health()).isTrue());
                assertThat(first.busConfig().kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");

                // the second node: the same principal and the same keys (key hashes, exchange-log signatures), its own
                // process, so that it can be killed
                Files.createDirectories(node2.resolve("clients"));
                Files.copy(BusCredentials.file(node1), BusCredentials.file(node2));
                copyTree(node1.resolve("keys"), node2.resolve("keys"));
                Map<String, Object> node2Values = new HashMap<>(nodeConfig);
                node2Values.put(ServerConfig.DATA_DIR_CONFIG, node2.toString());
                Path node2Config = dir.resolve("node2.properties");
                writeProperties(node2Config, node2Values);
                // ready before governance runs: on a loaded machine a node starting beside the registration can make
                // the registry miss the command line's timeout
                Path node2Output = dir.resolve("node2.out");
                second = startNodeProcess(node2Config, node2Output);
                awaitReady(second, node2Output);

                Path amrFile = addDepartment(node1, "amr", "市市场监督管理局");
                Path hrssFile = addDepartment(node1, "hrss", "市人力资源和社会保障局");
                assertThat(Files.readString(amrFile)).contains("security.protocol=SASL_SSL");
                Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(),
                        "--config", amrFile.toString());
                assertThat(registered.exit()).as(registered.out() + registered.err()).isEqualTo(ExitCode.OK);
                Run requested = run("request", CODE, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
                assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run grants = run("grants", "--mine", "--config", hrssFile.toString());
                    assertThat(grants.out()).as(grants.err()).contains(CODE);
                });
                String source = Topics.source("amr", CODE);
                String delivered = Topics.delivery("hrss", CODE);
                // the router creates the grant's delivery topic, replicated as the system topics are
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                        assertReplicatedThreeWaysTwoInSync(cluster, delivered));
                // both nodes route: the router's group has two members, each owning a partition of the resource
                try (Admin admin = Admin.create(cluster.adminProperties())) {
                    await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                            assertThat(sourceOwners(admin, source)).hasSize(2).allSatisfy(p -> assertThat(p).isNotEmpty()));
                }

                DatabusClientConfig amr = DatabusClientConfig.load(amrFile);
                DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
                Schema schema;
                try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(amr.serdeConfig()).registryClient()) {
                    schema = registry.latest(Subjects.valueSubject(source)).schema();
                }
                List<String> received = new CopyOnWriteArrayList<>();
                AtomicInteger sent = new AtomicInteger();
                AtomicReference<Throwable> publishFailure = new AtomicReference<>();
                try (Subscriber subscriber = Subscriber.builder(hrss, "cluster-failure-it").resource(CODE).fromBeginning(true).build();
                     Publisher publisher = Publisher.create(amr, CODE)) {
                    CountDownLatch failed = new CountDownLatch(1);
                    CountDownLatch restored = new CountDownLatch(1);
                    Thread publishing = new Thread(() -> {
                        try {
                            for (int i = 0; i < RECORDS; i++) {
                                if (i == PHASE && !failed.await(180, TimeUnit.SECONDS)) {
                                    throw new IllegalStateException("the broker and the node were not stopped");
                                }
                                if (i == 2 * PHASE && !restored.await(180, TimeUnit.SECONDS)) {
                                    throw new IllegalStateException("the broker and the node were not restarted");
                                }
                                String key = key(i % KEYS);
                                GenericData.Record value = TlsBusIT.sample(schema, key);
                                value.put("entityName", version(i / KEYS));
                                publisher.upsert(key, value).get(60, TimeUnit.SECONDS);
                                sent.incrementAndGet();
                            }
                        } catch (Exception e) {
                            publishFailure.set(e);
                        }
                    }, "cluster-failure-it-publisher");
                    publishing.start();

                    // part of the stream has been routed by both nodes on three brokers
                    awaitReceived(subscriber, received, PHASE / 2, publishFailure, Duration.ofSeconds(90));
                    // then the broker leading the consumer's deliveries stops and the second node dies without a word
                    int stopped = cluster.leaderOf(delivered, 0);
                    second.destroyForcibly();
                    cluster.stop(stopped);
                    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    failed.countDown();

                    // the stream goes on: the first node takes every partition over (once the killed node's consumer
                    // session times out) on the two brokers left
                    awaitReceived(subscriber, received, 2 * PHASE, publishFailure, Duration.ofSeconds(180));
                    assertThat(cluster.inSyncReplicas(delivered)).allMatch(isr -> !isr.contains(stopped));
                    try (Admin admin = Admin.create(cluster.adminProperties())) {
                        assertThat(sourceOwners(admin, source)).hasSize(1).first().satisfies(p -> assertThat(p).hasSize(2));
                    }

                    // both come back, and the last third flows while the restarted node starts and rejoins the
                    // router's group (a rebalance in mid-stream): the broker rejoins every in-sync replica set, the
                    // node takes its share of the router's tasks again
                    cluster.restart(stopped);
                    Path restartedOutput = dir.resolve("node2-restarted.out");
                    second = startNodeProcess(node2Config, restartedOutput);
                    restored.countDown();
                    awaitReceived(subscriber, received, RECORDS, publishFailure, Duration.ofSeconds(120));
                    publishing.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(publishFailure.get()).isNull();
                    assertThat(sent.get()).isEqualTo(RECORDS);
                    Process restarted = second;
                    try (Admin admin = Admin.create(cluster.adminProperties())) {
                        await().atMost(Duration.ofSeconds(300)).untilAsserted(() -> {
                            // the subscriber keeps polling (a late duplicate would be counted), and stays in its group
                            poll(subscriber, received);
                            assertThat(restarted.isAlive()).as("node 2: %s", Files.readString(restartedOutput)).isTrue();
                            assertThat(sourceOwners(admin, source)).hasSize(2).allSatisfy(p -> assertThat(p).isNotEmpty());
                        });
                    }
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                            assertThat(cluster.inSyncReplicas(delivered)).allMatch(isr -> isr.size() == 3));
                    // nothing more comes: no duplicate follows late
                    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                        poll(subscriber, received);
                        return received.size() == RECORDS;
                    });
                }
                Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    expected.add(key(i % KEYS) + "@" + version(i / KEYS));
                }
                assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(counts.values()).allMatch(c -> c == 1L);

                // every system topic is whole again
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(cluster.inSyncReplicas(Topics.EXCHANGE_LOG)).allMatch(isr -> isr.size() == 3));
                // one log entry per delivery, the chain and its signed checkpoints intact; the resource is open data
                // too, so each record is logged twice: delivered to hrss and published to the open catalogue
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run verify = run("audit", "verify", "--data-dir", node1.toString());
                    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    assertThat(verify.out()).startsWith("OK").contains(2 * RECORDS + " entries");
                });
            } finally {
                if (second != null) {
                    second.destroyForcibly();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Polls until {@code count} deliveries arrived (or the publisher failed), each recorded as key@version. */
    private static void awaitReceived(Subscriber subscriber, List<String> received, int count,
                                      AtomicReference<Throwable> publishFailure, Duration timeout) {
        await().atMost(timeout).until(() -> {
            poll(subscriber, received);
            return received.size() >= count || publishFailure.get() != null;
        });
        assertThat(publishFailure.get()).isNull();
    }

    private static void poll(Subscriber subscriber, List<String> received) {
        for (Delivery d : subscriber.poll(Duration.ofMillis(200))) {
            received.add(d.key() + "@" + d.value().get("entityName"));
        }
    }

    /** Waits until the {@code serve} process says it is ready. */
    private static void awaitReady(Process p, Path output) throws IOException {
        await().atMost(Duration.ofSeconds(240)).until(() -> Files.readString(output).contains("databus ready") || !p.isAlive());
        assertThat(p.isAlive()).as("node 2: %s", Files.readString(output)).isTrue();
    }

    /** Starts {@code databus serve} in a process of its own, its output to {@code output}. */
    private static Process startNodeProcess(Path config, Path output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx640m", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), DatabusCli.class.getName(), "serve", "--config", config.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** For each member of the router's group, the partitions of {@code source} it owns. */
    private static List<List<Integer>> sourceOwners(Admin admin, String source) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(RouterConfig.APPLICATION_ID_DEFAULT))
                .all().get(30, TimeUnit.SECONDS).get(RouterConfig.APPLICATION_ID_DEFAULT);
        List<List<Integer>> owners = new ArrayList<>();
        for (MemberDescription m : group.members()) {
            Collection<TopicPartition> assigned = m.assignment().topicPartitions();
            owners.add(assigned.stream().filter(tp -> tp.topic().equals(source)).map(TopicPartition::partition).sorted().toList());
        }
        return owners;
    }

    private static void assertReplicatedThreeWaysTwoInSync(KafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = Admin.create(cluster.adminProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        }
    }

    private static void writeProperties(Path file, Map<String, ?> values) throws IOException {
        Properties p = new Properties();
        values.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
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

    private static Path addDepartment(Path dataDir, String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        Run r = run("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    private static String key(int i) {
        return String.format("91510100MA%08d", i);
    }

    private static String version(int v) {
        return "v" + v;
    }
}
