package cn.tianfu.databus.cli.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testing.LogCopy;
import cn.tianfu.databus.testkit.TestGovernance;
import cn.tianfu.databus.testkit.TestMappings;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;

/**
 * {@code databus cdc run} and {@code databus cdc check} as a provider runs them: the department added with
 * {@code databus dept add}, its client config given with {@code --config}, against the shared bus (with the real
 * sharing router delivering to a consumer with a grant) and an embedded PostgreSQL.
 */
class CdcRunCommandIT {

    private static final Pattern STATUS = Pattern.compile(
            "(\\S+) STREAMING: (\\d+) row\\(s\\) captured \\((\\d+) from the snapshot\\), lag (\\d+) ms, last position"
                    + " ([^;\\s]+); (.+)");
    private static final String CDC_PASSWORD = "cdc-secret";

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static TestGovernance gov;
    private static EmbeddedPostgres pg;
    private static KafkaStreams router;
    private static Path dataDir;
    private static Path providerConfig;
    private static String provider;
    private static String consumer;
    private static final ExecutorService THREADS = Executors.newCachedThreadPool();

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        registry = bus.registryClient();
        gov = new TestGovernance(bus);
        dataDir = Files.createTempDirectory("databus-cdc-cli-it-");
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
        bus.writeBusClientConfig(dataDir, Optional.empty());
        pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE cdc LOGIN REPLICATION PASSWORD '" + CDC_PASSWORD + "'");
            s.execute("CREATE DATABASE hukou OWNER cdc");
        }
        Files.writeString(dataDir.resolve("cdc-password.txt"), CDC_PASSWORD + "\n");
        LogCopy log = LogCopy.create(bus, "cdc-cli-it");
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(log.router(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, dataDir.resolve("router-state").toString(),
                RouterConfig.DATA_DIR_CONFIG, dataDir.resolve("router-data").toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "cdc-cli-it-router",
                RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000)))));
        router.start();

        String s = suffix();
        provider = "p" + s;
        consumer = "c" + s;
        for (String dept : List.of(provider, consumer)) {
            Run added = run("dept", "add", dept, "--name", "department " + dept, "--data-dir", dataDir.toString(),
                    "--out", ClientFiles.file(dataDir, dept).toString());
            assertThat(added.exit()).as(added.err()).isZero();
        }
        providerConfig = ClientFiles.file(dataDir, provider);
    }

    @AfterAll
    static void stop() throws Exception {
        THREADS.shutdown();
        THREADS.awaitTermination(30, TimeUnit.SECONDS);
        if (router != null) {
            router.close(Duration.ofSeconds(30));
        }
        if (pg != null) {
            pg.close();
        }
        if (gov != null) {
            gov.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (dataDir != null) {
            SharedBus.deleteRecursively(dataDir);
        }
    }

    // ---- fixtures ----

    private static String suffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    /** A catalogued copy of the example population resource of the provider, granted (fields in clear) to the consumer. */
    private static String catalogue() {
        TestGovernance.Catalogued c = gov.catalogue(Path.of("..", "examples", "resources", "psb-population.yaml"), provider);
        gov.grantInClear(c, consumer);
        return c.code();
    }

    private static Path mapping(String runner, String table, String resource, String columns) throws Exception {
        Path file = dataDir.resolve(runner + ".yaml");
        Files.writeString(file, TestMappings.postgresHead(provider, runner, pg.getPort(), dataDir.resolve("cdc-password.txt"))
                + """
                  - table: public.%s
                    resource: %s
                    key: [id_number]
                    columns:
                %s
                """.formatted(table, resource, columns));
        return file;
    }

    private static final String COLUMNS = """
            id_number: idNumber
            full_name: name
            birth_date: {field: birthDate, type: date}
            division: divisionCode
            changed_at: {field: updatedAt, type: timestamp}
            """.indent(6) + "    exclude: [internal_note]\n";

    private static Connection owner() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/hukou", "cdc", CDC_PASSWORD);
    }

    private static String createTable() throws Exception {
        String table = "resident_" + suffix();
        try (Connection c = owner(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id_number varchar(18) PRIMARY KEY, full_name text, birth_date date,"
                    + " division text, changed_at timestamptz, internal_note text)");
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        }
        return table;
    }

    private static void insert(String table, String id, String name) throws Exception {
        try (Connection c = owner(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                + " (id_number, full_name, division, changed_at, internal_note) VALUES (?, ?, '510104', now(), 'note')")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    /** Whether the mapping's replication slot is held by a connection. */
    private static boolean slotActive(Path mapping) throws Exception {
        String slot = CdcMapping.parse(mapping).database().slot();
        try (Connection c = owner(); PreparedStatement ps = c.prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("slot %s exists", slot).isTrue();
                return rs.getBoolean(1);
            }
        }
    }

    // ---- tests ----

    @Test
    void runPrintsItsStatusDeliversRowsToTheGrantedConsumerAndStopsCleanly() throws Exception {
        String table = createTable();
        insert(table, "510104199001011234", "张三");
        String runner = "hukou-" + suffix();
        String resource = catalogue();
        Path mapping = mapping(runner, table, resource, COLUMNS);
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(DatabusClientConfig.load(ClientFiles.file(dataDir, consumer)), "it")
                .resource(resource).consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        THREADS.submit(() -> subscriber.run(received::add));

        // the command tree of the databus command, run on a thread as from a terminal
        CommandLine cli = new CommandLine(new DatabusCli());
        CdcRunCommand command = cli.getSubcommands().get("cdc").getSubcommands().get("run").getCommand();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        Matcher status;
        Future<Integer> exit = THREADS.submit(() -> cli.execute("cdc", "run", mapping.toString(),
                "--config", providerConfig.toString(), "--status-interval", "1", "--metrics-port", "0",
                "--metrics-host", "127.0.0.1"));
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> out.toString().contains(runner + " STREAMING") || exit.isDone());
            assertThat(out.toString()).as(err::toString).startsWith("capturing ").contains("for " + provider
                    + " (runner " + runner + "); Ctrl-C stops");
            insert(table, "510105198502023456", "欧阳娜娜");
            insert(table, "510106198703034567", "李四");

            await().atMost(Duration.ofSeconds(60)).until(() -> lastStatus(out.toString()).map(m -> m.group(2)).orElse("")
                    .equals("3"));
            status = lastStatus(out.toString()).orElseThrow();
            assertThat(status.group(1)).isEqualTo(runner);
            assertThat(status.group(3)).as("snapshot rows").isEqualTo("1");
            assertThat(Long.parseLong(status.group(4))).as("lag ms").isBetween(0L, 60_000L);
            assertThat(status.group(5)).matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
            assertThat(status.group(6)).as("the table's stream").isEqualTo("public." + table + " streaming");

            await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
            assertThat(received).extracting(Delivery::key).containsExactlyInAnyOrder("510104199001011234",
                    "510105198502023456", "510106198703034567");
            assertThat(received).allSatisfy(d -> {
                assertThat(d.kind()).isEqualTo(Delivery.Kind.UPSERT);
                assertThat(d.resourceCode()).isEqualTo(resource);
            });
            assertThat(received.stream().filter(d -> d.key().equals("510105198502023456")).findFirst().orElseThrow()
                    .value().get("name").toString()).isEqualTo("欧阳娜娜");
            assertThat(slotActive(mapping)).isTrue();

            // the runner's own /metrics, on the port it printed
            Matcher metrics = Pattern.compile("metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(out.toString());
            assertThat(metrics.find()).as(out::toString).isTrue();
            java.net.http.HttpResponse<String> scraped = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(metrics.group(1))).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.body().lines().filter(l -> l.startsWith("databus_cdc_changes_published_total{")
                    && l.contains("table=\"public." + table + "\"")).toList()).singleElement().asString().endsWith(" 3.0");
        } finally {
            command.stop.countDown(); // what Ctrl-C's shutdown hook does
            subscriber.close();
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).as(err::toString).isEqualTo(ExitCode.OK);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as("the last line is the final status").matches(Pattern.quote(runner
                + " STOPPED: 3 row(s) captured (1 from the snapshot), lag ") + "\\d+" + Pattern.quote(" ms, last position "
                + status.group(5) + "; public." + table + " streaming"));
        assertThat(err.toString()).isEmpty();
        assertThat(slotActive(mapping)).as("the runner let go of its replication slot").isFalse();
    }

    @Test
    void sigtermStopsTheCaptureWithAFinalStatusLine() throws Exception {
        String table = createTable();
        insert(table, "510104199001011234", "张三");
        String runner = "hukou-" + suffix();
        Path mapping = mapping(runner, table, catalogue(), COLUMNS);
        Path output = dataDir.resolve(runner + ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                DatabusCli.class.getName(), "cdc", "run", mapping.toString(), "--config", providerConfig.toString(),
                "--status-interval", "1").redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(output).contains(runner
                    + " STREAMING: 1 row(s) captured") || !process.isAlive());
            assertThat(Files.readString(output)).contains(runner + " STREAMING: 1 row(s) captured");
        } finally {
            process.destroy(); // SIGTERM, as Ctrl-C's shutdown path
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(output).lines().toList()).last().asString().startsWith(runner + " STOPPED: 1 row(s) captured");
        assertThat(slotActive(mapping)).isFalse();
    }

    @Test
    void checkWithTheDataDirOfALocalBusActsAsTheDepartment() throws Exception {
        Path mapping = mapping("local-" + suffix(), createTable(), catalogue(), COLUMNS);
        Run ok = run("cdc", "check", mapping.toString(), "--data-dir", dataDir.toString(), "--as", provider);
        assertThat(ok.exit()).as(ok.err()).isEqualTo(ExitCode.OK);
        assertThat(ok.out()).startsWith("ok: ");
    }

    private static Optional<Matcher> lastStatus(String out) {
        Matcher last = null;
        for (String line : out.lines().toList()) {
            Matcher m = STATUS.matcher(line);
            if (m.matches()) {
                last = m;
            }
        }
        return Optional.ofNullable(last);
    }

    @Test
    void checkSaysOkForAGoodMappingAndListsEveryProblemOfAWrongOne() throws Exception {
        String table = createTable();
        String resource = catalogue();
        Path good = mapping("check-" + suffix(), table, resource, COLUMNS);
        Run ok = run("cdc", "check", good.toString(), "--config", providerConfig.toString());
        assertThat(ok.exit()).as(ok.out() + ok.err()).isEqualTo(ExitCode.OK);
        assertThat(ok.out()).startsWith("ok: ").contains("can feed 1 resource(s) of " + provider).doesNotContain("problem");

        Path wrong = mapping("check-" + suffix(), table, resource, """
                id_number: idNo
                full_name: name
                birth_date: {field: birthDate, type: timestamp}
                no_such_column: divisionCode
                """.indent(6));
        try (Connection c = owner(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT");
        }
        Run bad = run("cdc", "check", wrong.toString(), "--config", providerConfig.toString());
        assertThat(bad.exit()).as(bad.err()).isEqualTo(ExitCode.SOFTWARE);
        List<String> problems = bad.out().lines().filter(l -> l.startsWith("problem: ")).toList();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("field idNo is not a field of resource " + resource))
                .anySatisfy(p -> assertThat(p).contains("birth_date is declared timestamp but field birthDate is date"))
                .anySatisfy(p -> assertThat(p).contains("no_such_column is not a column of public." + table))
                .anySatisfy(p -> assertThat(p).contains("internal_note").contains("neither mapped nor excluded"))
                .anySatisfy(p -> assertThat(p).contains("REPLICA IDENTITY FULL"));
        assertThat(bad.out()).contains(problems.size() + " problem(s)").doesNotContain(CDC_PASSWORD).doesNotStartWith("ok");
        assertThat(bus.admin().listTopics().names().get(30, TimeUnit.SECONDS)).noneMatch(t -> t.contains("check-"));
    }
}
