package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.CanonicalWriter;
import cn.tianfu.databus.ledger.internal.EntryHasher;
import cn.tianfu.databus.ledger.internal.Hex;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * Verifies one exchange-log partition, entry by entry in log order, and its signed checkpoints.
 *
 * <pre>{@code
 * ChainVerifier v = ChainVerifier.fromGenesis();
 * long position = 0;                          // chain position: the n-th entry of the partition, from 0
 * for (entry : partition) {
 *     v.accept(position, entry);
 *     checkpointsAt(position).forEach(cp -> v.checkpoint(cp, signature, publishedKey));
 *     position++;
 * }
 * v.firstBreak().ifPresent(report::add);
 * }</pre>
 *
 * <p>Each entry is checked twice: its {@code hash} must be the hash of its own {@code prevHash} and content
 * (otherwise {@link ChainBreak.Kind#ALTERED}), and its {@code prevHash} must be the previous entry's {@code hash}
 * (otherwise {@link ChainBreak.Kind#MISSING_OR_REORDERED}). Alongside, the verifier recomputes the chain from the
 * content alone; a checkpoint must match that recomputed head and count. This catches what links cannot: entries
 * rewritten with consistent new hashes, or removed from the end.
 *
 * <p>Not thread-safe; allocates only the canonical bytes of non-ASCII text per entry.
 */
public final class ChainVerifier {

    private final EntryHasher hasher = new EntryHasher();
    private final CanonicalWriter writer = new CanonicalWriter();
    private final byte[] recomputedHead = new byte[EntryHasher.LENGTH];
    private final byte[] lastStoredHash = new byte[EntryHasher.LENGTH];
    private final byte[] prev = new byte[EntryHasher.LENGTH];
    private final byte[] local = new byte[EntryHasher.LENGTH];
    private long entryCount;
    private long breakCount;
    private long lastPosition = -1;
    private ChainBreak firstBreak;

    private ChainVerifier(String headHash, long entryCount, long lastPosition) {
        if (!Hex.decode(headHash, recomputedHead)) {
            throw new LedgerException("Chain head '" + headHash + "' is not a SHA-256 hash in hex (64 characters)");
        }
        System.arraycopy(recomputedHead, 0, lastStoredHash, 0, EntryHasher.LENGTH);
        this.entryCount = entryCount;
        this.lastPosition = lastPosition;
    }

    /** A verifier for a partition read from its first entry. */
    public static ChainVerifier fromGenesis() {
        return new ChainVerifier(HashChain.GENESIS, 0, -1);
    }

    /**
     * A verifier starting after a checkpoint (for a partition whose older entries have expired, or an archive that
     * holds a slice of the log): the next entry must link to {@code checkpoint.headHash()} and is at chain position
     * {@code checkpoint.offset() + 1}. The checkpoint itself is trusted: check its signature first (passing it to
     * {@link #checkpoint(Checkpoint, byte[], PublicKey)} right after resuming does that and matches trivially).
     */
    public static ChainVerifier resumeAt(Checkpoint checkpoint) {
        return new ChainVerifier(checkpoint.headHash(), checkpoint.entryCount(), checkpoint.offset());
    }

    /**
     * Checks the next entry of the partition.
     *
     * @param position the entry's chain position (its index in the partition from 0), reported in a break
     * @return whether this entry is intact and linked to the previous one
     */
    public boolean accept(long position, ExchangeEntry entry) {
        lastPosition = position;
        entryCount++;
        CanonicalEncoding.writeEntry(writer, entry);
        byte[] canonical = writer.buffer();
        int size = writer.size();

        ChainBreak found = null;
        boolean prevValid = Hex.decode(entry.prevHash(), prev);
        if (!prevValid) {
            found = new ChainBreak(position, ChainBreak.Kind.ALTERED,
                    "entry " + entry.exchangeId() + " has no valid prevHash ('" + entry.prevHash() + "')");
        } else if (!Arrays.equals(prev, lastStoredHash)) {
            found = new ChainBreak(position, ChainBreak.Kind.MISSING_OR_REORDERED, "entry " + entry.exchangeId()
                    + " links to " + entry.prevHash() + " but the previous entry's hash is "
                    + Hex.encode(lastStoredHash) + ": entries are missing or out of order before it");
        }
        if (prevValid) {
            hasher.hash(prev, canonical, size, local);
            if (found == null && !Hex.matches(entry.hash(), local)) {
                found = new ChainBreak(position, ChainBreak.Kind.ALTERED, "entry " + entry.exchangeId()
                        + " has hash " + entry.hash() + " but its content hashes to " + Hex.encode(local)
                        + ": it was altered");
            }
        }

        if (prevValid && Arrays.equals(prev, recomputedHead)) {
            System.arraycopy(local, 0, recomputedHead, 0, EntryHasher.LENGTH);
        } else {
            hasher.hash(recomputedHead, canonical, size, local);
            System.arraycopy(local, 0, recomputedHead, 0, EntryHasher.LENGTH);
        }
        if (!Hex.decode(entry.hash(), lastStoredHash)) {
            System.arraycopy(recomputedHead, 0, lastStoredHash, 0, EntryHasher.LENGTH);
        }

        if (found != null) {
            record(found);
            return false;
        }
        return true;
    }

    /**
     * Checks a checkpoint against the chain recomputed so far; call it right after accepting the entry at chain
     * position {@code checkpoint.offset()}.
     *
     * @return the mismatch, if any (also recorded as a break)
     */
    public Optional<ChainBreak> checkpoint(Checkpoint checkpoint) {
        String head = head();
        ChainBreak found = null;
        if (checkpoint.offset() != lastPosition) {
            found = new ChainBreak(checkpoint.offset(), ChainBreak.Kind.CHECKPOINT_MISMATCH, "checkpoint covers "
                    + "position " + checkpoint.offset() + " but the last entry read is at position " + lastPosition
                    + ": the entry it names is missing, or the checkpoint was checked at the wrong point");
        } else if (!Hex.matches(checkpoint.headHash(), recomputedHead)) {
            found = new ChainBreak(checkpoint.offset(), ChainBreak.Kind.CHECKPOINT_MISMATCH, "checkpoint at position "
                    + checkpoint.offset() + " signs head " + checkpoint.headHash() + " but the entries recompute to "
                    + head + ": entries up to it were altered, removed or forged");
        } else if (checkpoint.entryCount() != entryCount) {
            found = new ChainBreak(checkpoint.offset(), ChainBreak.Kind.CHECKPOINT_MISMATCH, "checkpoint at position "
                    + checkpoint.offset() + " counts " + checkpoint.entryCount() + " entries but " + entryCount
                    + " were read");
        }
        if (found != null) {
            record(found);
        }
        return Optional.ofNullable(found);
    }

    /**
     * Checks a checkpoint's signature with the published key, then the checkpoint itself ({@link #checkpoint}).
     *
     * @return the first problem, if any (also recorded as a break)
     */
    public Optional<ChainBreak> checkpoint(Checkpoint checkpoint, byte[] signature, PublicKey publicKey) {
        if (!SigningKeys.verify(checkpoint, signature, publicKey)) {
            ChainBreak bad = new ChainBreak(checkpoint.offset(), ChainBreak.Kind.BAD_SIGNATURE, "checkpoint at "
                    + "position " + checkpoint.offset() + " is not signed by the exchange log's published key");
            record(bad);
            return Optional.of(bad);
        }
        return checkpoint(checkpoint);
    }

    /** The first problem found, if any. */
    public Optional<ChainBreak> firstBreak() {
        return Optional.ofNullable(firstBreak);
    }

    /** How many problems were found. */
    public long breakCount() {
        return breakCount;
    }

    /** Entries read, including those covered by the checkpoint resumed at. */
    public long entryCount() {
        return entryCount;
    }

    /** Head of the chain recomputed from the entries' content (equals the last entry's hash when intact). */
    public String head() {
        return Hex.encode(recomputedHead);
    }

    private void record(ChainBreak b) {
        breakCount++;
        if (firstBreak == null) {
            firstBreak = b;
        }
    }
}
