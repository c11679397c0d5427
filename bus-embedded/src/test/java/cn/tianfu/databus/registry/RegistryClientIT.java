package cn.tianfu.databus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.testkit.SharedBus;

/** The SDK's registry client and Avro serde against the project's own registry over HTTP, on a real broker. */
class RegistryClientIT {

    private static HttpSchemaRegistryClient client;

    private static final Schema V1 = new Schema.Parser().parse("""
            {"type":"record","name":"Licence","namespace":"cn.tianfu.it","fields":[
              {"name":"licenceNo","type":"string"},
              {"name":"holder","type":"string"}]}""");
    private static final Schema V2_OPTIONAL = new Schema.Parser().parse("""
            {"type":"record","name":"Licence","namespace":"cn.tianfu.it","fields":[
              {"name":"licenceNo","type":"string"},
              {"name":"holder","type":"string"},
              {"name":"district","type":["null","string"],"default":null}]}""");
    private static final Schema V2_REQUIRED = new Schema.Parser().parse("""
            {"type":"record","name":"Licence","namespace":"cn.tianfu.it","fields":[
              {"name":"licenceNo","type":"string"},
              {"name":"holder","type":"string"},
              {"name":"issuedBy","type":"string"}]}""");

    @BeforeAll
    static void connect() {
        client = SharedBus.get().registryClient();
    }

    @AfterAll
    static void close() throws Exception {
        client.close();
    }

    private static String subject() {
        return Subjects.valueSubject("it-" + UUID.randomUUID());
    }

    @Test
    void registerLookupAndReadBack() {
        String subject = subject();
        int id = client.register(subject, V1);
        assertThat(client.register(subject, V1)).as("re-register returns the same id").isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(V1);
        assertThat(client.lookup(subject, V1)).get().extracting(RegisteredSchema::id, RegisteredSchema::version).containsExactly(id, 1);
        assertThat(client.lookup(subject, V2_OPTIONAL)).isEmpty();
        int id2 = client.register(subject, V2_OPTIONAL);
        assertThat(id2).isNotEqualTo(id);
        assertThat(client.versions(subject)).containsExactly(1, 2);
        assertThat(client.latest(subject).schema()).isEqualTo(V2_OPTIONAL);
        assertThat(client.version(subject, 1).id()).isEqualTo(id);
        assertThat(client.subjects()).contains(subject);
        // the same schema under another subject keeps its global id
        assertThat(client.register(subject(), V1)).isEqualTo(id);
    }

    @Test
    void chineseTextInDocsAndPropertiesSurvivesTheRoundTrip() {
        Schema withChinese = new Schema.Parser().parse("""
                {"type":"record","name":"Resident","namespace":"cn.tianfu.it","doc":"人口基础信息","fields":[
                  {"name":"idNumber","type":"string","doc":"公民身份号码","displayName":"公民身份号码","mask":"ID_NUMBER"},
                  {"name":"name","type":["null","string"],"default":null,"displayName":"姓名"}]}""");
        String subject = subject();
        int id = client.register(subject, withChinese);
        try (HttpSchemaRegistryClient fresh = SharedBus.get().registryClient()) {
            Schema back = fresh.schemaById(id);
            assertThat(back).isEqualTo(withChinese);
            assertThat(back.getField("idNumber").getProp("displayName")).isEqualTo("公民身份号码");
            assertThat(fresh.latest(subject).schema().getDoc()).isEqualTo("人口基础信息");
            assertThat(fresh.lookup(subject, withChinese)).isPresent();
        }
    }

