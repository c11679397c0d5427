package cn.tianfu.databus.cli.violation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.YearMonth;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadlines.app.DeadlinesApp;
import cn.tianfu.databus.deadlines.app.DeadlinesConfig;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.governance.client.ViolationsView;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * Accountability end to end on the shared bus: the real governance and deadlines apps, driven through
 * {@link DatabusCli}. A conditional request left undecided past its due time shows OVERDUE on {@code bus.requests}
 * (still PENDING) and as one violation across a restart of the deadlines app on a wiped state directory; the authority
 * orders its rectification and closes it through the CLI; the department can neither close it (governance refuses,
 * the broker's ACLs refuse the topics) but sees its own; the monthly report counts it. The deadlines app's clock is
 * the test's; governance's is pinned ({@link #FILED}), so the due time and the report's month do not depend on today.
 */
class AccountabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SharedBus bus;
    private static Path dataDir;
    private static HttpApi http;
    private static KafkaStreams governance;
    private static String provider;
    private static String consumer;
    private static String code;
    /** Governance's pinned clock: the request is filed at 10:00 on Monday 2026-11-02 (Asia/Shanghai), whatever today is. */
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(FILED);
    private static final String DEADLINES_APP = "deadlines-acc-it-" + Long.toString(System.nanoTime(), 36);

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws IOException {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-accountability-it-");
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.of(http.url()));
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        provider = "pa" + suffix;
        consumer = "ca" + suffix;
        code = "10101-" + (100000 + ThreadLocalRandom.current().nextInt(800000));
        for (String d : new String[] {provider, consumer}) {
            Run r = run("dept", "add", d, "--name", "部门" + d, "--data-dir", dataDir.toString(), "--out", config(d).toString());
            assertThat(r.exit()).as(r.err()).isZero();
        }
        // departments first: a command topic appearing while governance runs makes it replace its stream thread
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dataDir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-acc-it-" + suffix))), InstantSource.fixed(FILED));
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

    static Path config(String dept) {
        return dataDir.resolve("clients").resolve(dept + ".properties");
    }

    static Run run(String... args) {
        return runAt(InstantSource.system(), args);
    }

    static Run runAt(InstantSource clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err), clock);
        return new Run(exit, out.toString(), err.toString());
    }

    static OwningKafkaStreams deadlines(String stateDir) {
        OwningKafkaStreams app = DeadlinesApp.create(new DeadlinesConfig(bus.streamsAppConfig(Map.of(
                DeadlinesConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                DeadlinesConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                DeadlinesConfig.STATE_DIR_CONFIG, dataDir.resolve(stateDir).toString(),
                DeadlinesConfig.APPLICATION_ID_CONFIG, DEADLINES_APP,
                DeadlinesConfig.CHECK_INTERVAL_CONFIG, "200"))), NOW::get);
        app.start();
        await().atMost(WAIT).until(() -> app.state() == KafkaStreams.State.RUNNING);
        return app;
    }

    static AccessRequest request(String id) {
        try (RequestsView view = RequestsView.open(DatabusClientConfig.load(config(provider)))) {
            return view.byId(id).orElseThrow();
        }
    }

    static JsonNode violation(String id) throws IOException {
        Run r = run("violations", "--data-dir", dataDir.toString(), "--dept", provider, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        for (JsonNode v : JSON.readTree(r.out())) {
            if (v.get("id").asText().equals(id)) {
                return v;
            }
        }
        return null;
    }

    /** Every committed record of {@code topic} with key {@code key}, read to the topic's end. */
    static <V extends org.apache.avro.specific.SpecificRecord> java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, V>>
            records(String topic, Class<V> type, String key) {
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, V>> found = new java.util.ArrayList<>();
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<String, V>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                cn.tianfu.databus.serde.AvroDeserializer.specific(bus.registryClient(), type))) {
            var partitions = c.partitionsFor(topic).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            var end = c.endOffsets(partitions);
            await().atMost(WAIT).until(() -> {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                }
                return partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
        }
        return found;
    }

    @Test
    void anOverdueRequestIsMarkedAndOneViolationIsOrderedRectifiedAndClosedByTheAuthorityOnly() throws Exception {
        String yaml = Files.readString(Path.of("../examples/resources/psb-population.yaml"), StandardCharsets.UTF_8)
                .replace("code: 10101-000001", "code: " + code).replace("provider: psb", "provider: " + provider);
        Path resource = Files.writeString(dataDir.resolve("resource.yaml"), yaml, StandardCharsets.UTF_8);
        Run registered = run("catalog", "register", resource.toString(), "--config", config(provider).toString());
        assertThat(registered.exit()).as(registered.out() + registered.err()).isZero();
        Run requested = run("request", code, "--purpose", "核验人员身份", "--fields", "idNumber,name,divisionCode",
                "--config", config(consumer).toString());
        assertThat(requested.exit()).as(requested.out() + requested.err()).isZero();
        String requestId = code + ".R1";
        AccessRequest pending = request(requestId);
        assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING);
        Instant due = pending.getDueAt();
        String violationId = "46-5:" + requestId;

        // the deadlines app, its clock just past the due time
        NOW.set(due.plusSeconds(60));
        OwningKafkaStreams app = deadlines("deadlines-a");
        try {
            await().atMost(WAIT).until(() -> request(requestId).getOverdueAt() != null);
            assertThat(violation(violationId)).isNotNull();
        } finally {
            app.close(Duration.ofSeconds(30));
        }
        AccessRequest overdue = request(requestId);
        assertThat(overdue.getStatus()).isEqualTo(RequestStatus.PENDING);
        Run listed = run("requests", "--incoming", "--config", config(provider).toString());
        assertThat(listed.out()).contains(requestId).contains("PENDING (OVERDUE)");

        // restarted on a wiped state directory, a day later: nothing raised again. A marker after the request on its
        // partition of bus.requests, already due, raises its violation once the restarted app has read that far.
        NOW.set(due.plus(Duration.ofDays(1)));
        int partition = records(Topics.REQUESTS, AccessRequest.class, requestId).get(0).partition();
        String marker = "marker-" + Long.toString(System.nanoTime(), 36) + ".R1";
        app = deadlines("deadlines-b");
        try {
            Properties bp = new Properties();
            bp.putAll(bus.clientProperties());
            try (KafkaProducer<String, AccessRequest> producer = new KafkaProducer<>(bp, new StringSerializer(),
                    new AvroSerializer<AccessRequest>(bus.registryClient()))) {
                producer.send(new ProducerRecord<>(Topics.REQUESTS, partition, marker, AccessRequest.newBuilder(pending)
                        .setRequestId(marker).setProvider(consumer).setConsumer(provider).build())).get(30, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> !records(Topics.VIOLATIONS, Violation.class, "46-5:" + marker).isEmpty());
        } finally {
            app.close(Duration.ofSeconds(30));
        }
        assertThat(records(Topics.VIOLATIONS, Violation.class, violationId)).hasSize(1);
        assertThat(request(requestId).getOverdueAt()).isEqualTo(overdue.getOverdueAt());

        // the department cannot close it: governance refuses, and the broker refuses it the topics
        Run refused = run("violation", "rectified", violationId, "--config", config(provider).toString());
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("REFUSED").contains("only the public data authority");
        DatabusClientConfig dept = DatabusClientConfig.load(config(provider));
        try (GovernanceClient g = GovernanceClient.create(dept)) {
            CommandResult r = g.await(g.closeViolation(violationId, ViolationActionKind.RECTIFIED, java.util.Optional.empty()),
                    Duration.ofSeconds(30));
            assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        }
        Properties p = new Properties();
        p.putAll(dept.kafkaProperties());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        try (KafkaProducer<String, Violation> producer = new KafkaProducer<>(p, new StringSerializer(),
                new AvroSerializer<Violation>(bus.registryClient()))) {
            Violation forged = Violation.newBuilder(cn.tianfu.databus.schemas.Violation.newBuilder()
                    .setId(violationId).setClause(cn.tianfu.databus.schemas.ViolationClause.ART46_5).setDepartment(provider)
                    .setDuty(cn.tianfu.databus.schemas.DutyKind.DECIDE_REQUEST).setSubjectId(requestId).setDueAt(due)
                    .setDetectedAt(due).setDescription("x").setStatus(cn.tianfu.databus.schemas.ViolationStatus.RECTIFIED)
                    .build()).build();
            for (String topic : new String[] {Topics.VIOLATIONS, Topics.VIOLATION_ACTIONS}) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, violationId, forged)).get(10, TimeUnit.SECONDS))
                        .hasStackTraceContaining("uthoriz");
            }
        }

        // the authority orders rectification and records it rectified
        app = deadlines("deadlines-b");
        try {
            // by a date after both clocks (governance's pinned at filing, the app's past the due time)
            String by = due.plus(Duration.ofDays(30)).atZone(WorkingDayCalendar.ZONE).toLocalDate().toString();
            Run ordered = run("violation", "order", violationId, "--within", by, "--note", "decide it now",
                    "--data-dir", dataDir.toString());
            assertThat(ordered.exit()).as(ordered.err()).isZero();
            assertThat(ordered.out()).contains("ordered " + provider + " to rectify violation " + violationId);
            await().atMost(WAIT).until(() -> "RECTIFICATION_ORDERED".equals(violation(violationId).get("status").asText()));
            Run again = run("violation", "order", violationId, "--within", "5", "--data-dir", dataDir.toString());
            assertThat(again.exit()).isNotZero();
            assertThat(again.err()).contains("is RECTIFICATION_ORDERED");
            Run unknown = run("violation", "escalate", "46-5:nothing.R9", "--data-dir", dataDir.toString());
            assertThat(unknown.err()).contains("NOT_FOUND");

            Run rectified = run("violation", "rectified", violationId, "--note", "decided", "--data-dir", dataDir.toString());
            assertThat(rectified.exit()).as(rectified.err()).isZero();
            await().atMost(WAIT).until(() -> "RECTIFIED".equals(violation(violationId).get("status").asText()));
        } finally {
            app.close(Duration.ofSeconds(30));
        }
        JsonNode closed = violation(violationId);
        assertThat(closed.get("history")).hasSize(3);
        assertThat(closed.get("history").get(1).get("by").asText()).isEqualTo("bus");
        assertThat(closed.get("history").get(1).get("note").asText()).contains("decide it now");
        assertThat(closed.get("history").get(2).get("note").asText()).isEqualTo("decided");

        // each department sees its own violations only, through the HTTP API
        try (ViolationsView mine = ViolationsView.open(dept)) {
            assertThat(mine.all()).extracting(Violation::getId).contains(violationId)
                    .allSatisfy(id -> assertThat(mine.byId(id).orElseThrow().getDepartment()).isEqualTo(provider));
        }
        Run own = run("violations", "--config", config(consumer).toString(), "--json");
        assertThat(own.exit()).as(own.err()).isZero();
        assertThat(JSON.readTree(own.out())).allSatisfy(v -> assertThat(v.get("department").asText()).isEqualTo(consumer));
        assertThat(own.out()).doesNotContain(violationId);
        Run providers = run("violations", "--config", config(provider).toString());
        assertThat(providers.out()).contains(violationId).contains("RECTIFIED");

        // the monthly report of the due time's month, made a day after it
        YearMonth month = YearMonth.from(due.atZone(WorkingDayCalendar.ZONE));
        InstantSource later = () -> due.plus(Duration.ofDays(1));
        Run csv = runAt(later, "report", "monthly", "--month", month.toString(), "--format", "csv", "--data-dir", dataDir.toString());
        assertThat(csv.exit()).as(csv.err()).isZero();
        String header = csv.out().lines().findFirst().orElseThrow();
        String row = csv.out().lines().filter(l -> l.contains("," + provider + ",")).findFirst().orElseThrow();
        java.util.List<String> h = java.util.List.of(header.split(","));
        String[] cells = row.split(",");
        assertThat(pending.getFiledAt()).isEqualTo(FILED);
        assertThat(month).isEqualTo(YearMonth.of(2026, 11));
        assertThat(cells[h.indexOf("requests_received")]).isEqualTo("1");
        assertThat(cells[h.indexOf("requests_decided")]).isEqualTo("0");
        assertThat(cells[h.indexOf("on_time_pct")]).isEmpty();
        assertThat(cells[h.indexOf("overdue")]).isEqualTo("1");
        assertThat(cells[h.indexOf("violations_ART46_5")]).isEqualTo("1");
        assertThat(cells[h.indexOf("violations_RECTIFIED")]).isEqualTo("1");

        Run json = runAt(later, "report", "monthly", "--month", month.toString(), "--format", "json", "--data-dir", dataDir.toString());
        JsonNode report = JSON.readTree(json.out());
        JsonNode mineRow = null;
        for (JsonNode d : report.get("departments")) {
            if (d.get("department").asText().equals(provider)) {
                mineRow = d;
            }
        }
        assertThat(mineRow).isNotNull();
        assertThat(mineRow.get("overdue").asInt()).isEqualTo(1);
        assertThat(mineRow.get("violationsByClause").get("46(五)").asInt()).isEqualTo(1);

        Path html = dataDir.resolve("report.html");
        Run page = runAt(later, "report", "monthly", "--month", month.toString(), "--format", "html", "--out", html.toString(),
                "--data-dir", dataDir.toString());
        assertThat(page.exit()).as(page.err()).isZero();
        String text = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(text).contains("<svg id=\"chart-on-time\"").contains("<svg id=\"chart-violations\"")
                .contains(provider).doesNotContain("<script");
    }
}
