package cn.tianfu.databus.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.registry.CompatibilityResult;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.serde.AvroWireFormatException.Reason;
import cn.tianfu.databus.serde.test.Permit;
import cn.tianfu.databus.contract.Topics;

class AvroSerdeTest {

    private static final String TOPIC = Topics.source("aic", "permits");

    /** Version 1 of the test Permit record: no district. */
    private static final Schema PERMIT_V1 = SchemaBuilder.record("Permit").namespace("cn.tianfu.databus.serde.test").fields()
            .requiredString("number").requiredString("holder")
            .name("issued").type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .endRecord();

    private static final Schema PERSON = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").optionalInt("age")
            .name("tags").type().map().values().stringType().mapDefault(Map.of())
            .endRecord();

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();

    private static GenericRecord person(String name, Integer age) {
        return new GenericRecordBuilder(PERSON).set("name", name).set("age", age).set("tags", Map.of("kind", "resident")).build();
    }

    private static GenericRecord permitV1(String number) {
        return new GenericRecordBuilder(PERMIT_V1).set("number", number).set("holder", "Chengdu Tea House")
                .set("issued", 1_700_000_000_000L).build();
    }

    @Test
    void genericRecordRoundTripsInTheWireFormat() {
        var serde = AvroSerde.generic(registry);
        GenericRecord record = person("Li Lei", 30);

        byte[] bytes = serde.serializer().serialize(TOPIC, record);
        GenericRecord read = serde.deserializer().deserialize(TOPIC, bytes);

        int id = registry.latest(Subjects.valueSubject(TOPIC)).id();
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(read).isEqualTo(record);
        assertThat(read.get("name")).hasToString("Li Lei");
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void specificRecordRoundTrips() {
        var serde = AvroSerde.specific(registry, Permit.class);
        Permit permit = Permit.newBuilder().setNumber("510100-0001").setHolder("Chengdu Tea House")
                .setIssued(Instant.parse("2024-03-01T08:00:00Z")).setDistrict("Jinjiang").build();

        byte[] bytes = serde.serializer().serialize(TOPIC, new RecordHeaders(), permit);
        Permit read = serde.deserializer().deserialize(TOPIC, new RecordHeaders(), bytes);

        assertThat(read).isEqualTo(permit);
        assertThat(registry.latest(Subjects.valueSubject(TOPIC)).schema()).isEqualTo(Permit.getClassSchema());
    }

    @Test
    void specificReaderFromConfigFindsTheGeneratedClass() {
        var serializer = new AvroSerializer<GenericRecord>(registry);
        var deserializer = new AvroDeserializer<Object>(registry);
        deserializer.configure(Map.of(AvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, "true"), false);

        Object read = deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, permitV1("510100-0002")));

        assertThat(read).isInstanceOfSatisfying(Permit.class, p -> {
            assertThat(p.getNumber()).isEqualTo("510100-0002");
            assertThat(p.getIssued()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
            assertThat(p.getDistrict()).isEqualTo("unknown");
        });
    }

    @Test
    void writtenWithV1ReadWithV2TakesTheNewFieldsDefault() {
        byte[] v1Bytes = new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, permitV1("510100-0003"));

        Permit asSpecific = AvroDeserializer.specific(registry, Permit.class).deserialize(TOPIC, v1Bytes);
        GenericRecord asGenericV2 = new AvroDeserializer<GenericRecord>(registry, Permit.getClassSchema()).deserialize(TOPIC, v1Bytes);
        GenericRecord asWritten = new AvroDeserializer<GenericRecord>(registry).deserialize(TOPIC, v1Bytes);