    @Test
    void compatibilityIsCheckedByTheServer() {
        String subject = subject();
        client.register(subject, V1);
        assertThat(client.testCompatibility(subject, V2_OPTIONAL).compatible()).isTrue();
        CompatibilityResult bad = client.testCompatibility(subject, V2_REQUIRED);
        assertThat(bad.compatible()).isFalse();
        assertThat(bad.messages()).isNotEmpty().anyMatch(m -> m.contains("issuedBy"));
        assertThat(client.testCompatibility(subject(), V2_REQUIRED).compatible()).as("a new subject accepts anything").isTrue();
        assertThatThrownBy(() -> client.register(subject, V2_REQUIRED))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.INCOMPATIBLE);
                    assertThat(e.httpStatus()).isEqualTo(409);
                });
    }

    @Test
    void subjectLevelConfigOverridesTheGlobalLevel() {
        String subject = subject();
        client.register(subject, V1);
        assertThat(client.compatibility(Optional.of(subject))).isEqualTo("BACKWARD");
        client.setCompatibility(Optional.of(subject), "NONE");
        assertThat(client.compatibility(Optional.of(subject))).isEqualTo("NONE");
        assertThat(client.register(subject, V2_REQUIRED)).isPositive();
        assertThat(client.compatibility(Optional.empty())).isEqualTo("BACKWARD");
        // the client refuses an unknown level before sending it
        assertThatThrownBy(() -> client.setCompatibility(Optional.of(subject), "SIDEWAYS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIDEWAYS");
        assertThat(client.compatibility(Optional.of(subject))).isEqualTo("NONE");
    }

    @Test
    void softAndPermanentDelete() {
        String subject = subject();
        int id = client.register(subject, V1);
        assertThat(client.deleteSubject(subject, false)).containsExactly(1);
        assertThat(client.subjects()).doesNotContain(subject);
        assertThat(client.schemaById(id)).as("ids stay resolvable after a soft delete").isEqualTo(V1);
        assertThatThrownBy(() -> client.latest(subject)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.SUBJECT_NOT_FOUND));
        assertThat(client.deleteSubject(subject, true)).containsExactly(1);
    }

    @Test
    void errorsAreTyped() {
        assertThatThrownBy(() -> client.latest(subject())).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40401));
        String subject = subject();
        client.register(subject, V1);
        assertThatThrownBy(() -> client.version(subject, 7)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40402));
        assertThatThrownBy(() -> client.schemaById(987_654)).isInstanceOfSatisfying(SchemaRegistryException.class,
                e -> assertThat(e.errorCode()).isEqualTo(40403));
        try (HttpSchemaRegistryClient dead = HttpSchemaRegistryClient.builder("http://127.0.0.1:1").connectTimeout(Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> dead.subjects()).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.UNREACHABLE);
                assertThat(e.isRetriable()).isTrue();
                assertThat(e.getMessage()).contains("127.0.0.1:1");
            });
        }
    }

    @Test
    void genericAndSpecificRecordsRoundTripThroughTheBroker() throws Exception {
        String topic = "it.serde." + UUID.randomUUID();
        SharedBus.get().admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        Map<String, Object> serdeConfig = SharedBus.get().serdeConfig();

        GenericRecord licence = new GenericData.Record(V1);
        licence.put("licenceNo", "JY15101040012345");
        licence.put("holder", "成都市锦江区某某餐饮店");
        DeadLetter letter = DeadLetters.builder("it", DeadLetterReason.MALFORMED_BYTES, "坏的字节")
                .source("src.psb.x", 0, 42L).time(Instant.ofEpochMilli(1_700_000_000_000L)).build();

        AvroSerializer<Object> serializer = new AvroSerializer<>();
        serializer.configure(serdeConfig, false);
        Properties p = new Properties();
        p.putAll(SharedBus.get().clientProperties());
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(p, new StringSerializer(), serializer)) {
            producer.send(new ProducerRecord<>(topic, "generic", licence)).get();
            producer.send(new ProducerRecord<>(topic, "garbage", (Object) null)).get();
        }
        // a record written by someone not using the wire format
        Properties raw = new Properties();
        raw.putAll(SharedBus.get().clientProperties());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(raw, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "bad-magic", new byte[] {1, 0, 0, 0, 1, 2})).get();
        }
        // the subject was registered by the serializer under TopicNameStrategy
        assertThat(client.latest(Subjects.valueSubject(topic)).schema()).isEqualTo(V1);

        List<ConsumerRecord<String, byte[]>> records = readAll(topic, 3);
        AvroDeserializer<GenericRecord> generic = new AvroDeserializer<>();
        generic.configure(serdeConfig, false);
        GenericRecord back = generic.deserialize(topic, records.get(0).value());
        assertThat(back.get("licenceNo").toString()).isEqualTo("JY15101040012345");
        assertThat(back.get("holder").toString()).isEqualTo("成都市锦江区某某餐饮店");
        assertThat(records.get(1).value()).isNull();
        ConsumerRecord<String, byte[]> bad = records.get(2);
        assertThatThrownBy(() -> generic.deserialize(topic, bad.value()))
                .isInstanceOfSatisfying(AvroWireFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AvroWireFormatException.Reason.BAD_MAGIC_BYTE);
                    assertThat(e.at(bad.partition(), bad.offset()).getMessage()).contains(topic).contains("offset 2");
                });

        // a generated (specific) record through the same registry
        String specificTopic = topic + ".dl";
        SharedBus.get().admin().createTopics(List.of(new NewTopic(specificTopic, 1, (short) 1))).all().get();
        try (AvroSerde<DeadLetter> serde = AvroSerde.specific(DeadLetter.class)) {
            serde.configure(serdeConfig, false);
            byte[] bytes = serde.serializer().serialize(specificTopic, letter);
            DeadLetter read = serde.deserializer().deserialize(specificTopic, bytes);
            assertThat(read).isEqualTo(letter);
            assertThat(read.getMessage()).isEqualTo("坏的字节");
        }
    }

    @Test
    void readerSchemaEvolutionAcrossVersions() {
        String topic = "it.evolve." + UUID.randomUUID();
        Map<String, Object> serdeConfig = SharedBus.get().serdeConfig();
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>();
        serializer.configure(serdeConfig, false);
        GenericRecord v1 = new GenericData.Record(V1);
        v1.put("licenceNo", "L-1");
        v1.put("holder", "张三");
        byte[] written = serializer.serialize(topic, v1);

        AvroDeserializer<GenericRecord> v2Reader = new AvroDeserializer<>(
                SharedBus.get().registryClient(), V2_OPTIONAL);
        GenericRecord read = v2Reader.deserialize(topic, written);
        assertThat(read.getSchema()).isEqualTo(V2_OPTIONAL);
        assertThat(read.get("holder").toString()).isEqualTo("张三");
        assertThat(read.get("district")).isNull();
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int n) {
        Properties c = new Properties();
        c.putAll(SharedBus.get().clientProperties());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= n;
            });
        }
        assertThat(out).hasSize(n);
        return out;
    }
}
