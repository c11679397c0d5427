package cn.tianfu.databus.transparency;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.ledger.PublicKeys;

/**
 * Verifies a person's token from the city's identity provider: a signed JWT (JWS compact), {@code ES256} (P-256) or
 * {@code EdDSA} (Ed25519), checked with Nimbus JOSE+JWT against the provider's public keys (a JWK set file); it must
 * carry an expiry in the future and the claim {@value #ID_NUMBER_CLAIM}, an 18-character resident ID number. Ed25519
 * signatures are checked with the JDK's Ed25519 over the JWS signing input (Nimbus's own Ed25519 verifier needs Tink).
 */
public final class CitizenTokens {

    /** The claim that names the person. */
    public static final String ID_NUMBER_CLAIM = "id_number";
    private static final Pattern ID_NUMBER = Pattern.compile("[0-9]{17}[0-9Xx]");
    /** X.509 SubjectPublicKeyInfo prefix of a raw 32-byte Ed25519 key. */
    private static final byte[] ED25519_DER_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    /** A token that is not accepted; the message says why (never echoed with the token). */
    public static final class Rejected extends DatabusException {
        public Rejected(String message) {
            super(message);
        }
    }

    private final JWKSet keys;
    private final InstantSource clock;

    public CitizenTokens(JWKSet keys, InstantSource clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** The identity provider's keys from a JWK set file (public keys only are used). */
    public static CitizenTokens fromJwksFile(Path file, InstantSource clock) {
        try {
            return new CitizenTokens(JWKSet.load(file.toFile()).toPublicJWKSet(), clock);
        } catch (IOException | ParseException e) {
            throw new DatabusException("cannot read the identity provider's keys from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ID number the token was issued for.
     *
     * @throws Rejected when the token is not a JWS, is unsigned, signed by a key not the provider's, expired, or
     *                  names no valid ID number
     */
    public String idNumber(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new Rejected("not a signed token (JWS compact serialization)");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        if (!JWSAlgorithm.ES256.equals(alg) && !JWSAlgorithm.EdDSA.equals(alg) && !JWSAlgorithm.Ed25519.equals(alg)) {
            throw new Rejected("token algorithm " + alg + " is not accepted: ES256 or EdDSA");
        }
        if (!signedByProvider(jwt, alg)) {
            throw new Rejected("the token's signature does not verify with the identity provider's keys");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Rejected("the token's claims are not JSON");
        }
        Date now = Date.from(clock.instant());
        if (claims.getExpirationTime() == null || !claims.getExpirationTime().after(now)) {
            throw new Rejected("the token has expired or has no expiry");
        }
        if (claims.getNotBeforeTime() != null && claims.getNotBeforeTime().after(now)) {
            throw new Rejected("the token is not valid yet");
        }
        Object id = claims.getClaim(ID_NUMBER_CLAIM);
        if (!(id instanceof String s) || !ID_NUMBER.matcher(s).matches()) {
            throw new Rejected("the token carries no valid " + ID_NUMBER_CLAIM);
        }
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    private boolean signedByProvider(SignedJWT jwt, JWSAlgorithm alg) {
        String kid = jwt.getHeader().getKeyID();
        List<JWK> candidates = new ArrayList<>();
        for (JWK k : keys.getKeys()) {
            if (kid == null || kid.equals(k.getKeyID())) {
                candidates.add(k);
            }
        }
        for (JWK k : candidates) {
            try {
                if (JWSAlgorithm.ES256.equals(alg) && k instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                    if (jwt.verify(new ECDSAVerifier(ec))) {
                        return true;
                    }
                } else if (!JWSAlgorithm.ES256.equals(alg) && k instanceof OctetKeyPair okp
                        && Curve.Ed25519.equals(okp.getCurve())) {
                    if (ed25519(okp, jwt)) {
                        return true;
                    }
                }
            } catch (JOSEException | RuntimeException e) {
                // not this key
            }
        }
        return false;
    }

    private static boolean ed25519(OctetKeyPair okp, SignedJWT jwt) {
        byte[] x = okp.getDecodedX();
        byte[] der = new byte[ED25519_DER_PREFIX.length + x.length];
        System.arraycopy(ED25519_DER_PREFIX, 0, der, 0, ED25519_DER_PREFIX.length);
        System.arraycopy(x, 0, der, ED25519_DER_PREFIX.length, x.length);
        PublicKey key = PublicKeys.fromDer(der);
        try {
            java.security.Signature s = java.security.Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(jwt.getSigningInput());
            return s.verify(jwt.getSignature().decode());
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }
}
