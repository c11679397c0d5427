package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * Backfill of a resource too large for one transaction, on the real broker: the router runs with a transaction
 * timeout of {@value #TRANSACTION_TIMEOUT_MS} ms, and a grant is approved on a resource of {@value #ROWS} rows (two
 * partitions). Before backfill was chunked, one task's whole backfill was one transaction — longer than the timeout here,
 * so the task was fenced and redid it, forever. Now every row arrives exactly once, no transaction is aborted, and the
 * backfill takes a bounded number of transactions; and a hard stop in the middle of it resumes at the cursor.
 */
class RouterBackfillIT {

    private static final Logger LOG = LoggerFactory.getLogger(RouterBackfillIT.class);
    private static final int ROWS = Integer.getInteger("router.it.backfill.rows", 60_000);
    private static final int CRASH_ROWS = 20_000;
    private static final int CHUNK = Integer.getInteger("router.it.backfill.chunk", 2_000);
    /** Chunk time limit; with this and the chunk size set huge, a run shows what one transaction per task does. */
    private static final long CHUNK_MS = Long.getLong("router.it.backfill.chunk.ms", 1_000);
    private static final int TRANSACTION_TIMEOUT_MS = 3_000;
    private static final int PARTITIONS = 2;

    private RouterTestResource res;

    @BeforeEach
    void setUp() throws Exception {
        res = RouterTestResource.create("router-backfill-it-", PARTITIONS);
    }

    @AfterEach
    void tearDown() throws Exception {
        res.close();
    }

    private KafkaStreams startRouter() {
        return res.startRouter(Map.of(
                RouterConfig.BACKFILL_CHUNK_RECORDS_CONFIG, CHUNK,
                RouterConfig.BACKFILL_CHUNK_MAX_MS_CONFIG, CHUNK_MS,
                "streams.producer.transaction.timeout.ms", TRANSACTION_TIMEOUT_MS), null);
    }

    private static String id(int i) {
        return String.format("5101041990%08d", i);
    }

    /** Publishes rows 0..rows-1 (bytes serialized once per row, with the bus's credentials, for speed). */
    private void publishResource(int rows) throws Exception {
        publishRows(0, rows, null);
    }

