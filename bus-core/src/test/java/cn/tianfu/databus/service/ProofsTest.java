package cn.tianfu.databus.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;

import cn.tianfu.databus.ledger.SigningKeys;

class ProofsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SigningKeys keys = SigningKeys.generate();
    private final ProofStatement.Terms terms = new ProofStatement.Terms("10101-000001", "psb", "hrss", "g-1",
            "social assistance");

    private ProofStatement verification() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("gender", "1");
        claims.put("age", 36);
        Map<String, Boolean> results = new LinkedHashMap<>();
        results.put("gender", true);
        results.put("age", false);
        return ProofStatement.ofVerification(Proofs.ISSUER, 1_751_266_800L, "0123456789abcdef0123456789abcdef", terms,
                "ab".repeat(32), claims, results);
    }

    @Test
    void the_payload_names_every_field_of_the_statement() throws Exception {
        String jws = Proofs.sign(verification(), keys);
        JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(jws.split("\\.")[1]));
        assertThat(payload.get("iss").asText()).isEqualTo("tianfu-databus");
        assertThat(payload.get("iat").asLong()).isEqualTo(1_751_266_800L);
        assertThat(payload.get("jti").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(payload.get("kind").asText()).isEqualTo("verify");
        assertThat(payload.get("resource").asText()).isEqualTo("10101-000001");
        assertThat(payload.get("provider").asText()).isEqualTo("psb");
        assertThat(payload.get("consumer").asText()).isEqualTo("hrss");
        assertThat(payload.get("grant").asText()).isEqualTo("g-1");
        assertThat(payload.get("purpose").asText()).isEqualTo("social assistance");
        assertThat(payload.get("keyHash").asText()).hasSize(64);
        assertThat(payload.get("claims").get("age").asInt()).isEqualTo(36);
        assertThat(payload.get("results").get("gender").asBoolean()).isTrue();
        assertThat(payload.has("recordDigest")).isFalse();
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(jws.split("\\.")[0]));
        assertThat(header.get("alg").asText()).isEqualTo("EdDSA");
        assertThat(header.get("typ").asText()).isEqualTo(Proofs.TYPE);
        assertThat(header.get("kid").asText()).isEqualTo(Proofs.keyId(keys.publicKey()));
    }

    @Test
    void a_signed_statement_verifies_round_trip_and_with_the_jdk_alone() throws Exception {
        ProofStatement s = verification();
        String jws = Proofs.sign(s, keys);
        ProofStatement back = Proofs.verify(jws, List.of(keys.publicKey()));
        assertThat(back.results()).isEqualTo(s.results());
        assertThat(back.claims()).containsEntry("gender", "1");
        assertThat(((Number) back.claims().get("age")).intValue()).isEqualTo(36);
        assertThat(List.of(back.issuer(), back.issuedAt(), back.exchangeId(), back.kind(), back.resource(),
                back.provider(), back.consumer(), back.grant(), back.purpose(), back.keyHash()))
                .isEqualTo(List.of(s.issuer(), s.issuedAt(), s.exchangeId(), s.kind(), s.resource(), s.provider(),
                        s.consumer(), s.grant(), s.purpose(), s.keyHash()));
        String[] parts = jws.split("\\.");
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(keys.publicKey());
        jdk.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(jdk.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void a_tampered_or_foreign_proof_does_not_verify() {
        String jws = Proofs.sign(verification(), keys);
        String[] parts = jws.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"age\":false", "\"age\":true");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThatThrownBy(() -> Proofs.verify(tampered, List.of(keys.publicKey()))).isInstanceOf(ServiceException.class);
        assertThatThrownBy(() -> Proofs.verify(jws, List.of(SigningKeys.generate().publicKey())))
                .hasMessageContaining("signature does not verify");
        assertThatThrownBy(() -> Proofs.verify("not.a.jws", List.of(keys.publicKey()))).isInstanceOf(ServiceException.class);
    }

    @Test
    void the_jwk_set_is_an_ed25519_okp_key_another_parser_reads_and_keys_round_trip() throws Exception {
        String jwks = Proofs.jwkSet(keys.publicKey());
        OctetKeyPair okp = (OctetKeyPair) JWKSet.parse(jwks).getKeys().get(0);
        assertThat(okp.getCurve().getName()).isEqualTo("Ed25519");
        assertThat(okp.getKeyID()).isEqualTo(Proofs.keyId(keys.publicKey()));
        assertThat(okp.isPrivate()).isFalse();
        assertThat(Proofs.fromJwkSet(jwks)).containsExactly(keys.publicKey());
        assertThat(Proofs.parseKeys(keys.publicKeyPem())).containsExactly(keys.publicKey());
        String jws = Proofs.sign(verification(), keys);
        assertThat(JWSObject.parse(jws).getHeader().getKeyID()).isEqualTo(okp.getKeyID());
    }

    @Test
    void a_query_statement_carries_the_digest_and_whether_a_record_was_found() {
        ProofStatement q = ProofStatement.ofQuery(Proofs.ISSUER, 1L, "ff".repeat(16), terms, "cd".repeat(32),
                "ef".repeat(32), false);
        ProofStatement back = Proofs.verify(Proofs.sign(q, keys), List.of(keys.publicKey()));
        assertThat(back.kind()).isEqualTo("query");
        assertThat(back.recordDigest()).isEqualTo("ef".repeat(32));
        assertThat(back.found()).isFalse();
        assertThat(back.claims()).isNull();
    }
}
