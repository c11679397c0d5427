package cn.tianfu.databus.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;

/**
 * One of the bus's Kafka Streams applications, run by the runtime: started, watched (its state is part of
 * {@code /health}), and closed with the bus. A fatal error in a stream thread replaces the thread once the error is
 * logged; repeated failures leave the app in ERROR, which {@code /health} reports.
 */
final class ManagedStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedStreams.class);

    private final String name;
    private final KafkaStreams streams;
    private final AtomicReference<String> lastError = new AtomicReference<>();

    ManagedStreams(String name, KafkaStreams streams) {
        this.name = name;
        this.streams = streams;
        streams.setUncaughtExceptionHandler(e -> {
            lastError.set(e.toString());
            LOG.error("{}: stream thread failed; replacing it", name, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    void start() {
        streams.start();
    }

    /** Waits until the app runs (its tasks assigned and restored), or fails with what it reported. */
    void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return;
            }
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                throw new DatabusException(name + " stopped while starting" + (lastError.get() == null ? "" : ": " + lastError.get()));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabusException("interrupted while starting " + name);
            }
        }
        throw new DatabusException(name + " did not reach RUNNING within " + timeout.toSeconds() + " s (state " + streams.state() + ")");
    }

    String name() {
        return name;
    }

    boolean healthy() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
    }

    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", streams.state().name());
        d.put("status", healthy() ? "UP" : "DOWN");
        if (lastError.get() != null) {
            d.put("lastError", lastError.get());
        }
        return d;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
