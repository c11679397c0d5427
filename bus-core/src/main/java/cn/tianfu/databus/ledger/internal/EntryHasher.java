package cn.tianfu.databus.ledger.internal;

import java.security.DigestException;
import java.security.MessageDigest;

/**
 * {@code SHA-256(prev || canonical)} with one reusable digest and output buffer. Not thread-safe: one per chain or
 * verifier.
 */
public final class EntryHasher {

    /** Hash length in bytes. */
    public static final int LENGTH = 32;

    private final MessageDigest digest = Sha256.newDigest();

    /** Writes {@code SHA-256(prev || canonical[0..size))} into {@code out} (32 bytes). */
    public void hash(byte[] prev, byte[] canonical, int size, byte[] out) {
        digest.reset();
        digest.update(prev, 0, LENGTH);
        digest.update(canonical, 0, size);
        try {
            digest.digest(out, 0, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output buffer too small", e);
        }
    }
}
