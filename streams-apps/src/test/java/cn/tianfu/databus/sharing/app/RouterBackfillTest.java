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
 * Backfill in chunks, replaying the source partition: chunks of {@value #CHUNK} records; a new grant is found by the
 * check every second (its first chunk is sent at once), later chunks follow one per step (every minute here, so each
 * step is driven by the test). The backfill reads the test's own input ({@link MemorySourceLog}).
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
    private final MemorySourceLog log = new MemorySourceLog();

    @BeforeEach
    void start() throws Exception {
        int schemaId = registry.register(SOURCE + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        reader = new AvroDeserializer<>(registry);
        RouterContext ctx = new RouterContext(registry, KeyHasher.withSecret(new byte[32]), topic -> 1, CHECK, STEP,
                CHUNK, Duration.ofMinutes(10), null, java.util.Set.of(), log);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-backfill-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx, Fixtures.ledger(registry, 1)), props, START);
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
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8),
                writer.serialize(SOURCE, resident(id(n), "张三", null, null, division)), START));
    }

    /** A captured change of key {@code n} at a source position. */
    private void capture(int n, String division, String position) {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(cn.tianfu.databus.contract.EventHeaders.SOURCE_POSITION,
                cn.tianfu.databus.contract.EventHeaders.bytes(position));
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8),
                writer.serialize(SOURCE, resident(id(n), "张三", null, null, division)), headers, START));
    }

    private void delete(int n) {
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8), (byte[]) null, START));
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

    private List<String> loggedIds() {
        List<String> ids = new ArrayList<>();
        TestOutputTopic<byte[], byte[]> exchangeLog = driver.createOutputTopic(Topics.EXCHANGE_LOG,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (TestRecord<byte[], byte[]> r : exchangeLog.readRecordsToList()) {
            ids.add(AvroDeserializer.specific(registry, ExchangeLogEntry.class)
                    .deserialize(Topics.EXCHANGE_LOG, r.value()).getExchangeId());
        }
        return ids;
    }

    private KeyValueStore<String, byte[]> cursors() {
        return driver.getKeyValueStore(SharingRouterApp.BACKFILL_CURSOR_STORE);
    }

    private KeyValueStore<String, byte[]> backfilled() {
        return driver.getKeyValueStore(SharingRouterApp.BACKFILLED_STORE);
    }

    /** A backfill's cursor: {@code [next offset, bound]}; null when none. */
    private long[] cursor(String grantId) {
        byte[] c = cursors().get(grantId);
        if (c == null) {
            return null;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(c);
        assertThat(b.get()).as("cursor layout").isEqualTo((byte) 2);
        return new long[] {b.getLong(), b.getLong()};
    }

    @Test
    void backfillsChunkByChunkInOffsetOrderThenMarksTheGrantDone() {
        for (int n = 5; n >= 1; n--) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());

        driver.advanceWallClockTime(CHECK);      // found: the first chunk at once, offsets 0 and 1
        assertThat(delivered()).containsExactly(tuple(id(5), "510105"), tuple(id(4), "510104"));
        assertThat(cursor("g-1")).containsExactly(2, 5);
        assertThat(backfilled().get("g-1")).isNull();

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(2), "510102"));
        assertThat(cursor("g-1")).containsExactly(4, 5);

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"));
        assertThat(cursor("g-1")).as("the cursor is gone once it reaches its bound").isNull();
        assertThat(backfilled().get("g-1")).isNotNull();

        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).as("a grant is backfilled once").isEmpty();
        assertThat(log.openReaders()).as("the reader is closed once no backfill is left").isZero();
        assertThat(loggedIds()).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void everyVersionStillInTheTopicIsDeliveredOldestFirstTheLatestLast() {
        publish(1, "510101");
        publish(2, "510102");
        publish(1, "520001");
        delete(2);
        publish(1, "530001");
        publish(2, "520002");
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"),
                tuple(id(1), "520001"), tuple(id(2), null), tuple(id(1), "530001"), tuple(id(2), "520002"));
        assertThat(backfilled().get("g-1")).isNotNull();
        assertThat(loggedIds()).hasSize(6).doesNotHaveDuplicates();
    }

    @Test
    void changesDuringBackfillAreLeftToItAndEveryOffsetIsDeliveredOnce() {
        for (int n = 1; n <= 5; n++) {
            publish(n, "51010" + n);                // offsets 0-4
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"));
        assertThat(cursor("g-1")).containsExactly(2, 5);

        publish(2, "520002");      // offsets 5-9 arrive during the backfill: not routed live, the bound moves past them
        publish(0, "520000");
        publish(4, "520004");
        delete(5);
        publish(6, "520006");
        assertThat(delivered()).isEmpty();
        assertThat(cursor("g-1")).containsExactly(2, 10);

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(4), "510104"));
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(5), "510105"), tuple(id(2), "520002"));
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(0), "520000"), tuple(id(4), "520004"));
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).as("the delete of a key the consumer holds, as live").containsExactly(
                tuple(id(5), null), tuple(id(6), "520006"));
        assertThat(backfilled().get("g-1")).isNotNull();

        publish(3, "530003");      // after the bound, backfill done: live
        delete(6);
        assertThat(delivered()).containsExactly(tuple(id(3), "530003"), tuple(id(6), null));
        assertThat(loggedIds()).as("one delivery per offset").hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void aSourceEventStartsTheBackfillWithItsFirstChunk() {
        for (int n = 1; n <= 5; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        publish(1, "520001");      // before the check: starts the backfill (bound past it) with its first chunk
        publish(5, "520005");      // during the backfill: left to it
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"));
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"), tuple(id(4), "510104"),
                tuple(id(5), "510105"), tuple(id(1), "520001"), tuple(id(5), "520005"));
        assertThat(backfilled().get("g-1")).isNotNull();
        assertThat(loggedIds()).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void replayedCapturedChangesAreNotDeliveredByTheBackfill() {
        capture(1, "510101", "pg:0000000000000010:0000000000000010");
        capture(2, "510102", "pg:0000000000000011:0000000000000011");
        capture(1, "510101", "pg:0000000000000010:0000000000000010");   // replayed: dropped live, not backfilled
        capture(1, "520001", "pg:0000000000000020:0000000000000020");
        capture(2, "510102", "pg:0000000000000030:0000000000000030");   // the same value read again: unchanged
        capture(1, "510101", "pg:0000000000000010:0000000000000010");   // replayed after the latest
        publish(3, "510103");                                          // no position: never a replay
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        for (int i = 0; i < 4; i++) {
            driver.advanceWallClockTime(i == 0 ? CHECK : STEP);
        }
        assertThat(backfilled().get("g-1")).isNotNull();
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"),
                tuple(id(1), "520001"), tuple(id(3), "510103"));
        List<String> kept = new ArrayList<>();
        try (var it = backfilled().all()) {
            it.forEachRemaining(kv -> kept.add(kv.key));
        }
        assertThat(kept).as("the backfill's positions are dropped when it ends").containsExactly("g-1");
        assertThat(loggedIds()).hasSize(4).doesNotHaveDuplicates();
    }

    @Test
    void aCursorOfTheOlderKeyOrderLayoutStartsTheBackfillOverFromOffsetZero() {
        for (int n = 1; n <= 3; n++) {
            publish(n, "51010" + n);
        }
        byte[] key = (SOURCE + "\u0000" + id(1)).getBytes(StandardCharsets.UTF_8);
        byte[] older = new byte[key.length + 1];
        older[0] = 1;                                   // "after this router-latest key", as restored from a changelog
        System.arraycopy(key, 0, older, 1, key.length);
        cursors().put("g-1", older);
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());

        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"));
        assertThat(cursor("g-1")).containsExactly(2, 3);
        driver.advanceWallClockTime(STEP);
        assertThat(delivered()).containsExactly(tuple(id(3), "510103"));
        assertThat(backfilled().get("g-1")).isNotNull();
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
