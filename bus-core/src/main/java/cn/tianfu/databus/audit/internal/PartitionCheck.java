package cn.tianfu.databus.audit.internal;

import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.ledger.ChainBreak;
import cn.tianfu.databus.ledger.ChainVerifier;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.SigningKeys;
import java.security.PublicKey;
import java.util.Iterator;

/**
 * Verifies one partition from two streams in order: its entries (in log order) and its checkpoints (in the order
 * they were written). Each checkpoint is checked right after the entry at its position; checkpoints left over at
 * the end name entries that are not in the log. Memory is constant: one pending checkpoint at a time.
 *
 * <p>A check may resume at a checkpoint (an archive holding a slice of the log): the chain continues from its head,
 * positions from its {@code offset + 1}, and the checkpoint itself must be the first of the stream, with a good
 * signature, before any entry is trusted.
 */
public final class PartitionCheck {

    private final int partition;
    private final PublicKey publicKey;
    private final Iterator<SignedCheckpoint> checkpoints;
    private final ChainVerifier verifier;
    private final long firstPosition;
    private SignedCheckpoint pending;
    private long position = -1;
    private long lastLogOffset = -1;
    private long checkpointCount;
    private long lastCheckpointPosition = -1;
    private long problems;
    private VerificationReport.Break first;

    /** A check of a partition read from its first entry. */
    public PartitionCheck(int partition, PublicKey publicKey, Iterator<SignedCheckpoint> checkpoints) {
        this.partition = partition;
        this.publicKey = publicKey;
        this.checkpoints = checkpoints;
        this.verifier = ChainVerifier.fromGenesis();
        this.firstPosition = 0;
    }

    /**
     * A check resuming after {@code start}, which the checkpoint stream must begin with (signed by
     * {@code publicKey}); otherwise the partition fails at {@code start.offset()}.
     */
    public PartitionCheck(int partition, PublicKey publicKey, Checkpoint start,
                          Iterator<SignedCheckpoint> checkpoints) {
        this.partition = partition;
        this.publicKey = publicKey;
        this.checkpoints = checkpoints;
        this.verifier = ChainVerifier.resumeAt(start);
        this.firstPosition = start.offset() + 1;
        this.position = start.offset();
        drain(false);
        if (lastCheckpointPosition != start.offset() && first == null) {
            problem(new VerificationReport.Break(start.offset(), -1, ChainBreak.Kind.CHECKPOINT_MISMATCH, "the "
                    + "chain resumes after position " + start.offset() + " with head " + start.headHash() + ", but no "
                    + "checkpoint signed for that position and head comes first: the starting point is not proven"));
        }
    }

    /** The next entry of the partition, found at {@code logOffset} (-1 when not read from a topic). */
    public void entry(long logOffset, ExchangeEntry entry) {
        long pos = verifier.entryCount();
        long before = verifier.breakCount();
        verifier.accept(pos, entry);
        position = pos;
        lastLogOffset = logOffset;
        noteVerifierBreak(before, logOffset);
        drain(false);
    }

    /** A record of the partition that is not an exchange-log entry (undecodable bytes, a tombstone). */
    public void unreadable(long logOffset, String why) {
        problem(new VerificationReport.Break(verifier.entryCount(), logOffset, ChainBreak.Kind.ALTERED,
                "the record at log offset " + logOffset + " is not an exchange-log entry: " + why));
    }

    /** Checks the checkpoints left over and returns the partition's result. */
    public VerificationReport.Partition finish() {
        drain(true);
        long uncovered = verifier.entryCount() - Math.max(lastCheckpointPosition + 1, firstPosition);
        return new VerificationReport.Partition(partition, verifier.entryCount() - firstPosition, checkpointCount,
                uncovered, verifier.head(), lastCheckpointPosition, problems, first, firstPosition);
    }

    private void drain(boolean end) {
        while (pending != null || checkpoints.hasNext()) {
            if (pending == null) {
                pending = checkpoints.next();
            }
            Checkpoint cp = pending.checkpoint();
            if (!end && cp.offset() > position) {
                return;
            }
            byte[] signature = pending.signature();
            pending = null;
            checkpointCount++;
            if (cp.offset() < position) {
                outOfOrder(cp, signature);
                continue;
            }
            long before = verifier.breakCount();
            if (verifier.checkpoint(cp, signature, publicKey).isEmpty()) {
                lastCheckpointPosition = cp.offset();
            }
            noteVerifierBreak(before, cp.offset() == position ? lastLogOffset : -1);
        }
    }

    private void outOfOrder(Checkpoint cp, byte[] signature) {
        if (!SigningKeys.verify(cp, signature, publicKey)) {
            problem(new VerificationReport.Break(cp.offset(), -1, ChainBreak.Kind.BAD_SIGNATURE, "checkpoint at "
                    + "position " + cp.offset() + " is not signed by the exchange log's published key"));
        } else {
            problem(new VerificationReport.Break(cp.offset(), -1, ChainBreak.Kind.CHECKPOINT_MISMATCH, "checkpoint"
                    + " at position " + cp.offset() + " comes after a checkpoint at a later position: checkpoints"
                    + " were reordered or replayed"));
        }
    }

    private void noteVerifierBreak(long before, long logOffset) {
        long now = verifier.breakCount();
        if (now > before) {
            problems += now - before - 1;
            ChainBreak b = verifier.firstBreak().orElseThrow();
            problem(new VerificationReport.Break(b.position(), logOffset, b.kind(), b.message()));
        }
    }

    private void problem(VerificationReport.Break b) {
        problems++;
        if (first == null) {
            first = b;
        }
    }
}
