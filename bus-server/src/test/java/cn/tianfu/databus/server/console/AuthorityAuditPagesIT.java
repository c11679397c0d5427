package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.server.api.AuditRoutes;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The authority's and the auditor's console pages over real HTTP on the shared test bus, signed in through the sign-in
 * form: the authority's departments, board, dead letters, calendars and monthly report; the audit pages verify a log of
 * three entries under a signed checkpoint (the job page follows it to its result per partition), trace a record and
 * report on a consumer, each as the signed-in principal (an auditor's ACLs do not reach this test's own log topics, and
 * its verification says so). A department signed in gets the API's refusal on both.
 */
class AuthorityAuditPagesIT {

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
    private static final String DEPT = "condept" + SUFFIX;
    private static final String AUDITOR = "conaud" + SUFFIX;
    private static final Instant NOW = Instant.parse("2026-12-01T02:00:00Z");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private static SharedBus bus;
    private static Path dataDir;
    private static HttpApi http;
    private static String busPassword;
    private static String deptPassword;
    private static String auditorPassword;

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-console-audit-it-");
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        KeyHasher hasher = KeyHasher.loadOrCreate(dataDir);
        String log = "it.console.log." + SUFFIX;
        String checkpoints = "it.console.checkpoints." + SUFFIX;
        bus.admin().createTopics(List.of(new NewTopic(log, 1, (short) 1).configs(Topics.exchangeLogConfigs()),
                new NewTopic(checkpoints, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        HashChain chain = HashChain.genesis();
        ExchangeEntry last = null;
        AvroSerde<ExchangeLogEntry> entries = AvroSerde.specific(bus.registryClient(), ExchangeLogEntry.class);
        entries.configure(Map.of(), false);
        try (KafkaProducer<String, ExchangeLogEntry> p = new KafkaProducer<>(bus.kafkaProperties(), new StringSerializer(),
                entries.serializer())) {
            for (int i = 0; i < 3; i++) {
                last = chain.append(new ExchangeEntry("cx-" + i, 1_735_700_000_000L + i * 86_400_000L, ExchangeEntry.Mode.PUSH,
                        "10101-000001", "psb", "hrss", "g-hrss", "社保资格认证", hasher.hash(("citizen-" + i % 2).getBytes(StandardCharsets.UTF_8)),
                        ExchangeEntry.Operation.UPSERT, "ab", "src.psb.10101-000001", 0, (long) i, null, null, null, null, null));
                p.send(new ProducerRecord<>(log, 0, last.exchangeId(), ExchangeLogRecords.toAvro(last)));
            }
        }
        AvroSerde<ExchangeLogCheckpoint> cps = AvroSerde.specific(bus.registryClient(), ExchangeLogCheckpoint.class);
        cps.configure(Map.of(), false);
        try (KafkaProducer<Integer, ExchangeLogCheckpoint> p = new KafkaProducer<>(bus.kafkaProperties(), new IntegerSerializer(),
                cps.serializer())) {
            Checkpoint cp = new Checkpoint(0, 2, 3, last.hash(), NOW.minusSeconds(30).toEpochMilli());
            p.send(new ProducerRecord<>(checkpoints, 0, ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey())));
        }
        busPassword = bus.registryUserInfo().substring(bus.registryUserInfo().indexOf(':') + 1);
        deptPassword = password(bus.addDepartment(DEPT).basicAuthUserInfo().orElseThrow());
        auditorPassword = password(bus.addAuditor(AUDITOR).basicAuthUserInfo().orElseThrow());
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig(),
                HttpApi.Options.NONE.withAudit(new AuditRoutes.Settings(dataDir, log, checkpoints, InstantSource.fixed(NOW))));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    @Test
    void theAuthorityReadsItsPagesAndADepartmentIsRefused() throws Exception {
        Browser authority = signIn("bus", busPassword);
        HttpResponse<String> departments = authority.get("/console/authority/departments");
        assertThat(departments.statusCode()).isEqualTo(200);
        assertThat(departments.body()).contains("id=\"departments\"").contains(DEPT);
        assertThat(departments.body()).as("the menu").contains("/console/authority/board").contains("/console/audit/verify");
        for (String page : List.of("/console/authority/board", "/console/authority/deadletters", "/console/authority/calendars",
                "/console/authority/monthly?month=2026-12")) {
            HttpResponse<String> r = authority.get(page);
            assertThat(r.statusCode()).as(page + ": " + r.body()).isEqualTo(200);
        }
        assertThat(authority.get("/console/authority/board").body()).contains("id=\"violations\"").contains("id=\"notices\"");
        assertThat(authority.get("/console/authority/monthly?month=2026-12").body()).contains("id=\"monthly\"");
        assertThat(authority.get("/console/authority/calendars?days=10&from=2026-11-02").body()).contains("2026-11-16");

        Browser department = signIn(DEPT, deptPassword);
        HttpResponse<String> catalog = department.get("/console/catalog");
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(catalog.body()).as("the menu").doesNotContain("/console/authority/board").doesNotContain("/console/audit/verify");
        assertThat(department.get("/console/authority/deadletters").statusCode()).isEqualTo(403);
        assertThat(department.get("/console/audit/report?consumer=hrss").body()).contains("auditors");
    }

    @Test
    void theLogIsVerifiedTracedAndReportedAsTheSignedInPrincipal() throws Exception {
        // the log of this test is on topics of its own, which the bus's principal reads and an auditor's ACLs do not reach
        Browser authority = signIn("bus", busPassword);
        JobPage done = verify(authority);
        assertThat(done.html()).contains("id=\"verify-verdict\" class=\"ok\"").contains("id=\"partitions\"").contains("3 / 3");

        HttpResponse<String> trace = authority.get("/console/audit/trace?resource=10101-000001&key=citizen-0");
        assertThat(trace.statusCode()).isEqualTo(200);
        assertThat(trace.body()).contains("cx-0").contains("cx-2").doesNotContain("cx-1");
        HttpResponse<String> report = authority.get("/console/audit/report?consumer=hrss&from=2025-01-01");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("id=\"report\"").contains("社保资格认证");

        // the auditor reads with its own credentials: the topics outside its ACLs are refused by the broker
        Browser auditor = signIn("auditor-" + AUDITOR, auditorPassword);
        JobPage refused = verify(auditor);
        assertThat(refused.html()).contains("id=\"verify-error\"").contains("Not authorized");
        assertThat(auditor.get("/console/authority/departments").statusCode()).isEqualTo(403);
    }

    private record JobPage(String path, String html) {
    }

    /** Starts a verification from its form and follows its page until it no longer refreshes. */
    private static JobPage verify(Browser b) throws Exception {
        HttpResponse<String> form = b.get("/console/audit/verify");
        assertThat(form.statusCode()).isEqualTo(200);
        HttpResponse<String> started = b.post("/console/audit/verify", "csrf=" + csrf(form.body()));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(303);
        String job = URI.create(started.headers().firstValue("Location").orElseThrow()).getPath();
        assertThat(job).contains("/console/audit/verify/V");
        String[] page = new String[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            page[0] = b.get(job).body();
            return !page[0].contains("http-equiv=\"refresh\"");
        });
        return new JobPage(job, page[0]);
    }

    private static String password(String userInfo) {
        return userInfo.substring(userInfo.indexOf(':') + 1);
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in " + html).isTrue();
        return URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
    }

    /** Signs in through the sign-in form, keeping the session cookie. */
    private static Browser signIn(String user, String password) throws Exception {
        Browser b = new Browser();
        HttpResponse<String> form = b.get("/console/login");
        assertThat(form.statusCode()).isEqualTo(200);
        HttpResponse<String> in = b.post("/console/login", "csrf=" + csrf(form.body()) + "&username="
                + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8));
        assertThat(in.statusCode()).as(in.body()).isEqualTo(303);
        return b;
    }

    /** A cookie-keeping HTTP client that does not follow redirects. */
    private static final class Browser {
        private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> get(String path) throws Exception {
            return client.send(HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(120)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        HttpResponse<String> post(String path, String form) throws Exception {
            return client.send(HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }
}
