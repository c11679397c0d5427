package cn.tianfu.databus.streams;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.config.DatabusConfigException;

/**
 * Runs one streams app as its own process, the same way for every app: {@code --config FILE} (a properties file with
 * the app's config keys), the app created from it, started, a failed stream thread replaced (logged, as in the bus's
 * runtime), and closed by the shutdown hook (or when the running thread is interrupted).
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     StreamsAppRunner.main(args, "sharing-router", props -> create(RouterConfig.fromMap(props)));
 * }
 * }</pre>
 */
public final class StreamsAppRunner {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsAppRunner.class);

    /** Exit code of a run that stopped because it was asked to (shutdown hook, interrupt). */
    public static final int STOPPED = 0;
    /** Exit code of a run whose app failed (it reached {@code ERROR}, or could not be created). */
    public static final int FAILED = 1;
    /** Exit code of a command line without {@code --config FILE}. */
    public static final int USAGE = 2;

    private StreamsAppRunner() {
    }

    /**
     * The whole {@code main} of an app: reads {@code --config FILE}, creates the app with {@code create}, runs it until
     * it is stopped, and exits with {@link #STOPPED}, {@link #FAILED} or {@link #USAGE}.
     */
    public static void main(String[] args, String name, Function<Map<String, Object>, ? extends KafkaStreams> create) {
        System.exit(run(args, name, create));
    }

    /** As {@link #main}, returning the exit code instead of exiting. */
    public static int run(String[] args, String name, Function<Map<String, Object>, ? extends KafkaStreams> create) {
        Path file;
        try {
            file = configFile(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.err.println("usage: " + name + " --config FILE");
            return USAGE;
        }
        KafkaStreams app;
        try {
            app = create.apply(loadConfig(file));
        } catch (RuntimeException e) {
            System.err.println(name + ": " + e.getMessage());
            return FAILED;
        }
        return runUntilStopped(name, app);
    }

    /** The file named by {@code --config FILE} (or {@code --config=FILE}) in {@code args}. */
    static Path configFile(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") && i + 1 < args.size()) {
                return Path.of(args.get(i + 1));
            }
            if (a.startsWith("--config=") && a.length() > "--config=".length()) {
                return Path.of(a.substring("--config=".length()));
            }
        }
        throw new IllegalArgumentException("--config FILE is required");
    }

    /**
     * The keys of a properties file (UTF-8), values trimmed.
     *
     * @throws DatabusConfigException when the file cannot be read
     */
    public static Map<String, Object> loadConfig(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new DatabusConfigException("streams app", List.of("cannot read " + file.toAbsolutePath() + ": " + e));
        }
        Map<String, Object> map = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k).trim()));
        return map;
    }

    /**
     * Starts {@code app} (unstarted) and waits until it stops: closed by the JVM's shutdown hook, by an interrupt of
     * this thread, or failed ({@code ERROR}). Returns {@link #STOPPED} or {@link #FAILED}; the app is closed either way.
     */
    public static int runUntilStopped(String name, KafkaStreams app) {
        CountDownLatch stopped = new CountDownLatch(1);
        app.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.NOT_RUNNING || next == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        app.setUncaughtExceptionHandler(e -> {
            LOG.error("{}: stream thread failed; replacing it", name, e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        Thread hook = new Thread(() -> {
            LOG.info("Stopping {}", name);
            app.close();
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        KafkaStreams.State last;
        boolean interrupted = false;
        try {
            app.start();
            LOG.info("{} started", name);
            stopped.await();
        } catch (InterruptedException e) {
            // asked to stop: close below (with the flag cleared, so close can wait for the threads), then keep the flag
            interrupted = true;
        } finally {
            last = app.state();
            app.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it closes the app
            }
        }
        if (last == KafkaStreams.State.ERROR) {
            LOG.error("{} failed", name);
            return FAILED;
        }
        LOG.info("{} stopped", name);
        return STOPPED;
    }
}
