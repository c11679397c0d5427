package cn.tianfu.databus.service;

import java.security.PublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;

import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.LedgerException;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;

/**
 * Signed proofs of the service exchange: a {@link ProofStatement} as a JWS in compact serialization, algorithm
 * {@code EdDSA} (Ed25519, RFC 8037) with the bus's signing key ({@link SigningKeys}, the key that signs the exchange
 * log's checkpoints), header {@code {"alg":"EdDSA","kid":<key id>,"typ":"databus-proof+jws"}}; the key id is
 * {@link ExchangeLogRecords#publicKeyId} (SHA-256 of the public key's X.509 DER, hex). The public key is published as a
 * JWK set ({@link #jwkSet}): any JOSE library that does EdDSA verifies a proof with it.
 *
 * <pre>{@code
 * String jws = Proofs.sign(statement, signingKeys);
 * ProofStatement checked = Proofs.verify(jws, List.of(publicKey));   // throws when it does not verify
 * }</pre>
 *
 * The signature itself is the JDK's Ed25519 ({@code Signature.getInstance("Ed25519")}); Nimbus JOSE+JWT builds,
 * serializes and parses the JWS.
 */
public final class Proofs {

    /** The issuer named in every proof. */
    public static final String ISSUER = "tianfu-databus";
    /** The {@code typ} header of a proof. */
    public static final String TYPE = "databus-proof+jws";
    /** X.509 SubjectPublicKeyInfo prefix of a raw 32-byte Ed25519 key (RFC 8410). */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Proofs() {
    }

    /** The key id of a public key in a proof's header and in the JWK set. */
    public static String keyId(PublicKey key) {
        return ExchangeLogRecords.publicKeyId(key);
    }

    /** The statement signed with the bus's key, in JWS compact serialization. */
    public static String sign(ProofStatement statement, SigningKeys keys) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(keyId(keys.publicKey()))
                .type(new JOSEObjectType(TYPE)).build();
        JWSObject jws = new JWSObject(header, new Payload(statement.toPayload()));
        try {
            jws.sign(new JdkSigner(keys));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a proof: " + e.getMessage(), e);
        }
        return jws.serialize();
    }

    /**
     * Checks a proof: compact JWS, algorithm EdDSA, signed by the key its {@code kid} names among {@code keys} (a single
     * key is used whatever the kid), and returns what it states.
     *
     * @throws ServiceException BAD_REQUEST naming why the proof does not verify
     */
    public static ProofStatement verify(String compact, List<PublicKey> keys) {
        JWSObject jws;
        try {
            jws = JWSObject.parse(compact.trim());
        } catch (ParseException e) {
            throw invalid("it is not a JWS in compact serialization: " + e.getMessage());
        }
        JWSHeader header = jws.getHeader();
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) && !"Ed25519".equals(header.getAlgorithm().getName())) {
            throw invalid("its algorithm is " + header.getAlgorithm() + ", not EdDSA");
        }
        PublicKey key = pick(keys, header.getKeyID());
        boolean ok;
        try {
            ok = jws.verify(new JdkVerifier(key));
        } catch (JOSEException e) {
            throw invalid(e.getMessage());
        }
        if (!ok) {
            throw invalid("its signature does not verify with the key " + keyId(key));
        }
        Map<String, Object> payload = jws.getPayload().toJSONObject();
        if (payload == null) {
            throw invalid("its payload is not a JSON object");
        }
        return ProofStatement.fromPayload(payload);
    }

    private static PublicKey pick(List<PublicKey> keys, String kid) {
        if (keys.isEmpty()) {
            throw invalid("no public key to check it with");
        }
        if (keys.size() == 1) {
            return keys.get(0);
        }
        for (PublicKey k : keys) {
            if (keyId(k).equals(kid)) {
                return k;
            }
        }
        throw invalid("none of the given keys has its key id " + kid);
    }

    private static ServiceException invalid(String why) {
        return new ServiceException(ServiceException.Kind.BAD_REQUEST, "the proof does not verify: " + why);
    }

    /** The public key as a JWK set: one OKP key, curve Ed25519, {@code use: sig}, {@code alg: EdDSA}, its key id. */
    public static String jwkSet(PublicKey key) {
        OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw(key))).keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.EdDSA).keyID(keyId(key)).build();
        return new JWKSet(jwk).toString(true);
    }

    /** The Ed25519 keys of a JWK set (JSON text). */
    public static List<PublicKey> fromJwkSet(String json) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "not a JWK set: " + e.getMessage());
        }
        List<PublicKey> out = new ArrayList<>();
        for (JWK k : set.getKeys()) {
            if (k instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                out.add(fromRaw(okp.getX().decode()));
            }
        }
        return out;
    }

    /** The keys of a file's text: a JWK set, or a PEM public key. */
    public static List<PublicKey> parseKeys(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            return fromJwkSet(t);
        }
        try {
            return List.of(PublicKeys.fromPem(t));
        } catch (LedgerException e) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "neither a JWK set nor a PEM public key: "
                    + e.getMessage());
        }
    }

    /** The 32 raw bytes of an Ed25519 public key (the end of its X.509 encoding). */
    static byte[] raw(PublicKey key) {
        byte[] der = key.getEncoded();
        return Arrays.copyOfRange(der, der.length - 32, der.length);
    }

    /** An Ed25519 public key from its 32 raw bytes. */
    static PublicKey fromRaw(byte[] x) {
        if (x.length != 32) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "an Ed25519 key has 32 bytes, got " + x.length);
        }
        byte[] der = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(x, 0, der, ED25519_SPKI_PREFIX.length, 32);
        return PublicKeys.fromDer(der);
    }

    /** Nimbus's signer interface over the JDK's Ed25519 with the bus's key. */
    private static final class JdkSigner implements JWSSigner {
        private final SigningKeys keys;
        private final JCAContext jca = new JCAContext();

        JdkSigner(SigningKeys keys) {
            this.keys = keys;
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) {
            return Base64URL.encode(keys.signData(signingInput));
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    /** Nimbus's verifier interface over the JDK's Ed25519. */
    private static final class JdkVerifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        JdkVerifier(PublicKey key) {
            this.key = key;
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signedContent, Base64URL signature) {
            return SigningKeys.verifyData(signedContent, signature.decode(), key);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
