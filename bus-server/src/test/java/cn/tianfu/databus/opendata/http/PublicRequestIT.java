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
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * Public requests to open data (Art. 34) on the shared bus, with the real governance app (its clock pinned at 10:00 on
 * Monday 2026-11-02, Asia/Shanghai), the HTTP API and the deadlines app: filed anonymously over HTTP, the status page
 * without the requester's contact, one answered by the provider with the CLI in time, one left unanswered and raised as
 * a violation under Art. 46(五) once the deadlines app's clock passes its due time; submissions rate-limited.
 */
class PublicRequestIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(FILED);
    private static final String DEADLINES_APP = "deadlines-pr-it-" + Long.toString(System.nanoTime(), 36);

    private static SharedBus bus;
    private static Path dataDir;
    private static String dept;
    private static KafkaStreams governance;
    private static HttpApi http;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-public-request-it-");
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.of(http.url()));
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        dept = "pr" + suffix;
        Run added = run(InstantSource.system(), "dept", "add", dept, "--name", "部门" + dept, "--data-dir",
                dataDir.toString(), "--out", config().toString());
        assertThat(added.exit()).as(added.err()).isZero();
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dataDir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-pr-it-" + suffix))), InstantSource.fixed(FILED));
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

    private static Run run(InstantSource clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err), clock);
        return new Run(exit, out.toString(), err.toString());
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

    private static HttpResponse<String> post(String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(http.url() + "/open/requests"))
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

    private String ask(String title) throws Exception {
        HttpResponse<String> r = post("{\"provider\": \"" + dept + "\", \"title\": \"" + title + "\", \"description\":"
                + " \"用于出行类应用\", \"name\": \"李四\", \"organization\": \"成都某科技有限公司\", \"contact\":"
                + " \"lisi@example.com\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.headers().firstValue("Location")).contains("/open/requests/" + body.get("id").asText());
        return body.get("id").asText();
    }

    @Test
    void filedAnonymouslyAnsweredInTimeOrRaisedAsAViolationWhenMissed() throws Exception {
        assertThat(post("{\"resource\": \"99999-999999\", \"title\": \"x\", \"name\": \"n\", \"contact\": \"c\"}")
                .statusCode()).isEqualTo(404);
        HttpResponse<String> noContact = post("{\"provider\": \"" + dept + "\", \"title\": \"公交线路\", \"name\": \"李四\"}");
        assertThat(noContact.statusCode()).isEqualTo(400);
        assertThat(noContact.body()).contains("requesterContact");

        // the deadlines app runs from the filing on, its clock at governance's
        OwningKafkaStreams deadlines = DeadlinesApp.create(new DeadlinesConfig(bus.streamsAppConfig(Map.of(
                DeadlinesConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                DeadlinesConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                DeadlinesConfig.STATE_DIR_CONFIG, dataDir.resolve("deadlines").toString(),
                DeadlinesConfig.APPLICATION_ID_CONFIG, DEADLINES_APP,
                DeadlinesConfig.CHECK_INTERVAL_CONFIG, "200"))), NOW::get);
        deadlines.start();
        try {
            filedAnsweredAndMissed();
        } finally {
            deadlines.close(Duration.ofSeconds(30));
        }
    }

    private void filedAnsweredAndMissed() throws Exception {
        String answered = ask("公交线路及站点");
        String missed = ask("停车场实时泊位");
        assertThat(answered).isEqualTo(dept + ".P1");
        assertThat(missed).isEqualTo(dept + ".P2");

        JsonNode pending = status(answered);
        assertThat(pending.get("status").asText()).isEqualTo("PENDING");
        assertThat(Instant.parse(pending.get("dueAt").asText())).isEqualTo(PublicRequestRules.dueAt(FILED));
        assertThat(pending.toString()).doesNotContain("lisi@example.com").doesNotContain("李四");

        // the provider answers the first in time, with the CLI
        Run refused = run(InstantSource.system(), "public-requests", "answer", answered, "--refuse", "--reason",
                "涉及商业秘密，不予开放", "--config", config().toString());
        assertThat(refused.exit()).as(refused.out() + refused.err()).isZero();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode s = status(answered);
            assertThat(s.get("status").asText()).isEqualTo("REFUSED");
            assertThat(s.get("answer").asText()).isEqualTo("涉及商业秘密，不予开放");
            assertThat(s.get("overdue").asBoolean()).isFalse();
        });
        Run again = run(InstantSource.system(), "public-requests", "answer", answered, "--opened",
                "--config", config().toString());
        assertThat(again.exit()).isNotZero();
        assertThat(again.out() + again.err()).contains("already answered");

        // the authority's list shows both, with the requester's contact
        Run listed = run(InstantSource.system(), "public-requests", "--data-dir", dataDir.toString(), "--dept", dept,
                "--json");
        assertThat(listed.exit()).as(listed.err()).isZero();
        JsonNode all = JSON.readTree(listed.out());
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("requesterContact").asText()).isEqualTo("lisi@example.com");

        // once the app has read the answer, its clock a minute past the due time: the second is a violation, the first not
        awaitRead(Topics.PUBLIC_REQUESTS);
        NOW.set(PublicRequestRules.dueAt(FILED).plusSeconds(60));
        await().atMost(WAIT).untilAsserted(() -> {
            Run v = run(InstantSource.system(), "violations", "--data-dir", dataDir.toString(), "--dept", dept, "--json");
            assertThat(v.exit()).as(v.err()).isZero();
            JsonNode violations = JSON.readTree(v.out());
            assertThat(violations).hasSize(1);
            assertThat(violations.get(0).get("id").asText()).isEqualTo("46-5:public:" + missed);
            assertThat(violations.get(0).get("duty").asText()).isEqualTo("ANSWER_OPEN_DATA_REQUEST");
        });
        assertThat(status(missed).get("overdue").asBoolean()).isTrue();
        assertThat(CLIENT.send(HttpRequest.newBuilder(URI.create(http.url() + "/open/requests/" + dept + ".P9")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

        // submissions are limited per address: malformed ones count too, then 429 with Retry-After
        HttpResponse<String> last = null;
        for (int i = 0; i < PublicRequestRoutes.SUBMIT_LIMIT; i++) {
            last = post("not json");
            if (last.statusCode() == 429) {
                break;
            }
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
    }
}
