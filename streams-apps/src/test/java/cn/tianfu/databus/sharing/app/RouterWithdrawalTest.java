package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.time.InstantSource;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.kafka.KafkaHeaders;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * Withdrawal of what a grant's consumer holds (revoked, expired on the router's injected clock, narrowed, resource
 * retired): in chunks of {@value #CHUNK} stored records, one per step (driven by the test), each held key once.
 */
class RouterWithdrawalTest {

    private static final int CHUNK = 2;
    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final Duration STEP = Duration.ofMinutes(1);
    private static final String PSB = "psb";
    private static final String MCA = "mca";
    private static final String CODE = "10101-000001";
    private static final String SOURCE = Topics.source(PSB, CODE);
    private static final String TO_MCA = Topics.delivery(MCA, CODE);
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final AtomicLong clock = new AtomicLong(START.toEpochMilli());
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> catalog;
    private TestInputTopic<byte[], byte[]> grants;
    private TestInputTopic<byte[], byte[]> source;
    private TestOutputTopic<byte[], byte[]> deliveries;
    private TestOutputTopic<byte[], byte[]> exchangeLog;
    private AvroSerializer<Object> writer;
    private AvroDeserializer<Object> reader;
    private CatalogEntry entry;
    private final MemorySourceLog log = new MemorySourceLog();

    @BeforeEach
    void start() throws Exception {
        int schemaId = registry.register(SOURCE + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        reader = new AvroDeserializer<>(registry);
        InstantSource routerClock = () -> Instant.ofEpochMilli(clock.get());
        RouterContext ctx = new RouterContext(registry, KeyHasher.withSecret(new byte[32]), topic -> 1, CHECK, STEP,
                CHUNK, Duration.ofMinutes(10), routerClock, java.util.Set.of(), log);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-withdrawal-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx, Fixtures.ledger(registry, 1)), props, START);
        catalog = driver.createInputTopic(Topics.CATALOG, new ByteArraySerializer(), new ByteArraySerializer());
        grants = driver.createInputTopic(Topics.GRANTS, new ByteArraySerializer(), new ByteArraySerializer());
        source = driver.createInputTopic(SOURCE, new ByteArraySerializer(), new ByteArraySerializer());
        deliveries = driver.createOutputTopic(TO_MCA, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        exchangeLog = driver.createOutputTopic(Topics.EXCHANGE_LOG, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        entry = entry(CODE, PSB, SharingClass.UNCONDITIONAL, schemaId);
        catalog.pipeInput(CODE.getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG, entry));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static String id(int n) {
        return String.format("51010419900101%04d", n);
    }

    private void publish(int n, String division) {
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8),
                writer.serialize(SOURCE, resident(id(n), "张三", "13800000000", null, division)), START));
    }

    private void delete(int n) {
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8), (byte[]) null, START));
    }

    private void put(Grant g) {
        grants.pipeInput(g.getGrantId().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.GRANTS, g));
    }

    /** A delivery: key, kind header, reason header, the delivered record (null for a tombstone). */
    private record Seen(String key, String op, String reason, GenericRecord value) {
    }

    private List<Seen> delivered() {
        List<Seen> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : deliveries.readRecordsToList()) {
            out.add(new Seen(new String(r.key(), StandardCharsets.UTF_8),
                    KafkaHeaders.text(r.headers(), EventHeaders.OP).orElse(null),
                    KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON).orElse(null),
                    r.value() == null ? null : (GenericRecord) reader.deserialize(TO_MCA, r.value())));
        }
        return out;
    }

    private List<ExchangeEntry> staged() {
        List<ExchangeEntry> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : exchangeLog.readRecordsToList()) {
            out.add(ExchangeLogRecords.toEntry(AvroDeserializer.specific(registry, ExchangeLogEntry.class)
                    .deserialize(Topics.EXCHANGE_LOG, r.value())));
        }
        return out;
    }

    private KeyValueStore<String, byte[]> withdrawCursors() {
        return driver.getKeyValueStore(SharingRouterApp.WITHDRAW_CURSOR_STORE);
    }

    /** Five residents; a grant whose row filter leaves out number 3: four delivered by the backfill. */
    private Grant fourDelivered() {
        for (int n = 1; n <= 5; n++) {
            publish(n, n == 3 ? "510199" : "51010" + n);
        }
        Grant g = grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber", "name", "phone"))
                .setRowFilter("divisionCode != '510199'").build();
        put(g);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).extracting(Seen::key).containsExactly(id(1), id(2), id(4), id(5));
        assertThat(staged()).hasSize(4);
        return g;
    }

    @Test
    void aRevokedGrantHasEveryHeldKeyTombstonedOnceChunkByChunkEachLoggedWithTheReason() {
        Grant g = fourDelivered();
        g.setStatus(GrantStatus.REVOKED);
        put(g);
        publish(6, "510106");                       // after the revocation: never delivered, never withdrawn

        driver.advanceWallClockTime(CHECK);         // the check starts the withdrawal
        assertThat(withdrawCursors().get("g-1")).isNotNull();
        driver.advanceWallClockTime(STEP);          // keys 1, 2
        assertThat(delivered()).extracting(Seen::key).containsExactly(id(1), id(2));
        driver.advanceWallClockTime(STEP);          // keys 3 (not held), 4
        driver.advanceWallClockTime(STEP);          // keys 5, 6 (not held): done
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(CHECK);         // a finished withdrawal is not started again
        List<Seen> rest = delivered();
        assertThat(rest).extracting(Seen::key).containsExactly(id(4), id(5));
        assertThat(rest).allSatisfy(s -> {
            assertThat(s.value()).isNull();
            assertThat(s.op()).isEqualTo("RETRACT");
            assertThat(s.reason()).isEqualTo("REVOKED");
        });
        assertThat(withdrawCursors().get("g-1")).isNull();

        List<ExchangeEntry> entries = staged();
        assertThat(entries).hasSize(4).allSatisfy(e -> {
            assertThat(e.operation()).isEqualTo(ExchangeEntry.Operation.RETRACT);
            assertThat(e.retractReason()).isEqualTo(ExchangeEntry.RetractReason.REVOKED);
            assertThat(e.valueDigest()).isNull();
            assertThat(e.grantId()).isEqualTo("g-1");
        });
        assertThat(entries).extracting(ExchangeEntry::exchangeId).doesNotHaveDuplicates();
    }

    @Test
    void aHeldKeyDeletedAtTheSourceBeforeTheWithdrawalReachesItIsStillWithdrawn() {
        Grant g = fourDelivered();
        g.setStatus(GrantStatus.REVOKED);
        put(g);
        delete(5);                                  // gone from the latest state the withdrawal reads
        assertThat(delivered()).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo(id(5));
            assertThat(s.reason()).isEqualTo("REVOKED");
        });
        driver.advanceWallClockTime(CHECK);
        for (int i = 0; i < 4; i++) {
            driver.advanceWallClockTime(STEP);
        }
        assertThat(delivered()).extracting(Seen::key).containsExactly(id(1), id(2), id(4));
        assertThat(staged()).filteredOn(e -> e.operation() == ExchangeEntry.Operation.RETRACT).hasSize(4);
    }

    @Test
    void aGrantExpiresWhenItsValidUntilPassesOnTheRoutersClock() {
        for (int n = 1; n <= 3; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber"))
                .setValidUntil(START.plus(Duration.ofHours(1))).build());
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).hasSize(3);
        staged();

        clock.set(START.plus(Duration.ofMinutes(59)).toEpochMilli());
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).as("still valid").isEmpty();

        clock.set(START.plus(Duration.ofHours(1)).toEpochMilli());     // validUntil: no longer in force
        publish(1, "510199");
        assertThat(delivered()).as("a change after expiry is not delivered").isEmpty();
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        List<Seen> seen = delivered();
        assertThat(seen).extracting(Seen::key).containsExactly(id(1), id(2), id(3));
        assertThat(seen).allSatisfy(s -> assertThat(s.reason()).isEqualTo("EXPIRED"));
        assertThat(staged()).extracting(ExchangeEntry::retractReason)
                .containsOnly(ExchangeEntry.RetractReason.EXPIRED).hasSize(3);
    }

    @Test
    void aNarrowedGrantDeliversHeldRecordsAgainWithFewerFieldsAndRetractsRowsItNoLongerAllows() {
        for (int n = 1; n <= 3; n++) {
            publish(n, "51010" + n);
        }
        Grant g = grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber", "name", "phone")).build();
        put(g);
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).hasSize(3).allSatisfy(s -> assertThat(s.value().get("phone")).hasToString("13800000000"));
        staged();

        // narrowed: no phone, no name, and number 2 is outside the new filter
        put(grant("g-1", CODE, PSB, MCA).setAllowedFields(List.of("idNumber", "divisionCode"))
                .setClearFields(List.of("idNumber")).setRowFilter("divisionCode != '510102'").build());
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        List<Seen> seen = delivered();
        assertThat(seen).extracting(Seen::key, Seen::op, Seen::reason).containsExactly(
                tuple(id(1), "UPSERT", "NARROWED"), tuple(id(2), "RETRACT", "NARROWED"),
                tuple(id(3), "UPSERT", "NARROWED"));
        assertThat(seen.get(0).value().getSchema().getFields()).extracting(f -> f.name())
                .containsExactly("idNumber", "divisionCode");
        assertThat(seen.get(2).value().get("divisionCode")).hasToString("510103");
        List<ExchangeEntry> entries = staged();
        assertThat(entries).extracting(ExchangeEntry::operation, ExchangeEntry::retractReason).containsExactly(
                tuple(ExchangeEntry.Operation.UPSERT, ExchangeEntry.RetractReason.NARROWED),
                tuple(ExchangeEntry.Operation.RETRACT, ExchangeEntry.RetractReason.NARROWED),
                tuple(ExchangeEntry.Operation.UPSERT, ExchangeEntry.RetractReason.NARROWED));

        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).as("a narrowing is handled once").isEmpty();
        publish(1, "510111");
        assertThat(delivered()).singleElement().satisfies(s -> {
            assertThat(s.reason()).isNull();
            assertThat(s.value().getSchema().getFields()).hasSize(2);
        });
    }

    @Test
    void retiringTheResourceWithdrawsItsGrants() {
        for (int n = 1; n <= 2; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).hasSize(2);

        entry.setStatus(ResourceStatus.RETIRED);
        catalog.pipeInput(CODE.getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG, entry));
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).extracting(Seen::key, Seen::reason)
                .containsExactly(tuple(id(1), "RETIRED"), tuple(id(2), "RETIRED"));
    }
}
