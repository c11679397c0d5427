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

import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * Backfill in chunks: chunks of {@value #CHUNK} records; a new grant is found by the check every second (its first
 * chunk is sent at once), later chunks follow one per step (every minute here, so each step is driven by the test).
 */
class RouterBackfillTest {

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
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> grants;
    private TestInputTopic<byte[], byte[]> source;
    private TestOutputTopic<byte[], byte[]> deliveries;
    private AvroSerializer<Object> writer;
    private AvroDeserializer<Object> reader;

    @BeforeEach
    void start() throws Exception {
        int schemaId = registry.register(SOURCE + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        reader = new AvroDeserializer<>(registry);
        RouterContext ctx = new RouterContext(registry, KeyHasher.withSecret(new byte[32]), topic -> 1, CHECK, STEP,
                CHUNK, Duration.ofMinutes(10));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-backfill-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx), props, START);
        TestInputTopic<byte[], byte[]> catalog = driver.createInputTopic(Topics.CATALOG, new ByteArraySerializer(),
                new ByteArraySerializer());
        grants = driver.createInputTopic(Topics.GRANTS, new ByteArraySerializer(), new ByteArraySerializer());
        source = driver.createInputTopic(SOURCE, new ByteArraySerializer(), new ByteArraySerializer());
        deliveries = driver.createOutputTopic(TO_MCA, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        var e = entry(CODE, PSB, SharingClass.UNCONDITIONAL, schemaId);
        catalog.pipeInput(CODE.getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG, e));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static String id(int n) {
        return String.format("51010419900101%04d", n);
    }

    private void publish(int n, String division) {
        source.pipeInput(new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8),
                writer.serialize(SOURCE, resident(id(n), "张三", null, null, division)), START));
    }

    private void delete(int n) {
        source.pipeInput(new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8), (byte[]) null, START));
    }

    private void put(Grant g) {
        grants.pipeInput(g.getGrantId().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.GRANTS, g));
    }

    /** Delivered (key, divisionCode or null for a tombstone) since the last call. */
    private List<Object> delivered() {
        List<Object> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : deliveries.readRecordsToList()) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            String division = r.value() == null ? null
                    : ((GenericRecord) reader.deserialize(TO_MCA, r.value())).get("divisionCode").toString();
            out.add(tuple(key, division));
        }
        return out;
    }

    private List<String> stagedIds() {
        List<String> ids = new ArrayList<>();
        TestOutputTopic<byte[], byte[]> staging = driver.createOutputTopic(Topics.EXCHANGE_LOG_STAGING,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (TestRecord<byte[], byte[]> r : staging.readRecordsToList()) {
            ids.add(AvroDeserializer.specific(registry, ExchangeLogEntry.class)
                    .deserialize(Topics.EXCHANGE_LOG_STAGING, r.value()).getExchangeId());
        }
        return ids;
    }

    private KeyValueStore<String, byte[]> cursors() {
        return driver.getKeyValueStore(SharingRouterApp.BACKFILL_CURSOR_STORE);
    }

    private KeyValueStore<String, byte[]> backfilled() {
        return driver.getKeyValueStore(SharingRouterApp.BACKFILLED_STORE);
    }

    private String cursorKey(String grantId) {
        byte[] c = cursors().get(grantId);
        return c == null ? null : new String(c, 1, c.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    void backfillsChunkByChunkInKeyOrderThenMarksTheGrantDone() {
        for (int n = 5; n >= 1; n--) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());

        driver.advanceWallClockTime(CHECK);      // found: the first chunk at once
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"));
        assertThat(cursorKey("g-1")).isEqualTo(SOURCE + "\u0000" + id(2));
        assertThat(backfilled().get("g-1")).isNull();

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(4), "510104"));
        assertThat(cursorKey("g-1")).isEqualTo(SOURCE + "\u0000" + id(4));

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(5), "510105"));
        assertThat(cursors().get("g-1")).as("the cursor is gone once the keys are exhausted").isNull();
        assertThat(backfilled().get("g-1")).isNotNull();

        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).as("a grant is backfilled once").isEmpty();
        assertThat(stagedIds()).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void changesDuringBackfillAreDeliveredOnceAndInOrder() {
        for (int n = 1; n <= 5; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"));

        publish(2, "520002");      // already backfilled: delivered as a change, now
        publish(0, "520000");      // a new key before the cursor: delivered now
        publish(4, "520004");      // not reached yet: not now, the cursor sends the latest state
        delete(5);                 // not reached yet, deleted: the consumer never had it, nothing to send
        publish(6, "520006");      // a new key after the cursor: sent when reached
        assertThat(delivered()).containsExactly(tuple(id(2), "520002"), tuple(id(0), "520000"));

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(4), "520004"));
        publish(4, "530004");      // now passed: delivered as a change
        assertThat(delivered()).containsExactly(tuple(id(4), "530004"));

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(6), "520006"));
        assertThat(backfilled().get("g-1")).isNotNull();

        publish(3, "530003");
        delete(6);
        assertThat(delivered()).containsExactly(tuple(id(3), "530003"), tuple(id(6), null));
        assertThat(stagedIds()).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void aSourceEventStartsTheBackfillWithItsFirstChunk() {
        for (int n = 1; n <= 5; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        publish(1, "520001");      // before the check: starts the backfill; key 1 is then passed, so sent as a change
        publish(5, "520005");      // not reached
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"),
                tuple(id(1), "520001"));
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(4), "510104"),
                tuple(id(5), "520005"));
        assertThat(stagedIds()).hasSize(6).doesNotHaveDuplicates();
    }

    @Test
    void revocationDuringBackfillStopsIt() {
        for (int n = 1; n <= 5; n++) {
            publish(n, "51010" + n);
        }
        Grant g = grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build();
        put(g);
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).hasSize(2);

        g.setStatus(GrantStatus.REVOKED);
        put(g);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        publish(5, "520005");
        assertThat(delivered()).as("the backfill stops; what it delivered is withdrawn (RouterWithdrawalTest)")
                .containsExactly(tuple(id(1), null), tuple(id(2), null));
        assertThat(cursors().get("g-1")).isNull();
        assertThat(backfilled().get("g-1")).isNull();
    }

    @Test
    void twoGrantsShareTheChunkBudget() {
        for (int n = 1; n <= 3; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        put(grant("g-2", CODE, PSB, "hrss").setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);          // each started with its own first chunk: 2 + 2
        TestOutputTopic<byte[], byte[]> toHrss = driver.createOutputTopic(Topics.delivery("hrss", CODE),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        assertThat(delivered()).hasSize(2);
        assertThat(toHrss.readRecordsToList()).hasSize(2);
        driver.advanceWallClockTime(STEP);           // one step: at most CHUNK records read for both grants together
        assertThat(delivered().size() + toHrss.readRecordsToList().size()).isEqualTo(2);
        assertThat(backfilled().get("g-1")).isNotNull();
        assertThat(backfilled().get("g-2")).isNotNull();
    }
}
