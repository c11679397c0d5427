package cn.tianfu.databus.cdc.internal;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcStatus;

/**
 * One mapped table's stream, a small state machine: {@code STREAMING} → {@code STOPPED} (at a change its columns can
 * no longer map, with why and where) → after a restart that fits, {@code RECOVERING} (its rows re-read) →
 * {@code STREAMING} once every row the re-snapshot read is published.
 */
public final class TableRun {

    private final TableMapping mapping;
    private final LongAdder deadLetters = new LongAdder();
    private CdcStatus.TableState state = CdcStatus.TableState.STREAMING;
    private TableStops.Stop stop;
    /** Rows the re-snapshot read of the table, as Debezium counted them; -1 until it has ended. */
    private long expected = -1;
    private long reread;

    public TableRun(TableMapping mapping) {
        this.mapping = mapping;
    }

    public TableMapping mapping() {
        return mapping;
    }

    /** Counts a change of the table sent to the dead letters. */
    public void deadLettered() {
        deadLetters.increment();
    }

    /** The state the last run left, as restored at start. */
    public synchronized void restore(TableStops.Stop stop, CdcStatus.TableState state) {
        this.stop = stop;
        this.state = state;
    }

    public synchronized void stop(TableStops.Stop stop) {
        this.stop = stop;
        this.state = CdcStatus.TableState.STOPPED;
    }

    /** The stop, while the table is stopped; null while it streams or recovers. */
    public synchronized TableStops.Stop stopped() {
        return state == CdcStatus.TableState.STOPPED ? stop : null;
    }

    /** The stop the table recovers from; null unless it is recovering. */
    public synchronized TableStops.Stop recoveringFrom() {
        return state == CdcStatus.TableState.RECOVERING ? stop : null;
    }

    public synchronized boolean recovering() {
        return state == CdcStatus.TableState.RECOVERING;
    }

    /** Counts {@code n} rows of the table that its re-snapshot read and that are published. */
    public synchronized void reread(long n) {
        reread += n;
    }

    /** The number of rows the re-snapshot read, once it has ended. */
    public synchronized void expect(long rows) {
        expected = rows;
    }

    /** Whether the table recovers and every row its ended re-snapshot read is published. */
    public synchronized boolean recovered() {
        return state == CdcStatus.TableState.RECOVERING && expected >= 0 && reread >= expected;
    }

    public synchronized void streaming() {
        state = CdcStatus.TableState.STREAMING;
        stop = null;
    }

    public synchronized CdcStatus.TableStatus status() {
        return new CdcStatus.TableStatus(mapping.table(), mapping.resource(), state,
                Optional.ofNullable(stop).map(TableStops.Stop::position), Optional.ofNullable(stop).map(TableStops.Stop::reason),
                deadLetters.sum());
    }
}
