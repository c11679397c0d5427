package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.testkit.KafkaCluster;
import picocli.CommandLine.ExitCode;

/**
 * The bus on a three-broker KRaft cluster it did not start: {@code databus init} replicates the system topics three
 * ways with two in sync, a {@code serve} node runs on it, and a department's stream keeps flowing while one broker is
 * stopped and started again: every published record reaches the consumer exactly once, the exchange log holds exactly
 * one entry per delivery (and per open publication), and {@code audit verify} finds the chain intact.
 */
class ClusterFailoverIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static final String CODE = "10201-000001";
    private static final int RECORDS = 120;

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
    void theStreamSurvivesABrokerStoppingExactlyOnce() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 3)) {
            Path node = dir.resolve("node1");
            Path adminFile = cluster.writeAdminFile(dir.resolve("admin.properties"));
            Run init = run("init", "--config", adminFile.toString(), "--data-dir", node.toString());
            assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
            assertThat(init.out()).contains("3 brokers: system topics with replication factor 3, min.insync.replicas 2")
                    .doesNotContain("fewer than three brokers");
            assertReplicatedThreeWaysTwoInSync(cluster, Topics.EXCHANGE_LOG);

            try (BusRuntime runtime = BusRuntime.start(new ServerConfig(Map.of(
                    ServerConfig.DATA_DIR_CONFIG, node.toString(),
                    ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ServerConfig.REGISTRY_PORT_CONFIG, 0,
                    ServerConfig.HTTP_PORT_CONFIG, 0)))) {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                        assertThat(runtime.health().up()).as("%s", runtime.health()).isTrue());

                Path amrFile = addDepartment(node, "amr", "市市场监督管理局");
                Path hrssFile = addDepartment(node, "hrss", "市人力资源和社会保障局");
                Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(),
                        "--config", amrFile.toString());
                assertThat(registered.exit()).as(registered.err()).isEqualTo(ExitCode.OK);
                Run requested = run("request", CODE, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
                assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run grants = run("grants", "--mine", "--config", hrssFile.toString());
                    assertThat(grants.out()).as(grants.err()).contains(CODE);
                });
                String delivered = Topics.delivery("hrss", CODE);
                // the router creates the grant's delivery topic, replicated as the system topics are
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                        assertReplicatedThreeWaysTwoInSync(cluster, delivered));

                DatabusClientConfig amr = DatabusClientConfig.load(amrFile);
                DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
                Schema schema;
                try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(amr.serdeConfig()).registryClient()) {
                    schema = registry.latest(Subjects.valueSubject(Topics.source("amr", CODE))).schema();
                }
                List<String> received = new CopyOnWriteArrayList<>();
                AtomicInteger sent = new AtomicInteger();
                AtomicReference<Throwable> publishFailure = new AtomicReference<>();
                try (Subscriber subscriber = Subscriber.builder(hrss, "cluster-it").resource(CODE).fromBeginning(true).build();
                     Publisher publisher = Publisher.create(amr, CODE)) {
                    // the department publishes one record at a time: the first half with every broker up, the second
                    // half once a broker is down
                    CountDownLatch brokerDown = new CountDownLatch(1);
                    Thread publishing = new Thread(() -> {
                        try {
                            for (int i = 0; i < RECORDS; i++) {
                                if (i == RECORDS / 2 && !brokerDown.await(120, TimeUnit.SECONDS)) {
                                    throw new IllegalStateException("the broker was not stopped");
                                }
                                String key = key(i);
                                publisher.upsert(key, TlsBusIT.sample(schema, key)).get(60, TimeUnit.SECONDS);
                                sent.incrementAndGet();
                            }
                        } catch (Exception e) {
                            publishFailure.set(e);
                        }
                    }, "cluster-it-publisher");
                    publishing.start();

                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() >= RECORDS / 4;
                    });
                    // the broker leading the consumer's deliveries: its loss moves leaders under every client at once
                    int stopped = cluster.leaderOf(delivered, 0);
                    cluster.stop(stopped);
                    brokerDown.countDown();
                    // the stream goes on with the broker down: the second half is published, routed, logged and received
                    await().atMost(Duration.ofSeconds(120)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() >= RECORDS || publishFailure.get() != null;
                    });
                    publishing.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(publishFailure.get()).isNull();
                    assertThat(sent.get()).isEqualTo(RECORDS);
                    assertThat(cluster.inSyncReplicas(delivered)).allMatch(isr -> !isr.contains(stopped));
                    cluster.restart(stopped);

                    // nothing more comes: no duplicate follows late
                    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        return received.size() == RECORDS;
                    });
                }
                Map<String, Long> counts = received.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                assertThat(counts.keySet()).hasSize(RECORDS).containsAll(allKeys());
                assertThat(counts.values()).allMatch(c -> c == 1L);

                // the restarted broker is back in every replica set
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(cluster.inSyncReplicas(Topics.EXCHANGE_LOG)).allMatch(isr -> isr.size() == 3));

                // one log entry per delivery, the chain and its signed checkpoints intact; the resource is open data
                // too, so each record is logged twice: delivered to hrss and published to the open catalogue
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Run verify = run("audit", "verify", "--data-dir", node.toString());
                    assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    assertThat(verify.out()).startsWith("OK").contains(2 * RECORDS + " entries");
                });
            }
        }
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

    private static Path addDepartment(Path dataDir, String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        Run r = run("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    private static String key(int i) {
        return String.format("91510100MA%08d", i);
    }

    private static Set<String> allKeys() {
        Set<String> keys = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < RECORDS; i++) {
            keys.add(key(i));
        }
        return keys;
    }
}
