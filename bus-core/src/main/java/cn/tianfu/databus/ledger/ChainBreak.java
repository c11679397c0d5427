package cn.tianfu.databus.ledger;

/**
 * Where and how an exchange-log partition fails verification.
 *
 * @param position the position the caller passed for the entry or checkpoint (normally its chain position)
 * @param kind     what is wrong
 * @param message  a description fit for an audit report
 */
public record ChainBreak(long position, Kind kind, String message) {

    /** What is wrong. */
    public enum Kind {
        /** The entry's {@code hash} is not the hash of its content: it was altered after being chained. */
        ALTERED,
        /**
         * The entry's {@code prevHash} is not the previous entry's {@code hash}: entries were removed or reordered
         * before it (or the previous entry was altered and re-hashed).
         */
        MISSING_OR_REORDERED,
        /** A checkpoint's head or entry count differs from the chain recomputed from the entries. */
        CHECKPOINT_MISMATCH,
        /** A checkpoint's signature does not verify with the published key. */
        BAD_SIGNATURE,
        /**
         * Entries after the last signed checkpoint, where every entry is expected to be covered (the ledger signs its
         * head within its heartbeat): a forged tail, or a tail the ledger has not signed yet.
         */
        UNCOVERED,
        /**
         * The newest signed checkpoint is older than the heartbeat allows: the tail of the log and of its checkpoints
         * was cut, or the ledger is not running.
         */
        STALE
    }
}
