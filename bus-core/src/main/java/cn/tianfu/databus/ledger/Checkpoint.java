package cn.tianfu.databus.ledger;

import java.util.Objects;

/**
 * A signed statement of one exchange-log partition's chain head: "up to and including the entry at chain position
 * {@code offset}, this partition holds {@code entryCount} entries whose chain ends in {@code headHash}". Signed with
 * {@link SigningKeys#sign}; checked with {@link SigningKeys#verify} and {@link ChainVerifier#checkpoint}.
 *
 * @param partition  the exchange-log partition
 * @param offset     chain position of the last entry covered (its index in the partition from 0, as a
 *                   {@code read_committed} reader counts entries; not a Kafka log offset), so
 *                   {@code offset = entryCount - 1}
 * @param entryCount number of entries covered, counted from the partition's first entry
 * @param headHash   {@code hash} of the last entry covered (lowercase hex)
 * @param timeMillis when the checkpoint was made, epoch milliseconds
 */
public record Checkpoint(int partition, long offset, long entryCount, String headHash, long timeMillis) {

    public Checkpoint {
        Objects.requireNonNull(headHash, "headHash");
    }

    /** The bytes signed: see {@link CanonicalEncoding#checkpoint}. */
    public byte[] canonicalBytes() {
        return CanonicalEncoding.checkpoint(this);
    }
}
