package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/**
 * On the real broker: a command the rules cannot decide (the calendar throws) is refused with the reason, a 5 MB command
 * compressed under the broker's limit is dead-lettered with a bounded prefix, and other departments' commands go on
 * being decided by the same running app.
 */
class GovernanceFailuresIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** A clock past the last year a calendar can count (provisional years end with 2100): no deadline can be computed. */
    private static final InstantSource AFTER_2100 = InstantSource.fixed(Instant.parse("2101-03-02T02:00:00Z"));

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static KafkaProducer<String, Object> producer;
    private static Path stateDir;
    private static KafkaStreams app;

    @BeforeAll
    static void startApp() throws Exception {
        bus = SharedBus.get();
        registry = bus.registryClient();
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry));
        stateDir = Files.createTempDirectory("governance-failures-it-");
        GovernanceConfig config = new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, stateDir.toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-failures-it-" + UUID.randomUUID().toString().substring(0, 8),
                "streams.consumer.metadata.max.age.ms", "1000")));
        GovernanceContext ctx = new GovernanceContext(registry, TopicCreator.admin(bus.admin(), (short) 1),
                WorkingDayCalendar.bundled(), 2, AFTER_2100);
        Properties props = GovernanceApp.streamsConfig(config);
        StreamsAppConfig.failureHandling("governance", registry).forEach(props::putIfAbsent);
        // a command topic exists before the app starts, as the authority's does on a running bus (a pattern that
        // matches nothing at start fails the thread when the first topic appears)
        department("authority");
        app = new KafkaStreams(GovernanceApp.buildTopology(ctx), props);
        app.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
        app.start();
        await().atMost(WAIT).until(() -> app.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stopApp() {
        if (app != null) {
            app.close(Duration.ofSeconds(30));
        }
        producer.close();
        registry.close();
        SharedBus.deleteRecursively(stateDir);
    }

    private static String department(String prefix) throws Exception {
        String dept = prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        bus.admin().createTopics(List.of(new NewTopic(Topics.commands(dept), 1, (short) 1),
                new NewTopic(Topics.replies(dept), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return dept;
    }

    private static String code() {
        return "101-" + (100000 + ThreadLocalRandom.current().nextInt(900000));
    }

    private static CommandResult sendAndAwait(String dept, Object payload) throws Exception {
        String id = UUID.randomUUID().toString();
        producer.send(new ProducerRecord<>(Topics.commands(dept), id, command(id, dept, payload, AFTER_2100.instant())))
                .get(30, TimeUnit.SECONDS);
        return bus.awaitRecords(Topics.replies(dept), AvroDeserializer.specific(registry, CommandResult.class),
                r -> r.key().equals(id), WAIT).get(0).value();
    }

    @Test
    void aCommandTheCalendarCannotDecideIsRefusedAndTheNextCommandOfAnotherDepartmentIsDecided() throws Exception {
        String provider = department("psb");
        String consumer = department("edu");
        String other = department("civil");
        String code = code();
        assertThat(sendAndAwait(provider, register(code, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);

        CommandResult refused = sendAndAwait(consumer, request(code, "verify residence for school enrolment"));
        assertThat(refused.getOutcome()).as(refused.getMessage()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.getMessage()).contains("deadline cannot be counted", "2101");

        CommandResult next = sendAndAwait(other, register(code(), SharingClass.UNCONDITIONAL));
        assertThat(next.getOutcome()).as(next.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void aFiveMegabyteCommandCompressedUnderTheLimitIsADeadLetterAndTheNextCommandIsDecided() throws Exception {
        String sender = department("psb");
        String other = department("civil");
        byte[] huge = new byte[5 * 1024 * 1024];
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        String id = "big-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> plain = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(Topics.commands(sender), id, huge)).get(30, TimeUnit.SECONDS);
        }
        DeadLetter letter = bus.awaitRecords(Topics.DEADLETTER, AvroDeserializer.specific(registry, DeadLetter.class),
                r -> Topics.commands(sender).equals(r.value().getSourceTopic()), WAIT).get(0).value();
        assertThat(letter.getComponent()).isEqualTo("governance");
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE.name());
        assertThat(letter.getOriginalValueSize()).isEqualTo(huge.length);
        assertThat(letter.getOriginalValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
        assertThat(letter.getOriginalValueSha256()).hasSize(64);

        CommandResult next = sendAndAwait(other, register(code(), SharingClass.UNCONDITIONAL));
        assertThat(next.getOutcome()).as(next.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
}
