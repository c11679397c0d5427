package cn.tianfu.databus.server;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;

/**
 * One of the bus's Kafka Streams applications, run by the runtime: started, watched (its state is part of
 * {@code /health}), and closed with the bus. A fatal error in a stream thread replaces the thread once the error is
 * logged; {@link StreamsHealth} judges the app from its state and its recent thread failures, so an app in a failure
 * loop reports DOWN with the reason.
 */
final class ManagedStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedStreams.class);

    private final String name;
    private final KafkaStreams streams;
    private final StreamsHealth health;

    ManagedStreams(String name, KafkaStreams streams) {
        this(name, streams, InstantSource.system());
    }

    ManagedStreams(String name, KafkaStreams streams, InstantSource clock) {
        this.name = name;
        this.streams = streams;
        this.health = new StreamsHealth(clock, StreamsHealth.DEFAULT_WINDOW);
        streams.setUncaughtExceptionHandler(e -> {
            health.threadFailed(e);
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
                throw new DatabusException(name + " stopped while starting" + (health.lastError() == null ? "" : ": " + health.lastError()));
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

    /** The running app, for interactive queries of its stores. */
    KafkaStreams streams() {
        return streams;
    }

    String name() {
        return name;
    }

    boolean healthy() {
        return health.verdict(streams.state()).up();
    }

    Map<String, Object> describe() {
        KafkaStreams.State state = streams.state();
        StreamsHealth.Verdict v = health.verdict(state);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", state.name());
        d.put("status", v.up() ? "UP" : "DOWN");
        if (v.reason() != null) {
            d.put("reason", v.reason());
        }
        d.put("recentThreadFailures", v.recentFailures());
        if (health.lastError() != null) {
            d.put("lastError", health.lastError());
        }
        return d;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
