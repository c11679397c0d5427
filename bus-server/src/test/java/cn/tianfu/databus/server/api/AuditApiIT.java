package cn.tianfu.databus.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The exchange log over HTTP on the shared test bus, as {@code databus audit verify|trace|report} reads it: a genuine
 * log of six entries under two signed checkpoints (on topics of this test, read by the bus's principal), then a forged
 * entry; and the bus's own log read by an auditor with its own credentials. Departments get 403, anyone without
 * credentials 401; the OpenAPI document lists the audit routes this server registered.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String DEPT = "auddept" + SUFFIX.substring(0, 6);
    private static final String AUDITOR = "audapi" + SUFFIX.substring(0, 6);
    /** The time the bus's clock is pinned to: the newest checkpoint is signed a minute before. */
    private static final Instant NOW = Instant.parse("2026-12-01T02:00:00Z");

    private static SharedBus bus;
    private static Path dataDir;
    private static HttpApi http;
    private static HttpApi live;
    private static String log;
    private static String checkpoints;
    private static List<ExchangeEntry> chain;
    private static final Map<String, String> AUTH = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-audit-api-it-");
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        KeyHasher hasher = KeyHasher.loadOrCreate(dataDir);
        log = "it.api.log." + SUFFIX;
        checkpoints = "it.api.checkpoints." + SUFFIX;
        bus.admin().createTopics(List.of(new NewTopic(log, 1, (short) 1).configs(Topics.exchangeLogConfigs()),
                new NewTopic(checkpoints, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        HashChain c = HashChain.genesis();
        chain = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String consumer = i % 2 == 0 ? "hrss" : "amr";
            chain.add(c.append(new ExchangeEntry("id-" + i, 1_735_700_000_000L + i * 86_400_000L,
                    ExchangeEntry.Mode.PUSH, "10101-000001", "psb", consumer, "g-" + consumer, "eligibility",
                    hasher.hash(("citizen-" + (i % 3)).getBytes(StandardCharsets.UTF_8)), ExchangeEntry.Operation.UPSERT,
                    "ab", "src.psb.10101-000001", 0, (long) i, null, null, null, null, null)));
        }
        produce(chain);
        signCheckpoints(keys, Map.of(2, NOW.minusSeconds(600).toEpochMilli(), 5, NOW.minusSeconds(60).toEpochMilli()));

        AUTH.put("bus", basic(bus.registryUserInfo()));
        AUTH.put(DEPT, basic(bus.addDepartment(DEPT).basicAuthUserInfo().orElseThrow()));
        AUTH.put(AUDITOR, basic(bus.addAuditor(AUDITOR).basicAuthUserInfo().orElseThrow()));
        InstantSource clock = InstantSource.fixed(NOW);
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig(),
                HttpApi.Options.NONE.withAudit(new AuditRoutes.Settings(dataDir, log, checkpoints, clock)));
        live = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig(),
                HttpApi.Options.NONE.withAudit(AuditRoutes.Settings.of(dataDir, clock)));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (live != null) {
            live.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    private static void produce(List<ExchangeEntry> entries) {
        HttpSchemaRegistryClient registry = bus.registryClient();
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<String, ExchangeLogEntry> p = new KafkaProducer<>(bus.kafkaProperties(), new StringSerializer(),
                serde.serializer())) {
            entries.forEach(e -> p.send(new ProducerRecord<>(log, 0, e.exchangeId(), ExchangeLogRecords.toAvro(e))));
        }
    }

    private static void signCheckpoints(SigningKeys keys, Map<Integer, Long> timeAt) {
        AvroSerde<ExchangeLogCheckpoint> serde = AvroSerde.specific(bus.registryClient(), ExchangeLogCheckpoint.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<Integer, ExchangeLogCheckpoint> p = new KafkaProducer<>(bus.kafkaProperties(), new IntegerSerializer(),
                serde.serializer())) {
            for (int at : new TreeSet<>(timeAt.keySet())) {
                Checkpoint cp = new Checkpoint(0, at, at + 1, chain.get(at).hash(), timeAt.get(at));
                p.send(new ProducerRecord<>(checkpoints, 0, ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey())));
            }
        }
    }

    @Test
    @Order(1)
    void theDocumentListsTheAuditRoutesThisServerRegistered() {
        Set<String> registered = http.routes().stream().filter(r -> r.matches("(GET|POST|PUT|DELETE|PATCH) .*"))
                .filter(r -> !r.matches("\\w+ /(console(/.*)?)?"))   // the console's pages: not API routes
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> tabled = ApiDocument.operations(EnumSet.of(ApiDocument.Feature.BASE, ApiDocument.Feature.DEPARTMENTS,
                        ApiDocument.Feature.METRICS, ApiDocument.Feature.OPEN_DATA, ApiDocument.Feature.AUDIT)).stream()
                .map(o -> o.method() + " " + o.path()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(tabled).isEqualTo(registered).contains("POST " + ApiPaths.AUDIT + "/verify");
    }

    @Test
    @Order(2)
    void withoutCredentials401AndForADepartment403() throws Exception {
        for (ApiDocument.Operation o : ApiDocument.operations(EnumSet.of(ApiDocument.Feature.AUDIT))) {
            String path = o.path().replace("{id}", "V1") + (o.path().endsWith("/trace") ? "?resource=10101-000001&key=citizen-1"
                    : o.path().endsWith("/report") ? "?consumer=hrss" : "");
            String body = o.body() == null ? null : "{}";
            HttpResponse<String> anonymous = call(http, o.method(), path, body, null);
            assertThat(anonymous.statusCode()).as(o.method() + " " + path).isEqualTo(401);
            HttpResponse<String> department = call(http, o.method(), path, body, AUTH.get(DEPT));
            assertThat(department.statusCode()).as(o.method() + " " + path + ": " + department.body()).isEqualTo(403);
            assertThat(JSON.readTree(department.body()).path("message").asText()).contains("auditors");
        }
    }

    @Test
    @Order(3)
    void verifyRunsAsAJobAndGivesTheResultPerPartition() throws Exception {
        JsonNode done = verify(http, AUTH.get("bus"));
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("DONE");
        assertThat(done.path("intact").asBoolean()).as(done.path("report").asText()).isTrue();
        assertThat(done.path("entries").asLong()).isEqualTo(6);
        JsonNode partition = done.path("partitions").get(0);
        assertThat(partition.path("state").asText()).isEqualTo("DONE");
        assertThat(partition.path("entries").asLong()).isEqualTo(6);
        assertThat(partition.path("checkpoints").asLong()).isEqualTo(2);
        assertThat(partition.path("readTo").asLong()).isEqualTo(partition.path("endOffset").asLong());
        assertThat(partition.path("headHash").asText()).isEqualTo(chain.get(5).hash());
        assertThat(call(http, "GET", ApiPaths.AUDIT + "/verify/V999", null, AUTH.get("bus")).statusCode()).isEqualTo(404);
        assertThat(call(http, "POST", ApiPaths.AUDIT + "/verify", "{\"heartbeat\":\"soon\"}", AUTH.get("bus")).statusCode())
                .isEqualTo(400);

        // a forged entry re-using entry 2's hashes, as the CLI's test forges one: the chain breaks at position 6
        ExchangeEntry e = chain.get(2);
        produce(List.of(new ExchangeEntry(e.exchangeId(), e.timeMillis(), e.mode(), e.resourceCode(), e.provider(),
                "mca", e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), null, null, null, e.prevHash(), e.hash())));
        JsonNode broken = verify(http, AUTH.get("bus"));
        assertThat(broken.path("intact").asBoolean()).isFalse();
        JsonNode firstBreak = broken.path("partitions").get(0).path("firstBreak");
        assertThat(firstBreak.path("position").asLong()).as(broken.toString()).isEqualTo(6);
        assertThat(firstBreak.path("logOffset").asLong()).isEqualTo(6);
        assertThat(broken.path("report").asText()).startsWith("BROKEN");
    }

    @Test
    @Order(4)
    void traceAndReportAnswerWhoReceivedWhat() throws Exception {
        HttpResponse<String> trace = call(http, "GET", ApiPaths.AUDIT + "/trace?resource=10101-000001&key=citizen-1", null,
                AUTH.get("bus"));
        assertThat(trace.statusCode()).as(trace.body()).isEqualTo(200);
        assertThat(JSON.readTree(trace.body()).path("exchanges").findValuesAsText("exchangeId")).containsExactly("id-1", "id-4");
        assertThat(call(http, "GET", ApiPaths.AUDIT + "/trace?resource=10101-000001", null, AUTH.get("bus")).statusCode())
                .as("without a key").isEqualTo(400);
        assertThat(call(http, "GET", ApiPaths.AUDIT + "/trace?resource=10101-000001&keyHex=zz", null, AUTH.get("bus")).statusCode())
                .isEqualTo(400);

        HttpResponse<String> report = call(http, "GET", ApiPaths.AUDIT + "/report?consumer=hrss&from=2025-01-02", null, AUTH.get("bus"));
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        JsonNode r = JSON.readTree(report.body());
        assertThat(r.path("total").asLong()).isEqualTo(2);
        assertThat(r.path("rows").get(0).path("purpose").asText()).isEqualTo("eligibility");
        assertThat(call(http, "GET", ApiPaths.AUDIT + "/report", null, AUTH.get("bus")).statusCode()).as("without a consumer")
                .isEqualTo(400);
        assertThat(call(http, "GET", ApiPaths.AUDIT + "/report?consumer=hrss&from=last-week", null, AUTH.get("bus")).statusCode())
                .isEqualTo(400);
    }

    @Test
    @Order(5)
    void anAuditorReadsTheBusLogWithItsOwnCredentials() throws Exception {
        HttpResponse<String> report = call(live, "GET", ApiPaths.AUDIT + "/report?consumer=" + DEPT, null, AUTH.get(AUDITOR));
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        assertThat(JSON.readTree(report.body()).path("total").asLong()).isZero();
        HttpResponse<String> trace = call(live, "GET", ApiPaths.AUDIT + "/trace?resource=10101-000001&key=nobody", null,
                AUTH.get(AUDITOR));
        assertThat(trace.statusCode()).as(trace.body()).isEqualTo(200);
        JsonNode job = verify(live, AUTH.get(AUDITOR));
        assertThat(job.path("startedBy").asText()).isEqualTo("auditor-" + AUDITOR);
        assertThat(job.path("state").asText()).as(job.toString()).isIn("DONE");
        assertThat(job.path("partitions").size()).isGreaterThan(0);
    }

    /** Starts a verification and follows it until it is no longer running. */
    private static JsonNode verify(HttpApi server, String auth) throws Exception {
        HttpResponse<String> started = call(server, "POST", ApiPaths.AUDIT + "/verify", "{}", auth);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = call(server, "GET", location, null, auth);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            last[0] = JSON.readTree(r.body());
            return !last[0].path("state").asText().equals("RUNNING");
        });
        return last[0];
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> call(HttpApi server, String method, String path, String body, String auth)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
