package cn.tianfu.databus.audit.internal;

import cn.tianfu.databus.audit.SignedCheckpoint;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.ledger.ChainBreak;
import cn.tianfu.databus.ledger.ChainVerifier;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.SigningKeys;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Verifies one partition from two streams in order: its entries (in log order) and its checkpoints (in the order
 * they were written). Each checkpoint is checked right after the entry at its position; checkpoints left over at
 * the end name entries that are not in the log. Memory is constant: one pending checkpoint at a time.
 *
 * <p>Checkpoints the auditor kept off the bus ({@link VerifyOptions#against()}) are merged into the stream by position:
 * each must sign the head and count recomputed at its position, so a log cut back together with its checkpoints is
 * found. At the end, uncovered entries and a stale newest checkpoint fail as the options say.
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
    private final VerifyOptions options;
    private final Deque<SignedCheckpoint> kept;
    private SignedCheckpoint pending;
    private SignedCheckpoint pendingFromLog;
    private boolean pendingKept;
    private long keptChecked;
    private long newestCheckpointMillis = Long.MIN_VALUE;
    private long position = -1;
    private long lastLogOffset = -1;
    private long checkpointCount;
    private long lastCheckpointPosition = -1;
    private long problems;
    private VerificationReport.Break first;

    /** A check of a partition read from its first entry. */
    public PartitionCheck(int partition, PublicKey publicKey, Iterator<SignedCheckpoint> checkpoints,
                          VerifyOptions options) {
        this.partition = partition;
        this.publicKey = publicKey;
        this.checkpoints = checkpoints;
        this.verifier = ChainVerifier.fromGenesis();
        this.firstPosition = 0;
        this.options = options;
        this.kept = kept(options, partition);
    }

    /**
     * A check resuming after {@code start}, which the checkpoint stream must begin with (signed by
     * {@code publicKey}); otherwise the partition fails at {@code start.offset()}.
     */
    public PartitionCheck(int partition, PublicKey publicKey, Checkpoint start,
                          Iterator<SignedCheckpoint> checkpoints, VerifyOptions options) {
        this.partition = partition;
        this.publicKey = publicKey;
        this.checkpoints = checkpoints;
        this.verifier = ChainVerifier.resumeAt(start);
        this.firstPosition = start.offset() + 1;
        this.position = start.offset();
        this.options = options;
        // a kept checkpoint before the slice cannot be compared with it: the slice's chain starts later
        this.kept = kept(options, partition);
        this.kept.removeIf(cp -> cp.checkpoint().offset() < start.offset());
        drain(false);
        if (lastCheckpointPosition != start.offset() && first == null) {
            problem(new VerificationReport.Break(start.offset(), -1, ChainBreak.Kind.CHECKPOINT_MISMATCH, "the "
                    + "chain resumes after position " + start.offset() + " with head " + start.headHash() + ", but no "
                    + "checkpoint signed for that position and head comes first: the starting point is not proven"));
        }
    }

    /** The next entry of the partition, found at {@code logOffset} (-1 when not read from a topic). */
    public void entry(long logOffset, ExchangeEntry entry) {
        // checkpoints at the current position first (a heartbeat of a partition that had no entry yet)
        drain(false);
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

    /** Checks the checkpoints left over and what the options expect, and returns the partition's result. */
    public VerificationReport.Partition finish() {
        drain(true);
        long uncoveredFrom = Math.max(lastCheckpointPosition + 1, firstPosition);
        long uncovered = verifier.entryCount() - uncoveredFrom;
        if (uncovered > 0 && !options.allowUncovered()) {
            problem(new VerificationReport.Break(uncoveredFrom, -1, ChainBreak.Kind.UNCOVERED, uncovered
                    + " entries from position " + uncoveredFrom + " on are not covered by a signed checkpoint: the "
                    + "ledger signs every entry within its heartbeat, so this is a forged tail unless the entries are "
                    + "younger than that (pass --allow-uncovered to accept a live tail)"));
        }
        if (options.heartbeat() != null && newestCheckpointMillis < options.freshSinceMillis()) {
            String newest = newestCheckpointMillis == Long.MIN_VALUE ? "there is no signed checkpoint"
                    : "the newest signed checkpoint is from " + Instant.ofEpochMilli(newestCheckpointMillis);
            problem(new VerificationReport.Break(verifier.entryCount() - 1, -1, ChainBreak.Kind.STALE, newest
                    + ", but the ledger signs every partition at least every " + options.heartbeat() + " and none is "
                    + "younger than " + Instant.ofEpochMilli(options.freshSinceMillis()) + " (two heartbeats before "
                    + options.now() + "): the end of the log and of its checkpoints was cut, or the ledger is not "
                    + "running"));
        }
        return new VerificationReport.Partition(partition, verifier.entryCount() - firstPosition, checkpointCount,
                uncovered, verifier.head(), lastCheckpointPosition, problems, first, firstPosition,
                newestCheckpointMillis, keptChecked);
    }

    /** The kept checkpoints of one partition, in chain order (by position, then time). */
    private static Deque<SignedCheckpoint> kept(VerifyOptions options, int partition) {
        List<SignedCheckpoint> mine = new ArrayList<>();
        for (SignedCheckpoint cp : options.against()) {
            if (cp.checkpoint().partition() == partition) {
                mine.add(cp);
            }
        }
        mine.sort(Comparator.comparingLong((SignedCheckpoint cp) -> cp.checkpoint().offset())
                .thenComparingLong(cp -> cp.checkpoint().timeMillis()));
        return new ArrayDeque<>(mine);
    }

    /** The next checkpoint in position order from the log's stream and the kept copy; false when both are done. */
    private boolean nextPending() {
        if (pending != null) {
            return true;
        }
        if (pendingFromLog == null && checkpoints.hasNext()) {
            pendingFromLog = checkpoints.next();
        }
        SignedCheckpoint k = kept.peekFirst();
        if (k != null && (pendingFromLog == null || k.checkpoint().offset() < pendingFromLog.checkpoint().offset())) {
            pending = kept.pollFirst();
            pendingKept = true;
        } else if (pendingFromLog != null) {
            pending = pendingFromLog;
            pendingFromLog = null;
            pendingKept = false;
        }
        return pending != null;
    }

    private void drain(boolean end) {
        while (nextPending()) {
            Checkpoint cp = pending.checkpoint();
            if (!end && cp.offset() > position) {
                return;
            }
            byte[] signature = pending.signature();
            boolean fromCopy = pendingKept;
            pending = null;
            if (fromCopy) {
                keptChecked++;
                kept(cp, signature);
                continue;
            }
            checkpointCount++;
            if (cp.offset() < position) {
                outOfOrder(cp, signature);
                continue;
            }
            long before = verifier.breakCount();
            if (verifier.checkpoint(cp, signature, publicKey).isEmpty()) {
                lastCheckpointPosition = cp.offset();
                newestCheckpointMillis = Math.max(newestCheckpointMillis, cp.timeMillis());
            }
            noteVerifierBreak(before, cp.offset() == position ? lastLogOffset : -1);
        }
    }

    /** A checkpoint of the auditor's copy, met in position order: it must sign what the log holds at its position. */
    private void kept(Checkpoint cp, byte[] signature) {
        if (!SigningKeys.verify(cp, signature, publicKey)) {
            problem(new VerificationReport.Break(cp.offset(), -1, ChainBreak.Kind.BAD_SIGNATURE, "the checkpoint "
                    + "kept for position " + cp.offset() + " is not signed by the exchange log's published key"));
        } else if (cp.offset() > position) {
            problem(new VerificationReport.Break(cp.offset(), -1, ChainBreak.Kind.CHECKPOINT_MISMATCH, "the "
                    + "auditor's copy holds a checkpoint signed at " + Instant.ofEpochMilli(cp.timeMillis())
                    + " for position " + cp.offset() + " (" + cp.entryCount() + " entries), but the log ends at "
                    + "position " + position + ": entries were cut from the end of the log"));
        } else if (cp.offset() < position || !cp.headHash().equals(verifier.head())
                || cp.entryCount() != verifier.entryCount()) {
            // position < current: the head at cp.offset() was passed; only a kept checkpoint at the current
            // position can be compared (the kept ones are merged in order, so that is where each is met)
            problem(new VerificationReport.Break(cp.offset(), -1, ChainBreak.Kind.CHECKPOINT_MISMATCH, "the "
                    + "auditor's copy holds a checkpoint for position " + cp.offset() + " with head " + cp.headHash()
                    + " and " + cp.entryCount() + " entries, but the log recomputes to " + verifier.head() + " and "
                    + verifier.entryCount() + " entries there: entries up to it were altered, removed or forged"));
        } else {
            newestCheckpointMillis = Math.max(newestCheckpointMillis, cp.timeMillis());
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
