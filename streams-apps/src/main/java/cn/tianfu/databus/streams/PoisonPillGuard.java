package cn.tianfu.databus.streams;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts, per task and input partition, how often processing resumed at the same offset after an attempt that did not
 * get past it: the stream thread died (e.g. the producer refused its output at commit), was replaced, and the task
 * read the same uncommitted record again. After {@link #maxFailures()} such attempts the record is a poison pill:
 * {@link GuardedProcessor} dead-letters and skips it. Attempts that failed on a transient error (broker or registry
 * unreachable) are not counted. One instance per app, shared by its tasks; thread-safe; in memory (a restarted JVM
 * counts again from zero).
 */
public final class PoisonPillGuard {

    /** Attempts after which a record the app keeps failing on is skipped. */
    public static final int DEFAULT_MAX_FAILURES = 3;

    private final int maxFailures;
    private final Map<Position, Attempt> attempts = new ConcurrentHashMap<>();

    /** Where a task reads: its id and one input partition. */
    public record Position(String taskId, String topic, int partition) {
    }

    private record Attempt(long offset, int failures, boolean transientFailure) {
    }

    public PoisonPillGuard() {
        this(DEFAULT_MAX_FAILURES);
    }

    public PoisonPillGuard(int maxFailures) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1, was " + maxFailures);
        }
        this.maxFailures = maxFailures;
    }

    public int maxFailures() {
        return maxFailures;
    }

    /**
     * A task (re)started reading {@code position} at {@code offset}: returns how many earlier attempts started at the
     * same offset and failed (not transiently) before getting past it.
     */
    public int resumed(Position position, long offset) {
        Attempt a = attempts.compute(position, (p, earlier) -> {
            if (earlier == null || earlier.offset() != offset) {
                return new Attempt(offset, 0, false);
            }
            return new Attempt(offset, earlier.transientFailure() ? earlier.failures() : earlier.failures() + 1, false);
        });
        return a.failures();
    }

    /** The current attempt at {@code position} failed on a transient error: the next resume does not count it. */
    public void failedTransiently(Position position) {
        attempts.computeIfPresent(position, (p, a) -> new Attempt(a.offset(), a.failures(), true));
    }

    /** The record at the resume offset of {@code position} was skipped: counting starts afresh. */
    public void skipped(Position position) {
        attempts.remove(position);
    }

    /** Whether an attempt at {@code offset} would be the one to skip. */
    public boolean isPoison(int failures) {
        return failures >= maxFailures;
    }
}
