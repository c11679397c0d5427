package cn.tianfu.databus.ledger.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 instances (every Java 17 runtime has the algorithm). */
public final class Sha256 {

    private static final ThreadLocal<MessageDigest> PER_THREAD = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** This thread's instance, reset. */
    public static MessageDigest perThread() {
        MessageDigest d = PER_THREAD.get();
        d.reset();
        return d;
    }
}
