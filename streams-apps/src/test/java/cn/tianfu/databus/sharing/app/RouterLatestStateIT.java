package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.KafkaHeaders;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.sharing.app.internal.StoredRecord;

/**
 * What the router writes to its {@code router-latest} changelog on the real broker (docs/router.md, "What router-latest
 * keeps"): nothing for the records of a resource without grants; once a push grant exists, one position record per
 * source record, far smaller than the ~1 KB value it stands for; a narrowing still re-delivers the right values (read
 * from the source topic); and the service lookups answer from the position records (read at the stored offset), then
 * from the values a SERVICE grant's backfill fills in.
 */
class RouterLatestStateIT {

    private static final int PARTITIONS = 2;
    private static final int ROWS = 30;
    private static final InstantSource PINNED = InstantSource.fixed(Instant.parse("2026-06-01T00:00:00Z"));
    /** About 1 KB of UTF-8: the value a copy of which the router no longer keeps. */
    private static final String ADDRESS = "四川省成都市锦江区".repeat(40);

    private RouterTestResource res;
    private String grantId;
    private Map<String, Object> routerConfig;

    @BeforeEach
    void setUp() throws Exception {
        res = RouterTestResource.create("router-latest-it-", PARTITIONS);
        grantId = "g-" + res.appId;
    }

    @AfterEach
    void tearDown() throws Exception {
        res.close();
    }

    private KafkaStreams startRouter() {
        Map<String, Object> overrides = Map.of(
                RouterConfig.BACKFILL_STEP_INTERVAL_MS_CONFIG, 100,
                RouterConfig.BACKFILL_CHUNK_RECORDS_CONFIG, 20);
        routerConfig = res.routerConfig(overrides);
        return res.startRouter(overrides, PINNED);
    }

    private static String id(int i) {
        return String.format("5101041990%08d", i);
    }

    private static String division(int i, int version) {
        return "5101" + String.format("%02d", (i + version) % 7);
    }

    private byte[] value(int i, int version) {
        return new AvroSerializer<>(res.bus.registryClient()).serialize(res.sourceTopic,
                resident(id(i), "名" + i, "13800000000", ADDRESS, division(i, version)));
    }

