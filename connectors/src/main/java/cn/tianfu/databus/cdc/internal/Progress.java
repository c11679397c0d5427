package cn.tianfu.databus.cdc.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import cn.tianfu.databus.cdc.CdcStatus;

/**
 * A runner's counters: rows captured (in all, by snapshots, per resource), the last change and the lag behind it.
 * Taken once per stored batch ({@link #stored}), not per row.
 */
public final class Progress {

    private final LongAdder rows = new LongAdder();
    private final LongAdder snapshotRows = new LongAdder();
    private final Map<String, LongAdder> perResource = new ConcurrentHashMap<>();
    private final AtomicLong lagMs = new AtomicLong();
    private final AtomicReference<Last> last = new AtomicReference<>();

    private record Last(String position, Instant change) {
    }

    /** Counts what {@code batch} published, the bus having stored all of it at {@code storedMillis} (epoch ms). */
    public void stored(Batch batch, long storedMillis) {
        for (Batch.Tally t : batch.tallies()) {
            if (t.published() > 0) {
                rows.add(t.published());
                perResource.computeIfAbsent(t.run().mapping().resource(), k -> new LongAdder()).add(t.published());
            }
            if (t.snapshotRows() > 0) {
                snapshotRows.add(t.snapshotRows());
            }
        }
        Batch.Tally lastPublished = batch.lastPublished();
        if (lastPublished != null) {
            last.set(new Last(lastPublished.lastPosition(), Instant.ofEpochMilli(lastPublished.lastSourceMillis())));
            lagMs.set(Math.max(0, storedMillis - lastPublished.lastSourceMillis()));
        }
    }

    /** The status of runner {@code runner} in {@code state} with these counters. */
    public CdcStatus status(String runner, CdcStatus.State state, Optional<String> error, List<CdcStatus.TableStatus> tables) {
        Map<String, Long> counts = new HashMap<>();
        perResource.forEach((k, v) -> counts.put(k, v.sum()));
        Last l = last.get();
        return new CdcStatus(runner, state, rows.sum(), snapshotRows.sum(), counts, Duration.ofMillis(lagMs.get()),
                Optional.ofNullable(l == null ? null : l.position()), Optional.ofNullable(l == null ? null : l.change()),
                error, tables);
    }
}
