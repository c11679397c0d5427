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
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.internal.StoredRecord;

/**
 * What {@code router-latest} keeps per source key (docs/router.md, "What router-latest keeps"): nothing for a resource
 * without grants (a captured change keeps its position), a position record without the value for a push-only
 * resource, the value for one with a SERVICE or BOTH grant — filled in by that grant's backfill — and a narrowed
 * re-delivery that reads its values from the source topic; the layouts written before still decode.
 */
class RouterLatestStateTest {

    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final Duration STEP = Duration.ofMinutes(1);
    private static final String PSB = "psb";
    private static final String MCA = "mca";
    private static final String CODE = "10101-000001";
    private static final String SOURCE = Topics.source(PSB, CODE);
    private static final String TO_MCA = Topics.delivery(MCA, CODE);
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private static final String PG_100 = "pg:0000000000000100:0000000000000100";
    private static final String PG_200 = "pg:0000000000000200:0000000000000200";
    /** An address long enough that a copy of the value would be plain to see in the stored state. */
    private static final String ADDRESS = "四川省成都市锦江区".repeat(40);

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final MemorySourceLog log = new MemorySourceLog();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> grants;
    private TestInputTopic<byte[], byte[]> source;
    private TestOutputTopic<byte[], byte[]> deliveries;
    private AvroSerializer<Object> writer;
    private AvroDeserializer<Object> reader;
    private int schemaId;

