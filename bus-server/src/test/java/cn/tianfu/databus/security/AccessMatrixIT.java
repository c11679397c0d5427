package cn.tianfu.databus.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/**
 * Walks the whole access matrix on the secured shared bus: every principal (the bus, department A, department B, an
 * auditor, an anonymous client) tries to read and to write every topic family, the department topics being A's. Each
 * cell is a real attempt: a fetch from offset 0, a produce (the bus's and the departments' inside a transaction they
 * abort, so nothing they are allowed to write becomes visible). The matrix is printed and compared with the policy
 * documented in docs/security.md.
 */
class AccessMatrixIT {

    private static final String ALLOWED = "yes";
    private static final String DENIED = "-";

    private static SharedBus bus;
    private static String a;
    private static String b;
    private static String auditorId;
    private static final Map<String, Map<String, Object>> PRINCIPALS = new LinkedHashMap<>();
    private static final Map<String, String> TOPICS = new LinkedHashMap<>();
    private static final ExecutorService THREADS = Executors.newFixedThreadPool(5);

    @BeforeAll
    static void principalsAndTopics() throws Exception {
        bus = SharedBus.get();
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        a = "ma" + suffix;
        b = "mb" + suffix;
        auditorId = "m" + suffix;
        String code = "10101-" + suffix;
        bus.admin().createTopics(List.of(new NewTopic(Topics.source(a, code), 1, (short) 1),
                new NewTopic(Topics.delivery(a, code), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        TOPICS.put("src.A.*", Topics.source(a, code));
        TOPICS.put("dlv.A.*", Topics.delivery(a, code));
        TOPICS.put("cmd.A", Topics.commands(a));
        TOPICS.put("reply.A", Topics.replies(a));
        TOPICS.put("bus.catalog", Topics.CATALOG);
        TOPICS.put("bus.grants", Topics.GRANTS);
        TOPICS.put("bus.requests", Topics.REQUESTS);
        TOPICS.put("bus.exchange-log", Topics.EXCHANGE_LOG);
        TOPICS.put("checkpoints", Topics.EXCHANGE_LOG_CHECKPOINTS);
        TOPICS.put("bus.deadletter", Topics.DEADLETTER);

        PRINCIPALS.put("bus", bus.kafkaProperties());
        PRINCIPALS.put("dept A", bus.addDepartment(a).kafkaProperties());
        PRINCIPALS.put("dept B", bus.addDepartment(b).kafkaProperties());
        PRINCIPALS.put("auditor", bus.addAuditor(auditorId).kafkaProperties());
        Map<String, Object> anonymous = new HashMap<>();
        anonymous.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
        PRINCIPALS.put("anonymous", anonymous);
    }

    @AfterAll
    static void stop() {
        THREADS.shutdownNow();
    }

    /** The policy: what each principal may do with each family (A owns the department topics). */
    private static Map<String, List<String>> expected() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        //                                 src      dlv      cmd      reply    catalog  grants   requests log      ckpts    deadltr  group A.*
        m.put("bus", row(              "RW", "RW", "RW", "RW", "RW", "RW", "RW", "RW", "RW", "RW", "J"));
        m.put("dept A", row(           "RW", "R",  "W",  "R",  "R",  "",   "",   "",   "",   "",   "J"));
        m.put("dept B", row(           "",   "",   "",   "",   "R",  "",   "",   "",   "",   "",   ""));
        m.put("auditor", row(          "",   "",   "",   "",   "",   "",   "",   "R",  "R",  "",   ""));
        m.put("anonymous", row(        "",   "",   "",   "",   "",   "",   "",   "",   "",   "",   ""));
        return m;
    }

    private static List<String> row(String... rights) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < rights.length - 1; i++) {
            cells.add(rights[i].contains("R") ? ALLOWED : DENIED);
            cells.add(rights[i].contains("W") ? ALLOWED : DENIED);
        }
        cells.add(rights[rights.length - 1].contains("J") ? ALLOWED : DENIED);
        return cells;
    }

    @Test
    void every_principal_can_do_exactly_what_the_policy_allows() throws Exception {
        Map<String, Future<List<String>>> running = new LinkedHashMap<>();
        PRINCIPALS.forEach((name, props) -> running.put(name, THREADS.submit(() -> name.equals("anonymous") ? anonymousRow(props)
                : probeRow(name, props))));
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (var e : running.entrySet()) {
            actual.put(e.getKey(), e.getValue().get(3, TimeUnit.MINUTES));
        }
        print(actual);
        assertThat(actual).isEqualTo(expected());
    }

