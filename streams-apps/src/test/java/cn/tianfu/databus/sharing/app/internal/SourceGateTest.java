package cn.tianfu.databus.sharing.app.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.internal.SourceGate.Admitted;
import cn.tianfu.databus.sharing.app.internal.SourceGate.Refused;
import cn.tianfu.databus.contract.Topics;

class SourceGateTest {

    private static final String CODE = "10101-000001";
    private static final String SOURCE = Topics.source("psb", CODE);
    private static final Schema RESIDENT = new Schema.Parser().parse("""
            {"type": "record", "name": "Resident", "namespace": "cn.tianfu.databus.resources.test",
             "fields": [{"name": "idNumber", "type": "string"}, {"name": "name", "type": ["null", "string"]}]}""");
    private static final Schema OTHER = new Schema.Parser().parse("""
            {"type": "record", "name": "Other", "namespace": "cn.tianfu.databus.resources.test",
             "fields": [{"name": "x", "type": "int"}]}""");
    private static final byte[] KEY = "510104199001011234".getBytes(StandardCharsets.UTF_8);

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final Map<String, CatalogEntry> catalog = new HashMap<>();
    private final AtomicInteger skipped = new AtomicInteger();
    private final MockProcessorContext<Out, byte[]> context = new MockProcessorContext<>();
    private final AvroSerializer<Object> writer = new AvroSerializer<>(registry);
    private final AvroDeserializer<GenericRecord> reader = new AvroDeserializer<>(registry);
    private final AvroSerializer<DeadLetter> deadLetterWriter = new AvroSerializer<>(registry);
    private KeyValueStore<String, byte[]> unknownTopics;
    private SourceGate gate;
    private int schemaId;

    @BeforeEach
    void setUp() {
        schemaId = registry.register(SOURCE + "-value", RESIDENT);
        catalog.put(CODE, entry(ResourceStatus.ACTIVE));
        unknownTopics = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("router-unknown-topics"),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
        unknownTopics.init(context.getStateStoreContext(), unknownTopics);
        context.setCurrentSystemTimeMs(Instant.parse("2025-03-01T08:00:00Z").toEpochMilli());
        gate = new SourceGate(registry, reader, catalog::get, unknownTopics, skipped::incrementAndGet,
                new DeadLetterWriter(context, deadLetterWriter));
    }

    @AfterEach
    void tearDown() {
        writer.close();
        reader.close();
        deadLetterWriter.close();
    }

    private static CatalogEntry entry(ResourceStatus status) {
        return CatalogEntry.newBuilder()
                .setCode(CODE).setClassification("10101").setName("Residents").setCategory(Category.BASIC)
                .setProvider("psb").setProviderCode("11510100MB0000000X").setSummary("registered residents")
                .setFormat("avro").setDataItems(List.of()).setSharingClass(SharingClass.UNCONDITIONAL)
                .setSharingMethod(SharingMethod.BOTH).setUpdateFrequency(UpdateFrequency.REAL_TIME)
                .setPublishDate(LocalDate.of(2024, 1, 1)).setSchemaSubject(SOURCE + "-value").setSchemaId(1)
                .setSchemaVersion(1).setCatalogVersion(1).setStatus(status)
                .setLastChanged(Instant.parse("2024-01-01T00:00:00Z"))
                .build();
    }

    private byte[] resident() {
        GenericRecord r = new GenericData.Record(RESIDENT);
        r.put("idNumber", "510104199001011234");
        r.put("name", "张三");
        return writer.serialize(SOURCE, r);
    }

    private SourceGate.Verdict check(String topic, byte[] key, byte[] value) {
        return gate.check(topic, 0, 42, key, value);
    }

    private static Refused refused(SourceGate.Verdict v) {
        assertThat(v).isInstanceOf(Refused.class);
        return (Refused) v;
    }

    @Test
    void admitsARegisteredValueAndADelete() {
        SourceGate.Verdict upsert = check(SOURCE, KEY, resident());
        assertThat(upsert).isInstanceOf(Admitted.class);
        Admitted a = (Admitted) upsert;
        assertThat(a.entry().getCode()).isEqualTo(CODE);
        assertThat(a.schemaId()).isEqualTo(schemaId);
        assertThat(a.value().get("name").toString()).isEqualTo("张三");

        assertThat(check(SOURCE, KEY, null)).isEqualTo(new Admitted(catalog.get(CODE), null, -1));
    }

