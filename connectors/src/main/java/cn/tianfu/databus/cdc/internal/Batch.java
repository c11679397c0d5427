package cn.tianfu.databus.cdc.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import cn.tianfu.databus.deadletter.DeadLetterReason;

/**
 * What one batch of the engine sent and how it went, per table: the sends the batch waits for before its offsets are
 * recorded, the rows re-read by a recovering table's re-snapshot, and the counts and commit times that {@link Progress}
 * and {@link RunnerMetrics} take once the bus has stored the batch. Kept per batch so that the counters shared with
 * the status and the metrics are touched once per batch and table, not once per row. Used by the engine's thread only.
 */
public final class Batch {

    private final List<CompletableFuture<?>> sends;
    private final Map<TableRun, Long> reread = new HashMap<>();
    private final Map<TableRun, Tally> tallies = new IdentityHashMap<>();
    private Tally last;
    private Tally lastPublished;

    public Batch(int size) {
        this.sends = new ArrayList<>(size);
    }

    /** Adds a send the batch waits for. */
    public void send(CompletableFuture<?> send) {
        sends.add(send);
    }

    public List<CompletableFuture<?>> sends() {
        return sends;
    }

    /** Per recovering table, the rows its re-snapshot read in this batch. */
    public Map<TableRun, Long> reread() {
        return reread;
    }

    public void reread(TableRun run) {
        reread.merge(run, 1L, Long::sum);
    }

    /** The tallies of the tables this batch concerned. */
    public Iterable<Tally> tallies() {
        return tallies.values();
    }

    /** The tally of {@code run}'s table in this batch. */
    public Tally of(TableRun run) {
        Tally t = last;
        if (t != null && t.run == run) {
            return t;
        }
        t = tallies.computeIfAbsent(run, Tally::new);
        last = t;
        return t;
    }

    /** A change of {@code run}'s table published at {@code position}, committed at {@code sourceMillis}. */
    public void published(TableRun run, String position, long sourceMillis, boolean snapshotRead) {
        Tally t = of(run);
        t.published(position, sourceMillis, snapshotRead);
        lastPublished = t;
    }

    /** The tally of the table whose change was published last in this batch; null when none was. */
    public Tally lastPublished() {
        return lastPublished;
    }

    /** One table's share of a batch. */
    public static final class Tally {

        private final TableRun run;
        private long captured;
        private long snapshotRows;
        private long processingErrors;
        private long incompatible;
        /** Commit times (epoch ms) of the changes published, {@code published} of them. */
        private long[] sourceMillis = new long[16];
        private int published;
        private String lastPosition;
        private long lastSourceMillis;

        Tally(TableRun run) {
            this.run = run;
        }

        public TableRun run() {
            return run;
        }

        /** A change of the table handed to the runner. */
        void countCaptured() {
            captured++;
        }

        /** A change published (on the source topic) at {@code position}, committed at {@code sourceMillis}. */
        void published(String position, long sourceMillis, boolean snapshotRead) {
            if (published == this.sourceMillis.length) {
                this.sourceMillis = Arrays.copyOf(this.sourceMillis, published * 2);
            }
            this.sourceMillis[published++] = sourceMillis;
            lastPosition = position;
            lastSourceMillis = sourceMillis;
            if (snapshotRead) {
                snapshotRows++;
            }
        }

        /** A change sent to the dead letters for {@code reason}. */
        void deadLettered(DeadLetterReason reason) {
            if (reason == DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE) {
                incompatible++;
            } else {
                processingErrors++;
            }
        }

        public long captured() {
            return captured;
        }

        public int published() {
            return published;
        }

        public long snapshotRows() {
            return snapshotRows;
        }

        /** Dead letters sent for a value that could not be converted ({@code PROCESSING_ERROR}). */
        public long processingErrors() {
            return processingErrors;
        }

        /** Dead letters sent because the table is stopped ({@code INCOMPATIBLE_SCHEMA_CHANGE}). */
        public long incompatible() {
            return incompatible;
        }

        /** The commit time (epoch ms) of the {@code i}-th change published, {@code i < published()}. */
        public long sourceMillis(int i) {
            return sourceMillis[i];
        }

        /** Position of the last change published; null when none was. */
        public String lastPosition() {
            return lastPosition;
        }

        public long lastSourceMillis() {
            return lastSourceMillis;
        }
    }
}
