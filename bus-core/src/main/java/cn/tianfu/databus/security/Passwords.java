package cn.tianfu.databus.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Generated passwords and the salted verifiers the bus keeps instead of them.
 *
 * <pre>{@code
 * String password = Passwords.generate();           // 32 letters and digits, ~190 bits
 * String verifier = Passwords.verifier(password);   // "pbkdf2-sha256$120000$<salt>$<hash>"
 * Passwords.matches(password, verifier);            // true
 * }</pre>
 *
 * Verifiers are PBKDF2-HMAC-SHA256 with a random 16-byte salt; only they are stored (on {@code bus.departments} and
 * {@code bus.auditors}), so the registry and the HTTP API can check a password without the broker's SCRAM secrets.
 */
public final class Passwords {

    /** The prefix naming the verifier format. */
    public static final String SCHEME = "pbkdf2-sha256";
    private static final int ITERATIONS = 120_000;
    private static final int HASH_BITS = 256;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /** A new random password of 32 letters and digits (safe in properties files, JAAS and SCRAM arguments). */
    public static String generate() {
        char[] out = new char[32];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /**
     * A password of 32 letters and digits derived from {@code secret} for {@code purpose} (HMAC-SHA256): the same on
     * every process that holds the secret, so several processes can set up one principal at the same time and agree on
     * its password without talking to each other. Whoever knows the secret knows the derived password.
     */
    public static String derived(String secret, String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] bytes = mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
            char[] out = new char[32];
            for (int i = 0; i < out.length; i++) {
                out[i] = ALPHABET[(bytes[i] & 0xff) % ALPHABET.length];
            }
            return new String(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A salted verifier of {@code password}: {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}, Base64 parts. */
    public static String verifier(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash(password, salt, ITERATIONS));
    }

    /** Whether {@code password} matches {@code verifier}; false for a null or malformed verifier. */
    public static boolean matches(String password, String verifier) {
        if (password == null || verifier == null) {
            return false;
        }
        String[] parts = verifier.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, hash(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Constant-time comparison of two secrets. */
    public static boolean equal(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hash(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
