package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.internal.RouterProcessor;
import cn.tianfu.databus.sharing.app.internal.StoredRecord;

/**
 * District tiers (docs/tiers.md) on the city's router: the district's exchange id ({@code databus.exchange-id} on a
 * copied record) is logged as the entry's {@code upstreamExchangeId} on the live path and on backfill (kept with the
 * key's latest state), and only for a department configured as a district bus; a header on another department's
 * topic is ignored and counted.
 */
class RouterUpstreamIdTest {

    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final Duration STEP = Duration.ofMinutes(1);
    private static final String DISTRICT = "jinjiang";
    private static final String HRSS = "hrss";
    private static final String MCA = "mca";
    private static final String DISTRICT_CODE = "10201-100001";
    private static final String HRSS_CODE = "10301-000001";
    private static final String FROM_DISTRICT = Topics.source(DISTRICT, DISTRICT_CODE);
    private static final String FROM_HRSS = Topics.source(HRSS, HRSS_CODE);
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> grants;
    private TestInputTopic<byte[], byte[]> district;
    private TestInputTopic<byte[], byte[]> hrss;
    private TestOutputTopic<byte[], byte[]> exchangeLog;
    private AvroSerializer<Object> writer;
    private final MemorySourceLog log = new MemorySourceLog();
    private int districtSchemaId;

