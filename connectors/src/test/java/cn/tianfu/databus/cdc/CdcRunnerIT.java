package cn.tianfu.databus.cdc;

import cn.tianfu.databus.kafka.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
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
 * The CDC runner against a real PostgreSQL (logical decoding) and a real MariaDB (row binlog), publishing onto the
 * shared in-JVM bus with the real sharing router delivering to a consumer.
 */
class CdcRunnerIT {

    private static final Path RESOURCES = Path.of("..", "examples", "resources");
    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static TestGovernance gov;
    private static EmbeddedPostgres pg;
    private static TestDatabases.MariaDb maria;
    private static Path stateDir;
    private static Path dataDir;
    private static KafkaStreams router;
    private static Path passwordFile;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        registry = bus.registryClient();
        gov = new TestGovernance(bus);
        pg = TestDatabases.postgres();
        maria = TestDatabases.MariaDb.start();
        stateDir = Files.createTempDirectory("cdc-router-state-");
        dataDir = Files.createTempDirectory("cdc-router-data-");
        passwordFile = Files.createTempFile("cdc-password-", ".txt");
        Files.writeString(passwordFile, TestDatabases.CDC_PASSWORD + "\n");
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, stateDir.toString(),
                RouterConfig.DATA_DIR_CONFIG, dataDir.toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "cdc-it-router",
                RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000))));
        router.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close(Duration.ofSeconds(30));
        }
        if (maria != null) {
            maria.close();
        }
        if (pg != null) {
            pg.close();
        }
        gov.close();
        registry.close();
        SharedBus.deleteRecursively(stateDir);
        SharedBus.deleteRecursively(dataDir);
        Files.deleteIfExists(passwordFile);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        threads.shutdownNow();
    }

    // ---- fixtures ----

    /** A test department with a catalogued copy of an example resource, granted (fields in clear) to a consumer. */
    private record Resource(String provider, String consumer, String code, Schema schema) {
        String topic() {
            return Topics.source(provider, code);
        }
    }

    private static String suffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    /** A copy of an example resource under a fresh code and provider, granted (fields in clear) to a fresh consumer. */
    private static Resource catalogue(String exampleFile) {
        return catalogue(exampleFile, "p" + suffix());
    }

    /** Like {@link #catalogue(String)}, provided by {@code provider} (several resources of one department). */
    private static Resource catalogue(String exampleFile, String provider) {
        TestGovernance.Catalogued c = gov.catalogue(RESOURCES.resolve(exampleFile), provider);
        Resource r = new Resource(provider, "c" + suffix(), c.code(), c.schema());
        gov.grantInClear(c, r.consumer());
        return r;
    }

    private static final Map<String, DatabusClientConfig> DEPARTMENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The department's client config with its own credentials and ACLs, as {@code databus dept add} makes it. */
    private static DatabusClientConfig department(String id) {
        return DEPARTMENTS.computeIfAbsent(id, bus::addDepartment);
    }

    private CdcRunner runner(CdcMapping mapping) {
        return runner(mapping, PublishListener.NONE);
    }

    private CdcRunner runner(CdcMapping mapping, PublishListener listener) {
        CdcRunner runner = CdcRunner.create(mapping, department(mapping.department()), CdcConfig.fromMap(Map.of(
                CdcConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000, CdcConfig.TOPIC_REPLICATION_FACTOR_CONFIG, 1)), listener);
        closeables.add(0, runner);
        return runner;
    }

    private CdcRunner started(CdcMapping mapping) throws InterruptedException {
        return started(mapping, PublishListener.NONE);
    }

    private CdcRunner started(CdcMapping mapping, PublishListener listener) throws InterruptedException {
        CdcRunner runner = runner(mapping, listener);
        runner.start();
        assertThat(runner.awaitStreaming(Duration.ofSeconds(90))).as(() -> runner.status().line()).isTrue();
        return runner;
    }

    private List<Delivery> subscribe(Resource r) {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(department(r.consumer()), "it").resource(r.code())
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        closeables.add(subscriber);
        threads.submit(() -> subscriber.run(received::add));
        return received;
    }

    private static List<ConsumerRecord<byte[], byte[]>> inPositionOrder(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().sorted(java.util.Comparator.comparing(r -> header(r, EventHeaders.SOURCE_POSITION))).toList();
    }

    private static GenericRecord decode(ConsumerRecord<byte[], byte[]> r) {
        return r.value() == null ? null : (GenericRecord) new AvroDeserializer<>(registry).deserialize(r.topic(), r.value());
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return KafkaHeaders.text(r.headers(), name).orElse(null);
    }

    private static BigDecimal decimal(GenericRecord r, String field) {
        Schema s = cn.tianfu.databus.cdc.internal.Conversions.nonNull(r.getSchema().getField(field).schema());
        return new Conversions.DecimalConversion().fromBytes((ByteBuffer) r.get(field), s, LogicalTypes.fromSchema(s));
    }

    private static String str(GenericRecord r, String field) {
        Object v = r.get(field);
        return v == null ? null : v.toString();
    }

    private CdcMapping populationMapping(Resource r, String runnerName, String table, String extra) {
        return CdcMapping.parse(TestMappings.postgresHead(r.provider(), runnerName, pg.getPort(), passwordFile)
                + populationTable(table, r) + extra, "population.yaml");
    }

    /** One runner capturing several resident tables of one department, each into its own resource. */
    private CdcMapping populationMapping(String runnerName, Map<String, Resource> tables) {
        String provider = tables.values().iterator().next().provider();
        return CdcMapping.parse(TestMappings.postgresHead(provider, runnerName, pg.getPort(), passwordFile)
                + tables.entrySet().stream().map(e -> populationTable(e.getKey(), e.getValue())).collect(Collectors.joining()),
                "population.yaml");
    }

    private static String populationTable(String table, Resource r) {
        return """
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
                """.formatted(table, r.code());
    }

    /** The dead letters written for a resource's source topic so far, in source-position order. */
    /** The dead letters of the provider's CDC runners, on their own topics under its CDC prefix (not bus.deadletter). */
    private static List<DeadLetter> deadLetters(Resource r) throws Exception {
        List<String> topics = bus.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> Topics.CDC_DEADLETTERS_PATTERN.matcher(t).matches() && t.startsWith(Topics.cdcPrefix(r.provider())))
                .toList();
        return topics.stream().flatMap(t -> gov.readCommitted(t).stream())
                .map(rec -> AvroDeserializer.specific(registry, DeadLetter.class).deserialize(rec.topic(), rec.value()))
                .filter(d -> r.topic().equals(d.getSourceTopic()))
                .sorted(java.util.Comparator.comparing(d -> text(d.getOriginalHeaders().get(EventHeaders.SOURCE_POSITION))))
                .toList();
    }

    private static String text(ByteBuffer b) {
        return b == null ? "" : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    private static cn.tianfu.databus.cdc.internal.TableStops.Ledger ledger(CdcMapping mapping) {
        return cn.tianfu.databus.cdc.internal.TableStops.read(department(mapping.department()).kafkaProperties(),
                Topics.cdcOffsets(mapping.department(), mapping.runner()), mapping.runner(), Duration.ofSeconds(30));
    }

    private static CdcStatus.TableStatus table(CdcRunner runner, String table) {
        return runner.status().table(table).orElseThrow();
    }

    private static void pgCreateResidents(String table) throws Exception {
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id_number varchar(18) PRIMARY KEY, full_name text, mobile text, gender text,"
                    + " birth_date date, address text, division text, changed_at timestamptz, internal_note text)");
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        }
    }

    private static void pgExec(String sql, Object... args) throws Exception {
        try (Connection c = TestDatabases.postgresAsOwner(pg); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static final String INSERT_RESIDENT = "INSERT INTO %s (id_number, full_name, mobile, gender, birth_date, address,"
            + " division, changed_at, internal_note) VALUES (?, ?, ?, '1', ?, ?, ?, ?::timestamptz, 'note')";

    // ---- tests ----

    @Test
    void postgresInsertsUpdatesAndDeletesArriveTypedOnTheSourceTopicAndAtTheConsumer() throws Exception {
        Resource r = catalogue("psb-population.yaml");
        String table = "resident_" + suffix();
        pgCreateResidents(table);
        String insert = INSERT_RESIDENT.formatted(table);
        pgExec(insert, "510104199001011234", "张三", "13812345678", LocalDate.of(1990, 1, 1), "成都市锦江区春熙路1号",
                "510104", "2026-03-01 09:30:00+08");
        List<Delivery> received = subscribe(r);
        CdcRunner runner = started(populationMapping(r, "pop-" + suffix(), table, ""));

        pgExec(insert, "510105198502023456", "欧阳娜娜", null, null, null, "510105", "2026-03-02 10:00:00.123+08");
        pgExec("UPDATE " + table + " SET address = ?, division = ? WHERE id_number = ?", "成都市青羊区红星路2号", "510105",
                "510104199001011234");
        pgExec("DELETE FROM " + table + " WHERE id_number = ?", "510105198502023456");

        await().atMost(Duration.ofSeconds(60)).until(() -> gov.readCommitted(r.topic()).size() >= 4);
        // two partitions: order by source position, which must be the commit order
        List<ConsumerRecord<byte[], byte[]>> events = inPositionOrder(gov.readCommitted(r.topic()));
        assertThat(events).extracting(CdcRunnerIT::key).containsExactly("510104199001011234", "510105198502023456",
                "510104199001011234", "510105198502023456");
        GenericRecord snapshot = decode(events.get(0));
        assertThat(snapshot.getSchema()).isEqualTo(registry.latest(Subjects.valueSubject(r.topic())).schema());
        assertThat(str(snapshot, "name")).isEqualTo("张三");
        assertThat(snapshot.get("birthDate")).isEqualTo((int) LocalDate.of(1990, 1, 1).toEpochDay());
        assertThat(snapshot.get("updatedAt")).isEqualTo(Instant.parse("2026-03-01T01:30:00Z").toEpochMilli());
        assertThat(str(snapshot, "gender")).as("an unmapped column of a field's name maps to it").isEqualTo("1");
        GenericRecord inserted = decode(events.get(1));
        assertThat(str(inserted, "name")).isEqualTo("欧阳娜娜");
        assertThat(inserted.get("mobile")).isNull();
        assertThat(inserted.get("birthDate")).isNull();
        assertThat(inserted.get("updatedAt")).isEqualTo(Instant.parse("2026-03-02T02:00:00.123Z").toEpochMilli());
        assertThat(str(decode(events.get(2)), "householdAddress")).isEqualTo("成都市青羊区红星路2号");
        assertThat(events.get(3).value()).isNull();
        assertThat(events).allSatisfy(e -> {
            assertThat(header(e, EventHeaders.SOURCE_POSITION)).matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
            assertThat(header(e, EventHeaders.EVENT_ID)).isNotBlank();
        });
        assertThat(events).extracting(e -> header(e, EventHeaders.OP)).containsExactly("UPSERT", "UPSERT", "UPSERT", "DELETE");
        List<String> positions = events.stream().map(e -> header(e, EventHeaders.SOURCE_POSITION)).toList();
        assertThat(positions).doesNotHaveDuplicates();

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 4);
        assertThat(received).extracting(Delivery::key, Delivery::kind).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("510104199001011234", Delivery.Kind.UPSERT),
                org.assertj.core.groups.Tuple.tuple("510105198502023456", Delivery.Kind.UPSERT),
                org.assertj.core.groups.Tuple.tuple("510104199001011234", Delivery.Kind.UPSERT),
                org.assertj.core.groups.Tuple.tuple("510105198502023456", Delivery.Kind.DELETE));
        assertThat(received.stream().filter(d -> d.key().equals("510104199001011234")).toList().get(1).value()
                .get("householdAddress").toString()).isEqualTo("成都市青羊区红星路2号");
        CdcStatus status = runner.status();
        assertThat(status.state()).isEqualTo(CdcStatus.State.STREAMING);
        assertThat(status.rowsCaptured()).isEqualTo(4);
        assertThat(status.snapshotRows()).isEqualTo(1);
        assertThat(status.lastPosition()).contains(positions.get(3));
    }

    @Test
    void aHardStopMidStreamLosesNothingAndDeliversEveryChangeOnce() throws Exception {
        Resource r = catalogue("psb-population.yaml");
        String table = "resident_" + suffix();
        pgCreateResidents(table);
        String runnerName = "pop-" + suffix();
        CdcMapping mapping = populationMapping(r, runnerName, table, "");
        List<Delivery> received = subscribe(r);
        CrashAfterNextPublish crash = new CrashAfterNextPublish(mapping.runner());
        CdcRunner first = started(mapping, crash);
        String insert = INSERT_RESIDENT.formatted(table);
        int rows = 300;
        var writer = threads.submit(() -> {
            for (int i = 0; i < rows; i++) {
                pgExec(insert, id(i), "居民" + i, null, null, "地址" + i, "510104", "2026-03-01 09:30:00+08");
                if (i % 3 == 0) {
                    pgExec("UPDATE " + table + " SET division = '510105' WHERE id_number = ?", id(i));
                }
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> first.status().rowsCaptured() >= 60);
        crash.arm();
        first.awaitStopped();
        assertThat(first.status().state()).isEqualTo(CdcStatus.State.FAILED);
        first.close();

        CdcRunner second = started(mapping);
        writer.get(120, TimeUnit.SECONDS);
        int expected = rows + (rows + 2) / 3;
        await().atMost(Duration.ofSeconds(90)).until(() -> received.size() >= expected);
        List<ConsumerRecord<byte[], byte[]>> source = gov.readCommitted(r.topic());
        assertThat(source.size()).as("the changes published before the crash were captured again").isGreaterThan(expected);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> received.size() == expected);
        Map<String, List<Delivery>> byKey = received.stream().collect(Collectors.groupingBy(Delivery::key));
        assertThat(byKey).hasSize(rows);
        for (int i = 0; i < rows; i++) {
            List<Delivery> ds = byKey.get(id(i));
            assertThat(ds).as("deliveries of row %d", i).hasSize(i % 3 == 0 ? 2 : 1);
            assertThat(str(ds.get(ds.size() - 1).value(), "divisionCode")).isEqualTo(i % 3 == 0 ? "510105" : "510104");
        }
        // the router chains each delivery's entry in the transaction that writes the delivery: one per change
        List<ExchangeLogEntry> logged = gov.readCommitted(Topics.EXCHANGE_LOG).stream()
                .map(rec -> AvroDeserializer.specific(registry, ExchangeLogEntry.class).deserialize(rec.topic(), rec.value()))
                .filter(e -> e.getResourceCode().equals(r.code())).toList();
        assertThat(logged).hasSize(expected);
        assertThat(logged.stream().map(ExchangeLogEntry::getExchangeId).distinct()).hasSize(expected);
        assertThat(logged).allSatisfy(e -> assertThat(e.getHash()).as("chained").isNotNull());
        assertThat(second.status().state()).isEqualTo(CdcStatus.State.STREAMING);
    }

    /**
     * Crashes a runner once armed: the next batch is published but its offsets are never recorded, then the engine
     * stops — exactly what a killed process leaves behind.
     */
    private static final class CrashAfterNextPublish implements PublishListener {
        private final String runner;
        private final AtomicBoolean armed = new AtomicBoolean();

        CrashAfterNextPublish(String runner) {
            this.runner = runner;
        }

        void arm() {
            armed.set(true);
        }

        @Override
        public void published(int changes) {
            if (armed.get()) {
                throw new CdcException("simulated crash of runner " + runner + " after publishing " + changes
                        + " change(s) whose offsets are not recorded");
            }
        }
    }

    private static String id(int i) {
        return String.format("5101041990%08d", i);
    }

    @Test
    void aCompatibleNewColumnFlowsAndAnIncompatibleOneStopsItsTableUntilTheMappingIsFixed() throws Exception {
        Resource r = catalogue("psb-population.yaml");
        String table = "resident_" + suffix();
        pgCreateResidents(table);
        String insert = INSERT_RESIDENT.formatted(table);
        CdcMapping mapping = populationMapping(r, "pop-" + suffix(), table, "");
        CdcRunner runner = started(mapping);
        pgExec(insert, id(1), "张三", null, null, null, "510104", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.status().rowsCaptured() == 1);

        // the provider evolves the catalogued schema first (a new optional field), then adds the column
        Schema evolved = withOptionalField(r.schema(), "nickname");
        registry.register(Subjects.valueSubject(r.topic()), evolved);
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ADD COLUMN nickname text");
        }
        pgExec("INSERT INTO " + table + " (id_number, full_name, division, nickname) VALUES (?, ?, ?, ?)",
                id(2), "李四", "510104", "小李");
        await().atMost(Duration.ofSeconds(30)).until(() -> gov.readCommitted(r.topic()).size() == 2);
        GenericRecord withNickname = decode(inPositionOrder(gov.readCommitted(r.topic())).get(1));
        assertThat(str(withNickname, "nickname")).isEqualTo("小李");
        assertThat(withNickname.getSchema()).isEqualTo(evolved);

        // a column neither mapped nor catalogued: the table stops there, the change goes to the dead letters
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " ADD COLUMN blood_type text");
        }
        pgExec("INSERT INTO " + table + " (id_number, full_name, division, blood_type) VALUES (?, ?, ?, ?)",
                id(3), "王五", "510104", "O");
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(r).size() == 1);
        assertThat(table(runner, "public." + table).state()).isEqualTo(CdcStatus.TableState.STOPPED);
        assertThat(table(runner, "public." + table).reason()).get().asString()
                .contains("blood_type", table, "unmappedColumns: ignore");
        assertThat(runner.status().state()).as("only the table stops").isEqualTo(CdcStatus.State.STREAMING);
        assertThat(gov.readCommitted(r.topic())).hasSize(2);
        assertThat(deadLetters(r)).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("INCOMPATIBLE_SCHEMA_CHANGE");
            assertThat(d.getComponent()).isEqualTo(CdcRunner.COMPONENT);
            assertThat(text(d.getOriginalValue())).contains("王五", "blood_type");
            assertThat(text(d.getOriginalHeaders().get(EventHeaders.SOURCE_POSITION))).matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
        });

        // with unmappedColumns: ignore, a restart streams the table again and re-reads its rows: the held-back row is
        // published without the column
        runner.close();
        CdcRunner resumed = started(populationMapping(r, mapping.runner(), table, "    unmappedColumns: ignore\n"));
        assertThat(table(resumed, "public." + table).state()).isEqualTo(CdcStatus.TableState.RECOVERING);
        // a restarted PostgreSQL capture streams from the next change on (Debezium finds its place in the WAL with it)
        pgExec("INSERT INTO " + table + " (id_number, full_name, division) VALUES (?, ?, ?)", id(4), "赵六", "510104");
        await().atMost(Duration.ofSeconds(60)).until(() -> table(resumed, "public." + table).state() == CdcStatus.TableState.STREAMING);
        Map<String, GenericRecord> latest = new HashMap<>();
        inPositionOrder(gov.readCommitted(r.topic())).forEach(e -> latest.put(key(e), decode(e)));
        assertThat(latest).containsOnlyKeys(id(1), id(2), id(3), id(4));
        assertThat(str(latest.get(id(3)), "name")).isEqualTo("王五");
        assertThat(resumed.status().snapshotRows()).as("the table's four rows re-read").isEqualTo(4);
        assertThat(ledger(mapping).stops()).isEmpty();
    }

    @Test
    void anIncompatibleChangeStopsOnlyItsTableAcrossRestartsUntilTheCatalogIsFixedThenItIsReRead() throws Exception {
        String provider = "p" + suffix();
        Resource residents = catalogue("psb-population.yaml", provider);
        Resource movers = catalogue("psb-population.yaml", provider);
        String stopping = "resident_" + suffix();
        String other = "mover_" + suffix();
        pgCreateResidents(stopping);
        pgCreateResidents(other);
        Map<String, Resource> tables = new java.util.LinkedHashMap<>();
        tables.put(stopping, residents);
        tables.put(other, movers);
        CdcMapping mapping = populationMapping("pop-" + suffix(), tables);
        List<Delivery> residentDeliveries = subscribe(residents);
        List<Delivery> moverDeliveries = subscribe(movers);
        CdcRunner first = started(mapping);
        String insertResident = INSERT_RESIDENT.formatted(stopping);
        String insertMover = INSERT_RESIDENT.formatted(other);
        pgExec(insertResident, id(1), "张三", null, null, null, "510104", "2026-03-01 09:30:00+08");
        pgExec(insertResident, id(2), "李四", null, null, null, "510104", "2026-03-01 09:30:00+08");
        pgExec(insertMover, id(101), "迁入一", null, null, null, "510105", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(30)).until(() -> gov.readCommitted(residents.topic()).size() == 2
                && gov.readCommitted(movers.topic()).size() == 1);

        // a column neither mapped nor catalogued stops its table, and only it
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + stopping + " ADD COLUMN blood_type text");
        }
        pgExec("INSERT INTO " + stopping + " (id_number, full_name, division, blood_type) VALUES (?, ?, ?, ?)",
                id(3), "王五", "510104", "O");
        await().atMost(Duration.ofSeconds(30)).until(() -> table(first, "public." + stopping).state() == CdcStatus.TableState.STOPPED);
        CdcStatus.TableStatus stopped = table(first, "public." + stopping);
        assertThat(stopped.reason()).get().asString().contains("column blood_type of public." + stopping,
                "add the field to the catalogued schema", "unmappedColumns: ignore");
        assertThat(stopped.stoppedAt()).get().asString().matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
        assertThat(first.status().state()).isEqualTo(CdcStatus.State.STREAMING);
        assertThat(table(first, "public." + other).state()).isEqualTo(CdcStatus.TableState.STREAMING);
        assertThat(first.status().line()).contains("public." + stopping + " STOPPED at " + stopped.stoppedAt().get(),
                "public." + other + " streaming");

        // later changes of the stopped table are held back; the other table's flow on, through the router
        pgExec("UPDATE " + stopping + " SET full_name = ? WHERE id_number = ?", "张三丰", id(1));
        pgExec("DELETE FROM " + stopping + " WHERE id_number = ?", id(2));
        for (int i = 102; i <= 104; i++) {
            pgExec(insertMover, id(i), "迁入" + i, null, null, null, "510105", "2026-03-01 09:30:00+08");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> moverDeliveries.size() >= 4 && deadLetters(residents).size() >= 3);
        assertThat(moverDeliveries).extracting(Delivery::key).containsExactlyInAnyOrder(id(101), id(102), id(103), id(104));
        assertThat(gov.readCommitted(residents.topic())).as("nothing of the stopped table is published").hasSize(2);
        List<DeadLetter> letters = deadLetters(residents);
        assertThat(letters).hasSize(3).allSatisfy(d -> {
            assertThat(d.getReason()).isEqualTo("INCOMPATIBLE_SCHEMA_CHANGE");
            assertThat(d.getComponent()).isEqualTo(CdcRunner.COMPONENT);
            assertThat(text(d.getOriginalHeaders().get(EventHeaders.SOURCE_POSITION))).matches("pg:[0-9a-f]{16}:[0-9a-f]{16}");
            assertThat(text(d.getOriginalHeaders().get("databus.cdc-table"))).isEqualTo("public." + stopping);
            assertThat(d.getMessage()).contains("public." + stopping, "blood_type", "restarted");
        });
        assertThat(text(letters.get(0).getOriginalValue())).contains("王五", "\"blood_type\":\"O\"");
        assertThat(letters.get(0).getMessage()).contains("stopped table public." + stopping + " at this change");
        assertThat(text(letters.get(1).getOriginalValue())).contains("张三丰");
        assertThat(letters.get(1).getMessage()).contains("held back");
        assertThat(text(letters.get(2).getOriginalValue())).contains("\"op\":\"d\"", id(2));
        assertThat(letters.get(2).getMessage()).contains("Publisher.delete");
        assertThat(table(first, "public." + stopping).deadLetters()).isEqualTo(3);
        assertThat(ledger(mapping).stops()).containsOnlyKeys("public." + stopping);
        await().atMost(Duration.ofSeconds(30)).until(() -> residentDeliveries.size() >= 2);
        assertThat(residentDeliveries).extracting(Delivery::key).containsExactlyInAnyOrder(id(1), id(2));

        // a restart with the table still not fitting: it is stopped from the start, the other table streams
        first.close();
        CdcRunner second = started(mapping);
        assertThat(table(second, "public." + stopping).state()).isEqualTo(CdcStatus.TableState.STOPPED);
        assertThat(table(second, "public." + stopping).stoppedAt()).isEqualTo(stopped.stoppedAt());
        // the catalog gets the field while the runner runs: a later change would fit now, but it is held back too, so
        // the table's history is not published with a gap before it
        registry.register(Subjects.valueSubject(residents.topic()), withOptionalField(residents.schema(), "blood_type"));
        pgExec("INSERT INTO " + stopping + " (id_number, full_name, division, blood_type) VALUES (?, ?, ?, ?)",
                id(4), "赵六", "510104", "A");
        pgExec(insertMover, id(105), "迁入105", null, null, null, "510105", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(60)).until(() -> moverDeliveries.size() >= 5 && deadLetters(residents).size() >= 4);
        assertThat(text(deadLetters(residents).get(3).getOriginalValue())).contains("赵六");
        assertThat(gov.readCommitted(residents.topic())).hasSize(2);

        // a restart with the catalog fixed: the table streams again and is re-read, bringing its current rows
        second.close();
        CdcRunner third = started(mapping);
        assertThat(table(third, "public." + stopping).state()).isEqualTo(CdcStatus.TableState.RECOVERING);
        pgExec(insertMover, id(106), "迁入106", null, null, null, "510105", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(60)).until(() -> table(third, "public." + stopping).state() == CdcStatus.TableState.STREAMING);
        Map<String, GenericRecord> latest = new HashMap<>();
        inPositionOrder(gov.readCommitted(residents.topic())).forEach(e -> latest.put(key(e), decode(e)));
        assertThat(str(latest.get(id(1)), "name")).isEqualTo("张三丰");
        assertThat(str(latest.get(id(3)), "blood_type")).isEqualTo("O");
        assertThat(str(latest.get(id(4)), "blood_type")).isEqualTo("A");
        assertThat(third.status().snapshotRows()).as("the stopped table's three rows re-read, the other table not").isEqualTo(3);
        assertThat(ledger(mapping).stops()).isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> residentDeliveries.stream().map(Delivery::key).toList()
                .containsAll(List.of(id(3), id(4))) && residentDeliveries.stream().anyMatch(d -> d.key().equals(id(1))
                && "张三丰".equals(str(d.value(), "name"))));
        pgExec(insertResident, id(5), "钱七", null, null, null, "510104", "2026-03-01 09:30:00+08");
        await().atMost(Duration.ofSeconds(30)).until(() -> residentDeliveries.stream().anyMatch(d -> d.key().equals(id(5))));
        assertThat(table(third, "public." + stopping).deadLetters()).isZero();
    }

    @Test
    void onMariaDbARenamedKeyColumnStopsOnlyItsTableUntilTheMappingFollows() throws Exception {
        String provider = "p" + suffix();
        Resource entities = catalogue("amr-legal-entity.yaml", provider);
        Resource branches = catalogue("amr-legal-entity.yaml", provider);
        String renamed = "legal_entity_" + suffix();
        String other = "branch_" + suffix();
        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            for (String t : List.of(renamed, other)) {
                s.execute("CREATE TABLE registry." + t + " (credit_code CHAR(18) PRIMARY KEY, entity_name VARCHAR(200),"
                        + " status VARCHAR(20)) CHARACTER SET utf8mb4");
            }
        }
        String table = """
                  - table: registry.%s
                    resource: %s
                    key: [%s]
                    columns: {%3$s: creditCode, entity_name: entityName, status: registrationStatus}
                """;
        String mappingYaml = """
                department: %s
                runner: le-%s
                database: {kind: mariadb, host: 127.0.0.1, port: %d, database: registry, user: cdc, password: %s}
                tables:
                """.formatted(provider, suffix(), maria.port, TestDatabases.CDC_PASSWORD);
        CdcMapping mapping = CdcMapping.parse(mappingYaml + table.formatted(renamed, entities.code(), "credit_code")
                + table.formatted(other, branches.code(), "credit_code"), "legal-entity.yaml");
        List<Delivery> branchDeliveries = subscribe(branches);
        CdcRunner runner = started(mapping);
        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO registry." + renamed + " VALUES ('91510100MA61XY2K3A', '成都天府软件有限公司', '存续')");
            s.execute("INSERT INTO registry." + other + " VALUES ('91510100MA61XY2K3B', '天府软件锦江分公司', '存续')");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gov.readCommitted(entities.topic()).size() == 1 && branchDeliveries.size() == 1);

        // the key column is renamed: the required key field has no column any more
        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE registry." + renamed + " RENAME COLUMN credit_code TO uscc");
            s.execute("INSERT INTO registry." + renamed + " VALUES ('92510104MA6CABCD1X', '锦江区张记小吃店', '存续')");
            s.execute("INSERT INTO registry." + other + " VALUES ('91510100MA61XY2K3C', '天府软件青羊分公司', '存续')");
            s.execute("UPDATE registry." + other + " SET status = '注销' WHERE credit_code = '91510100MA61XY2K3B'");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters(entities).size() == 1 && branchDeliveries.size() >= 3);
        CdcStatus.TableStatus stopped = table(runner, "registry." + renamed);
        assertThat(stopped.state()).isEqualTo(CdcStatus.TableState.STOPPED);
        assertThat(stopped.reason()).get().asString().contains("required field creditCode", "key column credit_code",
                "dropped or renamed");
        assertThat(stopped.stoppedAt()).get().asString().matches("binlog:\\d{10}:\\d{12}:\\d{6}");
        assertThat(deadLetters(entities)).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("INCOMPATIBLE_SCHEMA_CHANGE");
            assertThat(text(d.getOriginalValue())).contains("\"uscc\":\"92510104MA6CABCD1X\"");
            assertThat(d.getMessage()).contains("registry." + renamed, "credit_code");
        });
        assertThat(gov.readCommitted(entities.topic())).hasSize(1);
        assertThat(branchDeliveries).extracting(Delivery::key).containsExactlyInAnyOrder("91510100MA61XY2K3B",
                "91510100MA61XY2K3C", "91510100MA61XY2K3B");
        assertThat(runner.status().state()).isEqualTo(CdcStatus.State.STREAMING);
        assertThat(table(runner, "registry." + other).state()).isEqualTo(CdcStatus.TableState.STREAMING);

        // the mapping follows the rename: a restart streams the table again and re-reads it, the held-back row with it
        runner.close();
        CdcMapping fixed = CdcMapping.parse(mappingYaml + table.formatted(renamed, entities.code(), "uscc")
                + table.formatted(other, branches.code(), "credit_code"), "legal-entity.yaml");
        CdcRunner resumed = started(fixed);
        await().atMost(Duration.ofSeconds(60)).until(() -> table(resumed, "registry." + renamed).state() == CdcStatus.TableState.STREAMING);
        assertThat(gov.readCommitted(entities.topic())).extracting(CdcRunnerIT::key).containsExactlyInAnyOrder("91510100MA61XY2K3A",
                "91510100MA61XY2K3A", "92510104MA6CABCD1X");
        assertThat(resumed.status().snapshotRows()).as("the renamed table's two rows re-read").isEqualTo(2);
        assertThat(ledger(fixed).stops()).isEmpty();
    }

    private static Schema withOptionalField(Schema base, String name) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            Schema.Field copy = new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal(), f.order());
            f.getObjectProps().forEach(copy::addProp);
            fields.add(copy);
        }
        Schema.Field added = new Schema.Field(name, Schema.createUnion(Schema.create(Schema.Type.NULL),
                Schema.create(Schema.Type.STRING)), "nickname", org.apache.avro.JsonProperties.NULL_VALUE);
        added.addProp(AvroSchemas.SENSITIVITY_PROP, "PERSONAL");
        added.addProp(AvroSchemas.MASK_PROP, "NAME");
        added.addProp(AvroSchemas.DISPLAY_NAME_PROP, "昵称");
        fields.add(added);
        Schema s = Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
        base.getObjectProps().forEach(s::addProp);
        return s;
    }

    @Test
    void aMappingWithMistakesListsEveryProblemAndStreamsNothing() throws Exception {
        Resource r = catalogue("psb-population.yaml");
        String table = "resident_" + suffix();
        pgCreateResidents(table);
        CdcMapping mapping = CdcMapping.parse("""
                department: %s
                runner: bad-%s
                database: {kind: postgres, host: localhost, port: %d, database: hukou, user: cdc, password: %s}
                tables:
                  - table: public.%s
                    resource: %s
                    key: [full_name]
                    columns:
                      id_number: idNo
                      birth_date: {field: birthDate, type: timestamp}
                      gender: {field: updatedAt}
                      no_such_column: divisionCode
                """.formatted(r.provider(), suffix(), pg.getPort(), TestDatabases.CDC_PASSWORD, table, r.code()), "bad.yaml");
        CdcRunner runner = runner(mapping);
        assertThatThrownBy(runner::start).isInstanceOfSatisfying(CdcMappingException.class, e -> {
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("field idNo is not a field of resource " + r.code()));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("birth_date is declared timestamp but field birthDate is date"));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("column gender (VARCHAR)").contains("does not convert to field updatedAt (timestamp)"));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("no_such_column is not a column of public." + table));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("internal_note").contains("neither mapped nor excluded"));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("required field idNumber").contains("not fed"));
            assertThat(e.problems()).extracting(CdcMappingException.Problem::message).anySatisfy(m -> assertThat(m)
                    .contains("key of resource " + r.code() + " is [idNumber]"));
            assertThat(e.getMessage()).doesNotContain(TestDatabases.CDC_PASSWORD);
        });
        assertThat(runner.status().state()).isEqualTo(CdcStatus.State.FAILED);
        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                     + mapping.database().slot() + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no slot was created").isZero();
        }
        assertThat(bus.admin().listTopics().names().get()).doesNotContain(Topics.cdcOffsets(r.provider(), mapping.runner()));
        assertThat(gov.readCommitted(r.topic())).isEmpty();
    }

    @Test
    void mariaDbAndPostgresRunnersStreamInOneJvm() throws Exception {
        Resource entities = catalogue("amr-legal-entity.yaml");
        String table = "legal_entity_" + suffix();
        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE registry." + table + " (credit_code CHAR(18) PRIMARY KEY, entity_name VARCHAR(200),"
                    + " legal_rep VARCHAR(50), capital DECIMAL(18,2), established DATE, status VARCHAR(20),"
                    + " address VARCHAR(200), division CHAR(6), registered_at TIMESTAMP NULL) CHARACTER SET utf8mb4");
            s.execute("INSERT INTO registry." + table + " VALUES ('91510100MA61XY2K3A', '成都天府软件有限公司', '王建国',"
                    + " 1000.50, '2015-06-18', '存续', '成都市高新区天府大道1号', '510107', '2026-03-01 01:30:00')");
        }
        CdcMapping mariaMapping = CdcMapping.parse("""
                department: %s
                runner: le-%s
                database: {kind: mariadb, host: 127.0.0.1, port: %d, database: registry, user: cdc, password: %s}
                tables:
                  - table: registry.%s
                    resource: %s
                    key: [credit_code]
                    columns:
                      credit_code: creditCode
                      entity_name: entityName
                      legal_rep: legalRepresentative
                      capital: registeredCapital
                      established: establishedDate
                      status: registrationStatus
                      division: divisionCode
                    exclude: [registered_at]
                """.formatted(entities.provider(), suffix(), maria.port, TestDatabases.CDC_PASSWORD, table, entities.code()),
                "legal-entity.yaml");
        Resource residents = catalogue("psb-population.yaml");
        String pgTable = "resident_" + suffix();
        pgCreateResidents(pgTable);
        List<Delivery> entityDeliveries = subscribe(entities);
        CdcRunner mariaRunner = started(mariaMapping);
        CdcRunner pgRunner = started(populationMapping(residents, "pop-" + suffix(), pgTable, ""));

        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO registry." + table + " VALUES ('92510104MA6CABCD1X', '锦江区张记小吃店', NULL,"
                    + " NULL, '2020-01-02', '存续', NULL, '510104', NULL)");
            s.execute("UPDATE registry." + table + " SET capital = 2000.00, status = '注销' WHERE credit_code = '91510100MA61XY2K3A'");
            s.execute("DELETE FROM registry." + table + " WHERE credit_code = '92510104MA6CABCD1X'");
        }
        pgExec(INSERT_RESIDENT.formatted(pgTable), id(7), "赵六", null, null, null, "510104", "2026-03-01 09:30:00+08");

        await().atMost(Duration.ofSeconds(60)).until(() -> gov.readCommitted(entities.topic()).size() >= 4
                && !gov.readCommitted(residents.topic()).isEmpty());
        List<ConsumerRecord<byte[], byte[]>> events = inPositionOrder(gov.readCommitted(entities.topic()));
        assertThat(events).extracting(CdcRunnerIT::key).containsExactly("91510100MA61XY2K3A", "92510104MA6CABCD1X",
                "91510100MA61XY2K3A", "92510104MA6CABCD1X");
        GenericRecord snap = decode(events.get(0));
        assertThat(str(snap, "entityName")).isEqualTo("成都天府软件有限公司");
        assertThat(decimal(snap, "registeredCapital")).isEqualByComparingTo("1000.50");
        assertThat(snap.get("establishedDate")).isEqualTo((int) LocalDate.of(2015, 6, 18).toEpochDay());
        GenericRecord small = decode(events.get(1));
        assertThat(small.get("legalRepresentative")).isNull();
        assertThat(small.get("registeredCapital")).isNull();
        GenericRecord updated = decode(events.get(2));
        assertThat(decimal(updated, "registeredCapital")).isEqualByComparingTo("2000.00");
        assertThat(str(updated, "registrationStatus")).isEqualTo("注销");
        assertThat(events.get(3).value()).isNull();
        assertThat(events).extracting(e -> header(e, EventHeaders.SOURCE_POSITION))
                .allSatisfy(p -> assertThat(p).matches("binlog:\\d{10}:\\d{12}:\\d{6}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> entityDeliveries.size() >= 4);
        assertThat(entityDeliveries).extracting(Delivery::kind).containsExactlyInAnyOrder(Delivery.Kind.UPSERT,
                Delivery.Kind.UPSERT, Delivery.Kind.UPSERT, Delivery.Kind.DELETE);
        assertThat(str(gov.readCommitted(residents.topic()).stream().map(CdcRunnerIT::decode).findFirst().orElseThrow(), "name"))
                .isEqualTo("赵六");
        assertThat(mariaRunner.status().state()).isEqualTo(CdcStatus.State.STREAMING);
        assertThat(pgRunner.status().state()).isEqualTo(CdcStatus.State.STREAMING);
    }

    @Test
    void checkReportsDatabaseSettingsAndPrivilegesWithoutCapturing() throws Exception {
        Resource r = catalogue("psb-population.yaml");
        String table = "resident_" + suffix();
        pgCreateResidents(table);
        CdcMapping mapping = populationMapping(r, "pop-" + suffix(), table, "");
        CdcCheck.Report ok = CdcCheck.run(mapping, department(r.provider()));
        assertThat(ok.problems()).isEmpty();

        try (Connection c = TestDatabases.postgresAsOwner(pg); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT");
        }
        assertThat(CdcCheck.run(mapping, department(r.provider())).problems()).singleElement().asString()
                .contains("REPLICA IDENTITY FULL");

        try (Connection c = maria.root(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS registry.probe (id INT PRIMARY KEY)");
            s.execute("CREATE USER IF NOT EXISTS 'reader'@'%' IDENTIFIED BY 'pw'");
            s.execute("GRANT SELECT ON registry.* TO 'reader'@'%'");
        }
        CdcMapping weak = CdcMapping.parse("""
                department: %s
                runner: weak-%s
                database: {kind: mariadb, host: 127.0.0.1, port: %d, database: registry, user: reader, password: pw}
                unmappedColumns: ignore
                tables: [{table: registry.probe, resource: %s, key: [id]}]
                """.formatted(r.provider(), suffix(), maria.port, r.code()), "weak.yaml");
        assertThat(CdcCheck.run(weak, department(r.provider())).database()).anySatisfy(p -> assertThat(p)
                .contains("REPLICATION SLAVE")).anySatisfy(p -> assertThat(p).contains("BINLOG MONITOR"))
                .anySatisfy(p -> assertThat(p).contains("RELOAD"));
        assertThat(bus.admin().listTopics().names().get()).doesNotContain(Topics.cdcOffsets(r.provider(), mapping.runner()));
    }
}
