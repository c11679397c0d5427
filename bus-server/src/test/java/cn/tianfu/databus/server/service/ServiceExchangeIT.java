package cn.tianfu.databus.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.sdk.ServiceClient;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.service.ProofStatement;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.service.RateLimiter;
import cn.tianfu.databus.service.ServiceException;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.RouterQueries;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testing.LogCopy;
import cn.tianfu.databus.testkit.TestGovernance;

/**
 * The service exchange end to end on the shared bus: the real router (its latest-state store queried interactively,
 * its exchange log chained into copies of the log topics) and the HTTP API with the service routes, asked through the
 * SDK, raw HTTP and the CLI by departments with and without a SERVICE grant.
 */
class ServiceExchangeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("../examples/resources");
    private static final Instant MADE = Instant.parse("2024-01-01T00:00:00Z");
    private static final String SHOWN = "510104199001011234";
    private static final String HIDDEN = "110105199001011235";
    private static final String MISSING = "510104199912319999";

    private static SharedBus bus;
    private static TestGovernance gov;
    private static SchemaRegistryClient registry;
    private static Path dataDir;
    private static Path busData;
    private static KafkaStreams router;
    private static HttpApi http;
    private static ExchangeLogStager stager;
    private static TestGovernance.Catalogued resource;
    private static String suffix;
    private static String logTopic;
    private static String checkpointTopic;
    private static String serviceGrant;
    private static final Map<String, DatabusClientConfig> DEPTS = new ConcurrentHashMap<>();
    private static final List<String> EXCHANGES = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        gov = new TestGovernance(bus);
        registry = bus.registryClient();
        suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        dataDir = Files.createTempDirectory("databus-service-it-");
        busData = dataDir.resolve("bus");
        Files.createDirectories(busData);

        // the router chains its entries and the real staging topic into copies of the log and checkpoint topics
        LogCopy copy = LogCopy.create(bus, "svc-it");
        logTopic = copy.logTopic();
        checkpointTopic = copy.checkpointTopic();

        // the HTTP API with the service exchange, as BusRuntime wires it
        SigningKeys keys = SigningKeys.loadOrCreate(busData);
        stager = new ExchangeLogStager(bus.busConfig(), Duration.ofSeconds(10));
        ServiceExchange service = new ServiceExchange(KeyHasher.loadOrCreate(busData), keys, stager,
                new RateLimiter(InstantSource.system(), ZoneId.of("Asia/Shanghai")), InstantSource.system(),
                new ServiceExchange.Settings(Proofs.ISSUER, new RateLimiter.Limits(1_000, 100_000)));
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(),
                bus.busConfig(), HttpApi.Options.NONE.withService(service));
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(copy.router(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, dataDir.resolve("router-state").toString(),
                RouterConfig.DATA_DIR_CONFIG, busData.toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "svc-it-router-" + suffix,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.application.server", "127.0.0.1:" + http.port(),
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000)))));
        service.attach(new RouterQueries(router, registry), new HostInfo("127.0.0.1", http.port()));
        router.start();

        // departments: a, with a SERVICE grant; b, push only; d, a revoked SERVICE grant; c, a SERVICE grant of 3/min
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, Optional.of(http.url()));
        for (String d : List.of("a", "b", "c", "d", "p")) {
            String id = "s" + d + suffix;
            int exit = DatabusCli.run(new String[] {"dept", "add", id, "--name", "department " + id, "--data-dir",
                    dataDir.toString(), "--out", ClientFiles.file(dataDir, id).toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
            assertThat(exit).isZero();
            DEPTS.put(d, DatabusClientConfig.load(ClientFiles.file(dataDir, id)));
        }
        resource = gov.catalogue(EXAMPLES.resolve("psb-population.yaml"), id("p"));
        serviceGrant = grant("a", SharingMethod.SERVICE, GrantStatus.ACTIVE, List.of("idNumber", "name", "gender",
                "divisionCode"), List.of(), "divisionCode.startsWith('5101')", null);
        grant("b", SharingMethod.PUSH, GrantStatus.ACTIVE, null, List.of(), null, null);
        grant("c", SharingMethod.BOTH, GrantStatus.ACTIVE, null, List.of(), null, 3L);
        grant("d", SharingMethod.SERVICE, GrantStatus.REVOKED, null, List.of(), null, null);
        gov.publish(resource.topic(), SHOWN, person(SHOWN, "张三", "13800001111", "1", "510104"));
        gov.publish(resource.topic(), HIDDEN, person(HIDDEN, "李四", "13900002222", "2", "110105"));
        await().atMost(Duration.ofSeconds(60)).until(() -> router.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {http, router == null ? null : () -> router.close(Duration.ofSeconds(20)),
                stager, gov, registry}) {
            if (c != null) {
                c.close();
            }
        }
        if (dataDir != null) {
            SharedBus.deleteRecursively(dataDir);
        }
    }

    private static String id(String d) {
        return "s" + d + suffix;
    }

    private static String grant(String consumer, SharingMethod method, GrantStatus status, List<String> allowed,
                                List<String> clear, String filter, Long rateLimit) {
        String g = "g-svc-" + consumer + "-" + suffix;
        gov.publish(Topics.GRANTS, g, Grant.newBuilder().setGrantId(g).setRequestId("r-" + g)
                .setResourceCode(resource.code()).setProvider(resource.provider()).setConsumer(id(consumer))
                .setPurpose("verifying residence for social assistance").setMethod(method).setAllowedFields(allowed)
                .setClearFields(clear).setRowFilter(filter).setValidFrom(MADE).setValidUntil(null).setStatus(status)
                .setCreatedAt(MADE).setEndedAt(status == GrantStatus.ACTIVE ? null : MADE.plusSeconds(60))
                .setRateLimit(rateLimit).build());
        return g;
    }

    private static GenericRecord person(String idNumber, String name, String mobile, String gender, String division) {
        GenericRecord r = new GenericData.Record(resource.schema());
        r.put("idNumber", idNumber);
        r.put("name", name);
        r.put("mobile", mobile);
        r.put("gender", gender);
        r.put("divisionCode", division);
        return r;
    }

    private static ServiceClient client(String d) {
        return ServiceClient.create(DEPTS.get(d), Duration.ofSeconds(20));
    }

    private record Raw(int status, String body, HttpResponse<String> response) {
    }

    private static Raw get(String d, String path) throws Exception {
        DatabusClientConfig c = DEPTS.get(d);
        String auth = "Basic " + Base64.getEncoder().encodeToString(c.basicAuthUserInfo().orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.url() + path))
                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Raw(r.statusCode(), r.body(), r);
    }

    private static Optional<ServiceClient.Answer> awaitShown() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> client("a").get(resource.code(), SHOWN), Optional::isPresent);
    }

    private static List<PublicKey> keys() {
        return Proofs.fromJwkSet(client("a").publicKeys());
    }

    @Test
    void a_query_answers_the_record_as_the_grant_delivers_it_projected_and_masked() {
        ServiceClient.Answer a = awaitShown().orElseThrow();
        EXCHANGES.add(a.exchangeId());
        assertThat(a.grant()).isEqualTo(serviceGrant);
        assertThat(a.record()).containsOnlyKeys("idNumber", "name", "gender", "divisionCode");
        assertThat(a.record()).containsEntry("gender", "1").containsEntry("divisionCode", "510104");
        assertThat(a.record().get("name")).isNotEqualTo("张三");
        assertThat(a.record().get("idNumber")).isNotEqualTo(SHOWN);
        assertThat(a.record().toString()).doesNotContain("13800001111");
    }

    @Test
    void a_row_the_filter_hides_is_answered_exactly_as_a_missing_key() throws Exception {
        awaitShown();
        Raw hidden = get("a", "/api/v1/query/" + resource.code() + "/" + HIDDEN);
        Raw missing = get("a", "/api/v1/query/" + resource.code() + "/" + MISSING);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(hidden.body()).isEqualTo(missing.body());
        assertThat(hidden.body()).doesNotContain("李四").doesNotContain("110105");
        // both are answers, logged
        EXCHANGES.add(hidden.response().headers().firstValue("X-Databus-Exchange-Id").orElseThrow());
        EXCHANGES.add(missing.response().headers().firstValue("X-Databus-Exchange-Id").orElseThrow());
    }

    @Test
    void without_a_service_grant_or_with_a_revoked_one_the_query_and_the_verification_are_refused() {
        awaitShown();
        for (String d : List.of("b", "d")) {
            assertThatThrownBy(() -> client(d).get(resource.code(), SHOWN))
                    .isInstanceOfSatisfying(ServiceClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
            assertThatThrownBy(() -> client(d).verify(resource.code(), SHOWN, Map.of("gender", "1")))
                    .isInstanceOfSatisfying(ServiceClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        }
    }

    @Test
    void a_verification_answers_true_or_false_per_claim_with_a_proof_that_verifies_and_fails_when_tampered()
            throws Exception {
        awaitShown();
        ServiceClient.Verification v = client("a").verify(resource.code(), SHOWN,
                Map.of("gender", "1", "divisionCode", "510999"));
        EXCHANGES.add(v.exchangeId());
        assertThat(v.results()).containsEntry("gender", true).containsEntry("divisionCode", false);
        assertThat(JSON.writeValueAsString(v)).doesNotContain("510104").doesNotContain("张三");

        // the bus's own check (Nimbus JWS)
        ProofStatement s = Proofs.verify(v.proof(), keys());
        assertThat(s.kind()).isEqualTo("verify");
        assertThat(s.exchangeId()).isEqualTo(v.exchangeId());
        assertThat(s.consumer()).isEqualTo(id("a"));
        assertThat(s.provider()).isEqualTo(resource.provider());
        assertThat(s.grant()).isEqualTo(serviceGrant);
        assertThat(s.resource()).isEqualTo(resource.code());
        assertThat(s.purpose()).isEqualTo("verifying residence for social assistance");
        assertThat(s.keyHash()).isEqualTo(KeyHasher.loadOrCreate(busData).hash(SHOWN.getBytes(StandardCharsets.UTF_8)));
        assertThat(s.results()).isEqualTo(v.results());
        assertThat(JWSObject.parse(v.proof()).getHeader().getKeyID()).isEqualTo(Proofs.keyId(keys().get(0)));

        // a second, independent check: the JDK's Ed25519 over the JWS signing input, parsed by hand
        assertThat(jdkVerifies(v.proof(), keys().get(0))).isTrue();

        // tampered: a result flipped in the payload
        String[] parts = v.proof().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String forged = payload.replace("\"divisionCode\":false", "\"divisionCode\":true");
        assertThat(forged).isNotEqualTo(payload);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThatThrownBy(() -> Proofs.verify(tampered, keys())).isInstanceOf(ServiceException.class)
                .hasMessageContaining("does not verify");
        assertThat(jdkVerifies(tampered, keys().get(0))).isFalse();

        // offline, with the published JWK set file
        Path proof = dataDir.resolve("proof.jws");
        Files.writeString(proof, v.proof());
        Path jwks = dataDir.resolve("keys.json");
        Files.writeString(jwks, client("a").publicKeys());
        assertThat(cli("proof", "verify", proof.toString(), "--key", jwks.toString()).exit()).isZero();
        // the key is public: fetched without credentials
        Run byUrl = cli("proof", "verify", proof.toString(), "--key", http.url() + "/api/v1/keys");
        assertThat(byUrl.exit()).as(byUrl.err()).isZero();
        assertThat(byUrl.out()).contains("VALID").contains("gender = 1: TRUE");
        Files.writeString(proof, tampered);
        Run bad = cli("proof", "verify", proof.toString(), "--key", jwks.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("INVALID");
    }

    @Test
    void claims_only_on_fields_the_grant_delivers_in_clear() {
        awaitShown();
        assertThatThrownBy(() -> client("a").verify(resource.code(), SHOWN, Map.of("name", "张三")))
                .isInstanceOfSatisfying(ServiceClient.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("masked");
                });
        assertThatThrownBy(() -> client("a").verify(resource.code(), SHOWN, Map.of("mobile", "13800001111")))
                .isInstanceOfSatisfying(ServiceClient.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("not delivered");
                });
    }

    @Test
    void a_query_with_a_proof_states_the_digest_of_what_was_answered() throws Exception {
        awaitShown();
        Raw r = get("a", "/api/v1/query/" + resource.code() + "/" + SHOWN + "?proof=true");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        ProofStatement s = Proofs.verify(body.get("proof").asText(), keys());
        assertThat(s.kind()).isEqualTo("query");
        assertThat(s.found()).isTrue();
        byte[] answered = JSON.writeValueAsBytes(body.get("record"));
        assertThat(s.recordDigest()).isEqualTo(KeyHasher.loadOrCreate(busData).valueDigest(answered));
        EXCHANGES.add(s.exchangeId());
    }

    @Test
    void the_cli_queries_and_verifies() {
        awaitShown();
        Path config = ClientFiles.file(dataDir, id("a"));
        Run q = cli("query", resource.code(), SHOWN, "--config", config.toString());
        assertThat(q.exit()).as(q.err()).isZero();
        assertThat(q.out()).contains("gender: 1").doesNotContain("张三");
        Run v = cli("verify", resource.code(), SHOWN, "gender=1", "divisionCode=510104", "--config", config.toString());
        assertThat(v.exit()).as(v.err()).isZero();
        assertThat(v.out()).contains("gender: TRUE").contains("divisionCode: TRUE");
        Run missing = cli("query", resource.code(), MISSING, "--config", config.toString());
        assertThat(missing.exit()).isEqualTo(1);
        Run refused = cli("query", resource.code(), SHOWN, "--config", ClientFiles.file(dataDir, id("b")).toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("403");
    }

    @Test
    void over_the_grants_rate_limit_the_answer_is_429_with_retry_after_and_the_refusal_is_dead_lettered()
            throws Exception {
        awaitShown();
        String path = "/api/v1/query/" + resource.code() + "/" + SHOWN;
        Raw last = null;
        int answered = 0;
        for (int i = 0; i < 4; i++) {
            last = get("c", path);
            if (last.status() == 200) {
                answered++;
            }
        }
        // three per minute: the fourth is refused (unless the minute turned between them: then one more is answered)
        if (last.status() != 429) {
            last = get("c", path);
        }
        assertThat(answered).isBetween(3, 4);
        assertThat(last.status()).isEqualTo(429);
        long retryAfter = Long.parseLong(last.response().headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(last.body()).contains("rate limit of 3 answers per minute").contains("resetAt");
        await().atMost(Duration.ofSeconds(30)).until(() -> gov.readCommitted(Topics.DEADLETTER).stream()
                .map(rec -> new String(rec.value(), StandardCharsets.UTF_8))
                .anyMatch(t -> t.contains("RATE_LIMITED") && t.contains("g-svc-c-" + suffix)));
    }

    @Test
    void every_answer_is_a_query_entry_of_the_chained_log_and_the_log_verifies() throws Exception {
        ServiceClient.Verification v = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> client("a").verify(resource.code(), SHOWN, Map.of("gender", "1")), x -> x.results().get("gender"));
        Optional<ServiceClient.Answer> q = client("a").get(resource.code(), SHOWN);
        Set<String> ids = Set.of(v.exchangeId(), q.orElseThrow().exchangeId());
        SigningKeys keys = SigningKeys.loadOrCreate(busData);
        Map<String, ExchangeEntry> found = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (AuditReader reader = AuditReader.builder(bus.kafkaProperties()).registry(registry)
                    .publicKey(keys.publicKey()).logTopic(logTopic).checkpointTopic(checkpointTopic).build()) {
                reader.forEachEntry((partition, position, offset, entry) -> {
                    if (ids.contains(entry.exchangeId())) {
                        found.put(entry.exchangeId(), entry);
                    }
                });
                assertThat(found).containsOnlyKeys(ids);
                VerificationReport report = reader.verify(VerifyOptions.CHAINS_ONLY.allowUncovered(false));
                assertThat(report.intact()).as(report.describe()).isTrue();
            }
        });
        for (ExchangeEntry e : found.values()) {
            assertThat(e.mode()).isEqualTo(ExchangeEntry.Mode.QUERY);
            assertThat(e.consumer()).isEqualTo(id("a"));
            assertThat(e.grantId()).isEqualTo(serviceGrant);
            assertThat(e.keyHash()).isEqualTo(KeyHasher.loadOrCreate(busData).hash(SHOWN.getBytes(StandardCharsets.UTF_8)));
            assertThat(e.valueDigest()).isNotNull();
            assertThat(e.hash()).isNotNull();
        }
    }

    /** Ed25519 over {@code header.payload} with the JDK, the JWS split and decoded by hand (RFC 7515, RFC 8037). */
    private static boolean jdkVerifies(String jws, PublicKey key) throws Exception {
        String[] parts = jws.split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        if (!"EdDSA".equals(header.path("alg").asText())) {
            return false;
        }
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return s.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }
}
