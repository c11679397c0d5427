package cn.tianfu.databus.cdc.connect;

import cn.tianfu.databus.kafka.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.cdc.CdcConfig;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcRunner;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testkit.TestGovernance;
import cn.tianfu.databus.testkit.TestMappings;
import cn.tianfu.databus.contract.Topics;

/**
 * {@link ResourceMappingTransform} on a real Kafka Connect worker: Kafka's standalone worker (its REST server included)
 * started in this JVM, authenticating to the shared bus as the provider department, running Debezium's PostgreSQL
 * connector against an embedded PostgreSQL with the connector configuration of {@code docker/connect/}. What Connect
 * writes is compared with what {@link CdcRunner} writes for the same mapping and the same table, on the source topic and
 * at a consumer the real sharing router delivers to.
 *
 * <p>The transform reads the catalogued schemas from the shared bus's authenticating registry as the department, its
 * credentials coming through Connect's file config provider like the database password.
 */
class ResourceMappingTransformConnectIT {

    private static final Path RESOURCES = Path.of("..", "examples", "resources");
    private static final Path CONNECTOR_EXAMPLE = Path.of("..", "docker", "connect", "hukou-postgres-connector.json");
    private static final String CDC_USER = "cdc";
    private static final String CDC_PASSWORD = "cdc-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static TestGovernance gov;
    private static EmbeddedPostgres pg;
    private static KafkaStreams router;
    private static Connect<StandaloneHerder> connect;
    private static String connectUrl;
    private static Path workDir;
    private static String provider;
    private static DatabusClientConfig providerConfig;
    private static final ExecutorService THREADS = Executors.newCachedThreadPool();
    private static final List<AutoCloseable> CLOSEABLES = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        registry = bus.registryClient();
        gov = new TestGovernance(bus);
        workDir = Files.createTempDirectory("connect-it-");
        Files.writeString(workDir.resolve("cdc.properties"), "password=" + CDC_PASSWORD + "\n");
        pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + CDC_USER + " LOGIN REPLICATION PASSWORD '" + CDC_PASSWORD + "'");
            s.execute("CREATE DATABASE hukou OWNER " + CDC_USER);
        }
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, workDir.resolve("router-state").toString(),
                RouterConfig.DATA_DIR_CONFIG, workDir.resolve("router-data").toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "connect-it-router",
                RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000))));
        router.start();

        provider = "p" + suffix();
        providerConfig = bus.addDepartment(provider);
        Files.writeString(workDir.resolve("cdc.properties"), "registry=" + providerConfig.basicAuthUserInfo().orElseThrow()
                + "\n", java.nio.file.StandardOpenOption.APPEND);
        connect = startWorker(providerConfig);
        connectUrl = connect.rest().serverUrl().toString().replaceAll("/$", "");
    }

    /** Kafka's standalone worker, as {@code connect-standalone.sh} starts it, its clients authenticating as the department. */
    private static Connect<StandaloneHerder> startWorker(DatabusClientConfig department) {
        Map<String, String> worker = new HashMap<>();
        department.kafkaProperties().forEach((k, v) -> {
            String value = v instanceof Password p ? p.value() : String.valueOf(v);
            if (!k.equals("client.id")) {
                worker.put(k, value);
                worker.put("producer." + k, value);
                worker.put("admin." + k, value);
            }
        });
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("offset.storage.file.filename", workDir.resolve("connect.offsets").toString());
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("listeners", "http://127.0.0.1:0");
        worker.put("config.providers", "file");
        worker.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try {
            return new ConnectStandalone().startConnect(worker);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : CLOSEABLES) {
            c.close();
        }
        THREADS.shutdown();
        THREADS.awaitTermination(30, TimeUnit.SECONDS);
        if (connect != null) {
            connect.stop();
            connect.awaitStop();
        }
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
        if (workDir != null) {
            SharedBus.deleteRecursively(workDir);
        }
    }

    // ---- fixtures ----

    private static String suffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    /** A catalogued copy of the example population resource of the provider, granted (fields in clear) to {@code consumer}. */
    private static String catalogue(String consumer) {
        TestGovernance.Catalogued c = gov.catalogue(RESOURCES.resolve("psb-population.yaml"), provider);
        gov.grantInClear(c, consumer);
        return c.code();
    }

    /** The mapping file of {@code examples/cdc/}, for one table and resource; the transform ignores its database section. */
    private static Path mappingFile(String runner, String table, String resource, String extra) throws Exception {
        Path file = workDir.resolve(runner + ".yaml");
        Files.writeString(file, TestMappings.postgresHead(provider, runner, pg.getPort(), passwordOnly()) + """
                  - table: public.%s
                    resource: %s
                    key: [id_number]
                    columns:
                      id_number: idNumber
                      full_name: name
                      mobile: mobile
                      birth_date: {field: birthDate, type: date}
                      address: householdAddress
                      division: divisionCode
                      changed_at: {field: updatedAt, type: timestamp}
                    exclude: [internal_note]
                %s""".formatted(table, resource, extra));
        return file;
    }

    private static Path passwordOnly() throws Exception {
        Path file = workDir.resolve("cdc-password.txt");
        if (!Files.exists(file)) {
            Files.writeString(file, CDC_PASSWORD + "\n");
        }
        return file;
    }

    /** The connector of {@code docker/connect/hukou-postgres-connector.json}, pointed at the test's database, table and files. */
    private static ObjectNode connectorConfig(String name, String table, Path mapping) throws Exception {
        ObjectNode example = (ObjectNode) JSON.readTree(CONNECTOR_EXAMPLE.toFile());
        example.put("name", name);
        ObjectNode config = (ObjectNode) example.get("config");
        config.put("topic.prefix", name);
        config.put("database.hostname", "localhost");
        config.put("database.port", Integer.toString(pg.getPort()));
        config.put("database.user", CDC_USER);
        config.put("database.password", "${file:" + workDir.resolve("cdc.properties") + ":password}");
        config.put("database.dbname", "hukou");
        config.put("slot.name", name.replace('-', '_'));
        config.put("publication.name", name.replace('-', '_'));
        config.put("table.include.list", "public\\." + table);
        config.put("transforms.bus.mapping.file", mapping.toString());
        config.put("transforms.bus.schema.registry.url", bus.registryUrl());
        config.put("transforms.bus.basic.auth.user.info", "${file:" + workDir.resolve("cdc.properties") + ":registry}");
        return example;
    }

    private static HttpResponse<String> rest(String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(connectUrl + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(String connector) throws Exception {
        HttpResponse<String> r = rest("GET", "/connectors/" + connector + "/status", null);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
    }

    private static String taskState(String connector) throws Exception {
        JsonNode tasks = status(connector).path("tasks");
        return tasks.isEmpty() ? "NONE" : tasks.get(0).path("state").asText();
    }

    private static void createTable(String table) throws Exception {
        try (Connection c = owner(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id_number varchar(18) PRIMARY KEY, full_name text, mobile text, gender text,"
                    + " birth_date date, address text, division text, changed_at timestamptz, internal_note text)");
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        }
    }

    private static Connection owner() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/hukou", CDC_USER, CDC_PASSWORD);
    }

    private static void exec(String sql, Object... args) throws Exception {
        try (Connection c = owner(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static final String INSERT = "INSERT INTO %s (id_number, full_name, mobile, gender, birth_date, address,"
            + " division, changed_at, internal_note) VALUES (?, ?, ?, '1', ?, ?, ?, ?::timestamptz, 'note')";

    private static List<Delivery> subscribe(DatabusClientConfig consumer, String resource) {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(consumer, "it-" + resource).resource(resource)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        CLOSEABLES.add(subscriber);
        THREADS.submit(() -> subscriber.run(received::add));
        return received;
    }

    /** Every committed record on a topic, in source-position order (the commit order). */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(gov.readCommitted(topic));
        out.sort(Comparator.comparing(r -> header(r, EventHeaders.SOURCE_POSITION)));
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return KafkaHeaders.text(r.headers(), name).orElse(null);
    }

    private static Set<String> headerNames(ConsumerRecord<byte[], byte[]> r) {
        return StreamSupport.stream(r.headers().spliterator(), false).map(Header::key).collect(Collectors.toSet());
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static GenericRecord decode(ConsumerRecord<byte[], byte[]> r) {
        return r.value() == null ? null : (GenericRecord) new AvroDeserializer<>(registry).deserialize(r.topic(), r.value());
    }

    /** The record's fields by name (a record of another resource has a schema of another name). */
    private static Map<String, Object> fields(GenericRecord r) {
        if (r == null) {
            return null;
        }
        Map<String, Object> m = new HashMap<>();
        r.getSchema().getFields().forEach(f -> m.put(f.name(), r.get(f.name()) == null ? null : r.get(f.name()).toString()));
        return m;
    }

    // ---- tests ----

    @Test
    void connectWithTheTransformWritesWhatTheRunnerWritesForTheSameMapping() throws Exception {
        String consumerId = "c" + suffix();
        DatabusClientConfig consumer = bus.addDepartment(consumerId);
        String viaConnect = catalogue(consumerId);
        String viaRunner = catalogue(consumerId);
        String table = "resident_" + suffix();
        createTable(table);
        String insert = INSERT.formatted(table);
        exec(insert, "510104199001011234", "张三", "13812345678", LocalDate.of(1990, 1, 1), "成都市锦江区春熙路1号",
                "510104", "2026-03-01 09:30:00+08");
        List<Delivery> connectDeliveries = subscribe(consumer, viaConnect);
        List<Delivery> runnerDeliveries = subscribe(consumer, viaRunner);

        String name = "hukou-" + suffix();
        HttpResponse<String> created = rest("POST", "/connectors",
                JSON.writeValueAsString(connectorConfig(name, table, mappingFile("connect-" + name, table, viaConnect, ""))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        CdcRunner runner = CdcRunner.create(CdcMapping.parse(mappingFile("runner-" + name, table, viaRunner, "")),
                providerConfig, CdcConfig.fromMap(Map.of(CdcConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000,
                        CdcConfig.TOPIC_REPLICATION_FACTOR_CONFIG, 1)));
        CLOSEABLES.add(0, runner);
        runner.start();
        assertThat(runner.awaitStreaming(Duration.ofSeconds(90))).as(() -> runner.status().line()).isTrue();
        await().atMost(Duration.ofSeconds(90)).until(() -> "RUNNING".equals(taskState(name)));
        // the connector's snapshot is on the topic once it streams
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(Topics.source(provider, viaConnect)).size() == 1);

        exec(insert, "510105198502023456", "欧阳娜娜", null, null, null, "510105", "2026-03-02 10:00:00.123+08");
        exec("UPDATE " + table + " SET address = ?, division = ? WHERE id_number = ?", "成都市青羊区红星路2号", "510105",
                "510104199001011234");
        exec("DELETE FROM " + table + " WHERE id_number = ?", "510105198502023456");

        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(Topics.source(provider, viaConnect)).size() >= 4
                && readAll(Topics.source(provider, viaRunner)).size() >= 4);
        List<ConsumerRecord<byte[], byte[]>> fromConnect = readAll(Topics.source(provider, viaConnect));
        List<ConsumerRecord<byte[], byte[]>> fromRunner = readAll(Topics.source(provider, viaRunner));
        assertThat(fromConnect).hasSize(4);
        assertThat(fromRunner).hasSize(4);

        // Connect's records in the bus's wire format, decoded with the registry
        assertThat(fromConnect).extracting(ResourceMappingTransformConnectIT::key).containsExactly("510104199001011234",
                "510105198502023456", "510104199001011234", "510105198502023456");
        assertThat(fromConnect).extracting(r -> header(r, EventHeaders.OP)).containsExactly("UPSERT", "UPSERT", "UPSERT", "DELETE");
        GenericRecord snapshot = decode(fromConnect.get(0));
        assertThat(snapshot.getSchema()).isEqualTo(registry.latest(Subjects.valueSubject(Topics.source(provider, viaConnect))).schema());
        assertThat(snapshot.get("name").toString()).isEqualTo("张三");
        assertThat(snapshot.get("birthDate")).isEqualTo((int) LocalDate.of(1990, 1, 1).toEpochDay());
        assertThat(snapshot.get("updatedAt")).isEqualTo(Instant.parse("2026-03-01T01:30:00Z").toEpochMilli());
        GenericRecord inserted = decode(fromConnect.get(1));
        assertThat(inserted.get("name").toString()).isEqualTo("欧阳娜娜");
        assertThat(inserted.get("mobile")).isNull();
        assertThat(inserted.get("updatedAt")).isEqualTo(Instant.parse("2026-03-02T02:00:00.123Z").toEpochMilli());
        assertThat(decode(fromConnect.get(2)).get("householdAddress").toString()).isEqualTo("成都市青羊区红星路2号");
        assertThat(fromConnect.get(3).value()).isNull();

        // the same as the runner's: keys, partitions, values, header names; positions and source times of the
        // streamed changes (each took its own snapshot, at its own position)
        for (int i = 0; i < 4; i++) {
            ConsumerRecord<byte[], byte[]> c = fromConnect.get(i);
            ConsumerRecord<byte[], byte[]> r = fromRunner.get(i);
            assertThat(key(c)).as("key %d", i).isEqualTo(key(r));
            assertThat(c.partition()).as("partition %d", i).isEqualTo(r.partition());
            assertThat(fields(decode(c))).as("value %d", i).isEqualTo(fields(decode(r)));
            assertThat(headerNames(c)).as("header names %d", i).isEqualTo(headerNames(r));
            assertThat(header(c, EventHeaders.OP)).isEqualTo(header(r, EventHeaders.OP));
            assertThat(header(c, EventHeaders.EVENT_ID)).isNotBlank().isNotEqualTo(header(r, EventHeaders.EVENT_ID));
            assertThat(header(c, EventHeaders.SOURCE_POSITION)).matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
            if (i > 0) {
                assertThat(header(c, EventHeaders.SOURCE_POSITION)).as("position %d", i)
                        .isEqualTo(header(r, EventHeaders.SOURCE_POSITION));
                assertThat(header(c, EventHeaders.SOURCE_TIME)).as("source time %d", i)
                        .isEqualTo(header(r, EventHeaders.SOURCE_TIME));
            }
        }

        // through the sharing router to the consumer with the grant, as the runner's
        await().atMost(Duration.ofSeconds(60)).until(() -> connectDeliveries.size() >= 4 && runnerDeliveries.size() >= 4);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> connectDeliveries.size() == 4 && runnerDeliveries.size() == 4);
        assertThat(connectDeliveries.stream().map(d -> d.key() + " " + d.kind() + " " + fields(d.value())).sorted().toList())
                .isEqualTo(runnerDeliveries.stream().map(d -> d.key() + " " + d.kind() + " " + fields(d.value())).sorted().toList());
        assertThat(connectDeliveries).extracting(Delivery::kind).containsExactlyInAnyOrder(
                Delivery.Kind.UPSERT, Delivery.Kind.UPSERT, Delivery.Kind.UPSERT, Delivery.Kind.DELETE);

        // a key change: the old key deleted, the new one upserted, both at the change's position, as the runner does
        exec("UPDATE " + table + " SET id_number = ? WHERE id_number = ?", "510104199001019999", "510104199001011234");
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(Topics.source(provider, viaConnect)).size() >= 6
                && readAll(Topics.source(provider, viaRunner)).size() >= 6);
        List<String> connectKeyChange = readAll(Topics.source(provider, viaConnect)).stream().skip(4)
                .map(ResourceMappingTransformConnectIT::describe).sorted().toList();
        assertThat(connectKeyChange).isEqualTo(readAll(Topics.source(provider, viaRunner)).stream().skip(4)
                .map(ResourceMappingTransformConnectIT::describe).sorted().toList());
        assertThat(connectKeyChange).hasSize(2).anyMatch(d -> d.startsWith("510104199001011234 DELETE"))
                .anyMatch(d -> d.startsWith("510104199001019999 UPSERT"));
        await().atMost(Duration.ofSeconds(60)).until(() -> connectDeliveries.size() >= 6 && runnerDeliveries.size() >= 6);
        assertThat(connectDeliveries.stream().skip(4).map(d -> d.key() + " " + d.kind()).sorted().toList())
                .containsExactly("510104199001011234 DELETE", "510104199001019999 UPSERT");
        assertThat(taskState(name)).isEqualTo("RUNNING");
    }

    private static String describe(ConsumerRecord<byte[], byte[]> r) {
        return key(r) + " " + header(r, EventHeaders.OP) + " " + header(r, EventHeaders.SOURCE_POSITION) + " "
                + fields(decode(r));
    }

    @Test
    void aChangeTheMappingCannotAbsorbFailsTheTaskNamingTheColumnAndPublishesNothingOfIt() throws Exception {
        String consumerId = "c" + suffix();
        bus.addDepartment(consumerId);
        String resource = catalogue(consumerId);
        String table = "resident_" + suffix();
        createTable(table);
        String name = "hukou-" + suffix();
        HttpResponse<String> created = rest("POST", "/connectors",
                JSON.writeValueAsString(connectorConfig(name, table, mappingFile("connect-" + name, table, resource, ""))));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(90)).until(() -> "RUNNING".equals(taskState(name)));
        exec(INSERT.formatted(table), "510104199001011234", "张三", null, null, null, "510104", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(Topics.source(provider, resource)).size() == 1);

        try (Connection c = owner(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ADD COLUMN blood_type text");
        }
        exec("INSERT INTO " + table + " (id_number, full_name, division, blood_type) VALUES (?, ?, ?, ?)",
                "510104199202023456", "王五", "510104", "O");
        await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(taskState(name)));
        assertThat(status(name).path("tasks").get(0).path("trace").asText()).contains("blood_type").contains(table);
        assertThat(readAll(Topics.source(provider, resource))).hasSize(1);
        assertThat(rest("DELETE", "/connectors/" + name, null).statusCode()).isEqualTo(204);
    }
}
