package cn.tianfu.databus.cdc.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcStatus;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.contract.Topics;
import io.debezium.engine.DebeziumEngine;

/**
 * The per-table state machine of a runner ({@link TableRun} for one table): each table's state restored at start from
 * the stops recorded in the runner's offsets topic, a table stopped at the change it cannot map, its later changes
 * held back in the dead letters, and a table that fits again re-read with a blocking snapshot until it is recovered.
 * A stop is recorded in the offsets topic and acknowledged with its batch, before the offsets pass the change.
 */
public final class TableRuns implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableRuns.class);

    private final CdcMapping mapping;
    private final String offsetsTopic;
    private final Map<String, TableRun> tables = new LinkedHashMap<>();
    private final AtomicBoolean resnapshotRequested = new AtomicBoolean();
    private volatile Sender sender;
    private volatile RunnerDeadLetters deadLetters;
    private volatile ScheduledExecutorService recovery;
    private volatile AutoCloseable snapshotListener;

    public TableRuns(CdcMapping mapping) {
        this.mapping = mapping;
        this.offsetsTopic = Topics.cdcOffsets(mapping.department(), mapping.runner());
        for (TableMapping t : mapping.tables()) {
            tables.put(t.table(), new TableRun(t));
        }
    }

    /** The run of a mapped table; null for a table the mapping does not name. */
    public TableRun get(String table) {
        return tables.get(table);
    }

    /** Every mapped table's run, in mapping order. */
    public List<TableRun> all() {
        return List.copyOf(tables.values());
    }

    public List<CdcStatus.TableStatus> status() {
        return tables.values().stream().map(TableRun::status).toList();
    }

    /** Each table's stream as the last run left it ({@code ledger}), and as its columns fit the mapping and catalog now. */
    public void restore(Map<String, List<Problem>> unfit, TableStops.Ledger ledger) {
        for (TableRun run : tables.values()) {
            String table = run.mapping().table();
            TableStops.Stop stop = ledger.stops().get(table);
            List<Problem> problems = unfit.getOrDefault(table, List.of());
            String now = problems.stream().map(Problem::message).reduce((a, b) -> a + "; " + b).orElse("");
            if (stop != null && !problems.isEmpty()) {
                run.restore(stop, CdcStatus.TableState.STOPPED);
                LOG.error("Table {} of runner {} stays STOPPED (stopped at {}: {}). Its columns still do not fit: {}. Its"
                        + " changes go to {}, the other tables stream; fix the catalogued schema or the mapping and"
                        + " restart the runner", table, mapping.runner(), stop.position(), stop.reason(), now,
                        Topics.cdcDeadLetters(mapping.department(), mapping.runner()));
            } else if (stop != null) {
                run.restore(stop, CdcStatus.TableState.RECOVERING);
                LOG.info("Table {} of runner {} was stopped at {} ({}); it fits the catalog and mapping now: it streams"
                        + " again, and the runner re-reads its rows (a blocking snapshot) to publish what was"
                        + " dead-lettered meanwhile", table, mapping.runner(), stop.position(), stop.reason());
            } else if (!problems.isEmpty()) {
                LOG.warn("The columns of {} no longer fit runner {}'s mapping: {}. Its changes are published up to the"
                        + " first one that does not fit, which stops the table", table, mapping.runner(), now);
            }
        }
    }

    /** Where stops and held-back changes are sent, once the runner has its producer. */
    public void open(Sender sender, RunnerDeadLetters deadLetters) {
        this.sender = sender;
        this.deadLetters = deadLetters;
    }

    /**
     * Stops {@code run}'s table at this change: records the stop in the offsets topic (acknowledged with the batch,
     * before the offsets pass this change) and sends the change to the dead letters; both are added to {@code sends}.
     */
    public void stop(TableRun run, SourceRecord record, String op, String position, String reason,
                     List<CompletableFuture<?>> sends) {
        TableMapping t = run.mapping();
        TableStops.Stop stop = new TableStops.Stop(t.table(), position, reason, Instant.now());
        synchronized (run) {
            run.stop(stop);
            sends.add(sender.send(TableStops.stopped(offsetsTopic, mapping.runner(), stop)));
        }
        LOG.error("Table {} of runner {} STOPPED at {}: {}. This change and every later one of {} go to {}, not to {};"
                        + " the runner's other tables stream on. Fix the catalogued schema or the mapping, then restart the"
                        + " runner: it streams the table again and re-reads its rows", t.table(), mapping.runner(), position,
                reason, t.table(), deadLetters.topic(), Topics.source(mapping.department(), t.resource()));
        sends.add(deadLetters.send(run, record, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE, heldBack(run, stop, op, true)));
    }

    /** Sends a later change of {@code run}'s table, stopped at {@code stop}, to the dead letters with it. */
    public CompletableFuture<?> holdBack(TableRun run, TableStops.Stop stop, SourceRecord record, String op) {
        return deadLetters.send(run, record, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE, heldBack(run, stop, op, false));
    }

    /** The dead letter's message for a change of a stopped table: which table, why, and what to do. */
    private String heldBack(TableRun run, TableStops.Stop stop, String op, boolean first) {
        String table = run.mapping().table();
        String head = first
                ? "runner " + mapping.runner() + " stopped table " + table + " at this change (position " + stop.position()
                        + "): " + stop.reason() + "."
                : "table " + table + " of runner " + mapping.runner() + " is stopped since position " + stop.position()
                        + " (" + stop.reason() + "); this later change is held back with it, so that the table's"
                        + " history is not published out of order.";
        return head + " The table's changes go to the dead letters, not to "
                + Topics.source(mapping.department(), run.mapping().resource()) + ", until the runner is restarted with the"
                + " catalogued schema or the mapping fixed; it then streams the table again and re-reads its rows (a"
                + " blocking snapshot), which publishes every row's current state"
                + ("d".equals(op) ? ". A re-read does not bring back a delete: once the table streams again, delete"
                        + " this row's key through the SDK (Publisher.delete)" : "");
    }

    // ---- recovery ----

    /**
     * When a table recovers, asks {@code engine} for its re-snapshot, from a thread of its own, as soon as
     * {@code streaming} says the engine streams.
     */
    public void startRecovery(DebeziumEngine<?> engine, BooleanSupplier streaming) {
        if (tables.values().stream().noneMatch(TableRun::recovering)) {
            return;
        }
        recovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cdc-" + mapping.runner() + "-recovery");
            thread.setDaemon(true);
            return thread;
        });
        recovery.scheduleWithFixedDelay(() -> requestResnapshot(engine, streaming), 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Every recovering table's re-snapshot, asked once the engine streams; runs on the recovery thread until it is asked. */
    private void requestResnapshot(DebeziumEngine<?> engine, BooleanSupplier streaming) {
        if (resnapshotRequested.get() || !streaming.getAsBoolean()) {
            return;
        }
        List<String> recovering = tables.values().stream().filter(TableRun::recovering).map(r -> r.mapping().table()).toList();
        if (recovering.isEmpty()) {
            resnapshotRequested.set(true);
            recovery.shutdown();
            return;
        }
        if (snapshotListener == null) {
            snapshotListener = Resnapshot.onEnd(mapping.runner(), this::resnapshotEnded);
            if (snapshotListener == null) {
                return;   // the engine's notification MBean is not registered yet
            }
        }
        try {
            Resnapshot.request(engine, recovering);
        } catch (RuntimeException e) {
            LOG.debug("The engine of {} does not take signals yet: {}", mapping.runner(), e.toString());
            return;
        }
        resnapshotRequested.set(true);
        recovery.shutdown();
        LOG.info("Runner {} re-reads {} (a blocking snapshot: streaming pauses meanwhile)", mapping.runner(), recovering);
    }

    /** Called by Debezium's notification when a snapshot ends; only the one the runner asked for counts. */
    private void resnapshotEnded(Resnapshot.End end, Map<String, Long> rowsRead) {
        if (!resnapshotRequested.get()) {
            return;
        }
        if (end == Resnapshot.End.ABORTED) {
            LOG.warn("The re-snapshot of runner {} was aborted; the tables stay RECOVERING and are re-read at the next start",
                    mapping.runner());
            return;
        }
        for (TableRun run : tables.values()) {
            if (run.recovering()) {
                String table = run.mapping().table();
                long read = rowsRead.entrySet().stream()
                        .filter(e -> e.getKey().equals(table) || e.getKey().endsWith("." + table))
                        .mapToLong(Map.Entry::getValue).sum();
                run.expect(read);
            }
        }
        completeRecoveries();
    }

    /** Counts, per recovering table, the re-read rows a batch published; completes the recoveries that are done. */
    public void reread(Map<TableRun, Long> published) {
        if (!published.isEmpty()) {
            published.forEach(TableRun::reread);
            completeRecoveries();
        }
    }

    /**
     * A recovering table whose re-snapshot has ended and whose rows read are all published (or dead-lettered) streams
     * as before: its stop entry is removed.
     */
    private void completeRecoveries() {
        for (TableRun run : tables.values()) {
            synchronized (run) {
                if (run.recovered()) {
                    TableStops.Stop stop = run.recoveringFrom();
                    run.streaming();
                    sender.send(TableStops.recovered(offsetsTopic, mapping.runner(), run.mapping().table())).whenComplete((m, e) -> {
                        if (e != null) {
                            LOG.warn("Could not remove the stop of {} from {} ({}): the table is re-read again at the"
                                    + " next start", run.mapping().table(), offsetsTopic, e.toString());
                        }
                    });
                    LOG.info("Table {} of runner {} is recovered: its rows were re-read and published after the stop at {}",
                            run.mapping().table(), mapping.runner(), stop.position());
                }
            }
        }
    }

    /** Stops asking for a re-snapshot and stops listening for its end. */
    @Override
    public void close() {
        ScheduledExecutorService r = recovery;
        if (r != null) {
            r.shutdownNow();
        }
        AutoCloseable l = snapshotListener;
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("Removing the snapshot listener of {} failed", mapping.runner(), e);
            }
        }
    }
}
