package cn.tianfu.databus.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.ExitCode;

/** Authentication and the errors a refused client gets, on the secured shared bus, its registry and an HTTP API. */
class SecurityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SharedBus bus;
    private static HttpApi http;
    private static String a;
    private static String b;
    private static DatabusClientConfig configA;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        bus = SharedBus.get();
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        a = "sa" + suffix;
        b = "sb" + suffix;
        configA = bus.addDepartment(a, Optional.of(http.url()));
        bus.addDepartment(b, Optional.of(http.url()));
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    private static DatabusClientConfig withPassword(DatabusClientConfig config, String password) {
        Map<String, Object> props = new HashMap<>(config.originals());
        props.put(DatabusClientConfig.SASL_PASSWORD_CONFIG, password);
        return DatabusClientConfig.fromMap(props);
    }

    @Test
    void a_wrong_password_is_refused_within_seconds_with_a_message_that_says_what_to_check() {
        DatabusClientConfig wrong = withPassword(configA, "not-the-password");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> GovernanceClient.builder(wrong).connectTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(BusAuthenticationException.class)
                .hasMessageContaining("the bus refused the credentials of '" + a + "'")
                .hasMessageContaining("check sasl.username and sasl.password");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> RequestsView.open(wrong))
                .isInstanceOf(BusAuthenticationException.class)
                .hasMessageContaining("refused the credentials of '" + a + "'");
    }

    @Test
    void the_cli_prints_one_line_for_a_wrong_password() throws Exception {
        Path file = dir.resolve("wrong.properties");
        Properties p = new Properties();
        withPassword(configA, "not-the-password").originals().forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        p.setProperty(DatabusClientConfig.SASL_PASSWORD_CONFIG, "not-the-password");
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(new String[] {"requests", "--config", file.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).isEqualTo(ExitCode.SOFTWARE);
        assertThat(err.toString()).contains("refused the credentials of '" + a + "'").doesNotContain("\tat ");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void a_department_cannot_join_another_departments_consumer_group() {
        try (Subscriber subscriber = Subscriber.builder(configA, "x").allResources().consumerProperty("group.id", b + ".deliveries").build()) {
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < deadline) {
                    subscriber.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(BusAuthorizationException.class)
                    .hasMessageContaining("may not use consumer group '" + b + ".deliveries'");
        }
    }

    @Test
    void the_registry_refuses_unauthenticated_calls_and_department_writes() throws Exception {
        // a subject of A's own resource: a department sees only the subjects of topics it uses
        String subject = Subjects.valueSubject(Topics.source(a, "security-it"));
        String body = "{\"schema\":\"\\\"string\\\"\"}";
        HttpResponse<String> anonymous = post(bus.registryUrl() + "/subjects/" + subject + "/versions", body, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).startsWith("{\"error_code\":401,\"message\":\"Unauthorized");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));

        HttpResponse<String> wrong = get(bus.registryUrl() + "/subjects", basic(a + ":wrong"));
        assertThat(wrong.statusCode()).isEqualTo(401);

        String asA = basic(configA.basicAuthUserInfo().orElseThrow());
        assertThat(get(bus.registryUrl() + "/subjects", asA).statusCode()).isEqualTo(200);
        HttpResponse<String> write = post(bus.registryUrl() + "/subjects/" + subject + "/versions", body, asA);
        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(write.body()).contains("\"error_code\":40301").contains("only the bus registers");

        assertThat(post(bus.registryUrl() + "/subjects/" + subject + "/versions", body, basic(bus.registryUserInfo())).statusCode())
                .isEqualTo(200);
        // a lookup is a read: the department's serializer may check its schema without registering
        assertThat(post(bus.registryUrl() + "/subjects/" + subject, body, asA).statusCode()).isEqualTo(200);
    }

    @Test
    void the_http_api_answers_only_authenticated_departments() throws Exception {
        HttpResponse<String> anonymous = get(http.url() + "/api/v1/requests?role=mine", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("\"error_code\":401");
        HttpResponse<String> mine = get(http.url() + "/api/v1/requests?role=mine", basic(configA.basicAuthUserInfo().orElseThrow()));
        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(mine.body()).startsWith("[");
        HttpResponse<String> badRole = get(http.url() + "/api/v1/grants?role=everyone", basic(configA.basicAuthUserInfo().orElseThrow()));
        assertThat(badRole.statusCode()).isEqualTo(400);
    }

    @Test
    void the_http_api_throttles_failed_logins_and_keeps_serving_a_department_it_knows() throws Exception {
        // an API of its own: the throttle it builds up concerns the loopback address
        try (HttpApi own = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(),
                bus.busConfig())) {
            String asA = basic(configA.basicAuthUserInfo().orElseThrow());
            assertThat(get(own.url() + "/api/v1/requests?role=mine", asA).statusCode()).isEqualTo(200);
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> last = null;
            for (int i = 0; i < 15; i++) {
                last = get(own.url() + "/api/v1/requests?role=mine", basic("nobody" + i + ":wrong"));
                statuses.add(last.statusCode());
            }
            assertThat(statuses).containsOnly(401, 429).contains(429);
            assertThat(last.statusCode()).isEqualTo(429);
            assertThat(last.headers().firstValue("Retry-After")).isPresent();
            assertThat(get(own.url() + "/api/v1/requests?role=mine", asA).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void an_auditor_verifies_the_exchange_log_and_reads_nothing_else() throws Exception {
        // the bus writes a signed chain to the real log (the auditor's ACLs name the real topics)
        SigningKeys keys = SigningKeys.loadOrCreate(dir);
        HashChain chain = HashChain.genesis();
        List<ExchangeEntry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            entries.add(chain.append(new ExchangeEntry("sec-" + UUID.randomUUID(), 1_735_700_000_000L + i, ExchangeEntry.Mode.PUSH,
                    "10101-000001", a, b, "g-1", "eligibility", "k" + i, ExchangeEntry.Operation.UPSERT, "ab",
                    "src." + a + ".10101-000001", 1, (long) i, null, null, null, null, null)));
        }
        Checkpoint cp = new Checkpoint(1, 2, 3, entries.get(2).hash(), 1L);
        try (var registry = bus.registryClient()) {
            AvroSerde<ExchangeLogEntry> entrySerde = AvroSerde.specific(registry, ExchangeLogEntry.class);
            entrySerde.configure(Map.of(), false);
            AvroSerde<ExchangeLogCheckpoint> cpSerde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
            cpSerde.configure(Map.of(), false);
            try (var log = new KafkaProducer<>(bus.kafkaProperties(), new StringSerializer(), entrySerde.serializer());
                 var cps = new KafkaProducer<>(bus.kafkaProperties(), new IntegerSerializer(), cpSerde.serializer())) {
                for (ExchangeEntry e : entries) {
                    log.send(new ProducerRecord<>(Topics.EXCHANGE_LOG, 1, e.exchangeId(), ExchangeLogRecords.toAvro(e))).get();
                }
                cps.send(new ProducerRecord<>(Topics.EXCHANGE_LOG_CHECKPOINTS, 0, 1,
                        ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey()))).get();
            }
        }
        DatabusClientConfig auditor = bus.addAuditor("v" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36));
        try (AuditReader reader = AuditReader.builder(auditor.kafkaProperties()).publicKey(keys.publicKey())
                .registry(AvroSerdeConfig.fromMap(auditor.serdeConfig()).registryClient()).build()) {
            VerificationReport report = reader.verify();
            assertThat(report.intact()).as(report.describe()).isTrue();
            assertThat(report.entries()).isGreaterThanOrEqualTo(3);
        }
        assertThatThrownBy(() -> RequestsView.open(auditor))
                .isInstanceOf(cn.tianfu.databus.DatabusException.class);
        assertThatThrownBy(() -> GovernanceClient.builder(auditor).connectTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(BusAuthorizationException.class)
                .hasMessageContaining("may not read reply.");
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
