package cn.tianfu.databus.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A runner's progress at one moment.
 *
 * @param runner        the runner's name
 * @param state         where it is in its life
 * @param rowsCaptured  changes published since the runner started (snapshot rows included)
 * @param snapshotRows  of which rows read by the initial snapshot
 * @param perResource   changes published per resource code
 * @param lag           how far behind the database the last published change was (publish time − commit time)
 * @param lastPosition  source position of the last published change ({@code databus.source-position}); empty before the first
 * @param lastChange    when the last published change was committed in the database; empty before the first
 * @param error         why the runner stopped, when it failed
 */
public record CdcStatus(String runner, State state, long rowsCaptured, long snapshotRows, Map<String, Long> perResource,
                        Duration lag, Optional<String> lastPosition, Optional<Instant> lastChange, Optional<String> error) {

    public CdcStatus {
        perResource = Map.copyOf(perResource);
    }

    /** The runner's life. */
    public enum State {
        /** Created, not started. */
        NEW,
        /** Checking the mapping, connecting, reading the initial snapshot. */
        STARTING,
        /** Streaming changes. */
        STREAMING,
        /** Stopped by {@link CdcRunner#close()}. */
        STOPPED,
        /** Stopped by an error; see {@link CdcStatus#error()}. */
        FAILED
    }

    /** One line for a console: state, rows, lag, last position. */
    public String line() {
        return runner + " " + state + ": " + rowsCaptured + " row(s) captured (" + snapshotRows + " from the snapshot), lag "
                + lag.toMillis() + " ms, last position " + lastPosition.orElse("-")
                + error.map(e -> ", error: " + e).orElse("");
    }
}
