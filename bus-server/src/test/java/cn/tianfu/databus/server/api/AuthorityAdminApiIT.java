package cn.tianfu.databus.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The authority's administration over HTTP on the shared test bus, with the governance app running: adding a department
 * (its client config in the answer, with which it then calls the API) and an expert, the quality scores, and the review
 * of a provider's answer to a public request (the committee's opinion, then the decision). Each route answers the bus's
 * own principal, refuses a department (403) and a caller without credentials (401).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorityAdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SUFFIX = Long.toString(System.nanoTime() % 1_000_000L, 36);
    private static final String PROVIDER = "admprov" + SUFFIX;
    private static final String ADDED = "admnew" + SUFFIX;
    private static final String EXPERT = "admexp" + SUFFIX;

    private static SharedBus bus;
    private static KafkaStreams governance;
    private static HttpApi http;
    private static Path stateDir;
    private static final Map<String, String> AUTH = new HashMap<>();

    @BeforeAll
    static void start() throws IOException {
        bus = SharedBus.get();
        stateDir = Files.createTempDirectory("databus-authority-api-it-");
        AUTH.put(PROVIDER, basic(bus.addDepartment(PROVIDER).basicAuthUserInfo().orElseThrow()));
        AUTH.put("bus", basic(bus.registryUserInfo()));
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, stateDir.toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-authority-api-it-" + SUFFIX))));
        governance.start();
        BusEndpoints endpoints = new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1");
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig(),
                HttpApi.Options.NONE.withEndpoints(() -> endpoints));
        await().atMost(Duration.ofSeconds(60)).until(() -> governance.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        SharedBus.deleteRecursively(stateDir);
    }

    @Test
    @Order(1)
    void theAuthorityAddsADepartmentWhoseClientConfigIsHandedOverOnce() throws Exception {
        String body = "{\"id\":\"" + ADDED + "\",\"name\":\"市测试局\",\"code\":\"11510100MB0000000X\"}";
        assertThat(call("POST", ApiPaths.DEPARTMENTS, body, AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", ApiPaths.DEPARTMENTS, "{\"id\":\"Bad Id\",\"name\":\"x\"}", AUTH.get("bus")).statusCode()).isEqualTo(400);
        assertThat(call("POST", ApiPaths.DEPARTMENTS, "{\"id\":\"" + ADDED + "\"}", AUTH.get("bus")).statusCode())
                .as("without a name").isEqualTo(400);
        assertThat(call("POST", ApiPaths.DEPARTMENTS, "{\"id\":\"bus\",\"name\":\"x\"}", AUTH.get("bus")).statusCode())
                .as("a reserved id").isEqualTo(400);

        HttpResponse<String> added = call("POST", ApiPaths.DEPARTMENTS, body, AUTH.get("bus"));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(added.body());
        assertThat(answer.path("department").path("id").asText()).isEqualTo(ADDED);
        assertThat(answer.path("department").path("name").asText()).isEqualTo("市测试局");
        assertThat(answer.path("commandTopic").asText()).isEqualTo(Topics.commands(ADDED));
        Properties file = new Properties();
        file.load(new StringReader(answer.path("clientConfig").asText()));
        assertThat(file.getProperty(DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo(bus.bootstrapServers());
        assertThat(file.getProperty(DatabusClientConfig.SASL_USERNAME_CONFIG)).isEqualTo(ADDED);
        String password = file.getProperty(DatabusClientConfig.SASL_PASSWORD_CONFIG);
        assertThat(password).isNotBlank();

        // the new department calls the API with the password it was handed; the list of departments never shows it
        String auth = basic(ADDED + ":" + password);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", ApiPaths.REQUESTS + "?role=mine", null, auth).statusCode() == 200);
        HttpResponse<String> list = call("GET", ApiPaths.DEPARTMENTS, null, AUTH.get("bus"));
        assertThat(JSON.readTree(list.body()).findValuesAsText("id")).contains(ADDED);
        assertThat(list.body()).doesNotContain(password);

        HttpResponse<String> again = call("POST", ApiPaths.DEPARTMENTS, body, AUTH.get("bus"));
        assertThat(again.statusCode()).as("the department exists: " + again.body()).isEqualTo(409);
    }

    @Test
    @Order(2)
    void theAuthorityAddsAndListsExperts() throws Exception {
        assertThat(call("GET", ApiPaths.EXPERTS, null, AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", ApiPaths.EXPERTS, "{\"id\":\"" + EXPERT + "\"}", AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", ApiPaths.EXPERTS, "{\"id\":\"X\"}", AUTH.get("bus")).statusCode()).isEqualTo(400);
        HttpResponse<String> added = call("POST", ApiPaths.EXPERTS, "{\"id\":\"" + EXPERT + "\",\"name\":\"李教授\"}", AUTH.get("bus"));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(added.body());
        assertThat(answer.path("principal").asText()).isEqualTo("User:expert-" + EXPERT);
        assertThat(answer.path("clientConfig").asText()).contains("sasl.username=expert-" + EXPERT, "sasl.password=");
        JsonNode experts = JSON.readTree(call("GET", ApiPaths.EXPERTS, null, AUTH.get("bus")).body());
        assertThat(experts.findValuesAsText("id")).contains(EXPERT);
        assertThat(experts.findValuesAsText("name")).contains("李教授");
        assertThat(call("POST", ApiPaths.EXPERTS, "{\"id\":\"" + EXPERT + "\"}", AUTH.get("bus")).statusCode()).isEqualTo(409);
    }

    @Test
    @Order(3)
    void theQualityScoresAreTheAuthoritys() throws Exception {
        String low = "10101-8" + String.format("%05d", System.nanoTime() % 100_000L);
        String high = "10101-7" + String.format("%05d", System.nanoTime() % 100_000L);
        try (AvroSerde<QualityScore> serde = AvroSerde.specific(QualityScore.class)) {
            serde.configure(bus.serdeConfig(), false);
            try (KafkaProducer<String, QualityScore> producer = new KafkaProducer<>(new HashMap<>(bus.kafkaProperties()),
                    new StringSerializer(), serde.serializer())) {
                producer.send(new ProducerRecord<>(Topics.QUALITY, low, score(low, 0.41))).get();
                producer.send(new ProducerRecord<>(Topics.QUALITY, high, score(high, 0.97))).get();
            }
        }
        assertThat(call("GET", ApiPaths.QUALITY, null, AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("GET", ApiPaths.QUALITY + "?dept=Not+A+Dept", null, AUTH.get("bus")).statusCode()).isEqualTo(400);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", ApiPaths.QUALITY + "?dept=" + PROVIDER, null, AUTH.get("bus"))
                .body().contains(high));
        JsonNode scores = JSON.readTree(call("GET", ApiPaths.QUALITY + "?dept=" + PROVIDER, null, AUTH.get("bus")).body());
        assertThat(scores.findValuesAsText("resourceCode")).as("lowest overall first").containsExactly(low, high);
        assertThat(scores.get(0).path("overall").path("double").asDouble()).isEqualTo(0.41);
        JsonNode one = JSON.readTree(call("GET", ApiPaths.QUALITY + "?resource=" + high, null, AUTH.get("bus")).body());
        assertThat(one.findValuesAsText("resourceCode")).containsExactly(high);
    }

    @Test
    @Order(4)
    void theAuthorityRecordsTheCommitteesOpinionAndDecidesAReview() throws Exception {
        HttpResponse<String> filed = call("POST", "/open/requests", "{\"provider\":\"" + PROVIDER + "\",\"title\":\"公开企业名录\","
                + "\"name\":\"王五\",\"contact\":\"wang@example.cn\"}", null);
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        String id = JSON.readTree(filed.body()).path("id").asText();
        String token = JSON.readTree(filed.body()).path("reviewToken").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS, null,
                AUTH.get(PROVIDER)).body()).findValuesAsText("id").contains(id));
        HttpResponse<String> refused = call("POST", ApiPaths.PUBLIC_REQUESTS + "/" + id + "/answer",
                "{\"refuse\":true,\"reason\":\"涉及商业秘密\"}", AUTH.get(PROVIDER));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(200);
        HttpResponse<String> asked = call("POST", "/open/requests/" + id + "/review", "{\"token\":\"" + token
                + "\",\"reason\":\"名录不含商业秘密\"}", null);
        assertThat(asked.statusCode()).as(asked.body()).isBetween(200, 202);

        String opinion = ApiPaths.PUBLIC_REQUESTS + "/" + id + "/review-opinion";
        String review = ApiPaths.PUBLIC_REQUESTS + "/" + id + "/review";
        assertThat(call("POST", opinion, "{\"text\":\"应予公开\"}", AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", opinion, "{}", AUTH.get("bus")).statusCode()).as("an opinion without text").isEqualTo(400);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("POST", opinion, "{\"text\":\"名录应予公开\"}", AUTH.get("bus"))
                .statusCode() == 200);
        assertThat(call("POST", review, "{\"decision\":\"overturn\",\"reason\":\"x\"}", AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", review, "{\"decision\":\"maybe\",\"reason\":\"x\"}", AUTH.get("bus")).statusCode()).isEqualTo(400);
        assertThat(call("POST", review, "{\"decision\":\"overturn\"}", AUTH.get("bus")).statusCode()).as("without reason").isEqualTo(400);
        HttpResponse<String> decided = call("POST", review, "{\"decision\":\"overturn\",\"reason\":\"名录不含商业秘密，应予开放\"}",
                AUTH.get("bus"));
        assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", ApiPaths.PUBLIC_REQUESTS, null, AUTH.get("bus")).body()
                .contains("名录不含商业秘密，应予开放"));
        HttpResponse<String> unknown = call("POST", ApiPaths.PUBLIC_REQUESTS + "/" + PROVIDER + ".P999999/review-opinion",
                "{\"text\":\"x\"}", AUTH.get("bus"));
        assertThat(unknown.statusCode()).as(unknown.body()).isIn(403, 404);
    }

    @Test
    @Order(5)
    void everyAuthorityRouteAnswers401WithoutCredentials() throws Exception {
        for (String[] route : List.of(new String[] {"POST", ApiPaths.DEPARTMENTS}, new String[] {"GET", ApiPaths.EXPERTS},
                new String[] {"POST", ApiPaths.EXPERTS}, new String[] {"GET", ApiPaths.QUALITY},
                new String[] {"POST", ApiPaths.PUBLIC_REQUESTS + "/x/review-opinion"},
                new String[] {"POST", ApiPaths.PUBLIC_REQUESTS + "/x/review"})) {
            HttpResponse<String> r = call(route[0], route[1], route[0].equals("POST") ? "{}" : null, null);
            assertThat(r.statusCode()).as(route[0] + " " + route[1] + ": " + r.body()).isEqualTo(401);
        }
    }

    private static QualityScore score(String code, double overall) {
        return QualityScore.newBuilder().setResourceCode(code).setProvider(PROVIDER).setName("质量 " + code).setOpen(false)
                .setUpdateFrequency(UpdateFrequency.DAILY).setEvaluatedAt(Instant.parse("2026-12-01T02:00:00Z")).setLastChangeAt(null)
                .setRecords(10).setUnreadable(0).setItemsPresent(9).setItemsRequired(10).setIdNumbersChecked(0)
                .setIdNumbersInvalid(0).setCreditCodesChecked(0).setCreditCodesInvalid(0).setDivisionCodesChecked(0)
                .setDivisionCodesInvalid(0).setDatesChecked(0).setDatesInvalid(0).setCompleteness(overall).setValidity(1.0)
                .setTimeliness(1.0).setAvailability(1.0).setOverall(overall).setGrantsActive(0).setAccessRequests(0).setErrorReports(0)
                .setDownloads(null).setBreaches(List.of()).setViolationId(null).setComments(null).setRating(null).build();
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> call(String method, String path, String body, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
