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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
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
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.TestGovernance;

/**
 * Withdrawal on the real broker: a revoked, expired or narrowed grant's consumer loses what it received — every key
 * held gets exactly one tombstone (the latest record of every key on the compacted delivery topic is a tombstone, so
 * compaction forgets the values), each with a {@code RETRACT} log entry carrying the reason — and a hard stop in
 * the middle of a withdrawal resumes at its cursor, exactly once.
 */
class RouterWithdrawalIT {

    private static final int PARTITIONS = 2;
    /** Rows whose number is a multiple of this are outside the grants' row filter: never delivered. */
    private static final int FILTERED_EVERY = 10;
    /** The router's clock where a test does not move time (the grants here run without an end date). */
    private static final InstantSource PINNED = InstantSource.fixed(Instant.parse("2026-06-01T00:00:00Z"));

    private RouterTestResource res;
    private String grantId;

    @BeforeEach
    void setUp() throws Exception {
        res = RouterTestResource.create("router-withdrawal-it-", PARTITIONS);
        grantId = "g-" + res.appId;
    }

    @AfterEach
    void tearDown() throws Exception {
        res.close();
    }

    private KafkaStreams startRouter(InstantSource clock, int chunk) {
        return res.startRouter(Map.of(
                RouterConfig.BACKFILL_STEP_INTERVAL_MS_CONFIG, 100,
                RouterConfig.BACKFILL_CHUNK_RECORDS_CONFIG, chunk), clock);
    }

    private static String id(int i) {
        return String.format("5101041990%08d", i);
    }

    private static String division(int i) {
        return i % FILTERED_EVERY == 0 ? "519999" : "5101" + (i % 100);
    }

