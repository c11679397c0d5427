package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.client.PemTrust;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.tls.Certificates;
import picocli.CommandLine.ExitCode;

/**
 * The bus with TLS on its department listeners ({@code tls=on} on loopback): departments added with {@code dept add}
 * work with only their client file over SASL_SSL and HTTPS (catalog, request, grants view, registry, publishing and
 * receiving deliveries); a department cannot read or write another's topics over SASL_SSL; a client without the bus's
 * CA, or trusting another CA, is refused.
 */
class TlsBusIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static Path dataDir;
    private static BusRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("databus-tls-it-");
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

    private static Path addDepartment(String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        Run r = run("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    @Test
    void aDepartmentWorksWithOnlyItsClientFileOverTlsAndClientsWithoutTheCaAreRefused() throws Exception {
        BusEndpoints endpoints = runtime.endpoints();
        assertThat(endpoints.registryUrl()).startsWith("https://127.0.0.1:");
        assertThat(endpoints.httpUrl()).startsWith("https://127.0.0.1:");
        // the bus's own services use the loopback listeners, departments the TLS ones
        assertThat(runtime.busConfig().kafkaProperties().get("bootstrap.servers")).isNotEqualTo(endpoints.bootstrapServers());
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("tls/server.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        Path amrFile = addDepartment("amr", "市市场监督管理局");
        Path hrssFile = addDepartment("hrss", "市人力资源和社会保障局");
        Properties handed = new Properties();
        try (var r = Files.newBufferedReader(amrFile)) {
            handed.load(r);
        }
        assertThat(handed).containsEntry("security.protocol", "SASL_SSL").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("bootstrap.servers", endpoints.bootstrapServers());
        assertThat(handed.getProperty("ssl.truststore.certificates")).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Certificates.readCertificates(handed.getProperty("ssl.truststore.certificates")).get(0))
                .isEqualTo(runtime.tls().orElseThrow().authority().orElseThrow().certificate());

        // governance over SASL_SSL: register, request (unconditional: granted at once), the grants view over HTTPS
        Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(), "--config", amrFile.toString());
        assertThat(registered.exit()).as(registered.err()).isEqualTo(ExitCode.OK);
        String code = "10201-000001";
        Run requested = run("request", code, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
        assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Run grants = run("grants", "--mine", "--config", hrssFile.toString());
            assertThat(grants.exit()).as(grants.err()).isEqualTo(ExitCode.OK);
            assertThat(grants.out()).contains(code);
        });

        // the registry over HTTPS, trusted through the client file alone; publish and receive over SASL_SSL
        DatabusClientConfig amr = DatabusClientConfig.load(amrFile);
        DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
        Schema schema;
        try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(amr.serdeConfig()).registryClient()) {
            schema = registry.latest(Subjects.valueSubject(Topics.source("amr", code))).schema();
        }
        try (Subscriber subscriber = Subscriber.builder(hrss, "tls-it").resource(code).fromBeginning(true).build();
             Publisher publisher = Publisher.create(amr, code)) {
            publisher.upsert("91510100MA61234567", sample(schema, "91510100MA61234567")).get(30, TimeUnit.SECONDS);
            List<Delivery> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                received.addAll(subscriber.poll(Duration.ofMillis(500)));
                return !received.isEmpty();
            });
            assertThat(received.get(0).key()).isEqualTo("91510100MA61234567");
        }

        // the access matrix holds over SASL_SSL: each department authenticates, but another's topics stay closed to it
        assertReadRefused(hrss, Topics.source("amr", code));
        assertReadRefused(amr, Topics.delivery("hrss", code));
        assertWriteRefused(hrss, Topics.source("amr", code));

        // refused: no CA (the JVM's default trust), and a CA of someone else
        Map<String, Object> noCa = new HashMap<>(amr.kafkaProperties());
        noCa.remove("ssl.truststore.certificates");
        noCa.remove("ssl.truststore.type");
        assertRefusedByKafka(noCa);
        Certificates.Issued other = Certificates.newAuthority("Another CA", Instant.now(), Duration.ofDays(1));
        Map<String, Object> otherCa = new HashMap<>(amr.kafkaProperties());
        otherCa.put("ssl.truststore.certificates", other.certificatePem());
        assertRefusedByKafka(otherCa);
        // plain SASL on the TLS listener gets nowhere either
        Map<String, Object> plain = new HashMap<>(amr.kafkaProperties());
        plain.put("security.protocol", "SASL_PLAINTEXT");
        plain.remove("ssl.truststore.certificates");
        plain.remove("ssl.truststore.type");
        plain.remove("ssl.endpoint.identification.algorithm");
        assertRefusedByKafka(plain);

        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(amr.basicAuthUserInfo().orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
        for (String url : List.of(endpoints.registryUrl() + "/subjects", endpoints.httpUrl() + "/api/v1/grants")) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic).timeout(Duration.ofSeconds(10)).build();
            assertThat(https(amr.httpSslContext()).send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).as(url).isEqualTo(200);
            assertThatThrownBy(() -> https(SSLContext.getDefault()).send(get, HttpResponse.BodyHandlers.ofString()))
                    .as(url).isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> https(PemTrust.sslContext(other.certificatePem(), "other")).send(get, HttpResponse.BodyHandlers.ofString()))
                    .as(url).isInstanceOf(SSLHandshakeException.class);
        }
    }

    /** Reading {@code topic} from the beginning fails on authorization, not on the connection. */
    private static void assertReadRefused(DatabusClientConfig config, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config.consumerProperties("tls-matrix"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 60; i++) {
                    consumer.poll(Duration.ofMillis(500));
                }
            }).as(topic).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    /** Writing to {@code topic} fails on authorization. */
    private static void assertWriteRefused(DatabusClientConfig config, String topic) {
        Map<String, Object> p = config.producerProperties();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, new byte[] {1}, new byte[] {1})).get(60, TimeUnit.SECONDS))
                    .as(topic).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static HttpClient https(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static void assertRefusedByKafka(Map<String, Object> props) {
        props.put("request.timeout.ms", 3000);
        props.put("default.api.timeout.ms", 6000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).as(props.toString()).isNotNull();
        }
    }

    /** A record of {@code schema}: the key field set, the others a value of their type (null where allowed). */
    static GenericData.Record sample(Schema schema, String key) {
        GenericData.Record r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            r.put(f.pos(), value(f.schema(), f.name().equals("creditCode") ? key : "样例"));
        }
        return r;
    }

    static Object value(Schema s, String text) {
        if (s.getType() == Schema.Type.UNION) {
            return s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL) ? null : value(s.getTypes().get(0), text);
        }
        if (s.getLogicalType() instanceof LogicalTypes.Decimal d) {
            return ByteBuffer.wrap(BigDecimal.valueOf(1000, 0).setScale(d.getScale()).unscaledValue().toByteArray());
        }
        return switch (s.getType()) {
            case STRING -> text;
            case INT -> 20000;
            case LONG -> 1_700_000_000_000L;
            case BOOLEAN -> true;
            case DOUBLE -> 1.0;
            case FLOAT -> 1.0f;
            case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(0));
            default -> throw new IllegalArgumentException("no sample for " + s);
        };
    }
}