    /** Publishes rows from..to-1, with divisionCode {@code division} (null: one of 100 by row). */
    private void publishRows(int from, int to, String division) throws Exception {
        String topic = res.sourceTopic;
        AvroSerializer<Object> writer = new AvroSerializer<>(res.bus.registryClient());
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, id(i), writer.serialize(topic,
                        resident(id(i), "名" + i, null, null, division != null ? division : "5101" + (i % 100))));
                r.headers().add(EventHeaders.EVENT_ID, EventHeaders.bytes("e-" + i));
                p.send(r);
            }
            p.flush();
        }
    }

    /** Waits until the router has read every published row into its state (its committed offsets reach the end). */
    private void awaitIngested() {
        String topic = res.sourceTopic;
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
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

    /** Counts deliveries by key as a consumer of the given isolation level sees them, from a background thread. */
    private Map<String, Integer> countDeliveries(String isolation) {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "count-" + isolation + "-" + res.appId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        AtomicBoolean stop = new AtomicBoolean();
        res.closeFirst(() -> stop.set(true));
        res.threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(res.deliveryTopic));
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        counts.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
                    }
                }
            }
        });
        return counts;
    }

    /** Every delivery as a read_committed consumer sees it, by key in order: divisionCode and exchange id. */
    private Map<String, List<String[]>> collectDeliveries() {
        Map<String, List<String[]>> byKey = new ConcurrentHashMap<>();
        Map<String, Object> props = new HashMap<>(res.bus.kafkaProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "collect-" + res.appId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        cn.tianfu.databus.serde.AvroDeserializer<Object> reader =
                new cn.tianfu.databus.serde.AvroDeserializer<>(res.bus.registryClient());
        AtomicBoolean stop = new AtomicBoolean();
        res.closeFirst(() -> stop.set(true));
        res.threads.submit(() -> {
            try (c) {
                c.subscribe(List.of(res.deliveryTopic));
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        var value = (org.apache.avro.generic.GenericRecord) reader.deserialize(res.deliveryTopic,
                                r.value());
                        String exchangeId = new String(r.headers().lastHeader(EventHeaders.EXCHANGE_ID).value(),
                                StandardCharsets.UTF_8);
                        byKey.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8),
                                k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(new String[] {value.get("divisionCode").toString(), exchangeId});
                    }
                }
            }
        });
        return byKey;
    }

    private static int totalOf(Map<String, List<String[]>> byKey) {
        return byKey.values().stream().mapToInt(List::size).sum();
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Transaction markers in the delivery topic: every offset that is not a data record (read uncommitted). */
    private long markers(int dataRecords) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(res.deliveryTopic, p), OffsetSpec.latest());
        }
        long end = res.bus.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(i -> i.offset()).sum();
        return end - dataRecords;
    }

    @Test
    void aResourceLargerThanOneTransactionIsBackfilledExactlyOnceInBoundedChunks() throws Exception {
        startRouter();
        publishResource(ROWS);
        awaitIngested();
        Map<String, Integer> committed = countDeliveries("read_committed");
        Map<String, Integer> everything = countDeliveries("read_uncommitted");

        long started = System.nanoTime();
        String grantId = "g-" + res.appId;
        res.sendGovernance(Topics.GRANTS, grantId, grant(grantId, res.code, res.provider, res.consumer)
                .setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> total(committed) >= ROWS);
        LOG.info("Backfill of {} rows in chunks of {} took {} ms (transaction timeout {} ms)", ROWS, CHUNK,
                (System.nanoTime() - started) / 1_000_000, TRANSACTION_TIMEOUT_MS);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                .until(() -> total(committed) == ROWS && total(everything) == ROWS);

        assertThat(committed).hasSize(ROWS).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
        assertThat(everything).as("no record of an aborted transaction: nothing was redone").isEqualTo(committed);
        long transactions = markers(ROWS);
        LOG.info("Backfill of {} rows: {} transaction markers in the delivery topic", ROWS, transactions);
        // each chunk is one transaction, writing at most both partitions; the first chunk of each task is sent with
        // the check, and a chunk may stop early at its time limit, so allow slack — but far from one per record
        assertThat(transactions).isGreaterThan(1).isLessThanOrEqualTo((long) PARTITIONS * (ROWS / CHUNK + 2) * 3);
    }

    @Test
    void everyVersionAndEveryRecordArrivingDuringTheBackfillIsDeliveredOnceTheLatestLast() throws Exception {
        int keys = 20_000;
        int updated = 10_000;
        int live = 2_000;
        int fresh = 1_000;
        startRouter();
        publishRows(0, keys, "510101");              // version 1 of every key
        publishRows(0, updated, "510102");           // version 2 of half of them
        awaitIngested();
        Map<String, List<String[]>> delivered = collectDeliveries();

        String grantId = "g-" + res.appId;
        res.sendGovernance(Topics.GRANTS, grantId, grant(grantId, res.code, res.provider, res.consumer)
                .setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofMinutes(5)).until(() -> totalOf(delivered) >= 2 * CHUNK);
        int before = totalOf(delivered);
        publishRows(0, live, "510103");              // during the backfill: version 3 of some keys...
        publishRows(keys, keys + fresh, "510104");   // ...and new keys
        LOG.info("Published {} records with {} of {} backfilled ones delivered", live + fresh, before, keys + updated);
        int expected = keys + updated + live + fresh;
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> totalOf(delivered) >= expected);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> totalOf(delivered) == expected);

        List<String> exchangeIds = new ArrayList<>();
        delivered.values().forEach(versions -> versions.forEach(v -> exchangeIds.add(v[1])));
        assertThat(exchangeIds).as("every offset routed once: by the backfill or live").hasSize(expected)
                .doesNotHaveDuplicates();
        assertThat(delivered).hasSize(keys + fresh);
        for (int i = 0; i < keys + fresh; i++) {
            List<String> divisions = delivered.get(id(i)).stream().map(v -> v[0]).toList();
            List<String> want = i >= keys ? List.of("510104")
                    : i < live ? List.of("510101", "510102", "510103")
                    : i < updated ? List.of("510101", "510102") : List.of("510101");
            assertThat(divisions).as("versions of %s, oldest first, the latest last", id(i)).isEqualTo(want);
        }
    }

    @Test
    void aHardStopInTheMiddleOfABackfillResumesAtTheCursorExactlyOnce() throws Exception {
        KafkaStreams first = startRouter();
        publishResource(CRASH_ROWS);
        awaitIngested();
        Map<String, Integer> committed = countDeliveries("read_committed");

        String grantId = "g-" + res.appId;
        res.sendGovernance(Topics.GRANTS, grantId, grant(grantId, res.code, res.provider, res.consumer)
                .setClearFields(List.of("idNumber")).build());
        await().atMost(Duration.ofMinutes(5)).until(() -> total(committed) >= 3 * CHUNK);
        first.close(Duration.ZERO);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.state() == KafkaStreams.State.NOT_RUNNING);
        int atStop = total(committed);
        LOG.info("Stopped hard with {} of {} rows delivered", atStop, CRASH_ROWS);
        assertThat(atStop).as("the stop fell in the middle of the backfill").isLessThan(CRASH_ROWS);

        startRouter();                         // same state dir: the cursor is where the last commit left it
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> total(committed) >= CRASH_ROWS);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> total(committed) == CRASH_ROWS);
        assertThat(committed).hasSize(CRASH_ROWS).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(1));
    }
}