    private void publishResource(int rows) throws Exception {
        String topic = res.sourceTopic;
        AvroSerializer<Object> writer = new AvroSerializer<>(res.bus.registryClient());
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < rows; i++) {
                p.send(new ProducerRecord<>(topic, id(i),
                        writer.serialize(topic, resident(id(i), "名" + i, "13800000000", null, division(i)))));
            }
            p.flush();
        }
    }

    private void awaitIngested() {
        String topic = res.sourceTopic;
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = res.bus.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            var committed = res.bus.admin().listConsumerGroupOffsets(res.appId).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue().offset());
        });
    }

    /** Every committed record of a topic, in order per partition, read from a background thread. */
    private List<ConsumerRecord<byte[], byte[]>> follow(String topic, Predicate<ConsumerRecord<byte[], byte[]>> keep) {
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
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (keep.test(r)) {
                            out.add(r);
                        }
                    }
                }
            }
        });
        return out;
    }

    private List<ConsumerRecord<byte[], byte[]>> deliveries() {
        return follow(res.deliveryTopic, r -> true);
    }

    /** The grant's log entries (the log topic is shared by every test on the bus). */
    private List<ExchangeEntry> loggedEntries(List<ConsumerRecord<byte[], byte[]>> logged) {
        AvroDeserializer<ExchangeLogEntry> d =
                AvroDeserializer.specific(res.bus.registryClient(), ExchangeLogEntry.class);
        List<ExchangeEntry> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : logged) {
            ExchangeEntry e = ExchangeLogRecords.toEntry(d.deserialize(Topics.EXCHANGE_LOG, r.value()));
            if (grantId.equals(e.grantId())) {
                out.add(e);
            }
        }
        return out;
    }

    private static long tombstones(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().filter(r -> r.value() == null).count();
    }

    private static long values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().filter(r -> r.value() != null).count();
    }

    /** The latest record per key: what the compacted topic keeps after compaction. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> latestPerKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, ConsumerRecord<byte[], byte[]>> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            latest.put(new String(r.key(), StandardCharsets.UTF_8), r);
        }
        return latest;
    }

    private Grant.Builder grantToConsumer() {
        return grant(grantId, res.code, res.provider, res.consumer).setClearFields(List.of("idNumber", "name", "phone"))
                .setRowFilter("divisionCode != '519999'");
    }

    @Test
    void aRevokedGrantHasEveryDeliveredKeyTombstonedOnceWithARetractEntryAndTheSdkSaysWhy() throws Exception {
        int rows = 300;
        int held = rows - rows / FILTERED_EVERY;
        startRouter(PINNED, 40);
        publishResource(rows);
        awaitIngested();
        List<ConsumerRecord<byte[], byte[]>> delivered = deliveries();
        List<ConsumerRecord<byte[], byte[]>> logged = follow(Topics.EXCHANGE_LOG, r -> true);
        List<Delivery> sdk = new CopyOnWriteArrayList<>();
        Subscriber subscriber = Subscriber.builder(res.bus.addDepartment(res.consumer), "it").resource(res.code)
                .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
        res.closeFirst(subscriber);
        res.threads.submit(() -> subscriber.run(sdk::add));

        Grant g = grantToConsumer().build();
        res.sendGovernance(Topics.GRANTS, grantId, g);
        await().atMost(Duration.ofMinutes(2)).until(() -> values(delivered) >= held);

        g.setStatus(GrantStatus.REVOKED);
        g.setEndedAt(PINNED.instant());
        g.setEndReason("revoked by provider: purpose fulfilled");
        res.sendGovernance(Topics.GRANTS, grantId, g);
        await().atMost(Duration.ofMinutes(2)).until(() -> tombstones(delivered) >= held);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20))
                .until(() -> tombstones(delivered) == held && values(delivered) == held);

        // every key delivered got one tombstone, and the latest record of every key is it: compaction keeps no value
        Map<String, ConsumerRecord<byte[], byte[]>> latest = latestPerKey(delivered);
        assertThat(latest).hasSize(held).allSatisfy((key, r) -> {
            assertThat(r.value()).as(key).isNull();
            assertThat(KafkaHeaders.text(r.headers(), EventHeaders.OP)).contains("RETRACT");
            assertThat(KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON)).contains("REVOKED");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<ExchangeEntry> entries = loggedEntries(logged);
            List<ExchangeEntry> retracts = entries.stream()
                    .filter(e -> e.operation() == ExchangeEntry.Operation.RETRACT).toList();
            assertThat(retracts).hasSize(held).allSatisfy(e ->
                    assertThat(e.retractReason()).isEqualTo(ExchangeEntry.RetractReason.REVOKED));
            assertThat(entries).extracting(ExchangeEntry::exchangeId).doesNotHaveDuplicates();
            // each tombstone names its own entry
            assertThat(latest.values()).extracting(r -> KafkaHeaders.text(r.headers(), EventHeaders.EXCHANGE_ID)
                    .orElseThrow()).containsExactlyInAnyOrderElementsOf(retracts.stream()
                    .map(ExchangeEntry::exchangeId).toList());
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sdk.stream()
                .filter(Delivery::isWithdrawn)).hasSize(held)
                .allSatisfy(d -> assertThat(d.withdrawal()).isEqualTo(Delivery.WithdrawalReason.REVOKED)));

        // and the broker's cleaner really forgets the values: close the active segments and let it compact
        compactNow(res.deliveryTopic);
        TestGovernance committed = new TestGovernance(res.bus);
        res.closeLast(committed);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            rollSegments(res.deliveryTopic);
            List<ConsumerRecord<byte[], byte[]>> kept = committed.readCommitted(res.deliveryTopic).stream()
                    .filter(r -> latest.containsKey(new String(r.key(), StandardCharsets.UTF_8))).toList();
            assertThat(values(kept)).as("values of withdrawn keys left on %s after compaction", res.deliveryTopic)
                    .isZero();
        });
    }

    /** Makes the topic's segments eligible for compaction at once (the cleaner still only takes closed segments). */
    private void compactNow(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        List<AlterConfigOp> ops = List.of(
                new AlterConfigOp(new ConfigEntry(TopicConfig.SEGMENT_MS_CONFIG, "100"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"), AlterConfigOp.OpType.SET));
        res.bus.admin().incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
    }

    /** Appends a tombstone of a key no consumer holds to every partition, which closes segments older than segment.ms. */
    private void rollSegments(String topic) throws Exception {
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < p.partitionsFor(topic).size(); partition++) {
                p.send(new ProducerRecord<>(topic, partition, "segment-roll".getBytes(StandardCharsets.UTF_8), null))
                        .get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aGrantExpiresAtValidUntilOnThePinnedClock() throws Exception {
        Instant pinned = Instant.parse("2026-06-01T00:00:00Z");
        AtomicLong now = new AtomicLong(pinned.toEpochMilli());
        int rows = 40;
        int held = rows - rows / FILTERED_EVERY;
        startRouter(() -> Instant.ofEpochMilli(now.get()), 40);
        publishResource(rows);
        awaitIngested();
        List<ConsumerRecord<byte[], byte[]>> delivered = deliveries();
        res.sendGovernance(Topics.GRANTS, grantId,
                grantToConsumer().setValidUntil(pinned.plus(Duration.ofDays(30))).build());
        await().atMost(Duration.ofMinutes(1)).until(() -> values(delivered) == held);

        now.set(pinned.plus(Duration.ofDays(30)).minusMillis(1).toEpochMilli());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> tombstones(delivered) == 0);
        now.set(pinned.plus(Duration.ofDays(30)).toEpochMilli());      // validUntil
        await().atMost(Duration.ofMinutes(1)).until(() -> tombstones(delivered) == held);
        assertThat(latestPerKey(delivered)).hasSize(held).allSatisfy((key, r) ->
                assertThat(KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON)).contains("EXPIRED"));
    }

    @Test
    void aNarrowedGrantDeliversAgainWithFewerFieldsAndRetractsRowsOutsideTheStricterFilter() throws Exception {
        int rows = 40;
        int held = rows - rows / FILTERED_EVERY;
        startRouter(PINNED, 40);
        publishResource(rows);
        awaitIngested();
        List<ConsumerRecord<byte[], byte[]>> delivered = deliveries();
        res.sendGovernance(Topics.GRANTS, grantId, grantToConsumer().build());
        await().atMost(Duration.ofMinutes(1)).until(() -> values(delivered) == held);

        // narrowed on bus.grants: no name, no phone, and rows of division 51011 no longer
        res.sendGovernance(Topics.GRANTS, grantId, grantToConsumer()
                .setAllowedFields(List.of("idNumber", "divisionCode")).setClearFields(List.of("idNumber"))
                .setRowFilter("divisionCode != '519999' && divisionCode != '51011'").build());
        int stillAllowed = held - (int) java.util.stream.IntStream.range(0, rows)
                .filter(i -> division(i).equals("51011")).count();
        await().atMost(Duration.ofMinutes(1)).until(() -> latestPerKey(delivered).values().stream()
                .filter(r -> KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON).isPresent()).count() == held);
        Map<String, ConsumerRecord<byte[], byte[]>> latest = latestPerKey(delivered);
        AvroDeserializer<Object> reader = new AvroDeserializer<>(res.bus.registryClient());
        assertThat(latest.values().stream().filter(r -> r.value() != null)).hasSize(stillAllowed).allSatisfy(r -> {
            var v = (org.apache.avro.generic.GenericRecord) reader.deserialize(res.deliveryTopic, r.value());
            assertThat(v.getSchema().getFields()).extracting(f -> f.name()).containsExactly("idNumber", "divisionCode");
        });
        assertThat(latest.values().stream().filter(r -> r.value() == null)).hasSize(held - stillAllowed)
                .allSatisfy(r -> assertThat(KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON))
                        .contains("NARROWED"));
    }

    @Test
    void aHardStopInTheMiddleOfAWithdrawalResumesAtItsCursorExactlyOnce() throws Exception {
        int rows = 4000;
        int held = rows - rows / FILTERED_EVERY;
        KafkaStreams first = startRouter(PINNED, 30);
        publishResource(rows);
        awaitIngested();
        List<ConsumerRecord<byte[], byte[]>> delivered = deliveries();
        List<ConsumerRecord<byte[], byte[]>> logged = follow(Topics.EXCHANGE_LOG, r -> true);
        Grant g = grantToConsumer().build();
        res.sendGovernance(Topics.GRANTS, grantId, g);
        await().atMost(Duration.ofMinutes(3)).until(() -> values(delivered) >= held);

        g.setStatus(GrantStatus.REVOKED);
        res.sendGovernance(Topics.GRANTS, grantId, g);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> tombstones(delivered) >= 200);
        first.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.state() == KafkaStreams.State.NOT_RUNNING);
        long atStop = tombstones(delivered);
        assertThat(atStop).as("the stop fell in the middle of the withdrawal").isLessThan(held);

        startRouter(PINNED, 30);                  // same state dir: the cursor is where the last commit left it
        await().atMost(Duration.ofMinutes(3)).until(() -> tombstones(delivered) >= held);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> tombstones(delivered) == held);
        Map<String, Integer> perKey = new HashMap<>();
        delivered.stream().filter(r -> r.value() == null)
                .forEach(r -> perKey.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum));
        assertThat(perKey).hasSize(held).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
        assertThat(latestPerKey(delivered).values()).allSatisfy(r -> assertThat(r.value()).isNull());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(loggedEntries(logged).stream()
                .filter(e -> e.retractReason() == ExchangeEntry.RetractReason.REVOKED))
                .hasSize(held).extracting(ExchangeEntry::exchangeId).doesNotHaveDuplicates());
    }
}
