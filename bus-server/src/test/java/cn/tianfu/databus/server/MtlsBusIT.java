package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.tls.Certificates;
import picocli.CommandLine.ExitCode;

/**
 * Departments authenticating by client certificate ({@code dept add --cert}) on the bus with TLS: with only the
 * certificate client file (no password) a department writes and reads its own topics through the SDK's client config;
 * a certificate of another CA, or none, is refused at the handshake; a department's certificate opens none of another
 * department's topics; after {@code dept remove} the certificate still completes the handshake but has no rights.
 */
class MtlsBusIT {

    private static Path dataDir;
    private static BusRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("databus-mtls-it-");
        runtime = BusRuntime.start(new ServerConfig(Map.of(
                ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.HOST_CONFIG, "127.0.0.1",
                ServerConfig.TLS_CONFIG, "on",
                ServerConfig.KAFKA_PORT_CONFIG, 0,
                ServerConfig.REGISTRY_PORT_CONFIG, 0,
                ServerConfig.HTTP_PORT_CONFIG, 0)));
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Adds {@code id} with {@code --cert}; returns its certificate client file. */
    private static Path addWithCertificate(String id) {
        Path file = dataDir.resolve(id + ".properties");
        Run r = run("dept", "add", id, "--name", id, "--cert", "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("CN=" + id + ",OU=departments");
        return dataDir.resolve(id + "-cert.properties");
    }

    @Test
    void aDepartmentWorksByCertificateWithinItsAclsAndLosesEverythingWhenRemoved() throws Exception {
        BusEndpoints endpoints = runtime.endpoints();
        String certListener = endpoints.certificateListener().orElseThrow();
        assertThat(certListener).isNotEqualTo(endpoints.bootstrapServers());

        Path amrFile = addWithCertificate("amr");
        Path hrssFile = addWithCertificate("hrss");
        Properties handed = new Properties();
        try (var r = Files.newBufferedReader(amrFile)) {
            handed.load(r);
        }
        assertThat(handed).containsEntry("security.protocol", "SSL").containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("bootstrap.servers", certListener).doesNotContainKeys("sasl.username", "sasl.password");
        Path keystore = Path.of(handed.getProperty("ssl.keystore.location"));
        assertThat(keystore).isEqualTo(dataDir.resolve("amr.p12").toAbsolutePath());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore))).isEqualTo("rw-------");

        // the bus (a super user) makes one topic under each department's prefix, as governance would
        String amrTopic = Topics.source("amr", "mtls-check");
        String hrssTopic = Topics.source("hrss", "mtls-check");
        try (Admin admin = Admin.create(runtime.busConfig().adminProperties())) {
            admin.createTopics(List.of(new NewTopic(amrTopic, 1, (short) 1), new NewTopic(hrssTopic, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }

        // the SDK's config takes the certificate file as it is; the broker maps the subject to User:amr
        DatabusClientConfig amr = DatabusClientConfig.load(amrFile);
        DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
        assertThat(amr.basicAuthUserInfo()).isEmpty();
        produce(amr, amrTopic, "k1", "by certificate");
        assertThat(readAll(amr, amrTopic)).containsExactly("k1=by certificate");
        produce(hrss, hrssTopic, "k2", "hrss's own");

        // amr's certificate opens none of hrss's topics, for reading or writing
        assertThatThrownBy(() -> readAll(amr, hrssTopic)).isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> produce(amr, hrssTopic, "k3", "forged")).hasCauseInstanceOf(TopicAuthorizationException.class);

        // a certificate with the very same subject, signed by another CA, is refused at the handshake; so is no certificate.
        // Its validity starts at the wall clock's now on purpose: the broker's TLS stack checks certificates against the
        // system clock, so a forged certificate must be in date for the refusal to come from its CA, not its dates
        Certificates.Issued otherCa = Certificates.newAuthority("Another CA", Instant.now(), Duration.ofDays(1));
        Certificates.Issued forged = Certificates.departmentCertificate(otherCa, "amr", Instant.now(), Duration.ofDays(1));
        Path forgedStore = dataDir.resolve("forged.p12");
        Files.write(forgedStore, Certificates.pkcs12(forged, List.of(otherCa.certificate()), "amr", "forged".toCharArray()));
        Map<String, Object> forgedProps = new HashMap<>(amr.kafkaProperties());
        forgedProps.put("ssl.keystore.location", forgedStore.toString());
        forgedProps.put("ssl.keystore.password", "forged");
        assertRefusedAtHandshake(forgedProps);
        Map<String, Object> noCertificate = new HashMap<>(amr.kafkaProperties());
        noCertificate.remove("ssl.keystore.location");
        noCertificate.remove("ssl.keystore.password");
        noCertificate.remove("ssl.keystore.type");
        assertRefusedAtHandshake(noCertificate);

        // removed: the certificate still chains to the bus's CA, but User:amr holds no ACL any more
        Run removed = run("dept", "remove", "amr", "--data-dir", dataDir.toString());
        assertThat(removed.exit()).as(removed.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThatThrownBy(() -> readAll(amr, amrTopic)).isInstanceOf(TopicAuthorizationException.class));
        assertThatThrownBy(() -> produce(amr, amrTopic, "k4", "after removal")).hasCauseInstanceOf(TopicAuthorizationException.class);
        // hrss, untouched, still reads its own
        assertThat(readAll(hrss, hrssTopic)).containsExactly("k2=hrss's own");
    }

    private static void produce(DatabusClientConfig config, String topic, String key, String value) throws Exception {
        Map<String, Object> p = config.producerProperties();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(60, TimeUnit.SECONDS);
        }
    }

    /** Every record of {@code topic}'s one partition as {@code key=value}, read in the department's own group. */
    private static List<String> readAll(DatabusClientConfig config, String topic) {
        Map<String, Object> p = config.consumerProperties("mtls-check");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(r.key() + "=" + r.value());
                }
                long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
                if (consumer.position(tp, Duration.ofSeconds(30)) >= end && !out.isEmpty()) {
                    return out;
                }
            }
        }
        return out;
    }

    private static void assertRefusedAtHandshake(Map<String, Object> props) {
        props.put("request.timeout.ms", 5000);
        props.put("default.api.timeout.ms", 10000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }
}
