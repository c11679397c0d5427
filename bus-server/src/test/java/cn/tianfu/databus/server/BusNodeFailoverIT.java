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
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.sharing.app.RouterConfig;
import picocli.CommandLine.ExitCode;

/**
 * Two {@code serve} nodes on one cluster share the router's tasks while a department's stream flows; the node that
 * routes part of the resource's partitions is killed (SIGKILL: no clean shutdown, its transactions left open) in the
 * middle of the stream. The other node takes its tasks over: every record reaches the consumer exactly once, and the
 * exchange log holds exactly one entry per delivery and publication with its chain and checkpoints intact.
 */
class BusNodeFailoverIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static final String CODE = "10201-000001";
    private static final int RECORDS = 100;

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
    void aKilledNodesTasksMoveToTheOtherNodeAndEveryRecordIsDeliveredExactlyOnce() throws Exception {
        Path clusterDir = dir.resolve("cluster");
        try (EmbeddedBroker cluster = EmbeddedBroker.start(BrokerConfig.of(clusterDir, 0))) {
            Path adminFile = dir.resolve("admin.properties");
            writeProperties(adminFile, cluster.clientProperties());
            Path node1 = dir.resolve("node1");
            Path node2 = dir.resolve("node2");
            Files.createDirectories(node1.resolve("clients"));
            Files.copy(BusCredentials.file(clusterDir), BusCredentials.file(node1));
            Run init = run("init", "--config", adminFile.toString(), "--data-dir", node1.toString());
            assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);

            Process second = null;
            try (BusRuntime first = BusRuntime.start(new ServerConfig(Map.of(
                    ServerConfig.DATA_DIR_CONFIG, node1.toString(),
                    ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ServerConfig.REGISTRY_PORT_CONFIG, 0,
                    ServerConfig.HTTP_PORT_CONFIG, 0)))) {
                // the second node: the same principal and the same keys (key hashes, exchange-log signatures), its
                // own process, so that it can be killed
                Files.createDirectories(node2.resolve("clients"));
                Files.copy(BusCredentials.file(node1), BusCredentials.file(node2));
                copyTree(node1.resolve("keys"), node2.resolve("keys"));
                Path node2Config = dir.resolve("node2.properties");
                writeProperties(node2Config, Map.of(
                        ServerConfig.DATA_DIR_CONFIG, node2.toString(),
                        ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                        ServerConfig.REGISTRY_PORT_CONFIG, 0,
                        ServerConfig.HTTP_PORT_CONFIG, 0));
                Path output = dir.resolve("node2.out");
                second = new ProcessBuilder(javaCommand("serve", "--config", node2Config.toString()))
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                Process node2Process = second;
                await().atMost(Duration.ofSeconds(120)).until(() ->
                        Files.readString(output).contains("databus ready") || !node2Process.isAlive());
                assertThat(second.isAlive()).as("node 2: %s", Files.readString(output)).isTrue();

                Path amrFile = addDepartment(node1, "amr", "市市场监督管理局");
                Path hrssFile = addDepartment(node1, "hrss", "市人力资源和社会保障局");
                Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(),
                        "--config", amrFile.toString());
                assertThat(registered.exit()).as(registered.err()).isEqualTo(ExitCode.OK);
                Run requested = run("request", CODE, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
                assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run grants = run("grants", "--mine", "--config", hrssFile.toString());
                    assertThat(grants.out()).as(grants.err()).contains(CODE);
                });

                // both nodes route: the router's group has two members, each owning a partition of the resource
                String source = Topics.source("amr", CODE);
                try (Admin admin = Admin.create(cluster.clientProperties())) {
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
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
                try (Subscriber subscriber = Subscriber.builder(hrss, "node-failover-it").resource(CODE).fromBeginning(true).build();
                     Publisher publisher = Publisher.create(amr, CODE)) {
                    CountDownLatch killed = new CountDownLatch(1);
                    Thread publishing = new Thread(() -> {
                        try {
                            for (int i = 0; i < RECORDS; i++) {
                                if (i == RECORDS / 2 && !killed.await(120, TimeUnit.SECONDS)) {
                                    throw new IllegalStateException("the node was not killed");
                                }
                                String key = key(i);
                                publisher.upsert(key, TlsBusIT.sample(schema, key)).get(60, TimeUnit.SECONDS);
                                sent.incrementAndGet();
                            }
                        } catch (Exception e) {
                            publishFailure.set(e);
                        }
                    }, "node-failover-it-publisher");
                    publishing.start();

                    // part of the stream has been routed by both nodes: then the second node dies without a word
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() >= RECORDS / 4;
                    });
                    second.destroyForcibly();
                    assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    killed.countDown();

                    // the first node takes over every partition and the second half arrives
                    await().atMost(Duration.ofSeconds(120)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() >= RECORDS || publishFailure.get() != null;
                    });
                    publishing.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(publishFailure.get()).isNull();
                    assertThat(sent.get()).isEqualTo(RECORDS);
                    try (Admin admin = Admin.create(cluster.clientProperties())) {
                        assertThat(sourceOwners(admin, source)).hasSize(1).first()
                                .satisfies(p -> assertThat(p).hasSize(2));
                    }
                    // nothing more comes: no duplicate follows late
                    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() == RECORDS;
                    });
                }
                Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                assertThat(counts.keySet()).hasSize(RECORDS);
                assertThat(counts.values()).allMatch(c -> c == 1L);

                // one log entry per delivery and per open publication, chain and signed checkpoints intact
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run verify = run("audit", "verify", "--data-dir", node1.toString());
                    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    assertThat(verify.out()).startsWith("OK").contains(2 * RECORDS + " entries");
                });
            } finally {
                if (second != null) {
                    second.destroyForcibly();
                }
            }
        }
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

    private static List<String> javaCommand(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                DatabusCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
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
}
