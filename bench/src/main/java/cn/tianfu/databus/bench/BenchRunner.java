package cn.tianfu.databus.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.bridge.SLF4JBridgeHandler;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.bench.BenchConfig.Scenario;
import cn.tianfu.databus.config.DatabusConfigException;

/**
 * Runs the end-to-end benchmarks in one JVM — embedded broker, schema registry and sharing router (which chains the exchange log) — and
 * reports raw Kafka, the bus pipeline, the bare engine, fan-out, latency, audit verification and CDC (beside a bare
 * Debezium engine) side by side, on the same data, as a console table and a JSON file. See {@code docs/benchmarks.md}.
 *
 * <pre>{@code
 * bench/run --quick                       # about a minute, while developing
 * bench/run --records 50000               # the full run (3 repetitions, medians)
 * BenchReport report = BenchRunner.run(BenchConfig.fromMap(Map.of("records", 1000, "repeats", 1)));
 * }</pre>
 */
public final class BenchRunner {

    private static final String USAGE = """
            Usage: bench/run [options]        (or: bench/run --jmh [JMH options])
              --records N           records per repetition of raw, bus, bare and cdc (default 50000; quick 5000)
              --quick               small sizes for development (every size not given explicitly)
              --window N            measured seconds per repetition of raw, bus and bare (default 20; quick 0: exactly --records)
              --warmup-seconds N    warm-up seconds per repetition of raw, bus and bare (default 15; quick 0: --warmup records)
              --warmup-rounds N     discarded rounds of raw, bus and bare before the measured ones (default 1; quick 0)
              --commit-interval MS  commit.interval.ms of the bus's streams apps and the bare engines (default: Kafka Streams')
              --repeats N           repetitions per scenario, median reported (default 3; quick 1)
              --scenarios a,b,...   raw, bus, bare, fanout, latency, audit, cdc, query, cluster (default: all but query
                                    and cluster; cluster: three brokers, one then two `serve` processes)
              --fanout 1,4,16       grants per resource in the fan-out scenario
              --fanout-records N    source records per fan-out repetition (default records/4)
              --rates 2000,10000    offered rates of the latency scenario (records/s)
              --latency-seconds N   measured seconds per latency repetition (default 20; quick 3)
              --audit-entries N     exchange-log entries to verify (default 1000000; quick 100000)
              --warmup N            warm-up records per repetition, the snapshot rows of cdc (default records/5, at most 10000)
              --timeout N           seconds a repetition may wait for its last record (default 300)
              --results DIR         where the JSON result goes (default bench/results)
              --data-dir DIR        broker data and streams state (default: a temporary directory)
            """;

    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("--records", BenchConfig.RECORDS_CONFIG),
            Map.entry("--repeats", BenchConfig.REPEATS_CONFIG),
            Map.entry("--warmup-rounds", BenchConfig.WARMUP_ROUNDS_CONFIG),
            Map.entry("--commit-interval", BenchConfig.COMMIT_INTERVAL_MS_CONFIG),
            Map.entry("--window", BenchConfig.WINDOW_SECONDS_CONFIG),
            Map.entry("--warmup-seconds", BenchConfig.WARMUP_SECONDS_CONFIG),
            Map.entry("--scenarios", BenchConfig.SCENARIOS_CONFIG),
            Map.entry("--fanout", BenchConfig.FANOUT_GRANTS_CONFIG),
            Map.entry("--fanout-records", BenchConfig.FANOUT_RECORDS_CONFIG),
            Map.entry("--rates", BenchConfig.LATENCY_RATES_CONFIG),
            Map.entry("--latency-seconds", BenchConfig.LATENCY_SECONDS_CONFIG),
            Map.entry("--audit-entries", BenchConfig.AUDIT_ENTRIES_CONFIG),
            Map.entry("--warmup", BenchConfig.WARMUP_RECORDS_CONFIG),
            Map.entry("--timeout", BenchConfig.TIMEOUT_SECONDS_CONFIG),
            Map.entry("--results", BenchConfig.RESULTS_DIR_CONFIG),
            Map.entry("--data-dir", BenchConfig.DATA_DIR_CONFIG),
            Map.entry("--cdc-paced-rate", BenchConfig.CDC_PACED_RATE_CONFIG),
            Map.entry("--cdc-paced-transaction", BenchConfig.CDC_PACED_TRANSACTION_CONFIG),
            Map.entry("--cdc-paced-seconds", BenchConfig.CDC_PACED_SECONDS_CONFIG));

    private BenchRunner() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with command-line arguments; returns the exit code (0 done, 1 failed, 2 usage). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (a.equals("--quick")) {
                props.put(BenchConfig.QUICK_CONFIG, true);
                continue;
            }
            String key = OPTIONS.get(a);
            if (key == null || i + 1 >= args.length) {
                err.println(key == null ? "unknown option " + a : a + " needs a value");
                err.print(USAGE);
                return 2;
            }
            props.put(key, args[++i]);
        }
        BenchConfig config;
        try {
            config = BenchConfig.fromMap(props);
        } catch (DatabusConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        try {
            BenchReport report = run(config, out);
            Path file = report.write(config.resultsDir());
            out.println();
            out.print(report.table());
            out.println("results: " + file);
            return 0;
        } catch (DatabusException e) {
            err.println("benchmark failed: " + e.getMessage());
            return 1;
        }
    }

    /** Runs the configured scenarios; progress lines go to {@code progress}. The result file is not written. */
    public static BenchReport run(BenchConfig config, PrintStream progress) {
        if (!SLF4JBridgeHandler.isInstalled()) {
            // the MariaDB connector's binlog client logs through java.util.logging: into the same log, same levels
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        Instant started = Instant.now();
        Map<String, Object> machine = machine();
        Set<Scenario> scenarios = config.scenarios();
        BenchData data = BenchData.load();
        int poolSize = Math.max(1, Math.min(20_000, config.records() + config.warmupRecords()));
        RecordPool pool = new RecordPool(data, poolSize);
        List<ScenarioResult> results = new ArrayList<>();
        progress.printf("databus bench: %d records per repetition, %d repetition(s), scenarios %s; record %.0f bytes%n",
                config.records(), config.repeats(), config.describe().get("scenarios"), pool.averageBytes());
        if (scenarios.stream().anyMatch(s -> s != Scenario.CLUSTER)) {
            runOnBus(config, progress, scenarios, data, pool, results);
        }
        if (scenarios.contains(Scenario.CLUSTER)) {
            long t0 = System.nanoTime();
            progress.println("  cluster (three brokers; raw kafka, one node, two nodes interleaved) ...");
            results.addAll(new ClusterScenario(config, pool).run(progress));
            progress.printf("  cluster done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        machine.put("loadAfter", load());
        Map<String, Object> dataFacts = new LinkedHashMap<>();
        dataFacts.put("resource", BenchData.DEFINITION);
        dataFacts.put("fields", data.schema().getFields().size());
        dataFacts.put("averageRecordBytes", Math.round(pool.averageBytes()));
        dataFacts.put("distinctRecords", pool.size());
        dataFacts.put("grantedFields", BenchData.GRANTED_FIELDS);
        dataFacts.put("rowFilter", BenchData.ROW_FILTER);
        return new BenchReport(started, Instant.now(), machine, config.describe(), dataFacts, results);
    }

    /** The scenarios on the in-JVM bus (every one but cluster), on one embedded broker. */
    private static void runOnBus(BenchConfig config, PrintStream progress, Set<Scenario> scenarios, BenchData data,
                                 RecordPool pool, List<ScenarioResult> results) {
        try (BenchBus bus = BenchBus.start(config.dataDir(), data, config.commitIntervalMs())) {
            ThroughputScenarios throughput = new ThroughputScenarios(bus, config, pool);
            boolean raw = scenarios.contains(Scenario.RAW);
            boolean pipeline = scenarios.contains(Scenario.BUS);
            boolean bare = scenarios.contains(Scenario.BARE);
            if (raw || pipeline || bare) {
                long t0 = System.nanoTime();
                progress.println("  raw / bus / bare, interleaved ...");
                results.addAll(throughput.interleaved(raw, pipeline, bare, progress));
                progress.printf("  raw / bus / bare done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
            if (scenarios.contains(Scenario.FANOUT)) {
                for (int grants : config.fanoutGrants()) {
                    results.add(report(progress, "fanout " + grants, () -> throughput.fanout(grants)));
                }
            }
            if (scenarios.contains(Scenario.LATENCY)) {
                LatencyScenario latency = new LatencyScenario(bus, config, pool);
                for (int rate : config.latencyRates()) {
                    results.add(report(progress, "latency " + rate, () -> latency.run(rate)));
                }
            }
            if (scenarios.contains(Scenario.AUDIT)) {
                results.add(report(progress, "audit", () -> new AuditScenario(bus, config).run()));
            }
            if (scenarios.contains(Scenario.QUERY)) {
                results.add(report(progress, "query", () -> new QueryScenario(bus, config, pool).run()));
            }
            if (scenarios.contains(Scenario.CDC)) {
                long t0 = System.nanoTime();
                progress.println("  cdc (postgres, mariadb; runner and bare engine interleaved) ...");
                results.addAll(new CdcScenario(bus, config, pool).run(progress));
                progress.printf("  cdc done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    private static ScenarioResult report(PrintStream progress, String name, java.util.function.Supplier<ScenarioResult> scenario) {
        long t0 = System.nanoTime();
        progress.printf("  %-14s ...%n", name);
        ScenarioResult r = scenario.get();
        progress.printf("  %-14s done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        return r;
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        Runtime rt = Runtime.getRuntime();
        m.put("cores", rt.availableProcessors());
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxHeapMiB", rt.maxMemory() / (1024 * 1024));
        m.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("loadBefore", load());
        return m;
    }

    /** The output of {@code uptime} (load averages), or the system load average when it cannot be run. */
    static String load() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !text.isEmpty()) {
                return text;
            }
        } catch (IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            return "loadavg " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "load average " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }
}
