package cn.tianfu.databus.audit;

import cn.tianfu.databus.ledger.ChainBreak;
import java.util.List;

/**
 * The outcome of replaying the exchange log (or an archive of it): per partition, how many entries and checkpoints
 * were checked, or where the first problem is and why.
 *
 * <p>Positions are chain positions: the n-th entry of a partition, counted from 0 in log order, as read with
 * {@code isolation.level=read_committed}. A checkpoint's {@code offset} is the chain position of the last entry it
 * covers (see the ledger's DESIGN.md). Where the report comes from a live topic the log offset is given too.
 *
 * @param partitions           one result per exchange-log partition, in partition order
 * @param strayCheckpoints     checkpoints naming a partition the log does not have (forged or misrouted)
 */
public record VerificationReport(List<Partition> partitions, long strayCheckpoints) {

    public VerificationReport {
        partitions = List.copyOf(partitions);
    }

    /** Whether every partition verified without a problem and no checkpoint was stray. */
    public boolean intact() {
        return strayCheckpoints == 0 && partitions.stream().allMatch(Partition::intact);
    }

    /** Entries checked over all partitions. */
    public long entries() {
        return partitions.stream().mapToLong(Partition::entries).sum();
    }

    /** Checkpoints checked over all partitions. */
    public long checkpoints() {
        return partitions.stream().mapToLong(Partition::checkpoints).sum();
    }

    /** Entries after the last verified checkpoint of their partition: linked, but not yet covered by a signature. */
    public long uncoveredEntries() {
        return partitions.stream().mapToLong(Partition::uncoveredEntries).sum();
    }

    /** A human-readable report, one line for the whole log and one per partition. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (intact()) {
            sb.append("OK: exchange log intact: ").append(partitions.size()).append(" partitions, ")
                    .append(entries()).append(" entries, ").append(checkpoints()).append(" signed checkpoints verified");
        } else {
            sb.append("BROKEN: the exchange log does not verify");
        }
        sb.append('\n');
        for (Partition p : partitions) {
            sb.append("  partition ").append(p.partition()).append(": ").append(p.entries()).append(" entries, ");
            if (p.firstPosition() > 0) {
                sb.append("positions ").append(p.firstPosition()).append(" to ")
                        .append(p.firstPosition() + p.entries() - 1).append(" (resumed at the signed checkpoint at ")
                        .append(p.firstPosition() - 1).append("), ");
            }
            sb.append(p.checkpoints()).append(" checkpoints, head ").append(p.headHash());
            if (p.newestCheckpointMillis() != Long.MIN_VALUE) {
                sb.append(", newest checkpoint ").append(java.time.Instant.ofEpochMilli(p.newestCheckpointMillis()));
            }
            if (p.keptCheckpoints() > 0) {
                sb.append(", ").append(p.keptCheckpoints()).append(" kept checkpoints compared");
            }
            if (p.uncoveredEntries() > 0) {
                sb.append(", ").append(p.uncoveredEntries())
                        .append(" entries after the last checkpoint (linked, not yet covered by a signature)");
            }
            sb.append('\n');
            if (p.firstBreak() != null) {
                Break b = p.firstBreak();
                sb.append("    first break at position ").append(b.position());
                if (b.logOffset() >= 0) {
                    sb.append(" (log offset ").append(b.logOffset()).append(')');
                }
                sb.append(": ").append(b.kind()).append(": ").append(b.message());
                if (p.problems() > 1) {
                    sb.append(" (").append(p.problems()).append(" problems in this partition)");
                }
                sb.append('\n');
            }
        }
        if (strayCheckpoints > 0) {
            sb.append("  ").append(strayCheckpoints).append(" checkpoints name a partition the log does not have\n");
        }
        return sb.toString();
    }

    /**
     * One partition's result.
     *
     * @param partition                  the exchange-log partition
     * @param entries                    entries read (from {@code firstPosition})
     * @param checkpoints                checkpoints checked
     * @param uncoveredEntries           entries after the last verified checkpoint
     * @param headHash                   head of the chain recomputed from the entries' content
     * @param lastCheckpointPosition     chain position covered by the last verified checkpoint, -1 if none
     * @param problems                   how many problems were found
     * @param firstBreak                 the first problem, {@code null} when intact
     * @param firstPosition              chain position of the first entry read: 0 from the partition's first entry,
     *                                   else one past the signed checkpoint the chain was resumed at (an archive of
     *                                   a slice of the log)
     * @param newestCheckpointMillis     time of the newest checkpoint that verified (from the log or the auditor's
     *                                   copy), {@code Long.MIN_VALUE} if none
     * @param keptCheckpoints            checkpoints of the auditor's copy compared with this partition
     */
    public record Partition(int partition, long entries, long checkpoints, long uncoveredEntries, String headHash,
                            long lastCheckpointPosition, long problems, Break firstBreak, long firstPosition,
                            long newestCheckpointMillis, long keptCheckpoints) {

        /** Whether the partition verified without a problem. */
        public boolean intact() {
            return firstBreak == null;
        }
    }

    /**
     * Where and why a partition fails.
     *
     * @param position  chain position of the entry, or the position a checkpoint names
     * @param logOffset log offset of the entry where the problem showed, -1 when not read from a topic
     * @param kind      what is wrong
     * @param message   a sentence for the audit report
     */
    public record Break(long position, long logOffset, ChainBreak.Kind kind, String message) {
    }
}
