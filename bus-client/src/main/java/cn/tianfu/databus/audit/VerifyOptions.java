package cn.tianfu.databus.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * What a verification expects beyond intact chains and checkpoints.
 *
 * <pre>{@code
 * VerifyOptions strict = VerifyOptions.CHAINS_ONLY
 *         .allowUncovered(false)                                 // every entry must be under a signed checkpoint
 *         .heartbeat(Duration.ofMinutes(1), Instant.now())        // and the newest one at most 2 heartbeats old
 *         .against(AuditCheckpoints.read(Path.of("kept.avro")));  // and the auditor's copy must still be in the log
 * VerificationReport report = reader.verify(strict);
 * }</pre>
 *
 * @param allowUncovered whether entries after the last signed checkpoint are accepted (a live tail) instead of being
 *                       an {@link cn.tianfu.databus.ledger.ChainBreak.Kind#UNCOVERED} failure
 * @param heartbeat      the ledger's heartbeat: every partition's newest signed checkpoint must be younger than
 *                       {@code now - 2 * heartbeat}, else {@link cn.tianfu.databus.ledger.ChainBreak.Kind#STALE};
 *                       {@code null} for no such check
 * @param now            the time the check is made at; required with {@code heartbeat}
 * @param against        signed checkpoints the auditor kept off the bus ({@link AuditCheckpoints}); each must match
 *                       the chain recomputed from the log, so entries cut from the end of the log and of its
 *                       checkpoints are found
 */
public record VerifyOptions(boolean allowUncovered, Duration heartbeat, Instant now,
                            List<SignedCheckpoint> against) {

    /** Chains and checkpoints only: uncovered entries are counted, not failed; no heartbeat; no kept copy. */
    public static final VerifyOptions CHAINS_ONLY = new VerifyOptions(true, null, null, List.of());

    public VerifyOptions {
        against = List.copyOf(Objects.requireNonNull(against, "against"));
        if (heartbeat != null) {
            Objects.requireNonNull(now, "now is required with a heartbeat");
            if (heartbeat.isNegative() || heartbeat.isZero()) {
                throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
            }
        }
    }

    /** These options, accepting or failing uncovered entries. */
    public VerifyOptions allowUncovered(boolean allow) {
        return new VerifyOptions(allow, heartbeat, now, against);
    }

    /** These options, expecting a signed checkpoint per partition younger than {@code now - 2 * heartbeat}. */
    public VerifyOptions heartbeat(Duration heartbeat, Instant now) {
        return new VerifyOptions(allowUncovered, Objects.requireNonNull(heartbeat, "heartbeat"),
                Objects.requireNonNull(now, "now"), against);
    }

    /** These options, checking the log against checkpoints the auditor kept. */
    public VerifyOptions against(Collection<SignedCheckpoint> kept) {
        return new VerifyOptions(allowUncovered, heartbeat, now, List.copyOf(kept));
    }

    /** The oldest time a partition's newest checkpoint may have, or {@code Long.MIN_VALUE} without a heartbeat. */
    public long freshSinceMillis() {
        return heartbeat == null ? Long.MIN_VALUE : now.toEpochMilli() - 2 * heartbeat.toMillis();
    }
}
