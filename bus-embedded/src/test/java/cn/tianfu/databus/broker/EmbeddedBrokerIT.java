package cn.tianfu.databus.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.contract.Topics;

class EmbeddedBrokerIT {

    @TempDir
    Path dataDir;

    @Test
    void createsSystemTopicsWithTheirDeclaredConfigs() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir, 0));
             Admin admin = Admin.create(broker.clientProperties())) {
            List<String> created = new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(3);
            assertThat(created).containsExactlyInAnyOrderElementsOf(
                    Topics.systemTopics(3).stream().map(Topics.SystemTopic::name).toList());
            // a second call finds them all and creates nothing
            assertThat(new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(3)).isEmpty();

            ConfigResource log = new ConfigResource(ConfigResource.Type.TOPIC, Topics.EXCHANGE_LOG);
            Config config = admin.describeConfigs(List.of(log)).all().get().get(log);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(Long.parseLong(config.get("retention.ms").value())).isEqualTo(Topics.FIVE_YEARS.toMillis())
                    .isGreaterThanOrEqualTo(Duration.ofDays(5 * 365).toMillis());

            // a bus created when the log was compacted: the next start sets it back to delete-only, five years
            admin.incrementalAlterConfigs(Map.of(log, List.of(
                    new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact,delete"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
                    .all().get();
            // the test's own change must have reached the broker's view before the next start looks at it
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    admin.describeConfigs(List.of(log)).all().get().get(log).get("cleanup.policy").value()).isEqualTo("compact,delete"));
            assertThat(new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(3)).isEmpty();
            // a config change is applied through the metadata log: the broker answers with it once it has caught up
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Config altered = admin.describeConfigs(List.of(log)).all().get().get(log);
                assertThat(altered.get("cleanup.policy").value()).isEqualTo("delete");
                assertThat(Long.parseLong(altered.get("retention.ms").value())).isEqualTo(Topics.FIVE_YEARS.toMillis());
            });
            assertThat(new TopicProvisioner(admin, (short) 1, 30_000).enforceExchangeLogConfigs(Topics.EXCHANGE_LOG))
                    .as("nothing left to change").isFalse();
            assertThat(admin.describeTopics(Set.of(Topics.EXCHANGE_LOG)).allTopicNames().get()
                    .get(Topics.EXCHANGE_LOG).partitions()).hasSize(3);
            ConfigResource catalog = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CATALOG);
            assertThat(admin.describeConfigs(List.of(catalog)).all().get().get(catalog).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
    }

    @Test
    void restartWithTheSameDataDirKeepsTopicsRecordsAndCommittedOffsets() throws Exception {
        String topic = "src.psb.population";
        int port;
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir, 0))) {
            port = broker.port();
            try (Admin admin = Admin.create(broker.clientProperties())) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
                }
            }
            // a consumer group reads five records and commits
            try (KafkaConsumer<String, String> consumer = consumer(broker, "psb.reader")) {
                consumer.subscribe(List.of(topic));
                assertThat(pollAtLeast(consumer, 10)).hasSize(10);
                consumer.commitSync();
            }
        }
        // restart on the same data dir (and another client port: the data does not depend on it)
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir, 0))) {
            assertThat(broker.port()).isNotEqualTo(0);
            try (KafkaConsumer<String, String> consumer = consumer(broker, "psb.fresh")) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> records = pollAtLeast(consumer, 10);
                assertThat(records).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
            }
            try (Admin admin = Admin.create(broker.clientProperties())) {
                long committed = admin.listConsumerGroupOffsets("psb.reader").partitionsToOffsetAndMetadata().get()
                        .values().stream().mapToLong(o -> o.offset()).sum();
                assertThat(committed).isEqualTo(10);
            }
        }
        assertThat(port).isPositive();
    }

    @Test
    void everyClientMustAuthenticateAndTheBusPasswordIsKeptOwnerOnly() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir, 0))) {
            assertThat(broker.secured()).isTrue();
            Path file = BusCredentials.file(dataDir);
            assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                    PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            Properties written = cn.tianfu.databus.security.SecretFiles.read(file);
            assertThat(written.getProperty("sasl.username")).isEqualTo("bus");
            assertThat(written.getProperty("security.protocol")).isEqualTo("SASL_PLAINTEXT");
            assertThat(written.getProperty("bootstrap.servers")).isEqualTo(broker.bootstrapServers());
            assertThat(written.getProperty("sasl.password")).hasSize(32);

            Properties anonymous = new Properties();
            anonymous.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            anonymous.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            anonymous.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            try (Admin admin = Admin.create(anonymous)) {
                // a PLAINTEXT client never gets an answer from a SASL listener: it times out
                assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            }
            Properties wrong = new Properties();
            wrong.putAll(new BusCredentials("bus", "not-the-password").clientProperties(broker.bootstrapServers()));
            try (Admin admin = Admin.create(wrong)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("Authentication failed");
            }
        }
        // the password survives a restart: the same file authenticates the restarted broker
        String before = Files.readString(BusCredentials.file(dataDir));
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir, 0));
             Admin admin = Admin.create(broker.clientProperties())) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
            assertThat(Files.readString(BusCredentials.file(dataDir))).contains(
                    before.lines().filter(l -> l.startsWith("sasl.password=")).findFirst().orElseThrow());
        }
    }

    @Test
    void theDataDirectoriesAreOwnerOnlyAndAnOpenedOneIsClosedAtStart() throws Exception {
        Path open = dataDir.resolve("open");
        Files.createDirectories(open.resolve("kafka"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open.resolve("kafka"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path fresh = dataDir.resolve("fresh");
        for (Path dir : List.of(open, fresh)) {
            try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dir, 0))) {
                assertThat(Files.getPosixFilePermissions(dir)).as(dir.toString()).isEqualTo(PosixFilePermissions.fromString("rwx------"));
                assertThat(Files.getPosixFilePermissions(dir.resolve("kafka"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
                assertThat(Files.getPosixFilePermissions(dir.resolve(BusCredentials.CLIENTS_DIR))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            }
        }
    }

    @Test
    void aChangedPasswordEndsTheSessionsOpenedWithItWithinTheReauthenticationTime() throws Exception {
        String topic = "src.psb.reauth";
        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerConfig(Map.of(BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 0, BrokerConfig.REAUTH_MS_CONFIG, 3000L)));
             Admin admin = Admin.create(broker.clientProperties());
             KafkaProducer<String, String> producer = producer(broker)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("psb",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "first-password"))).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                    new AccessControlEntry("User:psb", "*", AclOperation.READ, AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
            Properties p = new Properties();
            p.putAll(new BusCredentials("psb", "first-password").clientProperties(broker.bootstrapServers()));
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> psb = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                psb.assign(List.of(tp));
                psb.seekToBeginning(List.of(tp));
                producer.send(new ProducerRecord<>(topic, "k", "before")).get();
                assertThat(pollAtLeast(psb, 1)).extracting(ConsumerRecord::value).containsExactly("before");
                // the session outlives several re-authentications while the password holds
                long until = System.nanoTime() + Duration.ofSeconds(7).toNanos();
                while (System.nanoTime() < until) {
                    psb.poll(Duration.ofMillis(200));
                }
                producer.send(new ProducerRecord<>(topic, "k", "still")).get();
                assertThat(pollAtLeast(psb, 1)).extracting(ConsumerRecord::value).containsExactly("still");

                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("psb",
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "second-password"))).all().get(30, TimeUnit.SECONDS);
                List<String> seen = new ArrayList<>();
                Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
                    producer.send(new ProducerRecord<>(topic, "k", "after")).get();
                    try {
                        psb.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
                        return false;
                    } catch (AuthenticationException e) {
                        return true;
                    }
                });
                // no more than what was sent before the session's next re-authentication was refused
                assertThat(seen.size()).isLessThan(100);
            }
        }
    }

    @Test
    void withoutSecurityTheBrokerIsPlaintextForItsOwnLowLevelTests() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerConfig(Map.of(BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 0, BrokerConfig.SECURITY_ENABLED_CONFIG, false)))) {
            assertThat(broker.secured()).isFalse();
            assertThat(broker.clientProperties()).containsOnlyKeys(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
            try (Admin admin = Admin.create(broker.clientProperties())) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
            }
            assertThat(BusCredentials.file(dataDir)).doesNotExist();
        }
    }

    @Test
    void aSecondBrokerOnAUsedPortFailsWithAClearMessage() {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(dataDir.resolve("a"), 0))) {
            assertThatThrownBy(() -> EmbeddedBroker.start(BrokerConfig.of(dataDir.resolve("b"), broker.port())))
                    .isInstanceOf(BrokerException.class)
                    .hasMessageContaining("port " + broker.port())
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void invalidConfigurationIsRejectedBeforeAnythingStarts() {
        assertThatThrownBy(() -> new BrokerConfig(Map.of(BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 9500, BrokerConfig.CONTROLLER_PORT_CONFIG, 9500)))
                .hasMessageContaining("must differ");
    }

    private static KafkaProducer<String, String> producer(EmbeddedBroker broker) {
        Properties p = new Properties();
        p.putAll(broker.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedBroker broker, String group) {
        Properties p = new Properties();
        p.putAll(broker.clientProperties());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> pollAtLeast(KafkaConsumer<String, String> consumer, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            return out.size() >= n;
        });
        return out;
    }
}
