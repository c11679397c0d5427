package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.SchemaMismatchException;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

class SharingRouterIT {

    private RouterTestResource res;
    private final Map<String, DatabusClientConfig> departments = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        res = RouterTestResource.create("router-it-", 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        res.close();
    }

    private KafkaStreams startRouter() {
        return res.startRouter(Map.of("streams.commit.interval.ms", 200), null);
    }

    /** The department's own client config: its credentials and ACLs, as {@code databus dept add} makes them. */
    private DatabusClientConfig department(String id) {
        return departments.computeIfAbsent(id, res.bus::addDepartment);
    }

    private Publisher publisher() {
        Publisher p = Publisher.create(department(res.provider), res.code);
        res.closeLast(p);
        return p;
    }

    /** Collects every delivery the consumer department receives, from a background subscriber. */
    private List<Delivery> subscribe() {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(department(res.consumer), "it").resource(res.code)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        res.closeFirst(subscriber);
        res.threads.submit(() -> subscriber.run(received::add));
        return received;
    }

    private Grant.Builder grantToConsumer(String id) {
        return grant(id, res.code, res.provider, res.consumer);
    }

    @Test
    void publishedChangesArriveProjectedAndMasked() throws Exception {
        startRouter();
        res.sendGovernance(Topics.GRANTS, "g-" + res.appId, grantToConsumer("g-" + res.appId)
                .setAllowedFields(List.of("idNumber", "name", "divisionCode")).build());
        List<Delivery> received = subscribe();
        Publisher publisher = publisher();

        publisher.upsert("510104199001011234", resident("510104199001011234", "张三", "13812345678", "春熙路1号", "510104")).get();
        publisher.upsert("510105198502023456", resident("510105198502023456", "欧阳娜娜", null, null, "510105")).get();
        publisher.delete("510104199001011234").get();

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 3);
        Delivery first = received.stream().filter(d -> d.value() != null
                && d.value().get("divisionCode").toString().equals("510104")).findFirst().orElseThrow();
        GenericRecord v = first.value();
        assertThat(v.getSchema().getFields()).extracting(f -> f.name()).containsExactly("idNumber", "name", "divisionCode");
        assertThat(v.get("idNumber").toString()).isEqualTo("510104********1234");
        assertThat(v.get("name").toString()).isEqualTo("张*");
        assertThat(first.key()).as("the masked key is pseudonymous").matches("[0-9a-f]{64}");
        Delivery tombstone = received.stream().filter(Delivery::isTombstone).findFirst().orElseThrow();
        assertThat(tombstone.kind()).isEqualTo(Delivery.Kind.DELETE);
        assertThat(tombstone.key()).isEqualTo(first.key());
        assertThat(received).allSatisfy(d -> assertThat(d.exchangeId()).matches("[0-9a-f]{32}"));

        var other = new org.apache.avro.Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        var record = new org.apache.avro.generic.GenericData.Record(other);
        record.put("a", "x");
        assertThatThrownBy(() -> publisher.upsert("k", record)).isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining(res.sourceTopic + "-value");
    }

    @Test
    void aGrantAppearingLaterIsBackfilledWithEveryVersionTheLatestLast() throws Exception {
        startRouter();
        Publisher publisher = publisher();
        for (int i = 0; i < 10; i++) {
            String id = "51010419900101" + String.format("%04d", i);
            publisher.upsert(id, resident(id, "张三", null, null, "5101" + i));
        }
        String last = "510104199001010009";
        RecordMetadata lastChange = publisher.upsert(last, resident(last, "张三", null, null, "510199")).get();
        List<Delivery> received = subscribe();
        // the router has seen the last change: wait for its committed offset
        await().atMost(Duration.ofSeconds(60)).until(() -> committedOffset(lastChange) > lastChange.offset());

        res.sendGovernance(Topics.GRANTS, "g-" + res.appId, grantToConsumer("g-" + res.appId)
                .setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 11);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> received.size() == 11);
        assertThat(received).extracting(Delivery::key).as("every version still in the topic").hasSize(11)
                .containsOnlyOnce("510104199001010000", "510104199001010008");
        assertThat(received.stream().filter(d -> d.key().equals(last)).map(d -> d.value().get("divisionCode")
                .toString())).as("oldest first, the latest last").containsExactly("51019", "510199");
    }

    private long committedOffset(RecordMetadata m) throws Exception {
        var tp = new org.apache.kafka.common.TopicPartition(m.topic(), m.partition());
        var offsets = res.bus.admin().listConsumerGroupOffsets(res.appId).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        var o = offsets.get(tp);
        return o == null ? -1 : o.offset();
    }

    @Test
    void everyDeliveryAndLogEntryExactlyOnceAcrossHardStopsAndALostStateDir() throws Exception {
        String grantId = "g-" + res.appId;
        res.sendGovernance(Topics.GRANTS, grantId,
                grantToConsumer(grantId).setClearFields(List.of("idNumber")).build());
        KafkaStreams router = startRouter();
        List<Delivery> received = subscribe();
        Map<String, Integer> logged = logCounter();
        Publisher publisher = publisher();

        int total = 600;
        Set<String> expected = ConcurrentHashMap.newKeySet();
        AtomicBoolean producing = new AtomicBoolean(true);
        Future<?> producer = res.threads.submit(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    String id = "5101041990" + String.format("%08d", i % 60);
                    RecordMetadata m = publisher.upsert(id, resident(id, "名" + i, null, null, "5101" + i)).get();
                    expected.add(ExchangeIds.forDelivery(m.topic(), m.partition(), m.offset(), grantId,
                            ExchangeEntry.Operation.UPSERT));
                }
            } finally {
                producing.set(false);
            }
            return null;
        });

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 100);
        router.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> router.state() == KafkaStreams.State.NOT_RUNNING);
        int atFirstStop = received.size();
        KafkaStreams second = startRouter();   // same state dir

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= atFirstStop + 100 || !producing.get());
        second.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> second.state() == KafkaStreams.State.NOT_RUNNING);
        SharedBus.deleteRecursively(res.stateDir);
        Files.createDirectories(res.stateDir);
        startRouter();                         // state rebuilt from the changelogs

        producer.get(120, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(120)).until(() -> received.size() >= total && loggedFor(logged) >= total);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                .until(() -> received.size() == total && loggedFor(logged) == total);

        Map<String, Long> deliveriesById = new HashMap<>();
        received.forEach(d -> deliveriesById.merge(d.exchangeId(), 1L, Long::sum));
        assertThat(deliveriesById.keySet()).isEqualTo(expected);
        assertThat(deliveriesById.values()).allMatch(n -> n == 1);
        assertThat(logged.keySet()).isEqualTo(expected);
        assertThat(logged.values()).allMatch(n -> n == 1);
    }

    private static int loggedFor(Map<String, Integer> logged) {
        return logged.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Counts the chained log entries of this test's resource by exchange id, read committed. */
    private Map<String, Integer> logCounter() {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        Map<String, Object> props = new HashMap<>();
        props.putAll(res.bus.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "log-" + res.appId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AvroDeserializer<ExchangeLogEntry> reader = AvroDeserializer.specific(res.registry, ExchangeLogEntry.class);
        AtomicBoolean stop = new AtomicBoolean();
        res.closeFirst(() -> stop.set(true));
        res.threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(Topics.EXCHANGE_LOG));
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        ExchangeLogEntry e = reader.deserialize(r.topic(), r.value());
                        if (e.getResourceCode().equals(res.code)) {
                            counts.merge(e.getExchangeId(), 1, Integer::sum);
                        }
                    }
                }
            }
        });
        return counts;
    }
}