        assertThat(asSpecific.getDistrict()).isEqualTo("unknown");
        assertThat(asSpecific.getHolder()).isEqualTo("Chengdu Tea House");
        assertThat(asGenericV2.get("district")).hasToString("unknown");
        assertThat(asWritten.getSchema()).isEqualTo(PERMIT_V1);
        assertThat(asWritten.hasField("district")).isFalse();
    }

    @Test
    void readerSchemaThatCannotReadTheWriterIsUndecodable() {
        byte[] bytes = new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, person("Han Meimei", null));

        assertThatThrownBy(() -> AvroDeserializer.specific(registry, Permit.class).deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE))
                .hasMessageContaining(TOPIC)
                .hasMessageContaining("cannot be read as cn.tianfu.databus.serde.test.Permit");
    }

    @Test
    void badMagicByteIsTypedAndNamesTheTopic() {
        byte[] json = "{\"name\":\"x\"}".getBytes();

        assertThatThrownBy(() -> new AvroDeserializer<>(registry).deserialize(TOPIC, json))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.BAD_MAGIC_BYTE);
                    assertThat(e.topic()).isEqualTo(TOPIC);
                    assertThat(e.partition()).isEmpty();
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageContaining("topic '" + TOPIC + "'")
                .hasMessageContaining("0x7b");
    }

    @Test
    void unknownSchemaIdIsTypedAndNamesTheTopicAndId() {
        byte[] bytes = {0, 0, 0, 0x30, 0x39, 2, 'x'};

        assertThatThrownBy(() -> new AvroDeserializer<>(registry).deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
                    assertThat(e.schemaId()).hasValue(12345);
                })
                .hasMessageContaining(TOPIC)
                .hasMessageContaining("schema id 12345");
    }

    @Test
    void truncatedHeaderAndTruncatedBodyAreTyped() {
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        byte[] full = new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, person("Li Lei", 30));

        for (byte[] cut : List.of(new byte[0], new byte[] {0, 0, 0}, Arrays.copyOf(full, full.length - 3))) {
            assertThatThrownBy(() -> deserializer.deserialize(TOPIC, cut))
                    .as("%d of %d bytes", cut.length, full.length)
                    .isInstanceOfSatisfying(AvroWireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED))
                    .hasMessageContaining(TOPIC);
        }
    }

    @Test
    void bodyThatDoesNotDecodeIsUndecodable() {
        var deserializer = new AvroDeserializer<GenericRecord>(registry);
        byte[] full = new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, person("Li Lei", 30));
        byte[] trailing = Arrays.copyOf(full, full.length + 2);
        byte[] badUnionIndex = full.clone();
        badUnionIndex[5 + 1 + "Li Lei".length()] = 0x7f;   // union branch of 'age' out of range

        for (byte[] bad : List.of(trailing, badUnionIndex)) {
            assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bad))
                    .isInstanceOfSatisfying(AvroWireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE))
                    .hasMessageContaining(TOPIC);
        }
    }

    @Test
    void partitionAndOffsetAreAddedWhereKnown() {
        byte[] bad = {1, 2, 3, 4, 5, 6};
        AvroWireFormatException error = null;
        try {
            new AvroDeserializer<>(registry).deserialize(TOPIC, bad);
        } catch (AvroWireFormatException e) {
            error = e;
        }
        assertThat(error).isNotNull();

        AvroWireFormatException located = error.at(3, 42L);
        assertThat(located.partition()).hasValue(3);
        assertThat(located.offset()).hasValue(42L);
        assertThat(located.reason()).isEqualTo(Reason.BAD_MAGIC_BYTE);
        assertThat(located.getMessage()).contains("topic '" + TOPIC + "' partition 3 offset 42");

        var consumerError = new RecordDeserializationException(RecordDeserializationException.DeserializationExceptionOrigin.VALUE,
                new TopicPartition(TOPIC, 5), 77L, 0L, TimestampType.CREATE_TIME, null, ByteBuffer.wrap(bad),
                new RecordHeaders(), "Error deserializing value", error);
        assertThat(AvroWireFormatException.located(consumerError)).hasValueSatisfying(e -> {
            assertThat(e.partition()).hasValue(5);
            assertThat(e.offset()).hasValue(77L);
        });
        assertThat(AvroWireFormatException.find(new RuntimeException("other"))).isEmpty();
    }

    @Test
    void recordNotValidForItsSchemaIsUnencodable() {
        GenericRecord missingName = new GenericData.Record(PERSON);
        missingName.put("tags", Map.of());

        assertThatThrownBy(() -> new AvroSerializer<GenericRecord>(registry).serialize(TOPIC, missingName))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNENCODABLE))
                .hasMessageContaining(TOPIC)
                .hasMessageContaining("cn.tianfu.test.Person");
        assertThatThrownBy(() -> new AvroSerializer<Object>(registry).serialize(TOPIC, new Object()))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNENCODABLE));
    }

    @Test
    void primitiveKeysUseTheKeySubject() {
        var serde = AvroSerde.generic(registry);
        var keys = new AvroSerializer<Object>(registry);
        keys.configure(Map.of(), true);
        var keyReader = new AvroDeserializer<Object>(registry);
        registry.setCompatibility(Optional.of(TOPIC + "-key"), "NONE");   // three unrelated key types on one subject

        assertThat(keyReader.deserialize(TOPIC, keys.serialize(TOPIC, "510100-0004"))).isEqualTo("510100-0004");
        assertThat(keyReader.deserialize(TOPIC, keys.serialize(TOPIC, 42L))).isEqualTo(42L);
        assertThat((byte[]) keyReader.deserialize(TOPIC, keys.serialize(TOPIC, new byte[] {1, 2}))).containsExactly(1, 2);
        assertThat(registry.versions(TOPIC + "-key")).hasSize(3);
        serde.close();
    }

    @Test
    void withoutAutoRegisterTheSchemaMustAlreadyBeRegistered() {
        var serializer = new AvroSerializer<GenericRecord>(registry);
        serializer.configure(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, false), false);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, person("Li Lei", 1)))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.SCHEMA_NOT_FOUND))
                .hasMessageContaining(Subjects.valueSubject(TOPIC))
                .hasMessageContaining("auto.register.schemas");

        int id = registry.register(Subjects.valueSubject(TOPIC), PERSON);
        assertThat(ByteBuffer.wrap(serializer.serialize(TOPIC, person("Li Lei", 1)), 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void useLatestVersionWritesWithTheLatestIdAndRefusesOtherSchemas() {
        int id = registry.register(Subjects.valueSubject(TOPIC), PERSON);
        var serializer = new AvroSerializer<GenericRecord>(registry);
        serializer.configure(Map.of(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, "false",
                AvroSerdeConfig.USE_LATEST_VERSION_CONFIG, "true"), false);

        assertThat(ByteBuffer.wrap(serializer.serialize(TOPIC, person("A", 1)), 1, 4).getInt()).isEqualTo(id);
        assertThatThrownBy(() -> serializer.serialize(TOPIC, permitV1("x")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("differs from version 1");
    }

    @Test
    void steadyStateMakesNoRegistryCall() {
        var counting = new CountingRegistry(registry);
        var serializer = new AvroSerializer<GenericRecord>(counting);
        var deserializer = new AvroDeserializer<GenericRecord>(counting);

        for (int i = 0; i < 200; i++) {
            GenericRecord r = person("p" + i, i);
            assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, r))).isEqualTo(r);
        }

        assertThat(counting.calls.get()).isEqualTo(2);   // one register, one schema by id
    }

    @Test
    void serdeFromConfigNeedsARegistryUrl() {
        assertThatThrownBy(() -> AvroSerde.generic().configure(Map.of(), false))
                .isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("schema.registry.url is required");
        assertThatThrownBy(() -> new AvroSerializer<>().serialize(TOPIC, person("x", 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("schema.registry.url");
    }

    /** Counts every call that would reach the registry. */
    private static final class CountingRegistry implements SchemaRegistryClient {
        final AtomicInteger calls = new AtomicInteger();
        final SchemaRegistryClient d;

        CountingRegistry(SchemaRegistryClient d) {
            this.d = d;
        }

        private <T> T count(T t) {
            calls.incrementAndGet();
            return t;
        }

        public int register(String s, Schema schema) { return count(d.register(s, schema)); }
        public Schema schemaById(int id) { return count(d.schemaById(id)); }
        public RegisteredSchema latest(String s) { return count(d.latest(s)); }
        public RegisteredSchema version(String s, int v) { return count(d.version(s, v)); }
        public Optional<RegisteredSchema> lookup(String s, Schema schema) { return count(d.lookup(s, schema)); }
        public List<String> subjects() { return count(d.subjects()); }
        public List<Integer> versions(String s) { return count(d.versions(s)); }
        public CompatibilityResult testCompatibility(String s, Schema schema) { return count(d.testCompatibility(s, schema)); }
        public String compatibility(Optional<String> s) { return count(d.compatibility(s)); }
        public void setCompatibility(Optional<String> s, String level) { count(s); d.setCompatibility(s, level); }
        public List<Integer> deleteSubject(String s, boolean p) { return count(d.deleteSubject(s, p)); }
        public int deleteVersion(String s, int v, boolean p) { return count(d.deleteVersion(s, v, p)); }
        public void close() { }
    }
}
