package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.Hex;
import cn.tianfu.databus.ledger.internal.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed hash (HMAC-SHA-256) of record keys, so the exchange log can answer "who received record K" for whoever holds
 * K, without being a register of ID numbers. The secret belongs to the bus and never leaves it.
 *
 * <pre>{@code
 * KeyHasher hasher = KeyHasher.loadOrCreate(dataDir);   // <dataDir>/keys/key-hash.secret, 32 bytes, mode 600
 * String keyHash = hasher.hash(recordKeyBytes);          // 64 lowercase hex characters
 * String valueDigest = hasher.valueDigest(deliveredBytes); // the same, under a key derived for values
 * }</pre>
 *
 * Thread-safe: each thread uses its own {@link Mac}.
 */
public final class KeyHasher {

    /** File name of the secret under {@code <dataDir>/keys/}. */
    public static final String SECRET_FILE = "key-hash.secret";
    /** Length of the secret in bytes. */
    public static final int SECRET_LENGTH = 32;

    private static final String ALGORITHM = "HmacSHA256";

    /** Label of the key derived for value digests, so a value digest and a key hash never share a key. */
    static final String VALUE_DIGEST_LABEL = "tianfu-databus/value-digest";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final SecretKeySpec valueKey;
    private final ThreadLocal<Mac> valueMacs;

    private KeyHasher(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> newMac(key));
        byte[] derived = newMac(key).doFinal(VALUE_DIGEST_LABEL.getBytes(StandardCharsets.UTF_8));
        this.valueKey = new SecretKeySpec(derived, ALGORITHM);
        Arrays.fill(derived, (byte) 0);
        this.valueMacs = ThreadLocal.withInitial(() -> newMac(valueKey));
    }

    /** Where the bus in {@code dataDir} keeps its key-hash secret. */
    public static Path secretFile(Path dataDir) {
        return dataDir.resolve(KeyFiles.KEYS_DIR).resolve(SECRET_FILE);
    }

    /** A hasher with the given secret (exactly {@value #SECRET_LENGTH} bytes); the array is copied. */
    public static KeyHasher withSecret(byte[] secret) {
        if (secret == null || secret.length != SECRET_LENGTH) {
            throw new LedgerException("A key-hash secret must be " + SECRET_LENGTH + " bytes, got "
                    + (secret == null ? "none" : secret.length));
        }
        return new KeyHasher(secret.clone());
    }

    /**
     * Loads the bus's secret from {@code <dataDir>/keys/key-hash.secret}, creating it (32 random bytes, mode 600) on
     * first use.
     *
     * @throws LedgerException when the file cannot be read or written, or does not hold 32 bytes
     */
    public static KeyHasher loadOrCreate(Path dataDir) {
        Path file = KeyFiles.keysDir(dataDir).resolve(SECRET_FILE);
        if (!Files.exists(file)) {
            byte[] secret = new byte[SECRET_LENGTH];
            new SecureRandom().nextBytes(secret);
            if (KeyFiles.write(file, secret, true, false)) {
                return new KeyHasher(secret);
            }
        }
        byte[] secret = KeyFiles.read(file, true);
        if (secret.length != SECRET_LENGTH) {
            throw new LedgerException("Key-hash secret " + file + " holds " + secret.length + " bytes instead of "
                    + SECRET_LENGTH + "; restore it from backup (a new secret would make every logged key hash "
                    + "unmatchable)");
        }
        KeyHasher hasher = new KeyHasher(secret);
        Arrays.fill(secret, (byte) 0);
        return hasher;
    }

    /** Lowercase hex HMAC-SHA-256 of the key bytes (64 characters). */
    public String hash(byte[] keyBytes) {
        Mac mac = macs.get();
        return Hex.encode(mac.doFinal(keyBytes));
    }

    /**
     * The exchange log's {@code valueDigest} of delivered value bytes: lowercase hex HMAC-SHA-256 (64 characters) under
     * a key derived from the bus's secret, {@code HMAC-SHA-256(secret, "tianfu-databus/value-digest")}. Keyed, so
     * that a reader of the log cannot confirm a guess of a record's value by hashing it; whoever holds the secret
     * checks that the bytes a consumer received are those the log names.
     */
    public String valueDigest(byte[] valueBytes) {
        return Hex.encode(valueMacs.get().doFinal(valueBytes));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available in this Java runtime", e);
        }
    }
}
