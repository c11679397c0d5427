package cn.tianfu.databus.transparency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import cn.tianfu.databus.audit.InclusionProof;
import cn.tianfu.databus.audit.TransparencyIndex;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testing.LogCopy;
import cn.tianfu.databus.testkit.TestGovernance;

/**
 * Citizen transparency end to end on the shared bus: records published, routed to two consumers by the real router,
 * which chains and checkpoints the exchanges (into copies of the log topics), followed into the index, and asked for
 * over the bus's HTTP API with identity-provider tokens. A citizen sees exactly the exchanges of their own records, each
 * with an inclusion proof that verifies — with the bus's verifier and with a hash chain recomputed here by hand.
 */
class TransparencyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("../examples/resources");
    /** The identity provider's clock for token validity; the exchanges themselves are dated by the bus. */
    private static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");
    // ids no other test publishes: the router routes every source topic of the shared bus into this test's log, and a
    // record of the same id on another test's resource would be this citizen's exchange too
    private static final String ALICE = "510104198707074562";
    private static final String BOB = "510105198808085670";
    private static final String CAROL = "510106197606063459";

    private static SharedBus bus;
    private static TestGovernance gov;
    private static SchemaRegistryClient registry;
    private static Path dataDir;
    private static Path busData;
    private static KafkaStreams router;
    private static ExchangeLogFollower follower;
    private static HttpApi http;
    private static ECKey idp;
    private static String suffix;
    private static List<String> consumers;

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        gov = new TestGovernance(bus);
        registry = bus.registryClient();
        suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        dataDir = Files.createTempDirectory("databus-transparency-it-");
        busData = dataDir.resolve("bus");
        Files.createDirectories(busData);

        LogCopy copy = LogCopy.create(bus, "tr-it");
        String logTopic = copy.logTopic();
        String checkpointTopic = copy.checkpointTopic();

        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(copy.router(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, dataDir.resolve("router-state").toString(),
                RouterConfig.DATA_DIR_CONFIG, busData.toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "tr-it-router-" + suffix,
                "streams.commit.interval.ms", 200)))));
        router.start();

        // the identity provider's public key is all the bus knows of it
        idp = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
        Path jwks = dataDir.resolve("idp.jwks.json");
        Files.writeString(jwks, new JWKSet(idp.toPublicJWK()).toString());
        TransparencyIndex index = new TransparencyIndex();
        follower = new ExchangeLogFollower(bus.busConfig(), index, logTopic, checkpointTopic).start();
        TransparencyRoutes routes = new TransparencyRoutes(CitizenTokens.fromJwksFile(jwks, InstantSource.fixed(NOW)),
                KeyHasher.loadOrCreate(busData), index, null);
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(),
                bus.busConfig(), HttpApi.Options.NONE.withTransparency(routes));

        String provider = "tp" + suffix;
        bus.addDepartment(provider);
        consumers = List.of("tc" + suffix, "td" + suffix);
        consumers.forEach(bus::addDepartment);
        TestGovernance.Catalogued resource = gov.catalogue(EXAMPLES.resolve("psb-population.yaml"), provider);
        consumers.forEach(c -> gov.grantInClear(resource, c));
        for (String id : List.of(ALICE, BOB, CAROL)) {
            GenericRecord r = new GenericData.Record(resource.schema());
            r.put("idNumber", id);
            r.put("name", "居民" + id.substring(14));
            r.put("mobile", "1380000" + id.substring(14));
            r.put("gender", "1");
            r.put("divisionCode", id.substring(0, 6));
            gov.publish(resource.topic(), id, r);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {http, follower, router == null ? null : () -> router.close(Duration.ofSeconds(20)),
                gov, registry}) {
            if (c != null) {
                c.close();
            }
        }
        if (dataDir != null) {
            SharedBus.deleteRecursively(dataDir);
        }
    }

    @Test
    void a_citizen_sees_exactly_the_exchanges_of_their_records_each_with_a_proof_that_verifies() throws Exception {
        KeyHasher hasher = KeyHasher.loadOrCreate(busData);
        String aliceHash = hasher.hash(ALICE.getBytes(StandardCharsets.UTF_8));
        // routed to both consumers, chained, and covered by a signed checkpoint
        JsonNode exchanges = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> myExchanges(token(ALICE, idp)).get("exchanges"), e -> e != null && e.size() == 2
                        && java.util.stream.StreamSupport.stream(e.spliterator(), false)
                        .allMatch(x -> "INCLUDED".equals(x.get("proofStatus").asText())));
        assertThat(exchanges).extracting(e -> e.get("consumer").asText()).containsExactlyInAnyOrderElementsOf(consumers);
        SigningKeys keys = SigningKeys.loadOrCreate(busData);
        for (JsonNode e : exchanges) {
            assertThat(e.get("mode").asText()).isEqualTo("PUSH");
            assertThat(e.get("operation").asText()).isEqualTo("UPSERT");
            assertThat(e.get("provider").asText()).isEqualTo("tp" + suffix);
            assertThat(e.toString()).doesNotContain(ALICE).doesNotContain("居民");
            // the bus's verifier
            InclusionProof proof = InclusionProof.fromJson(e.get("proof"));
            assertThat(proof.entry().keyHash()).isEqualTo(aliceHash);
            assertThat(proof.entry().exchangeId()).isEqualTo(e.get("exchangeId").asText());
            proof.verify(keys.publicKey());
            // an independent check of the chain: SHA-256(previous hash || encoding), from the entry to the signed head
            JsonNode p = e.get("proof");
            String head = p.get("prevHash").asText();
            for (JsonNode encoding : p.get("segment")) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(HexFormat.of().parseHex(head));
                sha.update(HexFormat.of().parseHex(encoding.asText()));
                head = HexFormat.of().formatHex(sha.digest());
                if (encoding == p.get("segment").get(0)) {
                    assertThat(head).isEqualTo(p.get("entry").get("hash").asText());
                }
            }
            assertThat(head).isEqualTo(p.get("checkpoint").get("headHash").asText());
            assertThat(p.get("position").asLong() + p.get("segment").size() - 1).isEqualTo(p.get("checkpoint").get("offset").asLong());
        }

        // Bob sees his own two, none of Alice's; an ID without records sees nothing
        JsonNode bob = myExchanges(token(BOB, idp)).get("exchanges");
        assertThat(bob).hasSize(2);
        String bobHash = hasher.hash(BOB.getBytes(StandardCharsets.UTF_8));
        for (JsonNode e : bob) {
            assertThat(InclusionProof.fromJson(e.get("proof")).entry().keyHash()).isEqualTo(bobHash);
            assertThat(e.get("exchangeId").asText()).isNotIn(exchanges.findValuesAsText("exchangeId"));
        }
        assertThat(myExchanges(token("110101200001010000", idp)).get("exchanges")).isEmpty();
    }

    @Test
    void an_unsigned_or_foreign_token_gets_401_and_no_exchange() throws Exception {
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().claim(CitizenTokens.ID_NUMBER_CLAIM, ALICE)
                .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build()).serialize();
        String forged = token(ALICE, new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate());
        for (String bad : List.of(unsigned, forged)) {
            HttpResponse<String> r = get(bad);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).doesNotContain("exchanges");
        }
    }

    private static String token(String idNumber, ECKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("idp-1").build(),
                new JWTClaimsSet.Builder().subject("citizen").claim(CitizenTokens.ID_NUMBER_CLAIM, idNumber)
                        .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private static HttpResponse<String> get(String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http.url() + ApiPaths.TRANSPARENCY_MY_EXCHANGES))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode myExchanges(String token) throws Exception {
        HttpResponse<String> r = get(token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
