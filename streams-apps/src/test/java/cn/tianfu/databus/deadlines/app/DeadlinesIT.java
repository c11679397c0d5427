package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The real deadlines app on the shared secured bus: a conditional request left undecided past its due time gives one
 * reminder and one violation, across a restart of the app on a wiped state directory. The request is written to
 * {@code bus.requests} as governance writes a PENDING conditional request. The app's clock is the test's; it starts
 * after every due time other tests on the shared bus set (their duties, if any, raise their violation at once and no
 * reminder), and this test's request is due in 2031.
 */
class DeadlinesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Due at the end of Tuesday 2031-06-10 (Asia/Shanghai). */
    private static final Instant DUE = Instant.parse("2031-06-10T15:59:59.999Z");
    private static final AtomicReference<Instant> NOW = new AtomicReference<>(DUE.minus(Duration.ofDays(1)));
    private static final InstantSource CLOCK = NOW::get;

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static KafkaProducer<String, AccessRequest> producer;
    private static String applicationId;
    private static final List<Path> stateDirs = new ArrayList<>();

    @BeforeAll
    static void connect() {
        bus = SharedBus.get();
        registry = bus.registryClient();
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry));
        applicationId = "deadlines-it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterAll
    static void close() {
        producer.close();
        registry.close();
        stateDirs.forEach(SharedBus::deleteRecursively);
    }

    private static OwningKafkaStreams started() throws Exception {
        Path dir = Files.createTempDirectory("deadlines-it-");
        stateDirs.add(dir);
        OwningKafkaStreams streams = DeadlinesApp.create(new DeadlinesConfig(bus.streamsAppConfig(Map.of(
                DeadlinesConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                DeadlinesConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                DeadlinesConfig.STATE_DIR_CONFIG, dir.toString(),
                DeadlinesConfig.APPLICATION_ID_CONFIG, applicationId,
                DeadlinesConfig.CHECK_INTERVAL_CONFIG, "200"))), CLOCK);
        streams.start();
        await().atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    private static String department() throws Exception {
        String dept = "psb-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        bus.admin().createTopics(List.of(new NewTopic(Topics.commands(dept), 1, (short) 1),
                new NewTopic(Topics.replies(dept), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return dept;
    }

    private static AccessRequest pending(String id, String provider, Instant due) {
        return AccessRequest.newBuilder().setRequestId(id).setResourceCode("101-000001").setProvider(provider)
                .setConsumer("edu").setPurpose("verify residence for school enrolment").setMethod(SharingMethod.PUSH)
                .setStatus(RequestStatus.PENDING).setFiledAt(due.minus(Duration.ofDays(14))).setDueAt(due).build();
    }

    /** Writes {@code request} to {@code partition} of bus.requests (null: by its key); returns the partition. */
    private static int publish(AccessRequest request, Integer partition) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.REQUESTS, partition, request.getRequestId(), request))
                .get(30, TimeUnit.SECONDS).partition();
    }

    /** Every committed record of {@code topic} with a key {@code keys} accepts, read to its end. */
    private static <V extends SpecificRecord> List<ConsumerRecord<String, V>> records(String topic, Class<V> type,
            Predicate<String> keys) {
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(),
                AvroDeserializer.specific(registry, type))) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                    if (keys.test(r.key())) {
                        found.add(r);
                    }
                }
                return partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
        }
        return found;
    }

    private static <V extends SpecificRecord> List<ConsumerRecord<String, V>> awaitRecords(String topic, Class<V> type,
            String key) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            found.clear();
            found.addAll(records(topic, type, key::equals));
            return !found.isEmpty();
        });
        return found;
    }

    @Test
    void anUndecidedConditionalRequestGivesOneReminderAndOneViolationAcrossARestartOnAWipedStateDir() throws Exception {
        String provider = department();
        String id = "101-000001." + UUID.randomUUID();
        String violationId = "46-5:" + id;
        String reminderId = "reminder:" + id;

        OwningKafkaStreams app = started();
        int partition;
        try {
            partition = publish(pending(id, provider, DUE), null);
            // a day before the due time: the reminder (its time, the end of 2031-06-06, has passed)
            assertThat(awaitRecords(Topics.replies(provider), CommandResult.class, reminderId)).singleElement()
                    .satisfies(r -> assertThat(r.value().getRequestId()).isEqualTo(id));

            NOW.set(DUE.plusSeconds(60));
            Violation v = awaitRecords(Topics.VIOLATIONS, Violation.class, violationId).get(0).value();
            assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
            assertThat(v.getDepartment()).isEqualTo(provider);
            assertThat(v.getDueAt()).isEqualTo(DUE);
        } finally {
            app.close(Duration.ofSeconds(30));
        }

        // restarted on an empty state directory; the request is still undecided and written again
        NOW.set(DUE.plus(Duration.ofDays(1)));
        app = started();
        try {
            publish(pending(id, provider, DUE), partition);
            // markers after it on the same partition: the first is raised on arrival, the second by the punctuation,
            // once the clock passes its due time; when both are there, the restarted app has seen and checked the request
            String early = "101-000001." + UUID.randomUUID();
            publish(pending(early, provider, DUE), partition);
            awaitRecords(Topics.VIOLATIONS, Violation.class, "46-5:" + early);
            String late = "101-000001." + UUID.randomUUID();
            Instant lateDue = NOW.get().plus(Duration.ofHours(1));
            publish(pending(late, provider, lateDue), partition);
            NOW.set(lateDue.plusSeconds(1));
            awaitRecords(Topics.VIOLATIONS, Violation.class, "46-5:" + late);
        } finally {
            app.close(Duration.ofSeconds(30));
        }

        assertThat(records(Topics.VIOLATIONS, Violation.class, violationId::equals)).hasSize(1);
        assertThat(records(Topics.replies(provider), CommandResult.class, reminderId::equals)).hasSize(1);
    }
}
