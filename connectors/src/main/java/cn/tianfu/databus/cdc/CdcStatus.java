package cn.tianfu.databus.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A runner's progress at one moment.
 *
 * @param runner        the runner's name
 * @param state         where it is in its life
 * @param rowsCaptured  changes published since the runner started (snapshot rows included)
 * @param snapshotRows  of which rows read by a snapshot
 * @param perResource   changes published per resource code
 * @param lag           how far behind the database the last published change was (publish time − commit time)
 * @param lastPosition  source position of the last published change ({@code databus.source-position}); empty before the first
 * @param lastChange    when the last published change was committed in the database; empty before the first
 * @param error         why the runner stopped, when it failed
 * @param tables        each mapped table's stream, in mapping order
 */
public record CdcStatus(String runner, State state, long rowsCaptured, long snapshotRows, Map<String, Long> perResource,
                        Duration lag, Optional<String> lastPosition, Optional<Instant> lastChange, Optional<String> error,
                        List<TableStatus> tables) {

    public CdcStatus {
        perResource = Map.copyOf(perResource);
        tables = List.copyOf(tables);
    }

    /** The runner's life. */
    public enum State {
        /** Created, not started. */
        NEW,
        /** Checking the mapping, connecting, reading the initial snapshot. */
        STARTING,
        /** Streaming changes (a table of it may be stopped: see {@link CdcStatus#tables()}). */
        STREAMING,
        /** Stopped by {@link CdcRunner#close()}. */
        STOPPED,
        /** Stopped by an error that concerns every table (the database or the bus); see {@link CdcStatus#error()}. */
        FAILED
    }

    /** One table's stream. */
    public enum TableState {
        /** Its changes are published. */
        STREAMING,
        /**
         * Stopped by a change its mapping and the catalogued schema cannot absorb: that change and every later one of
         * the table go to the dead letters, until the runner is restarted with the catalog or the mapping fixed.
         */
        STOPPED,
        /**
         * Streaming again after a stop, the catalog or mapping fixed: the runner re-reads the table's rows (a blocking
         * snapshot) to publish what the dead-lettered changes had changed.
         */
        RECOVERING
    }

    /**
     * A table's stream.
     *
     * @param table       {@code schema.table} (PostgreSQL) or {@code database.table} (MySQL/MariaDB)
     * @param resource    the resource it feeds
     * @param state       published, stopped or recovering
     * @param stoppedAt   source position of the change that stopped it, while stopped or recovering
     * @param reason      why it stopped and what to do, while stopped or recovering
     * @param deadLetters its changes sent to the dead letters since the runner started
     */
    public record TableStatus(String table, String resource, TableState state, Optional<String> stoppedAt,
                              Optional<String> reason, long deadLetters) {

        /** {@code public.resident streaming}, {@code public.household STOPPED at pg:…: column …}. */
        public String line() {
            return switch (state) {
                case STREAMING -> table + " streaming";
                case STOPPED, RECOVERING -> table + " " + state + stoppedAt.map(p -> " at " + p).orElse("")
                        + " (" + deadLetters + " change(s) dead-lettered)" + reason.map(r -> ": " + r).orElse("");
            };
        }
    }

    /** The status of {@code table}, if the runner maps it. */
    public Optional<TableStatus> table(String table) {
        return tables.stream().filter(t -> t.table().equals(table)).findFirst();
    }

    /** One line for a console: state, rows, lag, last position, then each table's stream. */
    public String line() {
        return runner + " " + state + ": " + rowsCaptured + " row(s) captured (" + snapshotRows + " from the snapshot), lag "
                + lag.toMillis() + " ms, last position " + lastPosition.orElse("-")
                + error.map(e -> ", error: " + e).orElse("")
                + (tables.isEmpty() ? "" : "; " + tables.stream().map(TableStatus::line).collect(Collectors.joining("; ")));
    }
}
