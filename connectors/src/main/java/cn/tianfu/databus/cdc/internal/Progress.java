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

/** A runner's counters: rows captured (in all, by snapshots, per resource), the last change and the lag behind it. */
public final class Progress {

    private final LongAdder rows = new LongAdder();
    private final LongAdder snapshotRows = new LongAdder();
    private final Map<String, LongAdder> perResource = new ConcurrentHashMap<>();
    private final AtomicLong lagMs = new AtomicLong();
    private final AtomicReference<String> lastPosition = new AtomicReference<>();
    private final AtomicReference<Instant> lastChange = new AtomicReference<>();

    /** Counts a row a snapshot read and published. */
    public void snapshotRow() {
        snapshotRows.increment();
    }

    /** Counts a change of {@code resource} published, at {@code position}, made at the source at {@code sourceTime}. */
    public void published(String resource, String position, Instant sourceTime) {
        rows.increment();
        perResource.computeIfAbsent(resource, k -> new LongAdder()).increment();
        lastPosition.set(position);
        lastChange.set(sourceTime);
        lagMs.set(Math.max(0, System.currentTimeMillis() - sourceTime.toEpochMilli()));
    }

    /** The status of runner {@code runner} in {@code state} with these counters. */
    public CdcStatus status(String runner, CdcStatus.State state, Optional<String> error, List<CdcStatus.TableStatus> tables) {
        Map<String, Long> counts = new HashMap<>();
        perResource.forEach((k, v) -> counts.put(k, v.sum()));
        return new CdcStatus(runner, state, rows.sum(), snapshotRows.sum(), counts, Duration.ofMillis(lagMs.get()),
                Optional.ofNullable(lastPosition.get()), Optional.ofNullable(lastChange.get()), error, tables);
    }
}
