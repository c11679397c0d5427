package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.dr.BackupDuty;
import cn.tianfu.databus.dr.BackupDutyMonitor;
import cn.tianfu.databus.dr.DrConfig;
import cn.tianfu.databus.dr.DrStatus;
import cn.tianfu.databus.dr.MirrorReplication;
import cn.tianfu.databus.dr.Promotion;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.testkit.KafkaCluster;
import picocli.CommandLine.ExitCode;

/**
 * Disaster recovery with MirrorMaker 2: two single-node clusters (a primary and a disaster-recovery cluster, each with
 * its own administrator; the bus principal an ordinary principal set up by {@code databus init} on each), the bus
 * serving on the primary with a department publishing and another receiving, MirrorMaker 2 in this JVM replicating.
 * The primary's broker stops mid-stream. On the disaster-recovery cluster {@code dr promote} verifies the replicated
 * exchange log up to its last signed checkpoints, and the test counts exactly what was lost (records acknowledged by
 * the primary that never reached the copy) and what a resuming subscriber would receive twice, against the bounds of
 * docs/dr.md.
 */
class DisasterRecoveryIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static final String CODE = "10201-000001";
    private static final int BEFORE = 60;
    private static final int AFTER = 60;
    private static final int ON_DR = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void theDisasterRecoveryClusterTakesOverWithACountedLossAndAVerifiedLog() throws Exception {
        KafkaCluster primary = KafkaCluster.start(dir.resolve("primary"), 1);
        BusRuntime runtime = null;
        BusRuntime drRuntime = null;
        BusRuntime backRuntime = null;
        try (KafkaCluster dr = KafkaCluster.start(dir.resolve("dr"), 1)) {
            Path node = dir.resolve("node");
            Path drNode = dir.resolve("dr-node");
            Path primaryAdmin = primary.writeAdminFile(dir.resolve("primary-admin.properties"));
            Path drAdmin = dr.writeAdminFile(dir.resolve("dr-admin.properties"));
            // both clusters prepared by init: the bus principal, its ACLs, the system topics
            for (Run init : List.of(run("init", "--config", primaryAdmin.toString(), "--data-dir", node.toString()),
                    run("init", "--config", drAdmin.toString(), "--data-dir", drNode.toString()))) {
                assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
            }
            DrConfig drConfig = new DrConfig(Map.of(DrConfig.SYNC_INTERVAL_SECONDS_CONFIG, "2"));
            Map<String, Object> primaryProps = primary.adminProperties();
            Map<String, Object> drProps = dr.adminProperties();
            MirrorReplication mm2 = MirrorReplication.start(primaryProps, drProps, drConfig);
            try {
                runtime = BusRuntime.start(new ServerConfig(Map.of(
                        ServerConfig.DATA_DIR_CONFIG, node.toString(),
                        ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, primary.bootstrapServers(),
                        ServerConfig.REGISTRY_PORT_CONFIG, 0,
                        ServerConfig.HTTP_PORT_CONFIG, 0)));
                BusRuntime bus = runtime;
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(bus.health().up()).as("%s", bus.health()).isTrue());
                // the operator's copy of the bus's keys for the disaster-recovery side (docs/dr.md)
                copyDirectory(SigningKeys.publicPemFile(node).getParent(), SigningKeys.publicPemFile(drNode).getParent());

                Path amrFile = addDepartment(node, "amr", "市市场监督管理局");
                Path hrssFile = addDepartment(node, "hrss", "市人力资源和社会保障局");
                Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(), "--config", amrFile.toString());
                assertThat(registered.exit()).as(registered.err()).isEqualTo(ExitCode.OK);
                Run requested = run("request", CODE, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
                assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(run("grants", "--mine", "--config", hrssFile.toString()).out()).contains(CODE));
                String source = Topics.source("amr", CODE);
                String delivered = Topics.delivery("hrss", CODE);

                DatabusClientConfig amr = DatabusClientConfig.load(amrFile);
                DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
                Schema schema;
                try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(amr.serdeConfig()).registryClient()) {
                    schema = registry.latest(Subjects.valueSubject(source)).schema();
                }
                List<String> acked = new CopyOnWriteArrayList<>();
                List<String> received = new CopyOnWriteArrayList<>();
                String group = Topics.groupPrefix("hrss") + "dr-it";
                try (Subscriber subscriber = Subscriber.builder(hrss, "dr-it").resource(CODE).fromBeginning(true).build();
                     Publisher publisher = Publisher.create(amr, CODE)) {
                    for (int i = 0; i < BEFORE; i++) {
                        publisher.upsert(key(i), TlsBusIT.sample(schema, key(i))).get(60, TimeUnit.SECONDS);
                        acked.add(key(i));
                    }
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(d -> received.add(d.key()));
                        subscriber.commit();
                        return received.size() >= BEFORE;
                    });
                    // the recovery point: every record so far is delivered, logged and signed on the primary, and
                    // 'dr status' shows nothing left to copy
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                        Run verify = run("audit", "verify", "--data-dir", node.toString());
                        assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    });
                    // the lag is counted from MirrorMaker's offset syncs and the copy's end offsets: it reaches 0 as
                    // soon as the records are copied, whether or not MirrorMaker has committed its progress yet
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                        Run status = run("dr", "status", "--primary", primaryAdmin.toString(), "--dr", drAdmin.toString(), "--json");
                        assertThat(status.exit()).as(status.err()).isEqualTo(ExitCode.OK);
                        JsonNode s = JSON.readTree(status.out());
                        assertThat(s.path("primaryReachable").asBoolean()).isTrue();
                        assertThat(s.path("totalLag").asLong()).as(status.out()).isGreaterThanOrEqualTo(0);
                        assertThat(lag(s, source, delivered, Topics.EXCHANGE_LOG)).as(status.out()).isZero();
                        assertThat(topics(s)).contains(source, delivered, Topics.EXCHANGE_LOG, Topics.EXCHANGE_LOG_CHECKPOINTS, Topics.SCHEMAS);
                    });
                    // the backup duty: with the deliveries left out of the replication, the resource is reported
                    // once on the primary's bus.violations, not again at the next check nor after a restart
                    DrConfig withoutDeliveries = new DrConfig(Map.of(DrConfig.TOPICS_CONFIG, String.join(",",
                            DrConfig.DEFAULT_TOPICS.stream().filter(t -> !t.contains(Topics.DELIVERY_PREFIX)).toList())));
                    try (BackupDutyMonitor duty = new BackupDutyMonitor(primaryProps, drProps, withoutDeliveries, InstantSource.system())) {
                        List<Violation> raised = duty.check();
                        assertThat(raised).singleElement().satisfies(v -> {
                            assertThat(v.getId()).startsWith(BackupDuty.ID_PREFIX + CODE + ":");
                            assertThat(v.getDuty()).isEqualTo(DutyKind.BACKUP_TO_DR);
                            assertThat(v.getDepartment()).isEqualTo("amr");
                            assertThat(v.getEvidence()).containsExactly(delivered);
                        });
                        assertThat(duty.check()).as("the same episode").isEmpty();
                    }
                    try (BackupDutyMonitor restarted = new BackupDutyMonitor(primaryProps, drProps, withoutDeliveries, InstantSource.system());
                         BackupDutyMonitor covered = new BackupDutyMonitor(primaryProps, drProps, drConfig, InstantSource.system())) {
                        assertThat(restarted.check()).as("read back from bus.violations").isEmpty();
                        assertThat(covered.check()).as("every topic replicated, lag within the bound").isEmpty();
                    }

                    // the subscriber's offset is synced to the copy: resumed there, it would receive again at most
                    // dr.offset.lag.max deliveries
                    int deliveryPartitions = partitions(drProps, delivered).size();
                    await().atMost(Duration.ofSeconds(90)).until(() ->
                            resumeKeys(drProps, group, delivered).size() <= drConfig.offsetLagMax() * deliveryPartitions);
                    // every entry logged by the recovery point is proven on the copy by a replicated signed checkpoint
                    long[] provenAt = new long[1];
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                        VerificationReport atRecoveryPoint = Promotion.verify(drProps, key(drNode));
                        assertThat(atRecoveryPoint.intact()).as(atRecoveryPoint.describe()).isTrue();
                        provenAt[0] = atRecoveryPoint.entries() - atRecoveryPoint.uncoveredEntries();
                        assertThat(provenAt[0]).as(Promotion.describe(atRecoveryPoint)).isGreaterThanOrEqualTo(2L * BEFORE);
                    });
                    long provenAtRecoveryPoint = provenAt[0];

                    // the stream goes on, and the primary's broker stops at once after the last acknowledgement
                    for (int i = BEFORE; i < BEFORE + AFTER; i++) {
                        publisher.upsert(key(i), TlsBusIT.sample(schema, key(i))).get(60, TimeUnit.SECONDS);
                        acked.add(key(i));
                        if (i % 10 == 0) {
                            subscriber.poll(Duration.ofMillis(50)).forEach(d -> received.add(d.key()));
                            subscriber.commit();
                        }
                    }
                    primary.stop(1);
                    mm2.close();

                    // the primary is unreachable; the disaster-recovery side is still reported
                    Run status = run("dr", "status", "--primary", primaryAdmin.toString(), "--dr", drAdmin.toString());
                    assertThat(status.exit()).as(status.err()).isEqualTo(ExitCode.OK);
                    assertThat(status.out()).contains("UNREACHABLE").contains("lag: unknown").contains(source).contains(Topics.EXCHANGE_LOG);

                    // promotion: the replicated log verifies up to its last signed checkpoints
                    Run promote = run("dr", "promote", "--dr", drAdmin.toString(), "--data-dir", drNode.toString());
                    assertThat(promote.exit()).as(promote.out() + promote.err()).isEqualTo(ExitCode.OK);
                    assertThat(promote.out()).startsWith("INTACT").contains("READY").contains("databus serve");
                    // its counts (one verification of the copy: each starts a registry and reads the whole log)
                    Matcher counted = Pattern.compile("INTACT: (\\d+) entries replicated, (\\d+) proven by signed checkpoints, (\\d+) unproven")
                            .matcher(promote.out());
                    assertThat(counted.find()).as(promote.out()).isTrue();
                    long entries = Long.parseLong(counted.group(1));
                    long proven = Long.parseLong(counted.group(2));
                    long unproven = Long.parseLong(counted.group(3));
                    assertThat(proven + unproven).as(promote.out()).isEqualTo(entries);
                    assertThat(proven).as("entries proven on the copy").isGreaterThanOrEqualTo(provenAtRecoveryPoint);

                    // what was lost: records the primary acknowledged that never reached the copy, all after the
                    // recovery point
                    List<String> copied = keys(drProps, source);
                    Map<String, Long> copies = copied.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                    Set<String> lost = new HashSet<>(acked);
                    lost.removeAll(copies.keySet());
                    long duplicatedSource = copies.values().stream().filter(c -> c > 1).mapToLong(c -> c - 1).sum();
                    System.out.printf("DR: acknowledged %d, copied %d, lost %d, duplicated in the copy %d; log %d entries,"
                            + " %d proven, %d unproven%n", acked.size(), copies.size(), lost.size(), duplicatedSource,
                            entries, proven, unproven);
                    assertThat(lost).as("lost records are all after the recovery point").allMatch(k -> index(k) >= BEFORE);
                    assertThat(lost.size()).isLessThanOrEqualTo(AFTER);
                    assertThat(copies.keySet()).isSubsetOf(new HashSet<>(acked));
                    assertThat(duplicatedSource).as("MirrorMaker ran without a restart: no record copied twice").isZero();

                    // what a subscriber resuming on the copy receives twice: the copied deliveries from its synced
                    // offset on, that it had already received on the primary
                    List<String> fromResume = resumeKeys(drProps, group, delivered);
                    Set<String> seen = new HashSet<>(received);
                    long twice = fromResume.stream().filter(seen::contains).count();
                    System.out.printf("DR: the subscriber received %d on the primary; resuming on the copy it receives %d"
                            + " deliveries, %d of them again%n", received.size(), fromResume.size(), twice);
                    assertThat(twice).as("at most what it received after the recovery point plus dr.offset.lag.max per partition")
                            .isLessThanOrEqualTo(received.size() - BEFORE + drConfig.offsetLagMax() * deliveryPartitions);
                    assertThat(new HashSet<>(fromResume)).as("nothing copied is skipped by the resuming subscriber")
                            .containsAll(keys(drProps, delivered).stream().filter(k -> !seen.contains(k)).collect(Collectors.toSet()));

                    // serving on the disaster-recovery cluster ('dr promote --serve'): the ledger's chain heads set to
                    // the replicated log's tail and its staging offsets moved past what the copied log holds, then the
                    // bus runs there
                    List<Promotion.LedgerResume> resumed = Promotion.prepareLedger(drProps, Promotion.verify(drProps, key(drNode)));
                    System.out.printf("DR: the ledger resumes%n%s%n", resumed.stream().map(Object::toString).collect(Collectors.joining("\n")));
                    assertThat(resumed.stream().mapToLong(Promotion.LedgerResume::entries).sum()).as("%s", resumed).isEqualTo(entries);
                    List<String> idsAtPromotion = keys(drProps, Topics.EXCHANGE_LOG);
                    assertThat(idsAtPromotion).hasSize((int) entries);
                    drRuntime = BusRuntime.start(new ServerConfig(Map.of(
                            ServerConfig.DATA_DIR_CONFIG, drNode.toString(),
                            ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, dr.bootstrapServers(),
                            ServerConfig.REGISTRY_PORT_CONFIG, 0,
                            ServerConfig.HTTP_PORT_CONFIG, 0)));
                    BusRuntime drBus = drRuntime;
                    await().atMost(Duration.ofMinutes(4)).untilAsserted(() -> assertThat(drBus.health().up()).as("%s", drBus.health()).isTrue());
                    // the departments' new credentials on the disaster-recovery cluster (docs/dr.md, promotion step 4)
                    Path amrDrFile = rotatePassword(drNode, "amr");
                    Path hrssDrFile = rotatePassword(drNode, "hrss");
                    List<String> publishedOnDr = new ArrayList<>();
                    List<String> receivedOnDr = new CopyOnWriteArrayList<>();
                    try (Subscriber resumedSubscriber = Subscriber.builder(DatabusClientConfig.load(hrssDrFile), "dr-it").resource(CODE).build();
                         Publisher drPublisher = Publisher.create(DatabusClientConfig.load(amrDrFile), CODE)) {
                        for (int i = BEFORE + AFTER; i < BEFORE + AFTER + ON_DR; i++) {
                            drPublisher.upsert(key(i), TlsBusIT.sample(schema, key(i))).get(120, TimeUnit.SECONDS);
                            publishedOnDr.add(key(i));
                        }
                        await().atMost(Duration.ofMinutes(4)).until(() -> {
                            resumedSubscriber.poll(Duration.ofMillis(300)).forEach(d -> receivedOnDr.add(d.key()));
                            resumedSubscriber.commit();
                            return receivedOnDr.containsAll(publishedOnDr);
                        });
                    }
                    // every record that reached the copy is delivered, on the primary or on the disaster-recovery
                    // cluster; what comes twice is bounded by the synced offsets of the subscriber and the router
                    Set<String> everReceived = new HashSet<>(received);
                    everReceived.addAll(receivedOnDr);
                    assertThat(everReceived).as("nothing that reached the copy is lost across the takeover")
                            .containsAll(copies.keySet()).containsAll(publishedOnDr);
                    long againOnDr = receivedOnDr.stream().filter(seen::contains).count();
                    int sourcePartitions = partitions(drProps, source).size();
                    System.out.printf("DR: published %d on the disaster-recovery cluster; the subscriber received %d there,"
                            + " %d of them received on the primary already, %d keys twice overall%n", publishedOnDr.size(),
                            receivedOnDr.size(), againOnDr, received.size() + receivedOnDr.size() - everReceived.size());
                    assertThat(againOnDr).as("again: at most what it received after the recovery point, plus dr.offset.lag.max"
                                    + " per delivery partition (its offset) and per source partition (the router's)")
                            .isLessThanOrEqualTo(received.size() - BEFORE + drConfig.offsetLagMax() * (deliveryPartitions + sourcePartitions));

                    // the log on the disaster-recovery cluster: intact from the first entry with every entry covered by
                    // a signed checkpoint (the new ones by checkpoints the DR ledger signed), no exchange id twice, and
                    // the replicated entries still its first ones (the chains continued, not forked)
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                        Run verify = run("audit", "verify", "--data-dir", drNode.toString());
                        assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    });
                    VerificationReport onDr = Promotion.verify(drProps, key(drNode));
                    assertThat(onDr.intact()).as(onDr.describe()).isTrue();
                    assertThat(onDr.entries()).as(onDr.describe()).isGreaterThanOrEqualTo(entries + ON_DR);
                    for (Promotion.LedgerResume r : resumed) {
                        VerificationReport.Partition p = onDr.partitions().stream().filter(x -> x.partition() == r.partition()).findFirst().orElseThrow();
                        assertThat(p.firstPosition() + p.entries()).as("partition %d continues from the replicated tail", r.partition())
                                .isGreaterThanOrEqualTo(r.entries());
                        if (p.entries() > r.entries()) {
                            assertThat(p.lastCheckpointPosition()).as("partition %d: the entries chained on DR are signed", r.partition())
                                    .isGreaterThanOrEqualTo(r.entries());
                        }
                    }
                    List<String> idsOnDr = keys(drProps, Topics.EXCHANGE_LOG);
                    Map<String, Long> idCounts = idsOnDr.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
                    assertThat(idCounts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                            .as("no exchange id twice in the log").isEmpty();
                    assertThat(idCounts.keySet()).containsAll(idsAtPromotion);
                    System.out.printf("DR: log on the disaster-recovery cluster %d entries (%d replicated), %d unproven, no id twice%n",
                            onDr.entries(), entries, onDr.uncoveredEntries());

                    // failback: the primary's data centre comes back as a fresh cluster prepared by init (the old one
                    // is gone); the bus on the disaster-recovery cluster stops, 'dr failback' copies everything back
                    // and verifies the log there, and the bus serves on the primary again
                    drRuntime.close();
                    drRuntime = null;
                    try (KafkaCluster back = KafkaCluster.start(dir.resolve("primary-new"), 1)) {
                        Path backNode = dir.resolve("node-new");
                        Path backAdmin = back.writeAdminFile(dir.resolve("primary-new-admin.properties"));
                        Run init = run("init", "--config", backAdmin.toString(), "--data-dir", backNode.toString());
                        assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
                        copyDirectory(SigningKeys.publicPemFile(drNode).getParent(), SigningKeys.publicPemFile(backNode).getParent());
                        Path drConfigFile = dir.resolve("dr.properties");
                        Files.writeString(drConfigFile, DrConfig.SYNC_INTERVAL_SECONDS_CONFIG + "=2\n");
                        Run failback = run("dr", "failback", "--primary", backAdmin.toString(), "--dr", drAdmin.toString(),
                                "--data-dir", backNode.toString(), "--config", drConfigFile.toString(), "--timeout-seconds", "600");
                        assertThat(failback.exit()).as(failback.out() + failback.err()).isEqualTo(ExitCode.OK);
                        assertThat(failback.out()).contains("caught up").contains("INTACT").contains("READY");
                        Map<String, Object> backProps = back.adminProperties();
                        List<Promotion.LedgerResume> resumedBack = Promotion.prepareLedger(backProps, Promotion.verify(backProps, key(backNode)));
                        assertThat(resumedBack.stream().mapToLong(Promotion.LedgerResume::entries).sum()).as("%s", resumedBack)
                                .isEqualTo(onDr.entries());
                        backRuntime = BusRuntime.start(new ServerConfig(Map.of(
                                ServerConfig.DATA_DIR_CONFIG, backNode.toString(),
                                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, back.bootstrapServers(),
                                ServerConfig.REGISTRY_PORT_CONFIG, 0,
                                ServerConfig.HTTP_PORT_CONFIG, 0)));
                        BusRuntime backBus = backRuntime;
                        await().atMost(Duration.ofMinutes(4)).untilAsserted(() -> assertThat(backBus.health().up()).as("%s", backBus.health()).isTrue());
                        Path amrBackFile = rotatePassword(backNode, "amr");
                        Path hrssBackFile = rotatePassword(backNode, "hrss");
                        String last = key(BEFORE + AFTER + ON_DR);
                        List<String> receivedBack = new CopyOnWriteArrayList<>();
                        try (Subscriber backSubscriber = Subscriber.builder(DatabusClientConfig.load(hrssBackFile), "dr-it").resource(CODE).build();
                             Publisher backPublisher = Publisher.create(DatabusClientConfig.load(amrBackFile), CODE)) {
                            backPublisher.upsert(last, TlsBusIT.sample(schema, last)).get(120, TimeUnit.SECONDS);
                            await().atMost(Duration.ofMinutes(4)).until(() -> {
                                backSubscriber.poll(Duration.ofMillis(300)).forEach(d -> receivedBack.add(d.key()));
                                backSubscriber.commit();
                                return receivedBack.contains(last);
                            });
                        }
                        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                            Run verify = run("audit", "verify", "--data-dir", backNode.toString());
                            assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                        });
                        List<String> idsBack = keys(backProps, Topics.EXCHANGE_LOG);
                        assertThat(new HashSet<>(idsBack)).as("no exchange id twice on the primary").hasSize(idsBack.size())
                                .containsAll(idsOnDr);
                        System.out.printf("DR: failback: the primary holds %d log entries (%d from the disaster-recovery cluster);"
                                + " the subscriber received %d there, the new record among them%n", idsBack.size(), idsOnDr.size(),
                                receivedBack.size());
                    } finally {
                        if (backRuntime != null) {
                            backRuntime.close();
                        }
                    }
                } finally {
                    mm2.close();
                }
            } finally {
                if (drRuntime != null) {
                    drRuntime.close();
                }
                BusRuntime stopping = runtime;
                if (stopping != null) {
                    // the primary's data centre is gone: its bus node is not waited for
                    Thread t = new Thread(stopping::close, "dr-it-primary-bus-stop");
                    t.setDaemon(true);
                    t.start();
                }
            }
        } finally {
            primary.close();
        }
    }

    private static java.security.PublicKey key(Path dataDir) throws Exception {
        return PublicKeys.fromPem(Files.readString(SigningKeys.publicPemFile(dataDir)));
    }

    private static long lag(JsonNode status, String... topics) {
        Set<String> wanted = Set.of(topics);
        long lag = 0;
        for (JsonNode p : status.path("partitions")) {
            if (wanted.contains(p.path("topic").asText())) {
                lag += p.path("lag").asLong();
            }
        }
        return lag;
    }

    private static List<String> topics(JsonNode status) {
        List<String> topics = new ArrayList<>();
        status.path("partitions").forEach(p -> topics.add(p.path("topic").asText()));
        return topics;
    }

    /** What a subscriber of {@code group} receives on the copy: each partition from its synced offset (0 without one). */
    private static List<String> resumeKeys(Map<String, Object> props, String group, String topic) throws Exception {
        List<String> keys = new ArrayList<>();
        for (TopicPartition tp : partitions(props, topic)) {
            keys.addAll(keysFrom(props, tp, Math.max(0, committed(props, group, tp))));
        }
        return keys;
    }

    private static List<TopicPartition> partitions(Map<String, Object> props, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return c.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        }
    }

    private static long committed(Map<String, Object> props, String group, TopicPartition tp) throws Exception {
        try (Admin admin = Admin.create(props)) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(tp);
            return o == null ? -1 : o.offset();
        }
    }

    private static List<String> keys(Map<String, Object> props, String topic) {
        List<String> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            for (TopicPartition tp : parts) {
                all.addAll(keysFrom(props, tp, 0));
            }
        }
        return all;
    }

    private static List<String> keysFrom(Map<String, Object> props, TopicPartition tp, long from) {
        List<String> keys = new ArrayList<>();
        Map<String, Object> p = new HashMap<>(props);
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            c.seek(tp, Math.max(0, from));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    if (r.value() != null && r.key() != null) {
                        keys.add(new String(r.key(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return keys;
    }

    private static void copyDirectory(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static Path addDepartment(Path dataDir, String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        Run r = run("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    private static Path rotatePassword(Path dataDir, String id) {
        Path file = dataDir.resolve(id + "-dr.properties");
        Run r = run("dept", "rotate-password", id, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    private static String key(int i) {
        return String.format("91510100MA%08d", i);
    }

    private static int index(String key) {
        return Integer.parseInt(key.substring("91510100MA".length()));
    }
}
