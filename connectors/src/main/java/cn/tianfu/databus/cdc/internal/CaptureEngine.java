package cn.tianfu.databus.cdc.internal;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.debezium.embedded.Connect;
import io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * The lifecycle of a runner's Debezium engine: built from its properties, run on a thread of its own
 * ({@code cdc-<runner>}), handed every batch of changes, and closed — offsets of what was acknowledged recorded — when
 * the runner closes.
 */
public final class CaptureEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);

    /** Handles one batch of changes; acknowledges them with the committer once they are stored. */
    @FunctionalInterface
    public interface BatchHandler {
        void handle(List<RecordChangeEvent<SourceRecord>> batch,
                    DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException;
    }

    private final String runner;
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final ExecutorService executor;

    private CaptureEngine(String runner, DebeziumEngine<RecordChangeEvent<SourceRecord>> engine) {
        this.runner = runner;
        this.engine = engine;
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-" + runner));
    }

    /** Starts capturing with {@code properties} in the background; {@code completed} is told when the engine ends. */
    public static CaptureEngine start(String runner, Properties properties, BatchHandler handler,
                                      DebeziumEngine.CompletionCallback completed) {
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = new ConvertingAsyncEngineBuilderFactory()
                .builder(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .using(completed)
                .notifying(handler::handle)
                .build();
        CaptureEngine capture = new CaptureEngine(runner, engine);
        capture.executor.execute(engine);
        return capture;
    }

    /** The running engine, e.g. to signal it. */
    public DebeziumEngine<?> engine() {
        return engine;
    }

    /** Closes the engine (it records the offsets of what was acknowledged) and waits for its thread to end. */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (Exception e) {
            LOG.warn("Closing the capture engine of {} failed: {}", runner, e.toString());
        } finally {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
