package cn.tianfu.databus.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testkit.TestGovernance;
import cn.tianfu.databus.testkit.TestMappings;

/**
 * The runner's {@code /metrics} against a real PostgreSQL, publishing onto the shared in-JVM bus: scraped over HTTP
 * and read by a Prometheus text-format parser, per table the changes captured, published and dead-lettered, and the
 * lag from the commit to the bus's acknowledgement.
 */
class CdcMetricsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static SharedBus bus;
    private static TestGovernance gov;
    private static EmbeddedPostgres pg;
    private static Path passwordFile;

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        gov = new TestGovernance(bus);
        pg = TestDatabases.postgres();
        passwordFile = Files.createTempFile("cdc-password-", ".txt");
        Files.writeString(passwordFile, TestDatabases.CDC_PASSWORD + "\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
        gov.close();
        Files.deleteIfExists(passwordFile);
    }

    private static String suffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    @Test
    void metricsCountEachTablesChangesAndTheLagFromCommitToAcknowledgement() throws Exception {
        String provider = "p" + suffix();
        String code = gov.catalogue(Path.of("..", "examples", "resources", "psb-population.yaml"), provider).code();
        String table = "resident_" + suffix();
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            // the key column may be null here: such a row cannot become a record and goes to the dead letters
            s.execute("CREATE TABLE " + table + " (seq bigserial PRIMARY KEY, id_number varchar(18), full_name text,"
                    + " birth_date date, division text)");
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        }
        String insert = "INSERT INTO " + table + " (id_number, full_name, birth_date, division) VALUES (?, ?, ?, ?)";
        exec(insert, "510104199001011234", "张三", LocalDate.of(1990, 1, 1), "510104");
        String runnerName = "met-" + suffix();
        CdcMapping mapping = CdcMapping.parse(TestMappings.postgresHead(provider, runnerName, pg.getPort(), passwordFile) + """
                  - table: public.%s
                    resource: %s
                    key: [id_number]
                    columns:
                      id_number: idNumber
                      full_name: name
                      birth_date: {field: birthDate, type: date}
                      division: divisionCode
                    exclude: [seq]
                """.formatted(table, code), "metrics.yaml");
        try (CdcRunner runner = CdcRunner.create(mapping, bus.addDepartment(provider), CdcConfig.fromMap(Map.of(
                CdcConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000, CdcConfig.TOPIC_REPLICATION_FACTOR_CONFIG, 1,
                CdcConfig.METRICS_PORT_CONFIG, 0, CdcConfig.METRICS_HOST_CONFIG, "127.0.0.1")))) {
            runner.start();
            InetSocketAddress address = runner.metricsAddress().orElseThrow();
            String url = "http://127.0.0.1:" + address.getPort() + "/metrics";
            Map<String, String> labels = Map.of("runner", runnerName, "department", provider, "table", "public." + table,
                    "resource", code);
            // every mapped table is listed from the start, before its first change
            assertThat(scrape(url)).containsKeys("databus_cdc_changes_captured_total", "databus_cdc_table_stopped");
            assertThat(runner.awaitStreaming(Duration.ofSeconds(90))).as(() -> runner.status().line()).isTrue();

            exec(insert, "510105198502023456", "欧阳娜娜", null, "510105");
            exec(insert, null, "无名", null, "510106");
            exec("UPDATE " + table + " SET division = ? WHERE id_number = ?", "510107", "510104199001011234");

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<String, List<Metric>> m = scrape(url);
                assertThat(value(m, "databus_cdc_changes_captured_total", labels)).isEqualTo(4);
                assertThat(value(m, "databus_cdc_changes_published_total", labels)).isEqualTo(3);
                assertThat(value(m, "databus_cdc_changes_deadlettered_total", with(labels, "reason", "PROCESSING_ERROR")))
                        .isEqualTo(1);
            });
            Map<String, List<Metric>> m = scrape(url);
            assertThat(value(m, "databus_cdc_changes_deadlettered_total", with(labels, "reason", "INCOMPATIBLE_SCHEMA_CHANGE")))
                    .isZero();
            assertThat(value(m, "databus_cdc_table_stopped", labels)).isZero();
            Histogram lag = (Histogram) m.get("databus_cdc_lag_seconds").stream()
                    .filter(x -> x.getLabels().entrySet().containsAll(labels.entrySet())).findFirst().orElseThrow();
            assertThat(lag.getSampleCount()).as("one lag per published change").isEqualTo(3);
            assertThat(lag.getSampleSum()).as("commit to acknowledgement, seconds").isPositive().isLessThan(3 * 90.0);
            assertThat(lag.getBuckets()).isNotEmpty();
            double last = value(m, "databus_cdc_lag_last_seconds", labels);
            assertThat(last).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(lag.getSampleSum());
            assertThat(runner.status().rowsCaptured()).as("the status counts the same").isEqualTo(3);
            assertThat(runner.metricsText()).contains("databus_cdc_changes_published_total");

            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    private static void exec(String sql, Object... args) throws Exception {
        try (Connection c = TestDatabases.postgresAsOwner(pg); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> out = new HashMap<>(labels);
        out.put(key, value);
        return out;
    }

    private static Map<String, List<Metric>> scrape(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        Map<String, List<Metric>> families = new HashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(r.body()));
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
            families.put(f.getName(), f.getMetrics());
        }
        return families;
    }

    /** The sum of the family's samples whose labels include {@code labels}; 0 when there are none. */
    private static double value(Map<String, List<Metric>> families, String name, Map<String, String> labels) {
        return families.getOrDefault(name, List.of()).stream()
                .filter(x -> x.getLabels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(x -> {
                    if (x instanceof Counter c) {
                        return c.getValue();
                    }
                    if (x instanceof Gauge g) {
                        return g.getValue();
                    }
                    throw new AssertionError("not a counter or gauge: " + x.getName());
                }).sum();
    }
}
