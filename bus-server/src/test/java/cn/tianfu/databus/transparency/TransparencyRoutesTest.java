package cn.tianfu.databus.transparency;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntries;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import io.javalin.Javalin;

/**
 * The transparency route over real HTTP: tokens made and signed with Nimbus by a test identity provider (ES256), an
 * index of a real hash chain with signed checkpoints; the proofs are checked by {@code databus transparency verify}.
 */
class TransparencyRoutesTest {

    private static final String ALICE = "510104199001011234";
    private static final String BOB = "510105198502023456";
    private static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    @TempDir
    Path dir;

    private final KeyHasher hasher = KeyHasher.withSecret(new byte[32]);
    private final SigningKeys busKeys = SigningKeys.generate();
    private final TransparencyIndex index = new TransparencyIndex();
    private final HashChain chain = HashChain.genesis();
    private final HttpClient http = HttpClient.newHttpClient();
    private ECKey idp;
    private Javalin app;
    private long offset;

    @BeforeEach
    void start() throws Exception {
        idp = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
        Path jwks = dir.resolve("idp.jwks.json");
        Files.writeString(jwks, new JWKSet(idp.toPublicJWK()).toString());
        TransparencyRoutes routes = new TransparencyRoutes(CitizenTokens.fromJwksFile(jwks, InstantSource.fixed(NOW)),
                hasher, index, null);
        app = Javalin.create(routes::register).start("127.0.0.1", 0);

        exchange(ALICE, "mca", ExchangeEntry.Operation.UPSERT, null);
        exchange(BOB, "mca", ExchangeEntry.Operation.UPSERT, null);
        exchange(ALICE, "hrss", ExchangeEntry.Operation.UPSERT, null);
        exchange(ALICE, "mca", ExchangeEntry.Operation.RETRACT, ExchangeEntry.RetractReason.REVOKED);
        Checkpoint cp = new Checkpoint(0, chain.entryCount() - 1, chain.entryCount(), chain.head(), NOW.toEpochMilli());
        index.addCheckpoint(cp, busKeys.sign(cp), ExchangeLogRecords.publicKeyId(busKeys.publicKey()));
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private void exchange(String id, String consumer, ExchangeEntry.Operation op, ExchangeEntry.RetractReason reason) {
        ExchangeEntries.Terms terms = new ExchangeEntries.Terms("10101-000001", "psb", consumer, "10101-000001.G1",
                "social assistance");
        ExchangeEntries.Source source = new ExchangeEntries.Source("src.psb.10101-000001", 0, offset++,
                id.getBytes(StandardCharsets.UTF_8));
        String topic = "dlv." + consumer + ".10101-000001";
        ExchangeEntry e = reason == null
                ? ExchangeEntries.forDelivery(hasher, NOW.toEpochMilli(), terms, source, op, topic, 0, new byte[] {1})
                : ExchangeEntries.forWithdrawal(hasher, NOW.toEpochMilli(), terms, source, op, topic, 0, null, reason, "t");
        index.addEntry(0, chain.append(e));
    }

    private String token(String idNumber, ECKey key, Instant expiry) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("idp-1").build(),
                new JWTClaimsSet.Builder().subject("citizen").claim(CitizenTokens.ID_NUMBER_CLAIM, idNumber)
                        .expirationTime(Date.from(expiry)).build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private HttpResponse<String> get(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                + ApiPaths.TRANSPARENCY_MY_EXCHANGES));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCitizenSeesExactlyTheirOwnExchangesAndEveryProofVerifiesOffline() throws Exception {
        HttpResponse<String> r = get(token(ALICE, idp, NOW.plus(Duration.ofMinutes(5))));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.get("exchanges")).hasSize(3);
        assertThat(body.get("exchanges")).extracting(e -> e.get("consumer").asText() + "/" + e.get("operation").asText()
                + "/" + e.get("retractReason").asText()).containsExactly("mca/UPSERT/null", "hrss/UPSERT/null",
                "mca/RETRACT/REVOKED");
        String aliceHash = hasher.hash(ALICE.getBytes(StandardCharsets.UTF_8));
        for (JsonNode e : body.get("exchanges")) {
            assertThat(e.get("proofStatus").asText()).isEqualTo("INCLUDED");
            InclusionProof p = InclusionProof.fromJson(e.get("proof"));
            assertThat(p.entry().keyHash()).isEqualTo(aliceHash);
            p.verify(busKeys.publicKey());
        }

        // offline, with the CLI and the bus's published key
        Path saved = dir.resolve("mine.json");
        Files.writeString(saved, r.body());
        Path pem = dir.resolve("exchange-log.pub.pem");
        Files.writeString(pem, PublicKeys.toPem(busKeys.publicKey()));
        StringWriter out = new StringWriter();
        int code = DatabusCli.run(new String[] {"transparency", "verify", saved.toString(), "--public-key", pem.toString()},
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("3 proof(s) verified, 0 not");

        // a tampered answer fails there
        Files.writeString(saved, r.body().replace("\"consumer\":\"hrss\"", "\"consumer\":\"amr\""));
        out = new StringWriter();
        code = DatabusCli.run(new String[] {"transparency", "verify", saved.toString(), "--public-key", pem.toString()},
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("FAILED");
    }

    @Test
    void anotherIdsTokenSeesOnlyThatIdsExchanges() throws Exception {
        JsonNode body = new ObjectMapper().readTree(get(token(BOB, idp, NOW.plus(Duration.ofMinutes(5)))).body());
        assertThat(body.get("exchanges")).hasSize(1);
        assertThat(InclusionProof.fromJson(body.get("exchanges").get(0).get("proof")).entry().keyHash())
                .isEqualTo(hasher.hash(BOB.getBytes(StandardCharsets.UTF_8)));
        JsonNode nobody = new ObjectMapper().readTree(get(token("110101200001010000", idp,
                NOW.plus(Duration.ofMinutes(5)))).body());
        assertThat(nobody.get("exchanges")).isEmpty();
    }

    @Test
    void unsignedForgedExpiredOrMissingTokensGet401AndNothingElse() throws Exception {
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().claim(CitizenTokens.ID_NUMBER_CLAIM, ALICE)
                .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(5)))).build()).serialize();
        ECKey forger = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
        String valid = token(ALICE, idp, NOW.plus(Duration.ofMinutes(5)));
        String[] parts = valid.split("\\.");
        String swappedClaims = parts[0] + "." + token(BOB, idp, NOW.plus(Duration.ofMinutes(5))).split("\\.")[1]
                + "." + parts[2];
        for (String bad : List.of(unsigned, token(ALICE, forger, NOW.plus(Duration.ofMinutes(5))),
                token(ALICE, idp, NOW.minusSeconds(1)), swappedClaims, "not-a-token")) {
            HttpResponse<String> r = get(bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(401);
            assertThat(r.body()).doesNotContain("exchanges").doesNotContain("10101-000001");
        }
        assertThat(get(null).statusCode()).isEqualTo(401);
    }
}
