package cn.tianfu.databus.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.demo.SampleData;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.ServerConfig;

/**
 * {@code /metrics} of a whole bus ({@link BusRuntime}: broker, registry, every streams app, the HTTP API), scraped over
 * HTTP and read by a Prometheus text-format parser: after a provider's records are routed to a consumer the routed
 * exchanges and the ledger's chain grow, a malformed record counts as dead-lettered with its resource and reason, and
 * the streams apps' own metrics are there.
 */
class MetricsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void routedAndDeadLetteredRecordsMoveTheScrapedMetrics() throws Exception {
        try (BusRuntime bus = BusRuntime.start(new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dir.toString(),
                ServerConfig.KAFKA_PORT_CONFIG, 0, ServerConfig.REGISTRY_PORT_CONFIG, 0, ServerConfig.HTTP_PORT_CONFIG, 0)))) {
            String url = bus.endpoints().httpUrl();
            String busAuth = basic(bus.busConfig().basicAuthUserInfo().orElseThrow());
            DatabusClientConfig amr;
            DatabusClientConfig hrss;
            try (Departments departments = Departments.connect(bus.busConfig(), Duration.ofSeconds(30))) {
                amr = ClientFiles.ensureDepartment(departments, dir, bus.endpoints(), "amr", "市市场监督管理局", Optional.empty());
                hrss = ClientFiles.ensureDepartment(departments, dir, bus.endpoints(), "hrss", "市人力资源和社会保障局", Optional.empty());
            }
            Map<String, List<Metric>> before = scrape(url, busAuth);
            assertThat(before).as("each streams app's Kafka Streams metrics").containsKey("kafka_stream_thread_process_total");
            assertThat(value(before, "databus_exchanges_total", Map.of("mode", "PUSH"))).isZero();

            // through the HTTP API: the provider registers, the consumer is granted at once (unconditional)
            String yaml = Files.readString(Path.of("../examples/resources/amr-legal-entity.yaml"), StandardCharsets.UTF_8);
            ResourceDefinition entities = ResourceDefinitions.parse(yaml, "amr-legal-entity.yaml");
            String amrAuth = basic(amr.basicAuthUserInfo().orElseThrow());
            String hrssAuth = basic(hrss.basicAuthUserInfo().orElseThrow());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> post(url + ApiPaths.CATALOG, yaml, amrAuth).statusCode() == 200);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> post(url + ApiPaths.REQUESTS,
                    "{\"resource\":\"" + entities.code() + "\",\"purpose\":\"核验用人单位主体资格\"}", hrssAuth).statusCode() == 200);

            Schema schema = AvroSchemas.forResource(entities);
            SampleData data = new SampleData(20261207L);
            int published = 5;
            try (Publisher publisher = Publisher.create(amr, entities.code())) {
                List<CompletableFuture<?>> sends = new ArrayList<>();
                for (int i = 0; i < published; i++) {
                    GenericRecord company = data.legalEntity(schema);
                    sends.add(publisher.upsert(company.get("creditCode").toString(), company));
                }
                CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
            }
            // bytes that are no Avro record of the registry: the router dead-letters them, naming the resource
            Map<String, Object> producer = new HashMap<>(amr.producerProperties());
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(Topics.source("amr", entities.code()), "bad".getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }

            Map<String, String> routed = Map.of("mode", "PUSH", "resource", entities.code(), "provider", "amr", "consumer", "hrss");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Map<String, List<Metric>> after = scrape(url, busAuth);
                assertThat(value(after, "databus_exchanges_total", routed)).isEqualTo(published);
                assertThat(after.get("databus_ledger_chain_length").stream().mapToDouble(MetricsIT::number).sum())
                        .isGreaterThanOrEqualTo(published);
                assertThat(value(after, "databus_deadletters_total", Map.of("resource", entities.code()))).isGreaterThanOrEqualTo(1);
                assertThat(value(after, "databus_ledger_last_entry_seconds", Map.of())).isPositive();
            });
            Map<String, List<Metric>> after = scrape(url, busAuth);
            assertThat(after.get("databus_deadletters_total")).anySatisfy(m -> {
                assertThat(m.getLabels()).containsEntry("resource", entities.code()).containsKey("reason");
                assertThat(m.getLabels().get("reason")).isNotBlank();
            });
            assertThat(after).containsKey("databus_router_lag");
            // the router chains its own entries in its task: nothing of these exchanges waits on the staging topic
            // (which carries only service answers; the gauge has rows once the router's group has read it)
            assertThat(value(after, "databus_ledger_lag", Map.of())).isZero();
        }
    }

    private static Map<String, List<Metric>> scrape(String url, String auth) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + ApiPaths.METRICS)).header("Authorization", auth)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
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
                .filter(m -> m.getLabels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(MetricsIT::number).sum();
    }

    private static double number(Metric m) {
        if (m instanceof Counter c) {
            return c.getValue();
        }
        if (m instanceof Gauge g) {
            return g.getValue();
        }
        throw new AssertionError("not a counter or gauge: " + m.getName());
    }

    private static HttpResponse<String> post(String url, String body, String auth) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
}
