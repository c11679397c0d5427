package cn.tianfu.databus.sharing.app;

import cn.tianfu.databus.kafka.KafkaHeaders;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.generic.GenericRecord;
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

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.ledger.Digests;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.ExchangeMode;
import cn.tianfu.databus.schemas.ExchangeOperation;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

class SharingRouterAppTest {

    private static final String PSB = "psb";
    private static final String MCA = "mca";
    private static final String HRSS = "hrss";
    private static final String CODE = "10101-000001";
    private static final String SOURCE = Topics.source(PSB, CODE);
    private static final String TO_MCA = Topics.delivery(MCA, CODE);
    private static final String TO_HRSS = Topics.delivery(HRSS, CODE);
    private static final Instant START = Instant.parse("2025-03-01T08:00:00Z");
    private static final String ID_1 = "510104199001011234";
    private static final String ID_2 = "510105198502023456";
    private static final String ID_3 = "320102197003034567";

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final KeyHasher hasher = KeyHasher.withSecret(new byte[32]);
    private final Set<String> ensuredTopics = ConcurrentHashMap.newKeySet();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> catalog;
    private TestInputTopic<byte[], byte[]> grants;
    private TestInputTopic<byte[], byte[]> source;
    private AvroSerializer<Object> writer;
    private AvroDeserializer<Object> reader;
    private int sourceSchemaId;
    private final MemorySourceLog log = new MemorySourceLog();

    @BeforeEach
    void start() throws Exception {
        sourceSchemaId = registry.register(SOURCE + "-value", POPULATION);
        writer = new AvroSerializer<>(registry);
        reader = new AvroDeserializer<>(registry);
        RouterContext ctx = new RouterContext(registry, hasher, topic -> {
            ensuredTopics.add(topic);
            return 1;
        }, Duration.ofSeconds(1), Duration.ofMillis(100), 2_000, Duration.ofSeconds(1), null, java.util.Set.of(), log);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createDirectories(stateDir.resolve("state")).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(SharingRouterApp.buildTopology(ctx, Fixtures.ledger(registry, 1)), props, START);
        catalog = driver.createInputTopic(Topics.CATALOG, new ByteArraySerializer(), new ByteArraySerializer());
        grants = driver.createInputTopic(Topics.GRANTS, new ByteArraySerializer(), new ByteArraySerializer());
        source = driver.createInputTopic(SOURCE, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- helpers ----

    private void catalogue(CatalogEntry e) {
        catalog.pipeInput(e.getCode().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.CATALOG, e));
    }

    private void put(Grant g) {
        grants.pipeInput(g.getGrantId().getBytes(StandardCharsets.UTF_8), writer.serialize(Topics.GRANTS, g));
    }

    private void publish(String key, GenericRecord value) {
        publishOn(source, SOURCE, key, writer.serialize(SOURCE, value));
    }

    private void delete(String key) {
        publishOn(source, SOURCE, key, null);
    }

    private void publishOn(TestInputTopic<byte[], byte[]> topic, String topicName, String key, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EVENT_ID, EventHeaders.bytes("event-" + key));
        log.pipe(topic, topicName, new TestRecord<>(key.getBytes(StandardCharsets.UTF_8), value, headers, START));
    }

    private List<TestRecord<byte[], byte[]>> read(String topic) {
        TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        return out.readRecordsToList();
    }

    private GenericRecord value(TestRecord<byte[], byte[]> r) {
        return (GenericRecord) reader.deserialize("any", r.value());
    }

    private static String key(TestRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String op(TestRecord<byte[], byte[]> r) {
        return KafkaHeaders.text(r.headers(), EventHeaders.OP).orElseThrow();
    }

    private List<ExchangeLogEntry> exchangeLog() {
        List<ExchangeLogEntry> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : read(Topics.EXCHANGE_LOG)) {
            ExchangeLogEntry e = (ExchangeLogEntry) AvroDeserializer.specific(registry, ExchangeLogEntry.class)
                    .deserialize(Topics.EXCHANGE_LOG, r.value());
            assertThat(key(r)).isEqualTo(e.getExchangeId());
            out.add(e);
        }
        return out;
    }