    @BeforeEach
    void start() throws Exception {
        districtSchemaId = registry.register(FROM_DISTRICT + "-value", POPULATION);
        int hrssSchemaId = registry.register(FROM_HRSS + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        RouterContext ctx = new RouterContext(registry, KeyHasher.withSecret(new byte[32]), topic -> 1, CHECK, STEP,
                100, Duration.ofMinutes(10), null, Set.of(DISTRICT), log);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-upstream-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx, Fixtures.ledger(registry, 1)), props, START);
        TestInputTopic<byte[], byte[]> catalog = driver.createInputTopic(Topics.CATALOG, new ByteArraySerializer(),
                new ByteArraySerializer());
        grants = driver.createInputTopic(Topics.GRANTS, new ByteArraySerializer(), new ByteArraySerializer());
        district = driver.createInputTopic(FROM_DISTRICT, new ByteArraySerializer(), new ByteArraySerializer());
        hrss = driver.createInputTopic(FROM_HRSS, new ByteArraySerializer(), new ByteArraySerializer());
        exchangeLog = driver.createOutputTopic(Topics.EXCHANGE_LOG, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        catalog.pipeInput(DISTRICT_CODE.getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG,
                entry(DISTRICT_CODE, DISTRICT, SharingClass.UNCONDITIONAL, districtSchemaId)));
        catalog.pipeInput(HRSS_CODE.getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG,
                entry(HRSS_CODE, HRSS, SharingClass.UNCONDITIONAL, hrssSchemaId)));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static String id(int n) {
        return String.format("51010419900101%04d", n);
    }

    /** A record on {@code topic}, with {@code databus.exchange-id} = {@code exchangeId} unless null. */
    private void publish(TestInputTopic<byte[], byte[]> topic, String sourceTopic, int n, String exchangeId) {
        RecordHeaders headers = new RecordHeaders();
        if (exchangeId != null) {
            headers.add(EventHeaders.EXCHANGE_ID, EventHeaders.bytes(exchangeId));
        }
        log.pipe(topic, sourceTopic, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8),
                writer.serialize(sourceTopic, resident(id(n), "张三", null, null, "510104")), headers, START));
    }

    private void put(Grant g) {
        grants.pipeInput(g.getGrantId().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.GRANTS, g));
    }

    /** (resource, source offset, upstreamExchangeId) of the entries chained since the last call. */
    private List<Object> logged() {
        List<Object> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : exchangeLog.readRecordsToList()) {
            ExchangeLogEntry e = AvroDeserializer.specific(registry, ExchangeLogEntry.class)
                    .deserialize(Topics.EXCHANGE_LOG, r.value());
            out.add(tuple(e.getResourceCode(), e.getSourceOffset(), e.getUpstreamExchangeId()));
        }
        return out;
    }

    private double ignoredCount() {
        return driver.metrics().entrySet().stream()
                .filter(m -> m.getKey().name().equals(RouterProcessor.UPSTREAM_IGNORED_METRIC))
                .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void liveDeliveriesNameTheDistrictsExchangeOnlyOnADistrictsTopic() {
        put(grant("g-d", DISTRICT_CODE, DISTRICT, MCA).setClearFields(List.of("idNumber")).build());
        put(grant("g-h", HRSS_CODE, HRSS, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);      // both grants backfilled (nothing stored yet): live from now on

        publish(district, FROM_DISTRICT, 1, "D-1");
        publish(district, FROM_DISTRICT, 2, null);
        publish(hrss, FROM_HRSS, 1, "forged-by-hrss");
        publish(hrss, FROM_HRSS, 2, "forged-again");

        assertThat(logged()).containsExactly(
                tuple(DISTRICT_CODE, 0L, "D-1"),
                tuple(DISTRICT_CODE, 1L, null),
                tuple(HRSS_CODE, 2L, null),      // the test driver numbers the pattern source's records in one sequence
                tuple(HRSS_CODE, 3L, null));
        assertThat(ignoredCount()).as("each ignored header is counted").isEqualTo(2.0);
    }

    @Test
    void aGrantMadeAfterTheRecordsArrivedIsBackfilledWithTheirUpstreamIds() {
        publish(district, FROM_DISTRICT, 1, "D-1");
        publish(district, FROM_DISTRICT, 2, "D-2");
        publish(district, FROM_DISTRICT, 1, "D-3");      // each version replayed names its own exchange
        publish(district, FROM_DISTRICT, 4, null);
        publish(hrss, FROM_HRSS, 1, "forged-by-hrss");
        assertThat(logged()).as("no grant yet").isEmpty();

        put(grant("g-d", DISTRICT_CODE, DISTRICT, MCA).setClearFields(List.of("idNumber")).build());
        put(grant("g-h", HRSS_CODE, HRSS, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);

        assertThat(logged()).containsExactlyInAnyOrder(
                tuple(DISTRICT_CODE, 0L, "D-1"),
                tuple(DISTRICT_CODE, 2L, "D-3"),
                tuple(DISTRICT_CODE, 1L, "D-2"),
                tuple(DISTRICT_CODE, 3L, null),
                tuple(HRSS_CODE, 4L, null));
        assertThat(ignoredCount()).isEqualTo(1.0);
    }

    @Test
    void stateWrittenBeforeTheUpstreamIdWasKeptStillDecodesAndTheBackfillReplaysTheTopic() {
        // router-latest as restored from a changelog written before the upstream id was kept: both older layouts
        byte[] value = writer.serialize(FROM_DISTRICT, resident(id(1), "张三", null, null, "510104"));
        byte[] original = ByteBuffer.allocate(16 + value.length).putInt(0).putLong(7).putInt(districtSchemaId)
                .put(value).array();
        byte[] position = "kafka:src:0:9".getBytes(StandardCharsets.UTF_8);
        byte[] withPosition = ByteBuffer.allocate(24 + position.length + value.length).putInt(-1).putInt(0).putLong(9)
                .putInt(districtSchemaId).putInt(position.length).put(position).put(value).array();
        var latest = driver.<String, byte[]>getKeyValueStore(SharingRouterApp.LATEST_STORE);
        latest.put(FROM_DISTRICT + "\u0000" + id(1), original);
        latest.put(FROM_DISTRICT + "\u0000" + id(2), withPosition);
        assertThat(StoredRecord.decode(original)).extracting(StoredRecord::offset, StoredRecord::sourcePosition,
                StoredRecord::upstreamExchangeId).containsExactly(7L, null, null);
        assertThat(StoredRecord.decode(withPosition)).extracting(StoredRecord::offset, StoredRecord::sourcePosition,
                StoredRecord::upstreamExchangeId).containsExactly(9L, "kafka:src:0:9", null);

        publish(district, FROM_DISTRICT, 3, "D-9");

        put(grant("g-d", DISTRICT_CODE, DISTRICT, MCA).setClearFields(List.of("idNumber")).build());
        driver.advanceWallClockTime(CHECK);

        assertThat(logged()).as("the backfill replays the source topic, not router-latest; the header is on the record")
                .containsExactly(tuple(DISTRICT_CODE, 0L, "D-9"));
    }

    @Test
    void theStoredLayoutsRoundTrip() {
        byte[] v = {0, 0, 0, 0, 5, 42};
        for (StoredRecord r : List.of(new StoredRecord(1, 2, 5, v), new StoredRecord(1, 2, 5, v, "pos"),
                new StoredRecord(1, 2, 5, v, null, "D-1"), new StoredRecord(1, 2, 5, v, "pos", "D-1"),
                StoredRecord.deletedAt(3, 4, "pos"))) {
            StoredRecord back = StoredRecord.decode(r.encode());
            assertThat(back).extracting(StoredRecord::partition, StoredRecord::offset, StoredRecord::schemaId,
                    StoredRecord::sourcePosition, StoredRecord::upstreamExchangeId)
                    .containsExactly(r.partition(), r.offset(), r.schemaId(), r.sourcePosition(), r.upstreamExchangeId());
            assertThat(back.value()).isEqualTo(r.value());
        }
        assertThat(new StoredRecord(1, 2, 5, v, "pos").encode()).as("no upstream id: the layout written before it")
                .isEqualTo(ByteBuffer.allocate(4 + 16 + 4 + 3 + v.length).putInt(-1).putInt(1).putLong(2).putInt(5)
                        .putInt(3).put("pos".getBytes(StandardCharsets.UTF_8)).put(v).array());
    }
}
