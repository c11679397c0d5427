package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/**
 * On the real broker: a 5 MB record compressed under the broker's limit on a source topic does not stop the router.
 * It is dead-lettered with a bounded prefix, its size and digest, and records of the same and of another department's
 * resource go on being delivered.
 */
class RouterFailuresIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private final SharedBus bus = SharedBus.get();
    private final SchemaRegistryClient registry = bus.registryClient();
    private KafkaStreams router;
    private Path stateDir;
    private Path dataDir;
    private String consumer;
    private String provider1;
    private String provider2;
    private String code1;
    private String code2;

    @BeforeEach
    void setUp() throws Exception {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        consumer = "c" + suffix;
        provider1 = "p" + suffix;
        provider2 = "q" + suffix;
        code1 = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        code2 = "10102-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        stateDir = Files.createTempDirectory("router-failures-state-");
        dataDir = Files.createTempDirectory("router-failures-data-");
        for (String[] r : List.of(new String[] {provider1, code1}, new String[] {provider2, code2})) {
            String topic = Topics.source(r[0], r[1]);
            bus.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Topics.resourceTopicConfigs())))
                    .all().get(30, TimeUnit.SECONDS);
            int schemaId = registry.register(topic + "-value", POPULATION);
            governance(Topics.CATALOG, r[1], entry(r[1], r[0], SharingClass.UNCONDITIONAL, schemaId));
            governance(Topics.GRANTS, "g-" + r[1], grant("g-" + r[1], r[1], r[0], consumer).build());
        }
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, stateDir.toString(),
                RouterConfig.DATA_DIR_CONFIG, dataDir.toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "router-failures-it-" + suffix,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 1,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000))));
        router.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
        router.start();
        await().atMost(WAIT).until(() -> router.state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void tearDown() {
        router.close(Duration.ofSeconds(30));
        registry.close();
        SharedBus.deleteRecursively(stateDir);
        SharedBus.deleteRecursively(dataDir);
    }

    private void governance(String topic, String key, Object value) throws Exception {
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, new AvroSerializer<>(registry).serialize(topic, value)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFiveMegabyteRecordCompressedUnderTheLimitIsADeadLetterAndDeliveriesGoOn() throws Exception {
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        byte[] huge = new byte[5 * 1024 * 1024];
        AvroSerializer<GenericRecord> avro = new AvroSerializer<>(registry);
        String topic1 = Topics.source(provider1, code1);
        String topic2 = Topics.source(provider2, code2);
        try (KafkaProducer<String, byte[]> plain = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(topic1, "huge", huge)).get(30, TimeUnit.SECONDS);
            plain.send(new ProducerRecord<>(topic1, "510104199001011234", avro.serialize(topic1,
                    resident("510104199001011234", "张三", null, null, "510104")))).get(30, TimeUnit.SECONDS);
            plain.send(new ProducerRecord<>(topic2, "510105198502023456", avro.serialize(topic2,
                    resident("510105198502023456", "欧阳娜娜", null, null, "510105")))).get(30, TimeUnit.SECONDS);
        }

        DeadLetter letter = bus.awaitRecords(Topics.DEADLETTER, AvroDeserializer.specific(registry, DeadLetter.class),
                r -> topic1.equals(r.value().getSourceTopic()), WAIT).get(0).value();
        assertThat(letter.getComponent()).isEqualTo("sharing-router");
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE.name());
        assertThat(letter.getSourceOffset()).isZero();
        assertThat(letter.getOriginalValueSize()).isEqualTo(huge.length);
        assertThat(letter.getOriginalValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
        assertThat(letter.getOriginalValueSha256()).hasSize(64);
        assertThat(letter.getTruncated()).isTrue();

        assertThat(bus.awaitRecords(Topics.delivery(consumer, code1), new ByteArrayDeserializer(), r -> true, WAIT)).hasSize(1);
        assertThat(bus.awaitRecords(Topics.delivery(consumer, code2), new ByteArrayDeserializer(), r -> true, WAIT)).hasSize(1);
        assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
}