    /** Rows {@code [0, rows)} in their given version. */
    private void publish(int rows, int version) throws Exception {
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < rows; i++) {
                p.send(new ProducerRecord<>(res.sourceTopic, id(i), value(i, version)));
            }
            p.flush();
        }
    }

    /** Waits until the router has committed its consumption of the whole source topic. */
    private void awaitIngested() {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(res.sourceTopic, p), OffsetSpec.latest());
            }
            var ends = res.bus.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var committed = res.bus.admin().listConsumerGroupOffsets(res.appId).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue().offset());
        });
    }

    /**
     * The committed records of the router's {@code router-latest} changelog for this test's source topic, in order per
     * partition (the router reads every source topic of the shared bus).
     */
    private List<ConsumerRecord<byte[], byte[]>> changelog() {
        String topic = res.appId + "-" + SharingRouterApp.LATEST_STORE + "-changelog";
        String prefix = res.sourceTopic + '\u0000';
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return out;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime() - deadline).as("read %s to its end in time", topic).isNegative();
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (new String(r.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /** Every committed record of a topic, in order per partition, read from a background thread. */
    private List<ConsumerRecord<byte[], byte[]>> follow(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new CopyOnWriteArrayList<>();
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "follow-" + topic + "-" + res.appId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AtomicBoolean stop = new AtomicBoolean();
        res.closeFirst(() -> stop.set(true));
        res.threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(topic));
                while (!stop.get()) {
                    c.poll(Duration.ofMillis(200)).forEach(out::add);
                }
            }
        });
        return out;
    }

    /** The latest record per key: what the compacted topic keeps after compaction. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> latestPerKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, ConsumerRecord<byte[], byte[]>> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            latest.put(new String(r.key(), StandardCharsets.UTF_8), r);
        }
        return latest;
    }

    private static String field(GenericRecord r, String name) {
        return r.get(name) == null ? null : r.get(name).toString();
    }

    @Test
    void positionRecordsOnlyWhereNeededWithNarrowingAndLookupsStillAnswered() throws Exception {
        KafkaStreams router = startRouter();
        publish(ROWS, 0);
        awaitIngested();
        // (a) no grant on the resource: not one changelog record for its keys
        assertThat(changelog()).as("router-latest changelog records of a resource without grants").isEmpty();

        // a push grant: the backfill delivers every row and fills the keys' position records; then live changes
        List<ConsumerRecord<byte[], byte[]>> delivered = follow(res.deliveryTopic);
        res.sendGovernance(Topics.GRANTS, grantId, grant(grantId, res.code, res.provider, res.consumer)
                .setClearFields(List.of("idNumber", "name")).build());
        await().atMost(Duration.ofMinutes(2)).until(() -> delivered.size() == ROWS);
        publish(ROWS / 2, 1);
        await().atMost(Duration.ofMinutes(2)).until(() -> delivered.size() == ROWS + ROWS / 2);
        awaitIngested();

        // (b) one position record per key and per live record: no value, a small fraction of the value's size
        int valueSize = value(0, 1).length;
        assertThat(valueSize).isGreaterThan(1000);
        List<ConsumerRecord<byte[], byte[]>> records = changelog();
        assertThat(records).hasSize(ROWS + ROWS / 2).allSatisfy(r -> {
            assertThat(r.value().length).isLessThan(valueSize / 10);
            StoredRecord stored = StoredRecord.decode(r.value());
            assertThat(stored.value()).isNull();
            assertThat(stored.isDeleted()).isFalse();
        });
        assertThat(latestPerKey(records)).hasSize(ROWS);

        // (d) a lookup answers from a position record: the value is read from the source topic at the stored offset
        RouterQueries queries = new RouterQueries(router, res.bus.registryClient(),
                SourceLogReader.kafka(RouterConfig.fromMap(routerConfig).clientProperties()));
        res.closeLast(queries);
        Optional<GenericRecord> current = await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> queries.latest(res.entry, id(1)), Optional::isPresent);
        assertThat(field(current.orElseThrow(), "divisionCode")).isEqualTo(division(1, 1));
        assertThat(field(queries.latest(res.entry, id(ROWS - 1)).orElseThrow(), "householdAddress")).isEqualTo(ADDRESS);
        assertThat(queries.latest(res.entry, id(ROWS + 5))).isEmpty();

        // (c) narrowed: every held key delivered again with fewer fields and its current value, read from the source
        int before = delivered.size();
        res.sendGovernance(Topics.GRANTS, grantId, grant(grantId, res.code, res.provider, res.consumer)
                .setAllowedFields(List.of("idNumber", "divisionCode")).setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofMinutes(2)).until(() -> delivered.size() - before == ROWS);
        AvroDeserializer<Object> reader = new AvroDeserializer<>(res.bus.registryClient());
        Map<String, ConsumerRecord<byte[], byte[]>> narrowed = latestPerKey(delivered.subList(before, delivered.size()));
        assertThat(narrowed).hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            ConsumerRecord<byte[], byte[]> r = narrowed.get(id(i));
            assertThat(r).as(id(i)).isNotNull();
            assertThat(KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON)).contains("NARROWED");
            GenericRecord v = (GenericRecord) reader.deserialize(res.deliveryTopic, r.value());
            assertThat(v.getSchema().getFields()).extracting(f -> f.name()).containsExactly("idNumber", "divisionCode");
            assertThat(field(v, "divisionCode")).as(id(i)).isEqualTo(division(i, i < ROWS / 2 ? 1 : 0));
        }

        // a SERVICE grant: its backfill fills the values in; new records keep theirs; lookups answer from them
        res.sendGovernance(Topics.GRANTS, grantId + "-s",
                grant(grantId + "-s", res.code, res.provider, "s" + res.consumer)
                        .setMethod(SharingMethod.SERVICE).build());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> latestPerKey(changelog())
                .values().stream().allMatch(r -> StoredRecord.decode(r.value()).valueKept()));
        assertThat(latestPerKey(changelog())).hasSize(ROWS);
        publish(1, 2);
        awaitIngested();
        StoredRecord first = StoredRecord.decode(latestPerKey(changelog()).get(res.sourceTopic + '\u0000' + id(0))
                .value());
        assertThat(first.value()).isEqualTo(value(0, 2));
        assertThat(field(await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .until(() -> queries.latest(res.entry, id(0)), Optional::isPresent).orElseThrow(), "divisionCode"))
                .isEqualTo(division(0, 2));
    }
}
