package cn.tianfu.databus.opendata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The public's comments and ratings on open datasets (Art. 35) and a department's own public requests (Art. 34) on the
 * shared bus, with the real governance app and the HTTP API: comments posted anonymously, listed newest first and paged,
 * counted and rated in CKAN's {@code package_show}; bad ones refused with 400, a closed or unknown dataset 404; the
 * provider's answer (another department's refused); posting limited per address; {@code GET /api/v1/public-requests}
 * shows a department the requests to it, without the requester's details, and nothing of another's.
 */
class PublicCommentIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of("../examples/resources/amr-legal-entity.yaml");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static SharedBus bus;
    private static Path dir;
    private static String dept;
    private static String other;
    private static String open;
    private static String closed;
    private static DatabusClientConfig provider;
    private static DatabusClientConfig stranger;
    private static KafkaStreams governance;
    private static HttpApi http;

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dir = Files.createTempDirectory("databus-comment-it-");
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        dept = "cm" + suffix;
        other = "co" + suffix;
        open = "10201-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        closed = open.substring(0, 6) + String.format("%06d", (Integer.parseInt(open.substring(6)) + 1) % 1_000_000);
        provider = bus.addDepartment(dept);
        stranger = bus.addDepartment(other);
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-comment-it-" + suffix))));
        governance.start();
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        await().atMost(Duration.ofSeconds(60)).until(() -> governance.state() == KafkaStreams.State.RUNNING);
        assertThat(register(definition(open, true)).getAccepted()).isTrue();
        assertThat(register(definition(closed, false)).getAccepted()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/3/action/package_show?id=" + open).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        SharedBus.deleteRecursively(dir);
    }

    private static ResourceDefinition definition(String code, boolean opened) throws Exception {
        String yaml = Files.readString(EXAMPLE)
                .replaceFirst("(?m)^code: .*$", "code: " + code)
                .replaceFirst("(?m)^provider: .*$", "provider: " + dept)
                .replaceFirst("(?m)^  enabled: .*$", "  enabled: " + opened);
        return ResourceDefinitions.parse(yaml, EXAMPLE.getFileName().toString());
    }

    private static CommandResult register(ResourceDefinition def) throws Exception {
        try (GovernanceClient client = GovernanceClient.create(provider)) {
            return client.register(def).get(60, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String basic(DatabusClientConfig config) {
        return "Basic " + Base64.getEncoder().encodeToString(config.basicAuthUserInfo().orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> comment(String code, String body) throws Exception {
        return post("/open/datasets/" + code + "/comments", body);
    }

    @Test
    void commentsArePostedListedCountedAnsweredAndBadOnesRefused() throws Exception {
        // bad input: 400 with the reason; a closed or unknown dataset: 404
        for (String[] bad : new String[][] {
                {"{\"rating\": 4}", "text is required"},
                {"{\"text\": \"好\", \"rating\": 6}", "rating"},
                {"{\"text\": \"好\", \"rating\": \"5\"}", "rating"},
                {"{\"text\": \"" + "长".repeat(CommentRoutes.MAX_TEXT + 1) + "\", \"rating\": 3}", "longer than"},
                {"{\"text\": \"好\", \"rating\": 3, \"contact\": \"a@b.cn\"}", "contact"},
                {"[1, 2]", "JSON object"}}) {
            HttpResponse<String> r = comment(open, bad[0]);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("message").asText()).contains(bad[1]);
        }
        assertThat(comment(closed, "{\"text\": \"好\", \"rating\": 3}").statusCode()).isEqualTo(404);
        assertThat(comment("99999-999999", "{\"text\": \"好\", \"rating\": 3}").statusCode()).isEqualTo(404);
        assertThat(get("/open/datasets/" + closed + "/comments").statusCode()).isEqualTo(404);

        HttpResponse<String> first = comment(open, "{\"name\": \"张三\", \"text\": \"数据很有用，希望每日更新\", \"rating\": 5}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        String firstId = JSON.readTree(first.body()).get("id").asText();
        assertThat(comment(open, "{\"text\": \"缺少注销企业\", \"rating\": 2}").statusCode()).isEqualTo(201);
        assertThat(comment(open.toLowerCase(), "{\"text\": \"字段说明不清楚\", \"rating\": 4}").statusCode()).isEqualTo(201);

        JsonNode page = JSON.readTree(get("/open/datasets/" + open + "/comments?limit=2").body());
        assertThat(page.get("count").asInt()).isEqualTo(3);
        assertThat(page.get("rating").asDouble()).isEqualTo(3.67);
        assertThat(page.get("comments")).hasSize(2);
        assertThat(page.get("comments").get(0).get("text").asText()).isEqualTo("字段说明不清楚");
        JsonNode rest = JSON.readTree(get("/open/datasets/" + open + "/comments?limit=2&offset=2").body());
        assertThat(rest.get("comments")).hasSize(1);
        assertThat(rest.get("comments").get(0).get("name").asText()).isEqualTo("张三");
        assertThat(get("/open/datasets/" + open + "/comments?limit=0").statusCode()).isEqualTo(400);

        JsonNode pkg = JSON.readTree(get("/api/3/action/package_show?id=" + open).body()).get("result");
        assertThat(pkg.get("num_comments").asInt()).isEqualTo(3);
        assertThat(pkg.get("rating").asDouble()).isEqualTo(3.67);

        // the provider answers; another department may not
        String answer = "{\"answer\": \"已改为每日更新\"}";
        assertThat(post("/api/v1/comments/" + firstId + "/answer", answer).statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/comments/" + firstId + "/answer", answer, "Authorization", basic(stranger))
                .statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/comments/" + firstId + "/answer", "{}", "Authorization", basic(provider))
                .statusCode()).isEqualTo(400);
        HttpResponse<String> answered = post("/api/v1/comments/" + firstId + "/answer", answer, "Authorization",
                basic(provider));
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        JsonNode listed = JSON.readTree(get("/open/datasets/" + open + "/comments?offset=2").body()).get("comments").get(0);
        assertThat(listed.get("id").asText()).isEqualTo(firstId);
        assertThat(listed.get("answer").asText()).isEqualTo("已改为每日更新");

        // posting is limited per address: malformed ones count too
        HttpResponse<String> last = null;
        for (int i = 0; i < CommentRoutes.POST_LIMIT; i++) {
            last = comment(open, "not json");
            if (last.statusCode() == 429) {
                break;
            }
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aDepartmentSeesThePublicRequestsToItWithoutTheRequestersDetails() throws Exception {
        HttpResponse<String> filed = post("/open/requests", "{\"resource\": \"" + closed + "\", \"title\": \"企业名录\","
                + " \"description\": \"用于信用研究\", \"name\": \"赵六\", \"contact\": \"zhaoliu@example.com\"}");
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        String id = JSON.readTree(filed.body()).get("id").asText();

        HttpResponse<String> mine = get("/api/v1/public-requests", "Authorization", basic(provider));
        assertThat(mine.statusCode()).as(mine.body()).isEqualTo(200);
        JsonNode requests = JSON.readTree(mine.body());
        assertThat(requests.findValuesAsText("id")).containsExactly(id);
        assertThat(requests.get(0).get("description").asText()).isEqualTo("用于信用研究");
        assertThat(requests.get(0).get("resource").asText()).isEqualTo(closed);
        assertThat(mine.body()).doesNotContain("zhaoliu@example.com", "赵六");
        assertThat(JSON.readTree(get("/api/v1/public-requests?status=REFUSED", "Authorization", basic(provider))
                .body())).isEmpty();
        assertThat(get("/api/v1/public-requests?status=LOST", "Authorization", basic(provider)).statusCode())
                .isEqualTo(400);
        assertThat(JSON.readTree(get("/api/v1/public-requests", "Authorization", basic(stranger)).body())
                .findValuesAsText("id")).doesNotContain(id);
        assertThat(get("/api/v1/public-requests").statusCode()).isEqualTo(401);
    }
}
