package cn.tianfu.databus.server.service;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
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
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.schemas.CatalogEntry;
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
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.service.ProofStatement;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.service.RateLimiter;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.RouterQueries;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testing.LogCopy;
import cn.tianfu.databus.testkit.TestGovernance;

/**
 * The service exchange on a bus of two nodes sharing one cluster, each wired as {@code serve} wires it: its own HTTP
 * API with the service routes, and its own instance of the one sharing router (same application id, its own state
 * directory, {@code application.server} = its HTTP API). A query or verification sent to the node that does not hold
 * the key is forwarded to the node whose router task owns it, answered there with a proof, and logged once in the
 * chained exchange log, which still verifies.
 */
class ServiceTwoNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("../examples/resources");
    private static final Instant MADE = Instant.parse("2024-01-01T00:00:00Z");
    private static final List<String> PEOPLE = List.of("510104199001011234", "510104198502023456", "510105197703034567",
            "510106196604045678", "510107195505056789", "510108194406067890");

    private static SharedBus bus;
    private static TestGovernance gov;
    private static SchemaRegistryClient registry;
    private static Path dataDir;
    private static Path busData;
    private static ExchangeLogStager stager;
    private static final List<Node> NODES = new ArrayList<>();
    private static TestGovernance.Catalogued resource;
    private static String suffix;
    private static String logTopic;
    private static String checkpointTopic;
    private static String grant;
    private static DatabusClientConfig consumer;

    /** One node: its HTTP API, its service exchange and its router instance. */
    private record Node(HttpApi http, ServiceExchange service, KafkaStreams router, RouterQueries queries, HostInfo self) {
    }


    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        gov = new TestGovernance(bus);
        registry = bus.registryClient();
        suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        dataDir = Files.createTempDirectory("databus-service-nodes-it-");
        busData = dataDir.resolve("bus");
        Files.createDirectories(busData);

        LogCopy copy = LogCopy.create(bus, "svc2-it");
        logTopic = copy.logTopic();
        checkpointTopic = copy.checkpointTopic();

        stager = new ExchangeLogStager(bus.busConfig(), Duration.ofSeconds(10));
        for (int n = 1; n <= 2; n++) {
            ServiceExchange service = new ServiceExchange(KeyHasher.loadOrCreate(busData), SigningKeys.loadOrCreate(busData),
                    stager, new RateLimiter(InstantSource.system(), ZoneId.of("Asia/Shanghai")), InstantSource.system(),
                    new ServiceExchange.Settings(Proofs.ISSUER, new RateLimiter.Limits(1_000, 100_000)));
            HttpApi http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(),
                    bus.busConfig(), HttpApi.Options.NONE.withService(service));
            HostInfo self = new HostInfo("127.0.0.1", http.port());
            KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(copy.router(Map.of(
                    RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                    RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                    RouterConfig.STATE_DIR_CONFIG, dataDir.resolve("router-state-" + n).toString(),
                    RouterConfig.DATA_DIR_CONFIG, busData.toString(),
                    RouterConfig.APPLICATION_ID_CONFIG, "svc2-it-router-" + suffix,
                    RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                    "streams.application.server", "127.0.0.1:" + http.port(),
                    "streams.commit.interval.ms", 200,
                    "streams.main.consumer.metadata.max.age.ms", 1000)))));
            RouterQueries queries = new RouterQueries(router, registry);
            service.attach(queries, self);
            NODES.add(new Node(http, service, router, queries, self));
        }

        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), NODES.get(0).http().url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, Optional.of(NODES.get(0).http().url()));
        for (String d : List.of("a", "p")) {
            String id = "n" + d + suffix;
            int exit = DatabusCli.run(new String[] {"dept", "add", id, "--name", "department " + id, "--data-dir",
                    dataDir.toString(), "--out", ClientFiles.file(dataDir, id).toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
            assertThat(exit).isZero();
        }
        consumer = DatabusClientConfig.load(ClientFiles.file(dataDir, "na" + suffix));
        resource = gov.catalogue(EXAMPLES.resolve("psb-population.yaml"), "np" + suffix);
        grant = "g-svc2-" + suffix;
        gov.publish(Topics.GRANTS, grant, Grant.newBuilder().setGrantId(grant).setRequestId("r-" + grant)
                .setResourceCode(resource.code()).setProvider(resource.provider()).setConsumer("na" + suffix)
                .setPurpose("confirming residence for a housing subsidy").setMethod(SharingMethod.SERVICE)
                .setAllowedFields(List.of("idNumber", "gender", "divisionCode")).setClearFields(List.of()).setRowFilter(null)
                .setValidFrom(MADE).setValidUntil(null).setStatus(GrantStatus.ACTIVE).setCreatedAt(MADE).build());
        for (String id : PEOPLE) {
            GenericRecord r = new GenericData.Record(resource.schema());
            r.put("idNumber", id);
            r.put("name", "居民" + id.substring(14));
            r.put("mobile", "1380000" + id.substring(14));
            r.put("gender", Integer.toString(Character.getNumericValue(id.charAt(16)) % 2));
            r.put("divisionCode", id.substring(0, 6));
            gov.publish(resource.topic(), id, r);
        }
        NODES.forEach(n -> n.router().start());
        await().atMost(Duration.ofSeconds(90)).until(() -> NODES.stream()
                .allMatch(n -> n.router().state() == KafkaStreams.State.RUNNING));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Node n : NODES) {
            n.http().close();
            n.router().close(Duration.ofSeconds(20));
        }
        for (AutoCloseable c : new AutoCloseable[] {stager, gov, registry}) {
            if (c != null) {
                c.close();
            }
        }
        if (dataDir != null) {
            SharedBus.deleteRecursively(dataDir);
        }
    }

    @Test
    void a_request_for_a_key_the_other_node_owns_is_forwarded_answered_with_a_proof_and_logged_once() throws Exception {
        // the source partitions are spread over the two router instances: each owns keys
        CatalogEntry entry = NODES.get(0).queries().entry(resource.code()).orElseThrow();
        Map<String, HostInfo> owners = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> owners(entry), o -> o.size() == PEOPLE.size() && Set.copyOf(o.values()).size() == 2);
        assertThat(Set.copyOf(owners.values())).containsExactlyInAnyOrder(NODES.get(0).self(), NODES.get(1).self());

        List<String> exchanges = new ArrayList<>();
        for (Node asked : NODES) {
            Node owner = NODES.get(1 - NODES.indexOf(asked));
            String key = owners.entrySet().stream().filter(e -> e.getValue().equals(owner.self())).findFirst().orElseThrow().getKey();
            // the asked node does not hold the key: it forwards to the owner
            assertThat(asked.service().route(resource.code(), key, false)).isEqualTo(new OwnerRouting.Forward(owner.self()));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(owner.queries().latest(entry, key)).isPresent());
            assertThat(asked.queries().latest(entry, key)).isEmpty();
            // a request that was already forwarded once is answered, not forwarded again
            assertThat(owner.service().route(resource.code(), key, true)).isEqualTo(new OwnerRouting.Local());

            HttpResponse<String> query = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> send(asked, "GET", "/api/v1/query/" + resource.code() + "/" + key + "?proof=true", null),
                            r -> r.statusCode() == 200);
            JsonNode answer = JSON.readTree(query.body());
            assertThat(answer.get("grant").asText()).isEqualTo(grant);
            assertThat(answer.get("record").get("divisionCode").asText()).isEqualTo(key.substring(0, 6));
            assertThat(answer.get("record").has("mobile")).isFalse();
            ProofStatement q = verifiedWithNimbus(asked, answer.get("proof").asText());
            assertThat(q.kind()).isEqualTo("query");
            assertThat(q.found()).isTrue();
            assertThat(q.consumer()).isEqualTo("na" + suffix);
            assertThat(q.grant()).isEqualTo(grant);
            assertThat(q.keyHash()).isEqualTo(KeyHasher.loadOrCreate(busData).hash(key.getBytes(StandardCharsets.UTF_8)));
            assertThat(q.recordDigest()).isEqualTo(KeyHasher.loadOrCreate(busData).valueDigest(JSON.writeValueAsBytes(answer.get("record"))));
            assertThat(query.headers().firstValue("X-Databus-Exchange-Id")).contains(q.exchangeId());
            exchanges.add(q.exchangeId());

            String gender = Integer.toString(Character.getNumericValue(key.charAt(16)) % 2);
            HttpResponse<String> verify = send(asked, "POST", "/api/v1/verify/" + resource.code(),
                    JSON.writeValueAsString(Map.of("key", key, "claims", Map.of("gender", gender, "divisionCode", "999999"))));
            assertThat(verify.statusCode()).as(verify.body()).isEqualTo(200);
            JsonNode v = JSON.readTree(verify.body());
            assertThat(v.get("results").get("gender").asBoolean()).isTrue();
            assertThat(v.get("results").get("divisionCode").asBoolean()).isFalse();
            assertThat(verify.body()).doesNotContain(key.substring(0, 6));
            ProofStatement s = verifiedWithNimbus(asked, v.get("proof").asText());
            assertThat(s.kind()).isEqualTo("verify");
            assertThat(s.results()).containsEntry("gender", true).containsEntry("divisionCode", false);
            assertThat(s.exchangeId()).isEqualTo(v.get("exchangeId").asText());
            exchanges.add(s.exchangeId());
        }

        // every answer is one QUERY entry of the chained log, and the log (as 'audit verify' checks it) is intact
        SigningKeys keys = SigningKeys.loadOrCreate(busData);
        Map<String, List<ExchangeEntry>> found = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            found.clear();
            try (AuditReader reader = AuditReader.builder(bus.kafkaProperties()).registry(registry)
                    .publicKey(keys.publicKey()).logTopic(logTopic).checkpointTopic(checkpointTopic).build()) {
                reader.forEachEntry((partition, position, offset, e) -> {
                    if (exchanges.contains(e.exchangeId())) {
                        found.computeIfAbsent(e.exchangeId(), x -> new ArrayList<>()).add(e);
                    }
                });
                assertThat(found).containsOnlyKeys(exchanges);
                VerificationReport report = reader.verify(VerifyOptions.CHAINS_ONLY.allowUncovered(false));
                assertThat(report.intact()).as(report.describe()).isTrue();
            }
        });
        for (List<ExchangeEntry> logged : found.values()) {
            assertThat(logged).hasSize(1);
            assertThat(logged.get(0).mode()).isEqualTo(ExchangeEntry.Mode.QUERY);
            assertThat(logged.get(0).consumer()).isEqualTo("na" + suffix);
            assertThat(logged.get(0).grantId()).isEqualTo(grant);
        }
    }

    private static Map<String, HostInfo> owners(CatalogEntry entry) {
        Map<String, HostInfo> owners = new HashMap<>();
        for (String key : PEOPLE) {
            KeyQueryMetadata m0 = NODES.get(0).queries().owner(entry, key);
            KeyQueryMetadata m1 = NODES.get(1).queries().owner(entry, key);
            if (m0 != null && m0.equals(m1) && !KeyQueryMetadata.NOT_AVAILABLE.equals(m0)
                    && NODES.stream().anyMatch(n -> n.self().equals(m0.activeHost()))) {
                owners.put(key, m0.activeHost());
            }
        }
        return owners;
    }

    private static HttpResponse<String> send(Node node, String method, String path, String body) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString(consumer.basicAuthUserInfo().orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(node.http().url() + path)).header("Authorization", auth);
        r = body == null ? r.GET() : r.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The proof checked independently of the bus's own code: the JWS parsed and its key picked by {@code kid} from the
     * published JWK set with Nimbus JOSE+JWT, the Ed25519 signature checked by the JDK over Nimbus's signing input;
     * then the bus's own check, which must agree.
     */
    private static ProofStatement verifiedWithNimbus(Node node, String proof) throws Exception {
        HttpResponse<String> jwks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(node.http().url() + "/api/v1/keys")).GET().build(), HttpResponse.BodyHandlers.ofString());
        JWSObject jws = JWSObject.parse(proof);
        assertThat(jws.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.EdDSA);
        OctetKeyPair jwk = (OctetKeyPair) JWKSet.parse(jwks.body()).getKeyByKeyId(jws.getHeader().getKeyID());
        assertThat(jwk).as("the proof's kid is in the published key set").isNotNull();
        byte[] spki = new byte[44];
        byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        System.arraycopy(prefix, 0, spki, 0, prefix.length);
        System.arraycopy(jwk.getX().decode(), 0, spki, prefix.length, 32);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        Signature sig = Signature.getInstance("Ed25519");
        sig.initVerify(key);
        sig.update(jws.getSigningInput());
        assertThat(sig.verify(jws.getSignature().decode())).as("Ed25519 signature of the JWS").isTrue();
        assertThat(jws.getPayload().toJSONObject()).containsEntry("iss", Proofs.ISSUER);
        return Proofs.verify(proof, Proofs.fromJwkSet(jwks.body()));
    }
}