    @BeforeEach
    void start() throws Exception {
        schemaId = registry.register(SOURCE + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        reader = new AvroDeserializer<>(registry);
        InstantSource clock = () -> START;
        RouterContext ctx = new RouterContext(registry, KeyHasher.withSecret(new byte[32]), topic -> 1, CHECK, STEP,
                2, Duration.ofMinutes(10), clock, java.util.Set.of(), log);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-latest-state-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx, Fixtures.ledger(registry, 1)), props, START);
        TestInputTopic<byte[], byte[]> catalog = driver.createInputTopic(Topics.CATALOG, new ByteArraySerializer(),
                new ByteArraySerializer());
        grants = driver.createInputTopic(Topics.GRANTS, new ByteArraySerializer(), new ByteArraySerializer());
        source = driver.createInputTopic(SOURCE, new ByteArraySerializer(), new ByteArraySerializer());
        deliveries = driver.createOutputTopic(TO_MCA, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        catalog.pipeInput(CODE.getBytes(StandardCharsets.UTF_8),
                writer.serialize(Topics.CATALOG, entry(CODE, PSB, SharingClass.UNCONDITIONAL, schemaId)));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static String id(int n) {
        return String.format("51010419900101%04d", n);
    }

    private byte[] value(int n, String division) {
        return writer.serialize(SOURCE, resident(id(n), "张三", "13800000000", ADDRESS, division));
    }

    private void publish(int n, String division) {
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8), value(n, division), START));
    }

    /** A captured change of key {@code n} at a source position. */
    private void capture(int n, String division, String position) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.SOURCE_POSITION, EventHeaders.bytes(position));
        log.pipe(source, SOURCE, new TestRecord<>(id(n).getBytes(StandardCharsets.UTF_8), value(n, division),
                headers, START));
    }

    private void put(Grant g) {
        grants.pipeInput(g.getGrantId().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.GRANTS, g));
    }

    private KeyValueStore<String, byte[]> latestStore() {
        return driver.getKeyValueStore(SharingRouterApp.LATEST_STORE);
    }

    /** Every key's stored state, by source key, with the size of its encoding. */
    private Map<String, KeyValue<StoredRecord, Integer>> latest() {
        Map<String, KeyValue<StoredRecord, Integer>> out = new LinkedHashMap<>();
        try (KeyValueIterator<String, byte[]> it = latestStore().all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                out.put(kv.key.substring(kv.key.indexOf('\u0000') + 1),
                        KeyValue.pair(StoredRecord.decode(kv.value), kv.value.length));
            }
        }
        return out;
    }

    private List<KeyValue<String, GenericRecord>> delivered() {
        List<KeyValue<String, GenericRecord>> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : deliveries.readRecordsToList()) {
            out.add(KeyValue.pair(new String(r.key(), StandardCharsets.UTF_8),
                    r.value() == null ? null : (GenericRecord) reader.deserialize(TO_MCA, r.value())));
        }
        return out;
    }

    private void backfill() {
        driver.advanceWallClockTime(CHECK);
        driver.advanceWallClockTime(STEP);
        driver.advanceWallClockTime(STEP);
    }

    @Test
    void aResourceWithoutGrantsKeepsNothingButTheSourcePositionsOfCapturedChanges() {
        // a state left by an older version of the router (the value kept) is removed by the key's next record
        latestStore().put(SOURCE + "\u0000" + id(1), new StoredRecord(0, 0, schemaId, value(1, "510101")).encode());
        publish(1, "510101");
        publish(2, "510102");
        capture(3, "510103", PG_200);

        Map<String, KeyValue<StoredRecord, Integer>> kept = latest();
        assertThat(kept).containsOnlyKeys(id(3));
        StoredRecord position = kept.get(id(3)).key;
        assertThat(position.value()).as("no copy of the value").isNull();
        assertThat(position.sourcePosition()).isEqualTo(PG_200);
        assertThat(position.digest()).isEqualTo(StoredRecord.digestOf(value(3, "510103")));
        assertThat(kept.get(id(3)).value).isLessThan(150).isLessThan(value(3, "510103").length / 5);

        // the replay guard still drops an older change of the key and an unchanged re-read
        capture(3, "510199", PG_100);
        capture(3, "510103", "pg:0000000000000300:0000000000000300");
        assertThat(latest().get(id(3)).key.sourcePosition()).as("moved to the unchanged re-read")
                .isEqualTo("pg:0000000000000300:0000000000000300");
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        backfill();
        assertThat(delivered()).as("the backfill skips the replayed change and the re-read")
                .extracting(kv -> kv.key, kv -> kv.value.get("divisionCode").toString())
                .containsExactly(tuple(id(1), "510101"), tuple(id(2), "510102"), tuple(id(3), "510103"));
    }

    @Test
    void aPushOnlyResourceKeepsPositionRecordsFilledByTheBackfillAndWrittenLive() {
        publish(1, "510101");
        publish(2, "510102");
        assertThat(latest()).isEmpty();

        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        backfill();
        assertThat(delivered()).hasSize(2);
        publish(3, "510103");
        publish(1, "510111");
        assertThat(delivered()).extracting(kv -> kv.key).containsExactly(id(3), id(1));

        Map<String, KeyValue<StoredRecord, Integer>> kept = latest();
        assertThat(kept).containsOnlyKeys(id(1), id(2), id(3));
        assertThat(kept.values()).allSatisfy(kv -> {
            assertThat(kv.key.value()).as("no copy of the value").isNull();
            assertThat(kv.key.valueKept()).isFalse();
            assertThat(kv.key.schemaId()).isEqualTo(schemaId);
            assertThat(kv.value).isLessThan(value(1, "510101").length / 5);
        });
        assertThat(kept.get(id(1)).key.offset()).as("the live record's offset").isEqualTo(3);
        assertThat(kept.get(id(2)).key.offset()).as("filled by the backfill").isEqualTo(1);
    }

    @Test
    void aRecordTheBackfillReplayedBeforeItArrivedLiveIsStoredOnce() {
        // the backfill reads the source topic itself and can be ahead of the router's consumer of it (a new resource's
        // topic the pattern subscription has not picked up yet): the state it fills is not written again live
        TestOutputTopic<byte[], byte[]> changelog = driver.createOutputTopic(
                "router-latest-state-test-" + SharingRouterApp.LATEST_STORE + "-changelog", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TestRecord<byte[], byte[]>> ahead = List.of(
                new TestRecord<>(id(1).getBytes(StandardCharsets.UTF_8), value(1, "510101"), START),
                new TestRecord<>(id(2).getBytes(StandardCharsets.UTF_8), value(2, "510102"), START));
        ahead.forEach(r -> log.keep(SOURCE, r));
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        backfill();
        assertThat(delivered()).extracting(kv -> kv.key).containsExactly(id(1), id(2));
        assertThat(changelog.readRecordsToList()).as("filled by the backfill").hasSize(2);

        ahead.forEach(source::pipeInput);
        assertThat(delivered()).as("already delivered by the backfill").isEmpty();
        assertThat(changelog.readRecordsToList()).as("the same states, not written again").isEmpty();
        assertThat(latest().get(id(2)).key.offset()).isEqualTo(1);

        publish(1, "510111");
        assertThat(delivered()).extracting(kv -> kv.key).containsExactly(id(1));
        assertThat(changelog.readRecordsToList()).extracting(r -> StoredRecord.decode(r.value()).offset())
                .containsExactly(2L);
    }

    @Test
    void aServiceGrantsBackfillFillsInTheValuesAndLaterRecordsKeepThem() {
        publish(1, "510101");
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        backfill();
        publish(2, "510102");
        assertThat(latest().values()).allSatisfy(kv -> assertThat(kv.key.valueKept()).isFalse());
        delivered();

        put(grant("g-s", CODE, PSB, "hrss").setMethod(SharingMethod.SERVICE).build());
        backfill();
        publish(3, "510103");
        Map<String, KeyValue<StoredRecord, Integer>> kept = latest();
        assertThat(kept).containsOnlyKeys(id(1), id(2), id(3));
        assertThat(kept.values()).allSatisfy(kv -> assertThat(kv.key.valueKept()).isTrue());
        assertThat(kept.get(id(1)).key.value()).isEqualTo(value(1, "510101"));
        assertThat(kept.get(id(2)).key.value()).isEqualTo(value(2, "510102"));
        assertThat(delivered()).as("the service grant's backfill delivers nothing; g-1 gets the new record")
                .extracting(kv -> kv.key).containsExactly(id(3));
        assertThat(driver.producedTopicNames()).doesNotContain(Topics.delivery("hrss", CODE));

        // revoked: no SERVICE grant left, so new states are position records again
        put(grant("g-s", CODE, PSB, "hrss").setMethod(SharingMethod.SERVICE).setStatus(GrantStatus.REVOKED).build());
        publish(4, "510104");
        assertThat(latest().get(id(4)).key.valueKept()).isFalse();
        assertThat(latest().get(id(3)).key.valueKept()).isTrue();
    }

    @Test
    void aNarrowedReDeliveryReadsTheValuesFromTheSourceTopic() {
        for (int n = 1; n <= 3; n++) {
            publish(n, "51010" + n);
        }
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber", "name", "phone")).build());
        backfill();
        publish(1, "510111");
        assertThat(delivered()).hasSize(4);
        assertThat(latest().values()).allSatisfy(kv -> assertThat(kv.key.value()).isNull());

        put(grant("g-1", CODE, PSB, MCA).setAllowedFields(List.of("idNumber", "divisionCode"))
                .setClearFields(List.of("idNumber")).setRowFilter("divisionCode != '510102'").build());
        backfill();
        driver.advanceWallClockTime(STEP);
        List<KeyValue<String, GenericRecord>> seen = delivered();
        assertThat(seen).extracting(kv -> kv.key, kv -> kv.value == null ? null : kv.value.get("divisionCode").toString())
                .containsExactly(tuple(id(1), "510111"), tuple(id(2), null), tuple(id(3), "510103"));
        assertThat(seen.get(0).value.getSchema().getFields()).extracting(f -> f.name())
                .containsExactly("idNumber", "divisionCode");
        assertThat(log.openReaders()).as("the readers are closed once no backfill or withdrawal is left").isZero();
    }

    @Test
    void theLayoutsWrittenBeforeStillDecodeAndTheNewOneRoundTrips() {
        byte[] v = value(1, "510101");
        byte[] position = PG_200.getBytes(StandardCharsets.UTF_8);
        byte[] upstream = "D-1".getBytes(StandardCharsets.UTF_8);
        byte[] original = ByteBuffer.allocate(16 + v.length).putInt(0).putLong(7).putInt(schemaId).put(v).array();
        byte[] minus1 = ByteBuffer.allocate(24 + position.length + v.length).putInt(-1).putInt(0).putLong(8)
                .putInt(schemaId).putInt(position.length).put(position).put(v).array();
        byte[] minus2 = ByteBuffer.allocate(28 + position.length + upstream.length + v.length).putInt(-2).putInt(0)
                .putLong(9).putInt(schemaId).putInt(position.length).put(position).putInt(upstream.length).put(upstream)
                .put(v).array();
        assertThat(List.of(StoredRecord.decode(original), StoredRecord.decode(minus1), StoredRecord.decode(minus2)))
                .extracting(StoredRecord::offset, StoredRecord::sourcePosition, StoredRecord::upstreamExchangeId,
                        StoredRecord::valueKept, r -> r.sameValue(v), r -> r.digest() == null)
                .containsExactly(tuple(7L, null, null, true, true, true), tuple(8L, PG_200, null, true, true, true),
                        tuple(9L, PG_200, "D-1", true, true, true));

        for (StoredRecord r : List.of(StoredRecord.positionOf(1, 2, 5, v, PG_200, "D-1"),
                StoredRecord.positionOf(1, 2, 5, v, null, null), StoredRecord.withValue(1, 2, 5, v, PG_200, null),
                StoredRecord.withValue(1, 2, 5, v, null, "D-1"))) {
            byte[] encoded = r.encode();
            StoredRecord back = StoredRecord.decode(encoded);
            assertThat(back).extracting(StoredRecord::partition, StoredRecord::offset, StoredRecord::schemaId,
                    StoredRecord::sourcePosition, StoredRecord::upstreamExchangeId, StoredRecord::valueKept)
                    .containsExactly(1, 2L, 5, r.sourcePosition(), r.upstreamExchangeId(), r.valueKept());
            assertThat(back.value()).isEqualTo(r.value());
            assertThat(back.digest()).isEqualTo(r.digest());
            if (r.digest() != null || r.value() == null) {
                assertThat(ByteBuffer.wrap(encoded).getInt()).as("the position-record layout").isEqualTo(-3);
            }
        }
        StoredRecord slim = StoredRecord.positionOf(0, 4, 5, v, PG_200, null);
        assertThat(slim.sameValue(v)).isTrue();
        assertThat(slim.sameValue(value(1, "510199"))).isFalse();
        assertThat(slim.encode().length).isLessThan(v.length / 5);
        assertThat(StoredRecord.positionOf(0, 4, 5, v, null, null).sameValue(v)).as("nothing to compare with").isFalse();

        // an older state with its value still answers the replay guard and the source topic is replayed for a grant
        latestStore().put(SOURCE + "\u0000" + id(1), minus1);
        capture(1, "510101", "pg:0000000000000300:0000000000000300");
        assertThat(latest().get(id(1)).key).extracting(StoredRecord::offset, StoredRecord::sourcePosition)
                .as("an unchanged re-read: dropped, the state moved to it").containsExactly(0L,
                        "pg:0000000000000300:0000000000000300");
    }
}
