package cn.tianfu.databus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Keeps the benchmark runner working: every scenario at tiny sizes, on the real in-JVM bus, CDC on a real PostgreSQL and
 * MariaDB. Asserts that the records arrived (each scenario waits for all of them, or the run fails) and the result file
 * was written — never timings.
 */
class BenchSmokeIT {

    @TempDir
    Path results;

    @Test
    void everyScenarioRunsAndTheResultFileIsWritten() throws Exception {
        BenchConfig config = BenchConfig.fromMap(Map.ofEntries(
                Map.entry(BenchConfig.RECORDS_CONFIG, 1_000),
                Map.entry(BenchConfig.WARMUP_RECORDS_CONFIG, 50),
                Map.entry(BenchConfig.REPEATS_CONFIG, 1),
                Map.entry(BenchConfig.WINDOW_SECONDS_CONFIG, 0),
                Map.entry(BenchConfig.WARMUP_SECONDS_CONFIG, 0),
                Map.entry(BenchConfig.WARMUP_ROUNDS_CONFIG, 0),
                Map.entry(BenchConfig.FANOUT_GRANTS_CONFIG, "1,2"),
                Map.entry(BenchConfig.FANOUT_RECORDS_CONFIG, 100),
                Map.entry(BenchConfig.LATENCY_RATES_CONFIG, "200"),
                Map.entry(BenchConfig.LATENCY_SECONDS_CONFIG, 1),
                Map.entry(BenchConfig.AUDIT_ENTRIES_CONFIG, 2_500),
                Map.entry(BenchConfig.TIMEOUT_SECONDS_CONFIG, 120),
                Map.entry(BenchConfig.CDC_PACED_RATE_CONFIG, 200),
                Map.entry(BenchConfig.CDC_PACED_SECONDS_CONFIG, 1),
                Map.entry(BenchConfig.RESULTS_DIR_CONFIG, results.toString())));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        BenchReport report = BenchRunner.run(config, new PrintStream(progress, true, StandardCharsets.UTF_8));
        Path file = report.write(config.resultsDir());

        assertThat(report.results()).extracting(r -> r.scenario() + "/" + r.variant()).containsExactly(
                "raw/", "bus/1 grant", "bare/1 EOS hop", "bare2/2 EOS hops", "fanout/1 grant", "fanout/2 grants", "latency/200 rec/s",
                "audit/2500 entries", "cdc/postgres", "cdc/postgres, router paused", "cdc-bare/postgres", "cdc/postgres, paced",
                "cdc-bare/postgres, paced", "cdc/mariadb", "cdc/mariadb, router paused", "cdc-bare/mariadb", "cdc/mariadb, paced",
                "cdc-bare/mariadb, paced");
        assertThat(report.result("raw", null).orElseThrow().median("records")).isEqualTo(1_000);
        assertThat(report.result("bus", null).orElseThrow().median("records")).isEqualTo(1_000);
        assertThat(report.result("bus", null).orElseThrow().median("logCompleteSeconds")).isPositive();
        // one exactly-once hop: the router chains its own entries, nothing is staged and no id-store record is written
        // per entry; per source record the broker takes the source, the delivery, the log entry, router-latest (~4),
        // plus a router-received mark per key newly held (every key here) and the cached chain head per commit; each
        // commit also appends a transaction marker to every partition it wrote, counted by the broker as a record, which
        // a window of 1,000 records keeps to a small share however slow the machine
        ScenarioResult bus = report.result("bus", null).orElseThrow();
        System.out.printf("bus: broker records per source record %s%n", bus.metrics().stream()
                .filter(m -> m.startsWith("brokerRecordsPerSource")).sorted()
                .map(m -> m + "=" + String.format("%.3f", bus.median(m))).toList());
        assertThat(bus.metrics()).doesNotContain("brokerRecordsPerSource.bus.exchange-log.staging",
                "brokerRecordsPerSource.changelog.ledger-exchange-ids");
        assertThat(bus.median("brokerRecordsPerSource.bus.exchange-log")).isCloseTo(1.0, within(0.05));
        assertThat(bus.median("brokerRecordsPerSource"))
                .isLessThan(4.2 + bus.median("brokerRecordsPerSource.changelog.router-received"));
        // a push-only grant: router-latest keeps each key's position, not a copy of its ~1 KB value
        System.out.printf("bus: broker bytes per source record %s%n", bus.metrics().stream()
                .filter(m -> m.startsWith("brokerBytesPerSource")).sorted()
                .map(m -> m + "=" + String.format("%.0f", bus.median(m))).toList());
        assertThat(bus.median("brokerBytesPerSource.changelog.router-latest"))
                .isPositive().isLessThan(bus.median("brokerBytesPerSource.src") / 5);
        assertThat(report.result("bare", null).orElseThrow().median("records")).isEqualTo(1_000);
        assertThat(report.result("bare2", null).orElseThrow().median("records")).isEqualTo(1_000);
        assertThat(report.result("latency", null).orElseThrow().pooled().get("records")).isEqualTo(200);
        assertThat(report.result("fanout", "2 grants").orElseThrow().median("deliveriesPerSec")).isPositive();
        assertThat(report.result("latency", null).orElseThrow().median("records")).isEqualTo(200);
        assertThat(report.result("audit", null).orElseThrow().median("entries")).isEqualTo(2_500);
        assertThat(report.result("audit", null).orElseThrow().median("checkpoints")).isGreaterThanOrEqualTo(4);
        for (String db : List.of("postgres", "mariadb")) {
            // every inserted row arrived on the source topic (CdcRunner) and at the bare engine's handler, or the run fails
            for (String scenario : List.of("cdc", "cdc-bare")) {
                ScenarioResult cdc = report.result(scenario, db).orElseThrow();
                assertThat(cdc.measured()).as(scenario + " " + db + ": " + cdc.notMeasured()).isTrue();
                assertThat(cdc.median("records")).isEqualTo(1_000);
                assertThat(cdc.median("recordsPerSec")).isPositive();
                assertThat(cdc.median("snapshotRecordsPerSec")).isPositive();
            }
            assertThat(report.result("cdc", db + ", router paused").orElseThrow().median("records")).isEqualTo(1_000);
            assertThat(report.ratios().get("cdcOverBare[" + db + "]")).isPositive();
            for (String scenario : List.of("cdc", "cdc-bare")) {
                ScenarioResult paced = report.result(scenario, db + ", paced").orElseThrow();
                assertThat(paced.median("records")).as("200 rows/s for 1 s").isEqualTo(200);
                assertThat(paced.median("pacedRowsPerTransaction")).isEqualTo(10);
                assertThat(paced.median("lastArrivalAfterLastCommitMs")).isGreaterThanOrEqualTo(0);
            }
            assertThat(report.ratios().get("cdcPacedCpuOverBare[" + db + "]")).isPositive();
        }

        assertThat(file).exists().hasParent(results);
        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        assertThat(json.path("machine").path("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(json.path("machine").path("loadBefore").asText()).isNotBlank();
        assertThat(json.path("settings").path("records").asInt()).isEqualTo(1_000);
        assertThat(json.path("scenarios")).hasSize(18);
        assertThat(json.path("scenarios").get(1).path("runs").get(0).path("recordsPerSec").asDouble()).isPositive();
        assertThat(json.path("scenarios").get(8).path("runs").get(0).path("recordsPerSec").asDouble()).isPositive();
        assertThat(json.path("scenarios").get(8).path("runs").get(0).has("cpuMicrosPerRow[capture]")).isTrue();
        assertThat(json.path("ratios").path("cdcOverBare[mariadb]").asDouble()).isPositive();
        assertThat(json.path("targets")).hasSize(7);
        assertThat(report.table()).contains("bus", "raw", "bare", "fanout", "latency", "audit", "cdc-bare", "mariadb");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("audit");
    }

    @Test
    void everyConfigurationProblemIsReportedAtOnce() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchRunner.run(new String[] {"--records", "0", "--scenarios", "bus,nope", "--rates", "x"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("records", "nope", "'x'");
        assertThat(List.of(BenchRunner.run(new String[] {"--bogus"}, System.out, new PrintStream(new ByteArrayOutputStream()))))
                .containsExactly(2);
    }
}