    private List<DeadLetter> deadLetters() {
        List<DeadLetter> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : read(Topics.DEADLETTER)) {
            out.add(AvroDeserializer.specific(registry, DeadLetter.class).deserialize(Topics.DEADLETTER, r.value()));
        }
        return out;
    }

    private void unconditionalResource() {
        catalogue(entry(CODE, PSB, SharingClass.UNCONDITIONAL, sourceSchemaId));
    }

    private static GenericRecord alice() {
        return resident(ID_1, "张三", "13812345678", "春熙路1号", "510104");
    }

    private void captured(String key, GenericRecord value, String position) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EVENT_ID, EventHeaders.bytes(java.util.UUID.randomUUID().toString()));
        headers.add(EventHeaders.SOURCE_POSITION, EventHeaders.bytes(position));
        log.pipe(source, SOURCE, new TestRecord<>(key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : writer.serialize(SOURCE, value), headers, START));
    }

    private double replaysDropped() {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(cn.tianfu.databus.sharing.app.internal.RouterProcessor.DUPLICATES_METRIC))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    // ---- tests ----

    @Test
    void deliversEveryChangeUnderAnUnconditionalGrantMasked() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        publish(ID_1, alice());

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out).hasSize(1);
        GenericRecord v = value(out.get(0));
        assertThat(v.getSchema().getFullName()).isEqualTo("cn.tianfu.databus.delivery.mca.ResidentDelivery");
        assertThat(v.get("idNumber").toString()).isEqualTo(ID_1);
        assertThat(v.get("name").toString()).isEqualTo("张*");
        assertThat(v.get("phone").toString()).isEqualTo("138****5678");
        assertThat(v.get("householdAddress").toString()).isEqualTo("*****");
        assertThat(v.get("divisionCode").toString()).isEqualTo("510104");
        assertThat(key(out.get(0))).isEqualTo(ID_1);
        assertThat(op(out.get(0))).isEqualTo("UPSERT");
        assertThat(KafkaHeaders.text(out.get(0).headers(), EventHeaders.EVENT_ID)).contains("event-" + ID_1);
        assertThat(ensuredTopics).contains(TO_MCA);
        assertThat(registry.subjects()).contains(TO_MCA + "-value");
    }

    @Test
    void deliversNothingBeforeTheGrantThenBackfillsThenChanges() {
        unconditionalResource();
        publish(ID_1, alice());
        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));
        publish(ID_1, resident(ID_1, "张三丰", null, null, "510104"));
        assertThat(read(TO_MCA)).isEmpty();

        put(grant("g-1", CODE, PSB, MCA).build());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        List<TestRecord<byte[], byte[]>> backfill = read(TO_MCA);
        assertThat(backfill).as("every version still in the topic, oldest first").hasSize(3);
        assertThat(backfill.stream().map(r -> value(r).get("name").toString())).containsExactly("张*", "李*", "张**");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(read(TO_MCA)).as("a grant is backfilled once").isEmpty();

        publish(ID_2, resident(ID_2, "李四", null, null, "510106"));
        List<TestRecord<byte[], byte[]>> change = read(TO_MCA);
        assertThat(change).hasSize(1);
        assertThat(value(change.get(0)).get("divisionCode").toString()).isEqualTo("510106");
        List<ExchangeLogEntry> log = exchangeLog();
        assertThat(log).hasSize(4);
        // backfilled entries carry the replayed records' source positions: offsets 0, 1 and 2 (ID_1's latest)
        assertThat(log.subList(0, 3).stream().map(ExchangeLogEntry::getSourceOffset)).containsExactly(0L, 1L, 2L);
        assertThat(log.get(3).getSourceOffset()).isEqualTo(3L);
    }

    @Test
    void backfillsWhenASourceEventArrivesBeforeTheWallClockCheck() {
        unconditionalResource();
        publish(ID_1, alice());
        put(grant("g-1", CODE, PSB, MCA).build());
        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));
        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out.stream().map(r -> value(r).get("idNumber").toString()))
                .containsExactly("510104********1234", "510105********3456");
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(read(TO_MCA)).isEmpty();
    }

    @Test
    void neverRoutesANotSharedResource() {
        catalogue(entry(CODE, PSB, SharingClass.NOT_SHARED, sourceSchemaId));
        put(grant("g-1", CODE, PSB, MCA).build());
        publish(ID_1, alice());
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));
        assertThat(read(TO_MCA)).isEmpty();
        assertThat(exchangeLog()).isEmpty();
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void withheldFieldsNeverAppearInTheDeliveredBytes() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setAllowedFields(List.of("idNumber", "divisionCode")).build());
        publish(ID_1, resident(ID_1, "WithheldName", "13899990000", "WithheldAddress", "510104"));

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out).hasSize(1);
        String raw = new String(out.get(0).value(), StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain("WithheldName").doesNotContain("WithheldAddress").doesNotContain("13899990000")
                .doesNotContain(ID_1).contains("510104");
        GenericRecord v = value(out.get(0));
        assertThat(v.getSchema().getFields()).extracting(f -> f.name()).containsExactly("idNumber", "divisionCode");
    }

    @Test
    void aMaskedKeyIsDeliveredUnderAStablePseudonym() {
        unconditionalResource();
        put(grant("g-mca", CODE, PSB, MCA).build());
        put(grant("g-hrss", CODE, PSB, HRSS).setClearFields(List.of("idNumber")).build());
        publish(ID_1, alice());
        delete(ID_1);

        List<TestRecord<byte[], byte[]>> mca = read(TO_MCA);
        assertThat(mca).hasSize(2);
        String pseudonym = key(mca.get(0));
        assertThat(pseudonym).doesNotContain(ID_1).matches("[0-9a-f]{64}");
        assertThat(key(mca.get(1))).as("the tombstone lines up with the upsert").isEqualTo(pseudonym);
        assertThat(mca.get(1).value()).isNull();
        assertThat(pseudonym).isNotEqualTo(hasher.hash(ID_1.getBytes(StandardCharsets.UTF_8)));

        List<TestRecord<byte[], byte[]>> hrss = read(TO_HRSS);
        assertThat(hrss).extracting(SharingRouterAppTest::key).containsExactly(ID_1, ID_1);
    }

    @Test
    void rowFilterDeliversMatchingRecordsAndRetractsThoseThatLeave() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setRowFilter("divisionCode != null && divisionCode.startsWith(\"5101\")").build());
        publish(ID_1, alice());                                            // in
        publish(ID_3, resident(ID_3, "王五", null, null, "320102"));      // never in: nothing
        publish(ID_1, resident(ID_1, "张三", null, null, "320101"));      // leaves: retraction
        publish(ID_1, resident(ID_1, "张三", null, null, "320105"));      // still out: nothing
        publish(ID_1, resident(ID_1, "张三", null, null, "510107"));      // back in
        delete(ID_3);                                                      // never held: nothing

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out).extracting(SharingRouterAppTest::op).containsExactly("UPSERT", "RETRACT", "UPSERT");
        assertThat(out.get(1).value()).isNull();
        assertThat(value(out.get(2)).get("divisionCode").toString()).isEqualTo("510107");
        assertThat(exchangeLog()).extracting(ExchangeLogEntry::getOperation)
                .containsExactly(ExchangeOperation.UPSERT, ExchangeOperation.RETRACT, ExchangeOperation.UPSERT);
    }

    @Test
    void aDeleteReachesEveryConsumerHoldingTheKeyAndNobodyElse() {
        unconditionalResource();
        put(grant("g-mca", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        put(grant("g-hrss", CODE, PSB, HRSS).setClearFields(List.of("idNumber"))
                .setRowFilter("divisionCode == \"999999\"").build());
        publish(ID_1, alice());
        delete(ID_1);

        assertThat(read(TO_MCA)).extracting(SharingRouterAppTest::op).containsExactly("UPSERT", "DELETE");
        assertThat(read(TO_HRSS)).isEmpty();
    }

    @Test
    void aRevokedGrantReceivesNothingMoreAndWhatItHeldIsWithdrawn() {
        unconditionalResource();
        Grant g = grant("g-1", CODE, PSB, MCA).build();
        put(g);
        publish(ID_1, alice());
        assertThat(read(TO_MCA)).hasSize(1);

        g.setStatus(GrantStatus.REVOKED);
        put(g);
        publish(ID_1, resident(ID_1, "张三", null, null, "510199"));
        delete(ID_1);
        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        // no value after the revocation: only the withdrawal's tombstone of the one key held
        assertThat(read(TO_MCA)).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(header(r, EventHeaders.RETRACT_REASON)).isEqualTo("REVOKED");
        });
        assertThat(exchangeLog()).hasSize(2);
    }

    @Test
    void anExpiredGrantReceivesNothingMoreAndWhatItHeldIsWithdrawn() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setValidUntil(START.plus(Duration.ofHours(1))).build());
        publish(ID_1, alice());
        assertThat(read(TO_MCA)).hasSize(1);

        driver.advanceWallClockTime(Duration.ofHours(2));
        publish(ID_1, resident(ID_1, "张三", null, null, "510199"));
        delete(ID_1);
        assertThat(read(TO_MCA)).singleElement().satisfies(r -> {
            assertThat(r.value()).isNull();
            assertThat(header(r, EventHeaders.RETRACT_REASON)).isEqualTo("EXPIRED");
        });
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return r.headers().lastHeader(name) == null ? null
                : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aGrantStartingLaterIsBackfilledWhenItsValidityBegins() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setValidFrom(START.plus(Duration.ofHours(1))).build());
        publish(ID_1, alice());
        assertThat(read(TO_MCA)).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(61));
        assertThat(read(TO_MCA)).hasSize(1);
    }

    @Test
    void rejectedInputBecomesDeadLettersAndLaterEventsStillFlow() throws Exception {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).build());

        TestInputTopic<byte[], byte[]> wrongProvider = driver.createInputTopic(Topics.source("amr", CODE),
                new ByteArraySerializer(), new ByteArraySerializer());
        registry.register(Topics.source("amr", CODE) + "-value", POPULATION);
        publishOn(wrongProvider, Topics.source("amr", CODE), ID_1, writer.serialize(Topics.source("amr", CODE), alice()));

        byte[] corrupt = {0x7f, 1, 2, 3, 4, 5, 6};
        publishOn(source, SOURCE, ID_1, corrupt);
        publishOn(source, SOURCE, ID_1, new byte[] {0, 0, 0, 0x27, 0x0f, 2, 'x'});                // schema id 9999
        var other = new org.apache.avro.Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        registry.register("elsewhere-value", other);
        var otherRecord = new org.apache.avro.generic.GenericData.Record(other);
        otherRecord.put("a", "x");
        AvroSerializer<Object> elsewhere = new AvroSerializer<>(registry);
        byte[] mismatched = elsewhere.serialize("elsewhere", otherRecord);
        publishOn(source, SOURCE, ID_1, mismatched);
        TestInputTopic<byte[], byte[]> unknown = driver.createInputTopic(Topics.source(PSB, "10101-999999"),
                new ByteArraySerializer(), new ByteArraySerializer());
        publishOn(unknown, Topics.source(PSB, "10101-999999"), ID_1, writer.serialize(SOURCE, alice()));
        // a topic governance did not create is dead-lettered once, not per record
        publishOn(unknown, Topics.source(PSB, "10101-999999"), ID_2, writer.serialize(SOURCE, alice()));
        publishOn(wrongProvider, Topics.source("amr", CODE), ID_2, writer.serialize(Topics.source("amr", CODE), alice()));

        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));

        List<DeadLetter> dls = deadLetters();
        assertThat(dls).extracting(DeadLetter::getReason).containsExactly(
                DeadLetterReason.NOT_THE_PROVIDER.name(), DeadLetterReason.MALFORMED_BYTES.name(),
                DeadLetterReason.UNKNOWN_SCHEMA.name(), DeadLetterReason.SCHEMA_MISMATCH.name(),
                DeadLetterReason.UNKNOWN_SOURCE_TOPIC.name());
        DeadLetter corruptLetter = dls.get(1);
        assertThat(corruptLetter.getComponent()).isEqualTo("sharing-router");
        assertThat(corruptLetter.getSourceTopic()).isEqualTo(SOURCE);
        assertThat(corruptLetter.getSourcePartition()).isEqualTo(0);
        // the test driver numbers offsets per pattern source, not per topic: the wrong provider's event was 0
        assertThat(corruptLetter.getSourceOffset()).isEqualTo(1L);
        assertThat(bytes(corruptLetter.getOriginalValue())).isEqualTo(corrupt);
        assertThat(bytes(corruptLetter.getOriginalKey())).isEqualTo(ID_1.getBytes(StandardCharsets.UTF_8));
        assertThat(corruptLetter.getOriginalHeaders()).containsKey(EventHeaders.EVENT_ID);
        assertThat(dls.get(3).getSourceOffset()).isEqualTo(3L);

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out).hasSize(1);
        assertThat(value(out.get(0)).get("divisionCode").toString()).isEqualTo("510105");
        assertThat(metric(cn.tianfu.databus.sharing.app.internal.RouterProcessor.UNKNOWN_TOPIC_METRIC)).isEqualTo(2.0);
    }

    @Test
    void debeziumInternalTopicsAreNotSources() {
        assertThat(Topics.SOURCE_PATTERN.matcher(Topics.cdcOffsets(PSB, "pg-main")).matches()).isFalse();
        assertThat(Topics.SOURCE_PATTERN.matcher(Topics.cdcSchemaHistory(PSB, "mysql")).matches()).isFalse();
        assertThat(Topics.SOURCE_PATTERN.matcher("src.psb._cdc").matches()).isFalse();
        assertThat(Topics.SOURCE_PATTERN.matcher(SOURCE).matches()).isTrue();
    }

    private double metric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void aGrantedFilterOverTheCostLimitDeadLettersTheRecordAndRoutingGoesOn() {
        unconditionalResource();
        // a grant made before the limits: its filter would now be refused when decided
        put(grant("g-costly", CODE, PSB, MCA).setRowFilter("name.matches(\"((a{1000}){1000})\")").build());
        put(grant("g-plain", CODE, PSB, HRSS).setClearFields(List.of("idNumber")).build());
        publish(ID_1, alice());
        publish(ID_2, resident(ID_2, "李四", null, null, "510105"));

        assertThat(read(TO_MCA)).isEmpty();
        assertThat(read(TO_HRSS)).extracting(SharingRouterAppTest::key).containsExactly(ID_1, ID_2);
        List<DeadLetter> dls = deadLetters();
        assertThat(dls).extracting(DeadLetter::getReason)
                .containsOnly(DeadLetterReason.ROW_FILTER_LIMIT.name()).hasSize(2);
        assertThat(dls.get(0).getId()).isEqualTo("sharing-router/" + SOURCE + "/0/0/g-costly");
        assertThat(dls.get(0).getMessage()).contains("g-costly").contains("cost limit");
        assertThat(dls.get(0).getSourceTopic()).isEqualTo(SOURCE);
    }

    @Test
    void chainsOneDeterministicLogEntryPerDelivery() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setRowFilter("divisionCode == \"510104\"").build());
        publish(ID_1, alice());                                        // offset 0: UPSERT
        publish(ID_1, resident(ID_1, "张三", null, null, "510105"));  // offset 1: RETRACT
        publish(ID_1, alice());                                        // offset 2: UPSERT
        delete(ID_1);                                                  // offset 3: DELETE

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        List<ExchangeLogEntry> log = exchangeLog();
        assertThat(out).hasSize(4);
        assertThat(log).hasSize(4);
        long[] offsets = {0, 1, 2, 3};
        ExchangeEntry.Operation[] ops = {ExchangeEntry.Operation.UPSERT, ExchangeEntry.Operation.RETRACT,
                ExchangeEntry.Operation.UPSERT, ExchangeEntry.Operation.DELETE};
        String keyHash = hasher.hash(ID_1.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 4; i++) {
            ExchangeLogEntry e = log.get(i);
            assertThat(e.getExchangeId()).isEqualTo(ExchangeIds.forDelivery(SOURCE, 0, offsets[i], "g-1", ops[i]));
            assertThat(KafkaHeaders.text(out.get(i).headers(), EventHeaders.EXCHANGE_ID)).contains(e.getExchangeId());
            assertThat(e.getOperation().name()).isEqualTo(ops[i].name());
            assertThat(e.getMode()).isEqualTo(ExchangeMode.PUSH);
            assertThat(e.getResourceCode()).isEqualTo(CODE);
            assertThat(e.getProvider()).isEqualTo(PSB);
            assertThat(e.getConsumer()).isEqualTo(MCA);
            assertThat(e.getGrantId()).isEqualTo("g-1");
            assertThat(e.getPurpose()).isEqualTo("social assistance eligibility checks");
            assertThat(e.getKeyHash()).isEqualTo(keyHash).doesNotContain(ID_1);
            assertThat(e.getSourceTopic()).isEqualTo(SOURCE);
            assertThat(e.getSourcePartition()).isEqualTo(0);
            assertThat(e.getSourceOffset()).isEqualTo(offsets[i]);
            assertThat(e.getDeliveryTopic()).isEqualTo(TO_MCA);
            assertThat(e.getDeliveryPartition()).isEqualTo(0);
            assertThat(e.getDeliveryOffset()).isNull();
            // chained in the router's task, in delivery order, from the partition's genesis
            String prev = i == 0 ? HashChain.GENESIS : log.get(i - 1).getHash();
            assertThat(e.getPrevHash()).isEqualTo(prev);
            assertThat(e.getHash()).isEqualTo(HashChain.computeHash(prev, ExchangeLogRecords.toEntry(e)));
            if (out.get(i).value() == null) {
                assertThat(e.getValueDigest()).isNull();
            } else {
                // keyed: the bus's secret is needed to confirm a guess of the value
                assertThat(e.getValueDigest()).isEqualTo(hasher.valueDigest(out.get(i).value()))
                        .isNotEqualTo(Digests.sha256Hex(out.get(i).value()));
            }
        }
        assertThat(log).extracting(ExchangeLogEntry::getExchangeId).doesNotHaveDuplicates();
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void dropsCapturedChangesReplayedAfterARestartOfTheCapture() {
        unconditionalResource();
        put(grant("g-1", CODE, PSB, MCA).setClearFields(List.of("idNumber")).build());
        String p1 = "pg:0000000001000000:0000000001000010";
        String p2 = "pg:0000000001000100:0000000001000110";
        String p3 = "pg:0000000001000200:0000000001000210";
        GenericRecord moved = resident(ID_1, "张三", "13812345678", "红星路2号", "510105");
        captured(ID_1, alice(), p1);
        captured(ID_1, moved, p2);
        captured(ID_2, resident(ID_2, "李四", null, null, "510105"), p2);
        captured(ID_2, null, p3);
        // the capture restarts from an older flushed position: everything up to p3 arrives again
        captured(ID_1, alice(), p1);
        captured(ID_1, moved, p2);
        captured(ID_2, resident(ID_2, "李四", null, null, "510105"), p2);
        captured(ID_2, null, p3);

        List<TestRecord<byte[], byte[]>> out = read(TO_MCA);
        assertThat(out).extracting(SharingRouterAppTest::key, SharingRouterAppTest::op).containsExactly(
                tuple(ID_1, "UPSERT"), tuple(ID_1, "UPSERT"), tuple(ID_2, "UPSERT"), tuple(ID_2, "DELETE"));
        assertThat(value(out.get(1)).get("divisionCode").toString()).isEqualTo("510105");
        assertThat(exchangeLog()).hasSize(4);
        assertThat(replaysDropped()).isEqualTo(4.0);

        // a later change still flows; an unchanged re-read (a snapshot taken again) does not
        captured(ID_1, resident(ID_1, "张三", "13900000000", "红星路3号", "510106"), "pg:0000000001000300:0000000001000310");
        captured(ID_1, resident(ID_1, "张三", "13900000000", "红星路3号", "510106"), "pg:0000000001000400:0000000001000400");
        // events without a position (SDK publishers) and of another kind are never compared
        publish(ID_1, moved);
        captured(ID_1, alice(), "binlog:0000000001:000000000100:000000");
        assertThat(read(TO_MCA)).extracting(r -> value(r).get("divisionCode").toString())
                .containsExactly("510106", "510105", "510104");
        assertThat(replaysDropped()).isEqualTo(5.0);
    }
}
