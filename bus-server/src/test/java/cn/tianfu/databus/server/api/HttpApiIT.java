package cn.tianfu.databus.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * The HTTP API over real HTTP on the shared test bus with the governance app running: every department endpoint refuses
 * callers without valid credentials (401); each command endpoint goes through governance as the caller, so another
 * department's resource, request or grant is refused (403) and the owner's is done; the OpenAPI document lists exactly
 * the routes the server registered. Three departments: a provider, a consumer and a third party.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path EXAMPLES = Path.of("../examples/resources");
    private static final String SUFFIX = Long.toString(System.nanoTime() % 1_000_000L, 36);
    private static final String PROVIDER = "apiprov" + SUFFIX;
    private static final String CONSUMER = "apicons" + SUFFIX;
    private static final String OTHER = "apioth" + SUFFIX;
    private static final String CONDITIONAL = "10101-9" + String.format("%05d", System.nanoTime() % 100_000L);
    private static final String UNCONDITIONAL = "10201-9" + String.format("%05d", System.nanoTime() % 100_000L);

    private static SharedBus bus;
    private static KafkaStreams governance;
    private static HttpApi http;
    private static Path stateDir;
    private static final Map<String, String> AUTH = new java.util.HashMap<>();
    private static String pendingRequest;
    private static String grant;
    private static String conditionalGrant;

    @BeforeAll
    static void start() throws IOException {
        bus = SharedBus.get();
        stateDir = Files.createTempDirectory("databus-http-api-it-");
        for (String dept : List.of(PROVIDER, CONSUMER, OTHER)) {
            DatabusClientConfig config = bus.addDepartment(dept);
            AUTH.put(dept, basic(config.basicAuthUserInfo().orElseThrow()));
        }
        AUTH.put("bus", basic(bus.registryUserInfo()));
        // the departments exist before governance starts, so its command topics are known from the start
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, stateDir.toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-http-api-it-" + SUFFIX))));
        governance.start();
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
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
    void theOpenApiDocumentListsExactlyTheRegisteredRoutesAndParses() throws Exception {
        Set<String> registered = http.routes().stream()
                .filter(r -> r.matches("(GET|POST|PUT|DELETE|PATCH) .*"))
                .filter(r -> !r.matches("\\w+ /(console(/.*)?)?"))   // the console's pages: not API routes
                .collect(Collectors.toCollection(TreeSet::new));
        Set<ApiDocument.Feature> features = EnumSet.of(ApiDocument.Feature.BASE, ApiDocument.Feature.DEPARTMENTS,
                ApiDocument.Feature.METRICS, ApiDocument.Feature.OPEN_DATA);
        Set<String> tabled = ApiDocument.operations(features).stream().map(o -> o.method() + " " + o.path())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(tabled).as("the route table against the routes Javalin registered").isEqualTo(registered);

        HttpResponse<String> served = call("GET", ApiPaths.OPENAPI, null, null);   // anonymous
        assertThat(served.statusCode()).isEqualTo(200);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body());
        assertThat(parsed.getMessages()).as("the parser's complaints").isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        Set<String> documented = new TreeSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(m -> documented.add(m.name() + " " + path)));
        assertThat(documented).as("the served document against the registered routes").isEqualTo(registered);
    }

    @Test
    @Order(3)
    void aProviderRegistersItsResourcesAndAnotherDepartmentCannotRegisterInItsName() throws Exception {
        HttpResponse<String> conditional = call("POST", ApiPaths.CATALOG, definition("psb-population.yaml", "10101-000001", CONDITIONAL, "psb", PROVIDER),
                AUTH.get(PROVIDER));
        assertThat(conditional.statusCode()).as(conditional.body()).isEqualTo(200);
        assertThat(JSON.readTree(conditional.body()).path("outcome").asText()).isEqualTo("ACCEPTED");
        HttpResponse<String> unconditional = call("POST", ApiPaths.CATALOG, definition("amr-legal-entity.yaml", "10201-000001", UNCONDITIONAL, "amr", PROVIDER),
                AUTH.get(PROVIDER));
        assertThat(unconditional.statusCode()).as(unconditional.body()).isEqualTo(200);

        // the definition names the provider; the caller is another department: governance refuses it (403)
        String foreign = definition("psb-population.yaml", "10101-000001", "10101-8" + String.format("%05d", System.nanoTime() % 100_000L), "psb", PROVIDER);
        HttpResponse<String> refused = call("POST", ApiPaths.CATALOG, foreign, AUTH.get(OTHER));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("message").asText()).contains("only the provider registers or changes a resource");

        HttpResponse<String> bad = call("POST", ApiPaths.CATALOG, "code: [unclosed", AUTH.get(PROVIDER));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("message").asText()).isNotBlank();
    }

    @Test
    @Order(4)
    void everyDepartmentBrowsesTheCatalog() throws Exception {
        HttpResponse<String> list = call("GET", ApiPaths.CATALOG + "?provider=" + PROVIDER, null, AUTH.get(OTHER));
        assertThat(list.statusCode()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        JSON.readTree(list.body()).forEach(e -> codes.add(e.path("code").asText()));
        assertThat(codes).containsExactly(CONDITIONAL, UNCONDITIONAL);
        HttpResponse<String> one = call("GET", ApiPaths.CATALOG + "/" + CONDITIONAL, null, AUTH.get(CONSUMER));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).path("provider").asText()).isEqualTo(PROVIDER);
        assertThat(call("GET", ApiPaths.CATALOG + "/no-such-code", null, AUTH.get(CONSUMER)).statusCode()).isEqualTo(404);
        assertThat(call("GET", ApiPaths.CATALOG + "?category=NOPE", null, AUTH.get(CONSUMER)).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(5)
    void aConsumerRequestsAndOnlyThePartiesSeeTheRequest() throws Exception {
        HttpResponse<String> granted = call("POST", ApiPaths.REQUESTS,
                "{\"resource\":\"" + UNCONDITIONAL + "\",\"purpose\":\"核验用人单位主体资格\"}", AUTH.get(CONSUMER));
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        grant = JSON.readTree(granted.body()).path("grantId").path("string").asText();
        assertThat(grant).isNotBlank();

        HttpResponse<String> pending = call("POST", ApiPaths.REQUESTS,
                "{\"resource\":\"" + CONDITIONAL + "\",\"purpose\":\"社会保险待遇资格认证\"}", AUTH.get(CONSUMER));
        assertThat(pending.statusCode()).as(pending.body()).isEqualTo(202);
        pendingRequest = JSON.readTree(pending.body()).path("requestId").path("string").asText();
        assertThat(pendingRequest).isNotBlank();

        assertThat(call("POST", ApiPaths.REQUESTS, "{\"resource\":\"" + CONDITIONAL + "\"}", AUTH.get(CONSUMER)).statusCode())
                .as("a request without a purpose").isEqualTo(400);

        String path = ApiPaths.REQUESTS + "/" + pendingRequest;
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", path, null, AUTH.get(CONSUMER)).statusCode() == 200);
        JsonNode seen = JSON.readTree(call("GET", path, null, AUTH.get(PROVIDER)).body());
        assertThat(seen.path("status").asText()).isEqualTo("PENDING");
        assertThat(call("GET", path, null, AUTH.get(OTHER)).statusCode()).isEqualTo(403);
        assertThat(call("GET", ApiPaths.REQUESTS + "?role=all", null, AUTH.get(OTHER)).body()).doesNotContain(pendingRequest);
    }

    @Test
    @Order(6)
    void onlyTheProviderDecidesAndItsNarrowingIsChecked() throws Exception {
        String decision = ApiPaths.REQUESTS + "/" + pendingRequest + "/decision";
        String approve = "{\"approve\":true,\"fields\":[\"idNumber\",\"name\",\"divisionCode\"],"
                + "\"filter\":\"divisionCode.startsWith('5101')\",\"until\":\"2030-12-31\"}";
        HttpResponse<String> byOther = call("POST", decision, approve, AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        HttpResponse<String> byConsumer = call("POST", decision, approve, AUTH.get(CONSUMER));
        assertThat(byConsumer.statusCode()).as(byConsumer.body()).isEqualTo(403);
        assertThat(call("POST", decision, "{\"approve\":false}", AUTH.get(PROVIDER)).statusCode()).as("a rejection without reason").isEqualTo(400);
        HttpResponse<String> badFilter = call("POST", decision, "{\"approve\":true,\"filter\":\"divisionCode +\"}", AUTH.get(PROVIDER));
        assertThat(badFilter.statusCode()).as(badFilter.body()).isEqualTo(400);
        assertThat(JSON.readTree(badFilter.body()).path("outcome").asText()).isEqualTo("INVALID");

        HttpResponse<String> approved = call("POST", decision, approve, AUTH.get(PROVIDER));
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        conditionalGrant = JSON.readTree(approved.body()).path("grantId").path("string").asText();
        assertThat(conditionalGrant).isNotBlank();
    }

    @Test
    @Order(7)
    void aRequestIsWithdrawnOnlyByItsRequester() throws Exception {
        // the consumer holds a grant on it now: the third department requests, the consumer is the other party here
        HttpResponse<String> pending = call("POST", ApiPaths.REQUESTS,
                "{\"resource\":\"" + CONDITIONAL + "\",\"purpose\":\"另一项用途\",\"fields\":[\"idNumber\",\"name\"]}", AUTH.get(OTHER));
        assertThat(pending.statusCode()).as(pending.body()).isEqualTo(202);
        String id = JSON.readTree(pending.body()).path("requestId").path("string").asText();
        String withdraw = ApiPaths.REQUESTS + "/" + id + "/withdraw";
        HttpResponse<String> byConsumer = call("POST", withdraw, "{\"reason\":\"不需要了\"}", AUTH.get(CONSUMER));
        assertThat(byConsumer.statusCode()).as(byConsumer.body()).isEqualTo(403);
        HttpResponse<String> done = call("POST", withdraw, "{\"reason\":\"不需要了\"}", AUTH.get(OTHER));
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(call("POST", ApiPaths.REQUESTS + "/no-such-request/withdraw", "{}", AUTH.get(OTHER)).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void aGrantIsRevokedOnlyByItsParties() throws Exception {
        String revoke = ApiPaths.GRANTS + "/" + grant + "/revoke";
        assertThat(call("POST", revoke, "{}", AUTH.get(PROVIDER)).statusCode()).as("without a reason").isEqualTo(400);
        HttpResponse<String> byOther = call("POST", revoke, "{\"reason\":\"试试\"}", AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        assertThat(call("GET", ApiPaths.GRANTS + "?role=all", null, AUTH.get(OTHER)).body()).doesNotContain(grant);
        HttpResponse<String> revoked = call("POST", revoke, "{\"reason\":\"核验工作结束\"}", AUTH.get(PROVIDER));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    }

    @Test
    @Order(9)
    void onlyTheProviderUpdatesAndRetiresItsResource() throws Exception {
        String changed = definition("amr-legal-entity.yaml", "10201-000001", UNCONDITIONAL, "amr", PROVIDER)
                .replace("updateFrequency: DAILY", "updateFrequency: WEEKLY");
        String entry = ApiPaths.CATALOG + "/" + UNCONDITIONAL;
        assertThat(call("PUT", entry + "?reason=x", changed, AUTH.get(OTHER)).statusCode()).isEqualTo(403);
        assertThat(call("PUT", ApiPaths.CATALOG + "/" + CONDITIONAL, changed, AUTH.get(PROVIDER)).statusCode())
                .as("the definition of another code").isEqualTo(400);
        HttpResponse<String> updated = call("PUT", entry + "?reason=" + "update-weekly", changed, AUTH.get(PROVIDER));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);

        String retire = entry + "/retire";
        assertThat(call("POST", retire, "{\"reason\":\"停止提供\"}", AUTH.get(OTHER)).statusCode()).isEqualTo(403);
        assertThat(call("POST", retire, "{}", AUTH.get(PROVIDER)).statusCode()).as("without a reason").isEqualTo(400);
        HttpResponse<String> retired = call("POST", retire, "{\"reason\":\"停止提供\"}", AUTH.get(PROVIDER));
        assertThat(retired.statusCode()).as(retired.body()).isEqualTo(200);
    }

    @Test
    @Order(12)
    void everyDepartmentReadsTheCalendarsDeadlinesAreCountedOn() throws Exception {
        HttpResponse<String> list = call("GET", ApiPaths.CALENDARS, null, AUTH.get(OTHER));
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(JSON.readTree(list.body()).isArray()).isTrue();
        // filed on Monday 2026-11-02: ten working days on, no holiday between, is Monday 2026-11-16
        HttpResponse<String> due = call("GET", ApiPaths.CALENDARS + "/due?days=10&from=2026-11-02", null, AUTH.get(CONSUMER));
        assertThat(due.statusCode()).as(due.body()).isEqualTo(200);
        assertThat(JSON.readTree(due.body()).path("due").asText()).isEqualTo("2026-11-16");
        assertThat(call("GET", ApiPaths.CALENDARS + "/due?days=-1&from=2026-11-02", null, AUTH.get(CONSUMER)).statusCode()).isEqualTo(400);
        assertThat(call("GET", ApiPaths.CALENDARS + "/due?days=10&from=02.11.2026", null, AUTH.get(CONSUMER)).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(10)
    void theMetricsAreTheAuthoritysAndTheBusSendsNoDepartmentCommands() throws Exception {
        assertThat(call("GET", ApiPaths.METRICS, null, AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        HttpResponse<String> metrics = call("GET", ApiPaths.METRICS, null, AUTH.get("bus"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(call("POST", ApiPaths.GRANTS + "/" + grant + "/revoke", "{\"reason\":\"x\"}", AUTH.get("bus")).statusCode()).isEqualTo(403);
    }

    @Test
    @Order(13)
    void aConsumerReportsAnErrorTheProviderAnswersAndTheReporterAccepts() throws Exception {
        String report = "{\"resource\":\"" + CONDITIONAL + "\",\"key\":\"510104199001011234\",\"field\":\"name\","
                + "\"problem\":\"姓名有误\"}";
        HttpResponse<String> byBus = call("POST", ApiPaths.REPORTS, report, AUTH.get("bus"));
        assertThat(byBus.statusCode()).as("the bus sends no department commands: " + byBus.body()).isEqualTo(403);
        HttpResponse<String> byOther = call("POST", ApiPaths.REPORTS, report, AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as("no grant on the resource: " + byOther.body()).isEqualTo(403);
        assertThat(JSON.readTree(byOther.body()).path("outcome").asText()).isEqualTo("REFUSED");
        assertThat(call("POST", ApiPaths.REPORTS, "{\"resource\":\"" + CONDITIONAL + "\",\"key\":\"k\"}", AUTH.get(CONSUMER))
                .statusCode()).as("without a problem").isEqualTo(400);
        HttpResponse<String> filed = call("POST", ApiPaths.REPORTS, report, AUTH.get(CONSUMER));
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(200);
        String id = JSON.readTree(filed.body()).path("subjectId").path("string").asText();
        assertThat(id).isNotBlank();

        String answer = ApiPaths.REPORTS + "/" + id + "/answer";
        assertThat(call("POST", answer, "{\"corrected\":false}", AUTH.get(PROVIDER)).statusCode()).as("a rejection without reason")
                .isEqualTo(400);
        HttpResponse<String> answeredByOther = call("POST", answer, "{\"corrected\":false,\"reason\":\"记录无误\"}", AUTH.get(OTHER));
        assertThat(answeredByOther.statusCode()).as(answeredByOther.body()).isEqualTo(403);
        HttpResponse<String> answered = call("POST", answer, "{\"corrected\":false,\"reason\":\"记录无误\"}", AUTH.get(PROVIDER));
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);

        String accept = ApiPaths.REPORTS + "/" + id + "/accept";
        HttpResponse<String> acceptedByProvider = call("POST", accept, null, AUTH.get(PROVIDER));
        assertThat(acceptedByProvider.statusCode()).as(acceptedByProvider.body()).isEqualTo(403);
        HttpResponse<String> accepted = call("POST", accept, null, AUTH.get(CONSUMER));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", ApiPaths.REPORTS, null, AUTH.get(CONSUMER)).body().contains(id));
        assertThat(call("GET", ApiPaths.REPORTS, null, AUTH.get(OTHER)).body()).doesNotContain(id);
    }

    @Test
    @Order(14)
    void aPartyOpensADisputeAndOnlyTheAuthorityDecidesIt() throws Exception {
        String statement = "{\"about\":\"grant:" + conditionalGrant + "\",\"statement\":\"使用超出约定用途\"}";
        HttpResponse<String> byOther = call("POST", ApiPaths.DISPUTES, statement, AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        assertThat(call("POST", ApiPaths.DISPUTES, "{\"about\":\"nothing\",\"statement\":\"x\"}", AUTH.get(PROVIDER))
                .statusCode()).isEqualTo(400);
        HttpResponse<String> opened = call("POST", ApiPaths.DISPUTES, statement, AUTH.get(PROVIDER));
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        String id = JSON.readTree(opened.body()).path("subjectId").path("string").asText();
        assertThat(id).isNotBlank();

        String steps = ApiPaths.DISPUTES + "/" + id;
        assertThat(call("POST", steps + "/bargain", "{}", AUTH.get(PROVIDER)).statusCode()).as("an unknown step").isEqualTo(404);
        assertThat(call("POST", steps + "/message", "{\"text\":\"请说明\"}", AUTH.get(OTHER)).statusCode()).isEqualTo(403);
        HttpResponse<String> escalated = call("POST", steps + "/escalate", "{\"text\":\"协商不成\"}", AUTH.get(CONSUMER));
        assertThat(escalated.statusCode()).as(escalated.body()).isEqualTo(200);
        assertThat(call("POST", steps + "/decide", "{}", AUTH.get("bus")).statusCode()).as("a decision without text").isEqualTo(400);
        HttpResponse<String> byProvider = call("POST", steps + "/decide", "{\"text\":\"维持\"}", AUTH.get(PROVIDER));
        assertThat(byProvider.statusCode()).as(byProvider.body()).isEqualTo(403);
        HttpResponse<String> decided = call("POST", steps + "/decide", "{\"text\":\"用途符合约定，维持授权\"}", AUTH.get("bus"));
        assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", ApiPaths.DISPUTES + "?status=DECIDED", null,
                AUTH.get(CONSUMER)).body().contains(id));
    }

    @Test
    @Order(15)
    void onlyTheAuthorityActsOnViolations() throws Exception {
        String order = ApiPaths.VIOLATIONS + "/no-such-violation/order";
        HttpResponse<String> byDepartment = call("POST", order, "{\"within\":10}", AUTH.get(PROVIDER));
        assertThat(byDepartment.statusCode()).as(byDepartment.body()).isEqualTo(403);
        assertThat(JSON.readTree(byDepartment.body()).path("message").asText()).contains("only the public data authority");
        HttpResponse<String> unknown = call("POST", order, "{\"within\":\"2030-12-31\",\"note\":\"限期整改\"}", AUTH.get("bus"));
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(call("POST", order, "{}", AUTH.get("bus")).statusCode()).as("without a deadline").isEqualTo(400);
        assertThat(call("POST", order, "{\"within\":\"soon\"}", AUTH.get("bus")).statusCode()).isEqualTo(400);
        assertThat(call("POST", ApiPaths.VIOLATIONS + "/no-such-violation/escalate", "{}", AUTH.get(CONSUMER)).statusCode())
                .isEqualTo(403);
        assertThat(call("POST", ApiPaths.VIOLATIONS + "/no-such-violation/rectified", "{}", AUTH.get("bus")).statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(16)
    void theAuthorityGivesNoticeAndOnlyTheDepartmentSeesItsNotices() throws Exception {
        String notice = "{\"department\":\"" + PROVIDER + "\",\"reason\":\"职责调整\"}";
        HttpResponse<String> byDepartment = call("POST", ApiPaths.NOTICES, notice, AUTH.get(OTHER));
        assertThat(byDepartment.statusCode()).as(byDepartment.body()).isEqualTo(403);
        assertThat(call("POST", ApiPaths.NOTICES, "{\"department\":\"" + PROVIDER + "\"}", AUTH.get("bus")).statusCode())
                .as("without a reason").isEqualTo(400);
        HttpResponse<String> given = call("POST", ApiPaths.NOTICES, notice, AUTH.get("bus"));
        assertThat(given.statusCode()).as(given.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(call("GET", ApiPaths.NOTICES, null, AUTH.get(PROVIDER)).body())
                .findValuesAsText("reason").contains("职责调整"));
        assertThat(JSON.readTree(call("GET", ApiPaths.NOTICES, null, AUTH.get(OTHER)).body()).findValuesAsText("department"))
                .doesNotContain(PROVIDER);
        assertThat(JSON.readTree(call("GET", ApiPaths.NOTICES + "?dept=" + PROVIDER, null, AUTH.get("bus")).body())
                .findValuesAsText("department")).isNotEmpty().containsOnly(PROVIDER);
    }

    @Test
    @Order(17)
    void theProviderSeesAndAnswersThePublicsRequestsToItAlone() throws Exception {
        HttpResponse<String> filed = call("POST", "/open/requests", "{\"provider\":\"" + PROVIDER + "\",\"title\":\"公开人口统计\","
                + "\"name\":\"张三\",\"contact\":\"zhang@example.cn\"}", null);
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        String id = JSON.readTree(filed.body()).path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS, null,
                AUTH.get(PROVIDER)).body()).findValuesAsText("id").contains(id));
        JsonNode mine = JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS + "?status=PENDING", null, AUTH.get(PROVIDER)).body());
        assertThat(mine.findValuesAsText("id")).contains(id);
        assertThat(mine.toString()).as("a department is not shown the requester's details").doesNotContain("zhang@example.cn", "张三");
        assertThat(JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS, null, AUTH.get("bus")).body()).findValuesAsText("requesterContact"))
                .as("the authority is").contains("zhang@example.cn");
        assertThat(JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS, null, AUTH.get(OTHER)).body()).findValuesAsText("id"))
                .doesNotContain(id);
        assertThat(call("GET", ApiPaths.PUBLIC_REQUESTS + "?status=MAYBE", null, AUTH.get(PROVIDER)).statusCode()).isEqualTo(400);

        String answer = ApiPaths.PUBLIC_REQUESTS + "/" + id + "/answer";
        HttpResponse<String> byOther = call("POST", answer, "{\"willOpenBy\":\"2030-01-31\"}", AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        assertThat(call("POST", answer, "{\"willOpenBy\":\"2030-01-31\"}", AUTH.get("bus")).statusCode()).isEqualTo(403);
        assertThat(call("POST", answer, "{\"refuse\":true}", AUTH.get(PROVIDER)).statusCode()).as("a refusal without reason").isEqualTo(400);
        assertThat(call("POST", answer, "{\"opened\":true,\"refuse\":true,\"reason\":\"x\"}", AUTH.get(PROVIDER)).statusCode())
                .isEqualTo(400);
        HttpResponse<String> answered = call("POST", answer, "{\"willOpenBy\":\"2030-01-31\"}", AUTH.get(PROVIDER));
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(call("GET", ApiPaths.PUBLIC_REQUESTS + "?status=WILL_OPEN",
                null, AUTH.get(PROVIDER)).body()).findValuesAsText("id").contains(id));
    }

    @Test
    @Order(18)
    void theDeadLettersAreTheAuthoritys() throws Exception {
        HttpResponse<String> byDepartment = call("GET", ApiPaths.DEADLETTERS, null, AUTH.get(PROVIDER));
        assertThat(byDepartment.statusCode()).as(byDepartment.body()).isEqualTo(403);
        HttpResponse<String> all = call("GET", ApiPaths.DEADLETTERS + "?limit=5", null, AUTH.get("bus"));
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        assertThat(JSON.readTree(all.body()).path("deadLetters").isArray()).isTrue();
        assertThat(JSON.readTree(all.body()).path("deadLetters").size()).isLessThanOrEqualTo(5);
        HttpResponse<String> wrong = call("GET", ApiPaths.DEADLETTERS + "?reason=NO_SUCH_REASON", null, AUTH.get("bus"));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).path("message").asText()).contains("MALFORMED_BYTES");
        assertThat(call("GET", ApiPaths.DEADLETTERS + "?limit=0", null, AUTH.get("bus")).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(19)
    void theDepartmentsAndTheMonthlyReportAreTheAuthoritys() throws Exception {
        assertThat(call("GET", ApiPaths.DEPARTMENTS, null, AUTH.get(PROVIDER)).statusCode()).isEqualTo(403);
        HttpResponse<String> departments = call("GET", ApiPaths.DEPARTMENTS, null, AUTH.get("bus"));
        assertThat(departments.statusCode()).as(departments.body()).isEqualTo(200);
        assertThat(JSON.readTree(departments.body()).findValuesAsText("id")).contains(PROVIDER, CONSUMER, OTHER);
        assertThat(departments.body()).doesNotContain("password").doesNotContain("scram");

        // the month of the provider's latest request (not today's: a run across a month's end must not change the answer)
        java.time.Instant lastFiled = null;
        for (JsonNode r : JSON.readTree(call("GET", ApiPaths.REQUESTS + "?role=incoming", null, AUTH.get(PROVIDER)).body())) {
            java.time.Instant filed = java.time.Instant.ofEpochMilli(r.path("filedAt").asLong());
            lastFiled = lastFiled == null || filed.isAfter(lastFiled) ? filed : lastFiled;
        }
        assertThat(lastFiled).as("the provider's requests").isNotNull();
        String month = java.time.YearMonth.from(lastFiled.atZone(java.time.ZoneId.of("Asia/Shanghai"))).toString();
        assertThat(call("GET", ApiPaths.MONTHLY_REPORT + "?month=" + month, null, AUTH.get(CONSUMER)).statusCode()).isEqualTo(403);
        HttpResponse<String> report = call("GET", ApiPaths.MONTHLY_REPORT + "?month=" + month, null, AUTH.get("bus"));
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        JsonNode provider = null;
        for (JsonNode row : JSON.readTree(report.body()).path("departments")) {
            if (row.path("department").asText().equals(PROVIDER)) {
                provider = row;
            }
        }
        assertThat(provider).as("the provider's row: " + report.body()).isNotNull();
        assertThat(provider.path("requestsReceived").asInt()).as("the conditional requests filed this month").isGreaterThanOrEqualTo(1);
        HttpResponse<String> html = call("GET", ApiPaths.MONTHLY_REPORT + "?month=" + month + "&format=html", null, AUTH.get("bus"));
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(call("GET", ApiPaths.MONTHLY_REPORT + "?month=2026-13", null, AUTH.get("bus")).statusCode()).isEqualTo(400);
        assertThat(call("GET", ApiPaths.MONTHLY_REPORT, null, AUTH.get("bus")).statusCode()).isEqualTo(400);
    }

    /**
     * Every department endpoint, without credentials, with malformed ones and with a wrong password: 401. The bus throttles
     * an address after a few failed logins, so each attempt comes from its own loopback address (127.0.0.N).
     */
    @Test
    @Order(11)
    void everyDepartmentEndpointAnswers401WithoutValidCredentials() throws Exception {
        String wrong = basic(PROVIDER + ":not-the-password");
        List<String> checked = new ArrayList<>();
        int source = 2;
        for (ApiDocument.Operation o : ApiDocument.operations(EnumSet.of(ApiDocument.Feature.DEPARTMENTS, ApiDocument.Feature.METRICS))) {
            String path = o.path().replaceAll("\\{[^}]+}", "x");
            String body = o.body() == null ? null : "{}";
            for (String auth : new String[] {null, wrong, "Basic not-base64!"}) {
                RawResponse r = raw("127.0.0." + source++, o.method(), path, body, auth);
                assertThat(r.status()).as(o.method() + " " + path + " with " + auth + ": " + r.body()).isEqualTo(401);
                assertThat(r.headers()).contains("WWW-Authenticate: Basic realm=\"databus\"");
                assertThat(JSON.readTree(r.body()).path("error_code").asInt()).isEqualTo(401);
            }
            checked.add(o.method() + " " + o.path());
        }
        assertThat(checked).contains("POST " + ApiPaths.CATALOG, "POST " + ApiPaths.REQUESTS + "/{id}/decision",
                "POST " + ApiPaths.GRANTS + "/{id}/revoke", "GET " + ApiPaths.METRICS, "POST " + ApiPaths.DISPUTES + "/{id}/{step}",
                "GET " + ApiPaths.DEADLETTERS, "POST " + ApiPaths.NOTICES).hasSizeGreaterThanOrEqualTo(30);
    }

    @Test
    @Order(20)
    void onlyTheProviderNarrowsAGrantAndOnlyNarrowsIt() throws Exception {
        String narrow = ApiPaths.GRANTS + "/" + conditionalGrant + "/narrow";
        String fewer = "{\"fields\":[\"idNumber\",\"name\"],\"reason\":\"只需核对姓名\"}";
        assertThat(call("POST", narrow, "{\"reason\":\"x\"}", AUTH.get(PROVIDER)).statusCode()).as("nothing to narrow").isEqualTo(400);
        assertThat(call("POST", narrow, "{\"fields\":[\"idNumber\"]}", AUTH.get(PROVIDER)).statusCode()).as("without a reason").isEqualTo(400);
        HttpResponse<String> byOther = call("POST", narrow, fewer, AUTH.get(OTHER));
        assertThat(byOther.statusCode()).as(byOther.body()).isEqualTo(403);
        HttpResponse<String> byConsumer = call("POST", narrow, fewer, AUTH.get(CONSUMER));
        assertThat(byConsumer.statusCode()).as(byConsumer.body()).isEqualTo(403);
        assertThat(call("POST", narrow, fewer, AUTH.get("bus")).statusCode()).as("the bus sends no department commands").isEqualTo(403);
        HttpResponse<String> wider = call("POST", narrow, "{\"fields\":[\"idNumber\",\"name\",\"mobile\"],\"reason\":\"x\"}",
                AUTH.get(PROVIDER));
        assertThat(wider.statusCode()).as("a field the grant does not allow: " + wider.body()).isEqualTo(400);
        HttpResponse<String> narrowed = call("POST", narrow, fewer, AUTH.get(PROVIDER));
        assertThat(narrowed.statusCode()).as(narrowed.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode grants = JSON.readTree(call("GET", ApiPaths.GRANTS + "?role=provider", null, AUTH.get(PROVIDER)).body());
            JsonNode g = null;
            for (JsonNode x : grants) {
                if (x.path("grantId").asText().equals(conditionalGrant)) {
                    g = x;
                }
            }
            assertThat(g).isNotNull();
            assertThat(g.path("allowedFields").path("array").toString()).isEqualTo("[\"idNumber\",\"name\"]");
        });
    }

    record RawResponse(int status, String headers, String body) {
    }

    /** One HTTP/1.1 exchange over a socket bound to {@code from}, so the server sees that source address. */
    private static RawResponse raw(String from, String method, String path, String body, String auth) throws IOException {
        URI url = URI.create(http.url());
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(from), 0));
            socket.connect(new java.net.InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n")
                    .append("Connection: close\r\n").append("Content-Length: ").append(content.length).append("\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\n");
            }
            if (auth != null) {
                head.append("Authorization: ").append(auth).append("\r\n");
            }
            head.append("\r\n");
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            String headers = response.substring(0, split);
            String rest = response.substring(split + 4);
            if (headers.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new RawResponse(Integer.parseInt(headers.substring(9, 12)), headers, rest);
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    private static String definition(String file, String code, String newCode, String provider, String newProvider) throws IOException {
        String yaml = Files.readString(EXAMPLES.resolve(file), StandardCharsets.UTF_8);
        assertThat(yaml).contains("code: " + code, "provider: " + provider + "\n");
        return yaml.replace("code: " + code, "code: " + newCode).replace("provider: " + provider + "\n", "provider: " + newProvider + "\n");
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
