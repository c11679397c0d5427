package cn.tianfu.databus.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether one streams app is healthy, from its state and the recent failures of its stream threads: an app in a
 * failure loop (its threads die, are replaced, die again on the same record) is never UP, even while its state says
 * RUNNING or REBALANCING between two failures. Thread-safe.
 *
 * <ul>
 *   <li>DOWN when the state is ERROR, PENDING_ERROR, PENDING_SHUTDOWN or NOT_RUNNING;</li>
 *   <li>DOWN when {@link #REPEATED} or more threads failed within the last {@code window};</li>
 *   <li>DOWN when REBALANCING with a thread failure within the window (a rebalance that follows errors);</li>
 *   <li>otherwise UP — REBALANCING alone (a member joined or left) is UP.</li>
 * </ul>
 */
final class StreamsHealth {

    /** Thread failures within the window that make an app DOWN whatever its state. */
    static final int REPEATED = 2;
    /** How far back failures count, by default. */
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);

    private final InstantSource clock;
    private final Duration window;
    private final Deque<Instant> failures = new ArrayDeque<>();
    private String lastError;

    /** The verdict: UP or not, and why not. */
    record Verdict(boolean up, String reason, int recentFailures) {
    }

    StreamsHealth(InstantSource clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /** A stream thread failed with {@code error} (it is being replaced). */
    synchronized void threadFailed(Throwable error) {
        failures.addLast(clock.instant());
        lastError = String.valueOf(error);
        while (failures.size() > 100) {
            failures.removeFirst();
        }
    }

    synchronized String lastError() {
        return lastError;
    }

    synchronized Verdict verdict(KafkaStreams.State state) {
        Instant since = clock.instant().minus(window);
        while (!failures.isEmpty() && failures.peekFirst().isBefore(since)) {
            failures.removeFirst();
        }
        int recent = failures.size();
        String last = lastError == null ? "" : "; last error: " + lastError;
        return switch (state) {
            case ERROR, PENDING_ERROR, PENDING_SHUTDOWN, NOT_RUNNING ->
                    new Verdict(false, "the app is " + state + last, recent);
            default -> {
                if (recent >= REPEATED) {
                    yield new Verdict(false, recent + " stream thread failures in the last " + window.toSeconds()
                            + " s (each replaced and failing again)" + last, recent);
                }
                if (state == KafkaStreams.State.REBALANCING && recent > 0) {
                    yield new Verdict(false, "rebalancing after a stream thread failure in the last "
                            + window.toSeconds() + " s" + last, recent);
                }
                if (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) {
                    yield new Verdict(true, null, recent);
                }
                yield new Verdict(false, "the app is " + state, recent);
            }
        };
    }
}
