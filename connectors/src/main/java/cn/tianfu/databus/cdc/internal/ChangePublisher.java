package cn.tianfu.databus.cdc.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.SchemaMismatchException;

/**
 * Publishes the runner's captured changes through one SDK {@link Publisher} per table (so every record is checked
 * against the catalogued schema and framed by the bus's source-event codec), or sends them to the dead letters: every
 * change of a stopped table, the change that stops its table, a value that cannot be converted. Runs on the engine's
 * thread.
 */
public final class ChangePublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ChangePublisher.class);

    private final TableRuns tables;
    private final TableBindings bindings;
    private final Map<String, Publisher> publishers;
    private final RunnerDeadLetters deadLetters;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** Publishes with {@code publishers}, one per mapped table by its name. */
    public ChangePublisher(TableRuns tables, TableBindings bindings, Map<String, Publisher> publishers,
                           RunnerDeadLetters deadLetters) {
        this.tables = tables;
        this.bindings = bindings;
        this.publishers = Map.copyOf(publishers);
        this.deadLetters = deadLetters;
    }

    /**
     * Publishes one change, or sends it to the dead letters. What is sent is added to {@code batch}, whose offsets are
     * recorded only once all of it is stored; the change is counted in the batch's tally of its table (the runner's
     * counters take the tallies once per batch).
     */
    public void handle(SourceRecord record, Batch batch) {
        if (record.topic() != null && record.topic().startsWith(EngineProperties.HEARTBEAT_PREFIX)) {
            return;
        }
        ChangeEvent change = ChangeEvent.of(record.value()).orElse(null);
        if (change == null) {
            return;   // schema-change and transaction events: the mapping and schema checks cover what they mean
        }
        String table = change.table();
        TableRun run = tables.get(table);
        if (run == null) {
            return;
        }
        TableMapping t = run.mapping();
        String op = change.op();
        if (change.isTableEvent()) {
            if (warned.add("truncate:" + table)) {
                LOG.warn("TRUNCATE of {} is not propagated: delete the rows instead, or re-publish the resource", table);
            }
            return;
        }
        Batch.Tally tally = batch.of(run);
        tally.countCaptured();
        String position = change.position();
        boolean snapshotRead = change.snapshot();
        if (snapshotRead && run.recovering()) {
            batch.reread(run);
        }
        TableStops.Stop stop = run.stopped();
        if (stop != null) {
            batch.send(tables.holdBack(run, stop, record, op));
            tally.deadLettered(DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE);
            return;
        }
        Instant sourceTime = change.sourceTime();
        Publisher publisher = publishers.get(table);
        Struct before = change.before();
        Struct after = change.after();
        try {
            if (change.isDelete()) {
                TableBinding b = bindings.bind(t, before).binding();
                batch.send(publisher.delete(b.key(before), sourceTime, position));
            } else if (after != null) {
                TableBinding b = bindings.bind(t, after).binding();
                String key = b.key(after);
                GenericRecord value = b.toRecord(after);
                if (before != null) {
                    String oldKey = b.key(before);
                    if (!oldKey.equals(key)) {
                        batch.send(publisher.delete(oldKey, sourceTime, position));
                    }
                }
                batch.send(upsert(t, publisher, value, after, key, sourceTime, position));
            } else {
                return;
            }
        } catch (TableBinding.IncompatibleChangeException e) {
            tables.stop(run, record, op, position, e.getMessage(), batch.sends());
            tally.deadLettered(DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE);
            return;
        } catch (Conversions.ConversionException e) {
            batch.send(deadLetters.send(run, record, DeadLetterReason.PROCESSING_ERROR, "a change of " + table + " at "
                    + position + " could not become a record of " + t.resource() + ": " + e.getMessage()));
            tally.deadLettered(DeadLetterReason.PROCESSING_ERROR);
            return;
        }
        batch.published(run, position, sourceTime.toEpochMilli(), snapshotRead);
    }

    private CompletableFuture<?> upsert(TableMapping t, Publisher publisher, GenericRecord value, Struct after, String key,
                                        Instant sourceTime, String position) {
        try {
            return publisher.upsert(key, value, sourceTime, position);
        } catch (SchemaMismatchException e) {
            // the catalog moved on (a new version of the resource's schema): bind to it and try once more
            bindings.forget(t.table());
            TableBinding fresh = bindings.bind(t, after).binding();
            return publisher.upsert(key, fresh.toRecord(after), sourceTime, position);
        }
    }
}
