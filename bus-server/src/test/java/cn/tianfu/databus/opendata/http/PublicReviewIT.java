package cn.tianfu.databus.opendata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadlines.app.DeadlinesApp;
import cn.tianfu.databus.deadlines.app.DeadlinesConfig;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The review (复核) of a public request's answer (Art. 34, second paragraph) on the shared bus, with the real governance
 * app and the deadlines app on pinned clocks, the HTTP API and the CLI: two requests filed and refused; the requester asks
 * for review with the token its filing returned (a wrong token and a second request refused); the authority records the
 * expert committee's opinion and overturns one answer within 15 days (the provider then opens it); the other review left
 * undecided past its due time is a violation of the authority under Art. 46(五).
 */
class PublicReviewIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Monday 2026-11-02, 10:00 in Asia/Shanghai. */
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final Instant OPINION = FILED.plus(Duration.ofDays(14));
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final AtomicReference<Instant> GOVERNANCE_NOW = new AtomicReference<>(FILED);
    private static final AtomicReference<Instant> DEADLINES_NOW = new AtomicReference<>(FILED);
    private static final String DEADLINES_APP = "deadlines-review-it-" + Long.toString(System.nanoTime(), 36);

    private static SharedBus bus;
    private static Path dataDir;
    private static String dept;
    private static KafkaStreams governance;
    private static HttpApi http;

    record Run(int exit, String out, String err) {
    }

    record Filed(String id, String token) {
    }

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-public-review-it-");
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.of(http.url()));
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        dept = "rv" + suffix;
        Run added = run("dept", "add", dept, "--name", "部门" + dept, "--data-dir", dataDir.toString(),
                "--out", config().toString());
        assertThat(added.exit()).as(added.err()).isZero();
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dataDir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-review-it-" + suffix))), GOVERNANCE_NOW::get);
        governance.start();
        await().atMost(WAIT).until(() -> governance.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        if (http != null) {
            http.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    private static Path config() {
        return dataDir.resolve("clients").resolve(dept + ".properties");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err), InstantSource.system());
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run ok(String... args) {
        Run r = run(args);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(http.url() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode status(String id) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(http.url() + "/open/requests/" + id))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static Filed fileAndRefuse(String title) throws Exception {
        HttpResponse<String> r = post("/open/requests", "{\"provider\": \"" + dept + "\", \"title\": \"" + title
                + "\", \"name\": \"王五\", \"contact\": \"wangwu@example.com\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        String id = body.get("id").asText();
        String token = body.get("reviewToken").asText();
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        ok("public-requests", "answer", id, "--refuse", "--reason", "涉及商业秘密", "--config", config().toString());
        await().atMost(WAIT).until(() -> status(id).get("status").asText().equals("REFUSED"));
        return new Filed(id, token);
    }

    private static HttpResponse<String> askReview(String id, String token) throws Exception {
        return post("/open/requests/" + id + "/review", "{\"token\": \"" + token + "\", \"reason\": \"所申请数据不涉及商业秘密\"}");
    }

    /** Waits until the deadlines app has committed its reading of {@code topic} up to the topic's end of now. */
    private static void awaitRead(String topic) throws Exception {
        try (Admin admin = Admin.create(bus.clientProperties())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
            await().atMost(WAIT).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(DEADLINES_APP)
                        .partitionsToOffsetAndMetadata().get().get(tp);
                return committed != null && committed.offset() >= end;
            });
        }
    }

    @Test
    void reviewedWithTheTokenDecidedInTimeOrRaisedAsTheAuthoritysViolation() throws Exception {
        // the deadlines app runs from the filing on, its clock at the filing until the end
        OwningKafkaStreams deadlines = DeadlinesApp.create(new DeadlinesConfig(bus.streamsAppConfig(Map.of(
                DeadlinesConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                DeadlinesConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                DeadlinesConfig.STATE_DIR_CONFIG, dataDir.resolve("deadlines").toString(),
                DeadlinesConfig.APPLICATION_ID_CONFIG, DEADLINES_APP,
                DeadlinesConfig.CHECK_INTERVAL_CONFIG, "200"))), DEADLINES_NOW::get);
        deadlines.start();
        try {
            reviewedDecidedAndMissed();
        } finally {
            deadlines.close(Duration.ofSeconds(30));
        }
    }

    private void reviewedDecidedAndMissed() throws Exception {
        Filed decided = fileAndRefuse("公交线路及站点");
        Filed missed = fileAndRefuse("停车场实时泊位");
        // only with the filing's token, only once; a request without review is told so
        HttpResponse<String> wrong = askReview(decided.id(), "not-the-token");
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(403);
        assertThat(askReview(decided.id(), "").statusCode()).isEqualTo(400);
        assertThat(askReview(dept + ".P99", decided.token()).statusCode()).isEqualTo(404);
        GOVERNANCE_NOW.set(FILED.plus(Duration.ofDays(3)));
        HttpResponse<String> asked = askReview(decided.id(), decided.token());
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        assertThat(askReview(decided.id(), decided.token()).statusCode()).isEqualTo(409);
        assertThat(askReview(missed.id(), missed.token()).statusCode()).isEqualTo(202);
        JsonNode requested = status(decided.id()).get("review");
        assertThat(requested.get("state").asText()).isEqualTo("REQUESTED");
        assertThat(requested.toString()).doesNotContain("所申请数据不涉及商业秘密");

        // a decision before the committee's opinion is refused; then the opinion, due 15 days on
        Run early = run("public-requests", "review", decided.id(), "--overturn", "--reason", "x", "--data-dir", dataDir.toString());
        assertThat(early.exit()).isNotZero();
        assertThat(early.out() + early.err()).contains("no opinion");
        GOVERNANCE_NOW.set(OPINION);
        for (Filed f : new Filed[] {decided, missed}) {
            ok("public-requests", "review-opinion", f.id(), "--text", "经评估，该数据不涉及商业秘密，建议开放",
                    "--data-dir", dataDir.toString());
        }
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode review = status(decided.id()).get("review");
            assertThat(review.get("state").asText()).isEqualTo("OPINION_RECORDED");
            assertThat(Instant.parse(review.get("dueAt").asText())).isEqualTo(PublicReviewRules.dueAt(OPINION));
        });
        Run byProvider = run("public-requests", "review", decided.id(), "--uphold", "--reason", "x", "--config",
                config().toString());
        assertThat(byProvider.exit()).isNotZero();

        // overturned in time: the provider is ordered to open, and opens
        GOVERNANCE_NOW.set(OPINION.plus(Duration.ofDays(2)));
        ok("public-requests", "review", decided.id(), "--overturn", "--reason", "依专家咨询委员会意见，应予开放",
                "--data-dir", dataDir.toString());
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode review = status(decided.id()).get("review");
            assertThat(review.get("state").asText()).isEqualTo("OVERTURNED");
            assertThat(review.get("overdue").asBoolean()).isFalse();
            assertThat(review.get("reason").asText()).isEqualTo("依专家咨询委员会意见，应予开放");
        });
        ok("public-requests", "answer", decided.id(), "--will-open-by", "2026-12-31", "--config", config().toString());
        await().atMost(WAIT).until(() -> status(decided.id()).get("status").asText().equals("WILL_OPEN"));
        JsonNode listed = JSON.readTree(ok("public-requests", "--data-dir", dataDir.toString(), "--dept", dept,
                "--json").out());
        assertThat(listed).hasSize(2);
        assertThat(listed.findValuesAsText("reviewReason")).containsOnly("所申请数据不涉及商业秘密");

        // once the app has read it all, its clock a minute past the second review's due time: one violation of the
        // authority, none for the review decided in time nor for the answers given in time
        awaitRead(Topics.PUBLIC_REQUESTS);
        DEADLINES_NOW.set(PublicReviewRules.dueAt(OPINION).plusSeconds(60));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode violations = JSON.readTree(ok("violations", "--data-dir", dataDir.toString(), "--json").out());
            assertThat(violations.findValuesAsText("id")).contains("46-5:review:" + missed.id())
                    .doesNotContain("46-5:review:" + decided.id(), "46-5:public:" + decided.id(),
                            "46-5:public:" + missed.id());
            for (JsonNode v : violations) {
                if (v.get("id").asText().equals("46-5:review:" + missed.id())) {
                    assertThat(v.get("duty").asText()).isEqualTo("REVIEW_OPEN_DATA_REQUEST");
                    assertThat(v.get("department").asText()).isEqualTo("bus");
                }
            }
        });
    }
}
