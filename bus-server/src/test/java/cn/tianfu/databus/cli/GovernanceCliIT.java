package cn.tianfu.databus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.testkit.SharedBus;
import picocli.CommandLine.ExitCode;

/**
 * The client commands end to end: the real governance app on the shared bus, driven through {@link DatabusCli} as
 * departments psb (population, conditional), amr (legal entities, unconditional) and mca (marriage, not shared).
 * The steps build on each other, in order.
 *
 * <p>The departments are added before governance starts: a {@code cmd.<dept>} topic appearing while the app runs
 * currently makes Kafka Streams replace its stream thread ("Topic cmd.x is unknown to the topology"), and the
 * replacement waits out the old member's session before it processes again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GovernanceCliIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("../examples/resources");

    private static SharedBus bus;
    private static Path dataDir;
    private static KafkaStreams governance;
    private static HttpApi http;
    private static String pendingRequest;
    private static final List<String[]> DEPARTMENTS = List.of(new String[] {"psb", "市公安局", "11510100MB0F31224T"},
            new String[] {"amr", "市市场监督管理局", "11510100MB1D22617A"}, new String[] {"mca", "市民政局", "11510100MB0T189053"},
            new String[] {"hrss", "市人力资源和社会保障局", "11510100MB1C68743X"});
    private static final List<Run> ADDED = new java.util.ArrayList<>();

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void startGovernance() throws IOException {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-cli-it-");
        // the bus's HTTP API serves the requests and grants views
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.of(http.url()));
        for (String[] d : DEPARTMENTS) {
            // the test, as the operator, keeps the handed-over files where '--data-dir DIR --as DEPT' reads them
            ADDED.add(run("dept", "add", d[0], "--name", d[1], "--code", d[2], "--data-dir", dataDir.toString(),
                    "--out", dataDir.resolve("clients").resolve(d[0] + ".properties").toString()));
        }
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dataDir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-cli-it"))));
        governance.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> governance.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stopGovernance() {
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        if (http != null) {
            http.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs a client command as {@code dept} on the test bus. */
    static Run as(String dept, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        all[args.length + 2] = "--as";
        all[args.length + 3] = dept;
        return run(all);
    }

    @Test
    @Order(1)
    void departments_are_added_with_topics_and_a_private_client_config() throws IOException {
        for (int i = 0; i < DEPARTMENTS.size(); i++) {
            String[] d = DEPARTMENTS.get(i);
            Run r = ADDED.get(i);
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
            assertThat(r.out()).contains("Added department " + d[0] + " (" + d[1] + ")").contains("cmd." + d[0]).contains("reply." + d[0]);
            Path file = dataDir.resolve("clients").resolve(d[0] + ".properties");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            Properties p = new Properties();
            try (var reader = Files.newBufferedReader(file)) {
                p.load(reader);
            }
            assertThat(p).containsEntry("department.id", d[0]).containsEntry("bootstrap.servers", bus.bootstrapServers())
                    .containsEntry("schema.registry.url", bus.registryUrl());
        }
        Run again = run("dept", "add", "psb", "--name", "又一个", "--data-dir", dataDir.toString());
        assertThat(again.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(again.err()).contains("department psb (市公安局) already exists");

        // without --out the client config is printed once, on stdout, and the bus keeps no copy
        String handed = "ho" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Run printed = run("dept", "add", handed, "--name", "交接", "--data-dir", dataDir.toString());
        assertThat(printed.exit()).as(printed.err()).isEqualTo(ExitCode.OK);
        assertThat(printed.out()).contains("department.id=" + handed).contains("sasl.password=");
        assertThat(printed.err()).contains("Added department " + handed).contains("the bus keeps no copy");
        assertThat(dataDir.resolve("clients").resolve(handed + ".properties")).doesNotExist();
        Properties handedOver = new Properties();
        handedOver.load(new java.io.StringReader(printed.out()));
        Run rotated = run("dept", "rotate-password", handed, "--data-dir", dataDir.toString());
        assertThat(rotated.exit()).as(rotated.err()).isEqualTo(ExitCode.OK);
        Properties rotatedOver = new Properties();
        rotatedOver.load(new java.io.StringReader(rotated.out()));
        assertThat(rotatedOver.getProperty("sasl.password")).isNotBlank().isNotEqualTo(handedOver.getProperty("sasl.password"));
        assertThat(dataDir.resolve("clients").resolve(handed + ".properties")).doesNotExist();

        Run list = run("dept", "list", "--data-dir", dataDir.toString());
        assertThat(list.exit()).isEqualTo(ExitCode.OK);
        assertThat(list.out()).contains("市公安局").contains("市市场监督管理局").contains("11510100MB0T189053");
    }

    @Test
    @Order(2)
    void providers_register_their_resources_from_definition_files() {
        Run psb = run("catalog", "register", EXAMPLES.resolve("psb-population.yaml").toString(),
                "--config", dataDir.resolve("clients/psb.properties").toString());
        assertThat(psb.exit()).as(psb.err()).isEqualTo(ExitCode.OK);
        assertThat(psb.out()).startsWith("ACCEPTED: registered resource 10101-000001");
        assertThat(as("amr", "catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString()).exit()).isEqualTo(ExitCode.OK);
        assertThat(as("mca", "catalog", "register", EXAMPLES.resolve("mca-marriage.yaml").toString()).exit()).isEqualTo(ExitCode.OK);

        Run foreign = as("amr", "catalog", "register", EXAMPLES.resolve("psb-population.yaml").toString());
        assertThat(foreign.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(foreign.err()).contains("provided by psb");

        Run twice = as("psb", "catalog", "register", EXAMPLES.resolve("psb-population.yaml").toString());
        assertThat(twice.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(twice.err()).startsWith("databus catalog register: REFUSED: you already provide resource 10101-000001");
    }

    @Test
    @Order(3)
    void every_department_browses_the_catalog() throws IOException {
        Run list = as("hrss", "catalog", "list");
        assertThat(list.exit()).as(list.err()).isEqualTo(ExitCode.OK);
        assertThat(list.out()).contains("10101-000001").contains("人口基础信息").contains("CONDITIONAL")
                .contains("10201-000001").contains("31301-000012").contains("NOT_SHARED");
        Run search = as("hrss", "catalog", "list", "--search", "婚姻");
        assertThat(search.out()).contains("31301-000012").doesNotContain("10101-000001");
        Run byProvider = as("hrss", "catalog", "list", "--provider", "amr");
        assertThat(byProvider.out()).contains("10201-000001").doesNotContain("31301-000012");
        assertThat(as("hrss", "catalog", "list", "--category", "DEPARTMENTAL").out()).contains("31301-000012").doesNotContain("10201-000001");

        Run show = as("hrss", "catalog", "show", "10101-000001", "--json");
        JsonNode entry = JSON.readTree(show.out());
        assertThat(entry.get("provider").asText()).isEqualTo("psb");
        assertThat(entry.get("dataItems").size()).isEqualTo(8);
        assertThat(as("hrss", "catalog", "show", "10101-000001").out()).contains("公民身份号码").contains("ID_NUMBER");
        Run missing = as("hrss", "catalog", "show", "99999-000001");
        assertThat(missing.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(missing.err()).contains("no resource 99999-000001");
    }

    @Test
    @Order(4)
    void a_conditional_request_is_pending_with_its_due_time() throws IOException {
        Run r = as("amr", "request", "10101-000001", "--purpose", "核验企业法定代表人身份", "--fields", "idNumber,name,divisionCode",
                "--legal-basis", "《市场主体登记管理条例》");
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("PENDING: ");
        assertThat(r.out()).containsPattern("The provider must decide by \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} \\(Asia/Shanghai\\)");
        Matcher id = Pattern.compile("request (\\S+?)\\)").matcher(r.out());
        assertThat(id.find()).isTrue();
        pendingRequest = id.group(1);

        JsonNode incoming = JSON.readTree(as("psb", "requests", "--incoming", "--json").out());
        assertThat(incoming).hasSize(1);
        assertThat(incoming.get(0).get("requestId").asText()).isEqualTo(pendingRequest);
        assertThat(incoming.get(0).get("status").asText()).isEqualTo("PENDING");
        assertThat(incoming.get(0).get("consumer").asText()).isEqualTo("amr");
        assertThat(as("amr", "requests", "--mine").out()).contains(pendingRequest).contains("PENDING").contains("核验企业法定代表人身份");
        assertThat(JSON.readTree(as("amr", "requests", "--incoming", "--json").out())).isEmpty();
    }

    @Test
    @Order(5)
    void an_unconditional_request_is_granted_at_once() {
        Run r = as("psb", "request", "10201-000001", "--purpose", "核验户籍人员开办企业情况");
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("ACCEPTED: ").contains("grant ");
        assertThat(as("psb", "grants", "--mine").out()).contains("10201-000001").contains("ACTIVE").contains("until revoked");
        assertThat(as("amr", "grants", "--incoming").out()).contains("10201-000001");
    }

    @Test
    @Order(6)
    void a_not_shared_resource_is_refused_with_its_reason() {
        Run r = as("amr", "request", "31301-000012", "--purpose", "核验法定代表人婚姻状况");
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).startsWith("databus request: REFUSED: ").contains("婚姻登记信息属于个人隐私");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    @Order(7)
    void the_provider_approves_narrowed_and_the_grant_is_visible() throws IOException {
        assertThat(pendingRequest).isNotNull();
        Run notMine = as("amr", "decide", pendingRequest, "--approve");
        assertThat(notMine.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(notMine.err()).contains("REFUSED");

        Run r = as("psb", "decide", pendingRequest, "--approve", "--fields", "idNumber,name", "--filter",
                "divisionCode.startsWith('5101')", "--until", "2027-12-31");
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).startsWith("ACCEPTED: ").contains("grant ");

        JsonNode grants = JSON.readTree(as("amr", "grants", "--mine", "--json").out());
        assertThat(grants).hasSize(1);
        JsonNode grant = grants.get(0);
        assertThat(grant.get("resourceCode").asText()).isEqualTo("10101-000001");
        assertThat(grant.get("allowedFields")).extracting(JsonNode::asText).containsExactly("idNumber", "name");
        assertThat(grant.get("rowFilter").asText()).isEqualTo("divisionCode.startsWith('5101')");
        assertThat(grant.get("purpose").asText()).isEqualTo("核验企业法定代表人身份");
        assertThat(grant.get("validUntil").asText()).isEqualTo("2027-12-31T16:00:00Z");
        assertThat(as("amr", "grants").out()).contains("idNumber,name").contains("2028-01-01 00:00");

        Run again = as("psb", "decide", pendingRequest, "--reject", "--reason", "重复");
        assertThat(again.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(again.err()).contains("not PENDING");
    }

    @Test
    @Order(8)
    void a_request_can_be_withdrawn_and_a_grant_revoked() throws IOException {
        Run filed = as("mca", "request", "10101-000001", "--purpose", "婚姻登记身份核验", "--method", "SERVICE");
        assertThat(filed.exit()).as(filed.err()).isEqualTo(ExitCode.OK);
        Matcher id = Pattern.compile("request (\\S+?)\\)").matcher(filed.out());
        assertThat(id.find()).isTrue();
        Run withdrawn = as("mca", "withdraw", id.group(1), "--reason", "改由当事人提供");
        assertThat(withdrawn.exit()).as(withdrawn.err()).isEqualTo(ExitCode.OK);
        assertThat(as("mca", "requests", "--mine").out()).contains("WITHDRAWN");

        String grantId = JSON.readTree(as("psb", "grants", "--mine", "--json").out()).get(0).get("grantId").asText();
        Run byStranger = as("mca", "revoke", grantId, "--reason", "x");
        assertThat(byStranger.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(byStranger.err()).contains("REFUSED");
        Run revoked = as("amr", "revoke", grantId, "--reason", "职责调整");
        assertThat(revoked.exit()).as(revoked.err()).isEqualTo(ExitCode.OK);
        assertThat(as("psb", "grants", "--mine").out()).contains("REVOKED");
    }

    @Test
    @Order(9)
    void an_unreachable_bus_fails_in_seconds_with_one_line() throws IOException {
        Path config = dataDir.resolve("nowhere.properties");
        Files.writeString(config, "bootstrap.servers=127.0.0.1:1\nschema.registry.url=http://127.0.0.1:1\ndepartment.id=psb\n");
        long t0 = System.nanoTime();
        Run r = run("catalog", "retire", "10101-000001", "--reason", "x", "--config", config.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).startsWith("databus catalog retire: cannot reach the bus");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }
}