    /**
     * Who may create topics where: only the bus creates resource, delivery, command and system topics; a department
     * creates only under its own {@code src.<dept>._cdc.} (its CDC runners' offsets, schema history and dead letters).
     */
    @Test
    void only_the_bus_creates_topics_and_a_department_only_under_its_cdc_prefix() throws Exception {
        String n = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        Map<String, String> where = new LinkedHashMap<>();
        where.put("src.A.*", Topics.source(a, "c" + n));
        where.put("src.A._cdc.*", Topics.cdcOffsets(a, "c" + n));
        where.put("src.B._cdc.*", Topics.cdcOffsets(b, "c" + n));
        where.put("dlv.A.*", Topics.delivery(a, "c" + n));
        where.put("cmd.*", Topics.commands("c" + n));
        where.put("bus.*", "bus.c" + n);
        Map<String, List<String>> actual = new LinkedHashMap<>();
        for (String who : List.of("dept A", "dept B", "auditor")) {
            List<String> cells = new ArrayList<>();
            try (var admin = org.apache.kafka.clients.admin.Admin.create(PRINCIPALS.get(who))) {
                for (String topic : where.values()) {
                    try {
                        admin.createTopics(List.of(new NewTopic(topic + "-" + who.replace(' ', '-').toLowerCase(), 1, (short) 1)))
                                .all().get(30, TimeUnit.SECONDS);
                        cells.add(ALLOWED);
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof AuthorizationException)) {
                            throw new AssertionError("creating " + topic + " as " + who + " failed otherwise: " + e.getCause(), e);
                        }
                        cells.add(DENIED);
                    }
                }
            }
            actual.put(who, cells);
        }
        System.out.println("\nTopic creation (" + String.join(", ", where.keySet()) + "): " + actual);
        assertThat(actual).containsExactly(
                Map.entry("dept A", List.of(DENIED, ALLOWED, DENIED, DENIED, DENIED, DENIED)),
                Map.entry("dept B", List.of(DENIED, DENIED, ALLOWED, DENIED, DENIED, DENIED)),
                Map.entry("auditor", List.of(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)));
    }

    private List<String> probeRow(String name, Map<String, Object> props) {
        List<String> cells = new ArrayList<>();
        boolean transactional = !name.equals("auditor");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(props), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(name, props, transactional),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            if (transactional) {
                producer.initTransactions();
            }
            for (String topic : TOPICS.values()) {
                cells.add(canRead(consumer, topic) ? ALLOWED : DENIED);
                cells.add(canWrite(producer, topic, transactional) ? ALLOWED : DENIED);
            }
        }
        cells.add(canJoinGroup(props, Topics.groupPrefix(a) + "matrix-" + name.replace(' ', '-')) ? ALLOWED : DENIED);
        return cells;
    }

    /** An anonymous client gets no further than the handshake: whatever topic it names, it is refused. */
    private List<String> anonymousRow(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        boolean read;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(p), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            read = consumer.partitionsFor(Topics.CATALOG, Duration.ofSeconds(3)) != null;
        } catch (KafkaException e) {
            read = false;
        }
        boolean write;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps("anonymous", p, false),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.CATALOG, "access-matrix".getBytes(), null)).get(5, TimeUnit.SECONDS);
            write = true;
        } catch (Exception e) {
            write = false;
        }
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < TOPICS.size(); i++) {
            cells.add(read ? ALLOWED : DENIED);
            cells.add(write ? ALLOWED : DENIED);
        }
        cells.add(read ? ALLOWED : DENIED);
        return cells;
    }

    private static boolean canRead(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, 0);
        long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    return true;
                }
            }
            return true; // fetched without error: an empty or fully read partition
        } catch (AuthorizationException e) {
            return false;
        }
    }

    private static boolean canWrite(KafkaProducer<byte[], byte[]> producer, String topic, boolean transactional) {
        if (transactional) {
            producer.beginTransaction();
        }
        try {
            producer.send(new ProducerRecord<>(topic, 0, "access-matrix".getBytes(), null)).get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return false;
            }
            throw new AssertionError("write to " + topic + " failed otherwise: " + e.getCause(), e.getCause());
        } catch (KafkaException e) {
            if (e instanceof AuthorizationException || e.getCause() instanceof AuthorizationException) {
                return false;
            }
            throw e;
        } catch (Exception e) {
            throw new AssertionError("write to " + topic + " did not complete: " + e, e);
        } finally {
            if (transactional) {
                producer.abortTransaction(); // nothing allowed becomes visible to read_committed readers
            }
        }
    }

    private static boolean canJoinGroup(Map<String, Object> props, String group) {
        Map<String, Object> p = consumerProps(props);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.CATALOG));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(200));
            }
            return !consumer.assignment().isEmpty();
        } catch (AuthorizationException e) {
            return false;
        }
    }

    private static Map<String, Object> consumerProps(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    private Map<String, Object> producerProps(String name, Map<String, Object> props, boolean transactional) {
        Map<String, Object> p = new HashMap<>(props);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        if (transactional) {
            String owner = name.equals("bus") ? "bus" : name.equals("dept A") ? a : b;
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Topics.groupPrefix(owner) + "access-matrix");
        } else {
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            p.put(ProducerConfig.ACKS_CONFIG, "1");
        }
        return p;
    }

    private static void print(Map<String, List<String>> actual) {
        StringBuilder out = new StringBuilder("\nAccess matrix (department topics are A's; R = read, W = write, join = consumer group A.*)\n");
        out.append(String.format("%-10s", ""));
        TOPICS.keySet().forEach(t -> out.append(String.format("| %-17s", t)));
        out.append("| group A.*\n").append(String.format("%-10s", ""));
        TOPICS.keySet().forEach(t -> out.append(String.format("| %-8s%-9s", "R", "W")));
        out.append("| join\n");
        actual.forEach((who, cells) -> {
            out.append(String.format("%-10s", who));
            for (int i = 0; i < cells.size() - 1; i += 2) {
                out.append(String.format("| %-8s%-9s", cells.get(i), cells.get(i + 1)));
            }
            out.append("| ").append(cells.get(cells.size() - 1)).append('\n');
        });
        System.out.println(out);
    }

}