    @Test
    void refusesTopicsGovernanceDidNotCreateOncePerTopic() {
        assertThat(refused(check(Topics.source("psb", "10101-000099"), KEY, resident())))
                .extracting(Refused::reason, Refused::oncePerTopic)
                .containsExactly(DeadLetterReason.UNKNOWN_SOURCE_TOPIC, true);
        assertThat(refused(check(Topics.source("amr", CODE), KEY, resident())))
                .satisfies(r -> assertThat(r.message()).startsWith("amr does not provide " + CODE))
                .extracting(Refused::reason, Refused::oncePerTopic)
                .containsExactly(DeadLetterReason.NOT_THE_PROVIDER, true);
        assertThat(refused(check("src.psb", KEY, resident())))
                .extracting(Refused::reason, Refused::oncePerTopic)
                .containsExactly(DeadLetterReason.UNKNOWN_RESOURCE, false);
    }

    @Test
    void refusesEachBadRecordWithItsReason() {
        assertThat(refused(check(SOURCE, null, resident())).reason()).isEqualTo(DeadLetterReason.MISSING_KEY);
        assertThat(refused(check(SOURCE, KEY, new byte[] {7, 7})).reason()).isEqualTo(DeadLetterReason.MALFORMED_BYTES);
        assertThat(refused(check(SOURCE, KEY, new byte[] {0, 0, 0, 0, 99, 1})).reason())
                .isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA);
        assertThat(refused(check(SOURCE, KEY, writer.serialize("any", "a string"))))
                .extracting(Refused::reason, Refused::message)
                .containsExactly(DeadLetterReason.SCHEMA_MISMATCH, "the value is not an Avro record");
        GenericRecord other = new GenericData.Record(OTHER);
        other.put("x", 1);
        assertThat(refused(check(SOURCE, KEY, writer.serialize("src.psb.other", other))).message())
                .contains("is not a registered version of '" + SOURCE + "-value'");
    }

    @Test
    void aRetiredResourceIsRefusedBeforeTheRecordIsLookedAt() {
        catalog.put(CODE, entry(ResourceStatus.RETIRED));
        assertThat(refused(check(SOURCE, null, new byte[] {7})))
                .extracting(Refused::reason, Refused::message)
                .containsExactly(DeadLetterReason.UNKNOWN_RESOURCE, "resource " + CODE + " is retired: it takes no more changes");
    }

    private List<DeadLetter> deadLetters() {
        AvroDeserializer<DeadLetter> dl = AvroDeserializer.specific(registry, DeadLetter.class);
        return context.forwarded().stream().map(f -> {
            assertThat(f.record().key().topic()).isEqualTo(Topics.DEADLETTER);
            return dl.deserialize(Topics.DEADLETTER, f.record().value());
        }).toList();
    }

    private boolean admit(String topic, long offset, byte[] key, byte[] value) {
        context.setRecordMetadata(topic, 0, offset);
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EVENT_ID, EventHeaders.bytes("event-" + offset));
        return gate.admit(new Record<>(key, value, 1_000L, headers), context.recordMetadata().orElseThrow()).isPresent();
    }

    @Test
    void deadLettersARefusedRecordWithItsOriginal() {
        assertThat(admit(SOURCE, 7, null, new byte[] {1, 2})).isFalse();

        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getId()).isEqualTo("sharing-router/" + SOURCE + "/0/7");
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.MISSING_KEY.name());
            assertThat(d.getComponent()).isEqualTo("sharing-router");
        });
        assertThat(context.forwarded().get(0).record().timestamp()).isEqualTo(1_000L);
        assertThat(admit(SOURCE, 8, KEY, resident())).isTrue();
        assertThat(context.forwarded()).hasSize(1);
    }

    @Test
    void deadLettersAnUnknownTopicOnceThenSkipsAndCountsItsRecords() {
        String unknown = Topics.source("psb", "10101-000099");
        assertThat(admit(unknown, 0, KEY, resident())).isFalse();
        assertThat(admit(unknown, 1, KEY, resident())).isFalse();
        assertThat(admit(unknown, 2, KEY, resident())).isFalse();

        assertThat(deadLetters()).extracting(DeadLetter::getId, DeadLetter::getReason)
                .containsExactly(tuple("sharing-router/" + unknown + "/0/0", DeadLetterReason.UNKNOWN_SOURCE_TOPIC.name()));
        assertThat(skipped).hasValue(2);
        assertThat(unknownTopics.get(unknown)).isNotNull();
    }
}
