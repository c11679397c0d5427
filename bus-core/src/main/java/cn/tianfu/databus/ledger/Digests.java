package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.Hex;
import cn.tianfu.databus.ledger.internal.Sha256;

/** Digests of delivered values, recorded in the exchange log in place of the values themselves. Thread-safe. */
public final class Digests {

    private Digests() {
    }

    /** Lowercase hex SHA-256 of {@code bytes} (64 characters). */
    public static String sha256Hex(byte[] bytes) {
        return Hex.encode(Sha256.perThread().digest(bytes));
    }
}
