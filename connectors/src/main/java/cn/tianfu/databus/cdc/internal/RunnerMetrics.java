package cn.tianfu.databus.cdc.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import cn.tianfu.databus.cdc.CdcException;
import cn.tianfu.databus.cdc.CdcStatus;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A runner's metrics in the Prometheus text format, per mapped table (tags {@code runner}, {@code department},
 * {@code table}, {@code resource}):
 * <ul>
 * <li>{@code databus_cdc_changes_captured_total}: changes of the table the runner was handed (snapshot rows included);</li>
 * <li>{@code databus_cdc_changes_published_total}: of which published on the resource's source topic and acknowledged
 * by the bus;</li>
 * <li>{@code databus_cdc_changes_deadlettered_total{reason}}: of which sent to the runner's dead letters
 * ({@code PROCESSING_ERROR}: a value that could not be converted; {@code INCOMPATIBLE_SCHEMA_CHANGE}: the table is
 * stopped), once the bus has stored them;</li>
 * <li>{@code databus_cdc_lag_seconds} (a histogram) and {@code databus_cdc_lag_last_seconds}: from the change's commit
 * in the database (Debezium's {@code source.ts_ms}) to the bus's acknowledgement of its publish;</li>
 * <li>{@code databus_cdc_table_stopped}: 1 while the table is stopped, else 0.</li>
 * </ul>
 * Counted once per stored batch ({@link #stored}); served at {@code /metrics} on the port of
 * {@code cdc.metrics.port}, when set.
 */
public final class RunnerMetrics implements AutoCloseable {

    /** The path the endpoint serves. */
    public static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] LAG_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String runner;
    private final Map<TableRun, TableMeters> meters = new IdentityHashMap<>();
    private HttpServer server;
    private ExecutorService serverThread;

    /** The meters of one table. */
    private static final class TableMeters {
        final Counter captured;
        final Counter published;
        final Counter processingErrors;
        final Counter incompatible;
        final Timer lag;
        final AtomicLong lastLagMillis = new AtomicLong();

        TableMeters(PrometheusMeterRegistry registry, Tags tags, TableRun run) {
            captured = Counter.builder("databus.cdc.changes.captured").description("Changes of the table handed to the"
                    + " CDC runner (snapshot rows included)").tags(tags).register(registry);
            published = Counter.builder("databus.cdc.changes.published").description("Changes of the table published on"
                    + " the resource's source topic and acknowledged by the bus").tags(tags).register(registry);
            processingErrors = deadLetters(registry, tags, DeadLetterReason.PROCESSING_ERROR);
            incompatible = deadLetters(registry, tags, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE);
            lag = Timer.builder("databus.cdc.lag").description("From a change's commit in the database (source ts_ms)"
                            + " to the bus's acknowledgement of its publish").tags(tags).serviceLevelObjectives(LAG_BUCKETS)
                    .register(registry);
            Gauge.builder("databus.cdc.lag.last", lastLagMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                    .description("Lag of the table's last published change (commit to acknowledgement)").tags(tags)
                    .register(registry);
            Gauge.builder("databus.cdc.table.stopped", run, r -> r.status().state() == CdcStatus.TableState.STOPPED ? 1 : 0)
                    .description("1 while the table is stopped (its changes go to the dead letters), else 0").tags(tags)
                    .register(registry);
        }

        private static Counter deadLetters(PrometheusMeterRegistry registry, Tags tags, DeadLetterReason reason) {
            return Counter.builder("databus.cdc.changes.deadlettered").description("Changes of the table sent to the"
                    + " runner's dead letters and stored by the bus").tags(tags).tag("reason", reason.name()).register(registry);
        }
    }

    /** The meters of {@code tables}' every table, registered at once so that a scrape lists each table from the start. */
    public RunnerMetrics(String runner, String department, TableRuns tables) {
        this.runner = runner;
        for (TableRun run : tables.all()) {
            Tags tags = Tags.of("runner", runner, "department", department, "table", run.mapping().table(),
                    "resource", run.mapping().resource());
            meters.put(run, new TableMeters(registry, tags, run));
        }
    }

    /** Counts what {@code batch} did, the bus having stored all of it at {@code storedMillis} (epoch ms). */
    public void stored(Batch batch, long storedMillis) {
        for (Batch.Tally t : batch.tallies()) {
            TableMeters m = meters.get(t.run());
            if (m == null) {
                continue;
            }
            m.captured.increment(t.captured());
            if (t.processingErrors() > 0) {
                m.processingErrors.increment(t.processingErrors());
            }
            if (t.incompatible() > 0) {
                m.incompatible.increment(t.incompatible());
            }
            int n = t.published();
            if (n > 0) {
                m.published.increment(n);
                for (int i = 0; i < n; i++) {
                    m.lag.record(Math.max(0, storedMillis - t.sourceMillis(i)), TimeUnit.MILLISECONDS);
                }
                m.lastLagMillis.set(Math.max(0, storedMillis - t.lastSourceMillis()));
            }
        }
    }

    /** The metrics now, in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Serves {@link #scrape()} at {@code http://host:port/metrics} (port 0: any free port).
     *
     * @throws CdcException when the port cannot be taken
     */
    public synchronized void serve(String host, int port) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
            s.createContext(PATH, this::answer);
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "cdc-" + runner + "-metrics");
                t.setDaemon(true);
                return t;
            });
            s.setExecutor(thread);
            s.start();
            server = s;
            serverThread = thread;
        } catch (IOException | RuntimeException e) {
            throw new CdcException("cannot serve the metrics of runner " + runner + " on " + host + ":" + port + ": " + e
                    + " (is the port taken? set cdc.metrics.port to a free one, or -1 for none)", e);
        }
    }

    /** Where {@link #serve} listens; empty when it does not. */
    public synchronized Optional<InetSocketAddress> address() {
        return Optional.ofNullable(server).map(HttpServer::getAddress);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops serving. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            serverThread.shutdownNow();
            server = null;
        }
        registry.close();
    }
}
