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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/** The real governance app on the shared in-JVM broker and the project's schema registry. */
class GovernanceIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Friday 2026-09-18 10:00 in Asia/Shanghai, the worked example of the bundled calendar. */
    private static final Instant SEPTEMBER_18 = java.time.OffsetDateTime.parse("2026-09-18T10:00:00+08:00").toInstant();
    /** Governance's clock: pinned, so no test depends on today's date; a test that moves it puts it back. */
    private static final MutableClock CLOCK = new MutableClock(SEPTEMBER_18);

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static KafkaProducer<String, GovernanceCommand> producer;
    private static String applicationId;
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
        applicationId = "governance-it-" + UUID.randomUUID().toString().substring(0, 8);
        stateDir = Files.createTempDirectory("governance-it-");
        app = started(stateDir);
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

    private static KafkaStreams started(Path dir) {
        KafkaStreams streams = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dir.toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, applicationId,
                "streams.consumer.metadata.max.age.ms", "1000"))), CLOCK);
        streams.start();
        await().atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    // ---- helpers ----

    /** A fresh department with its command and reply topics, as {@code databus dept add} creates them. */
    private static String department(String prefix) throws Exception {
        String dept = prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        bus.admin().createTopics(List.of(new NewTopic(Topics.commands(dept), 1, (short) 1),
                new NewTopic(Topics.replies(dept), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return dept;
    }

    private static String code() {
        return "101-" + (100000 + ThreadLocalRandom.current().nextInt(900000)) + "-" + Long.toString(System.nanoTime() % 100000, 36);
    }

    private static String send(String dept, Object payload) throws Exception {
        String id = UUID.randomUUID().toString();
        send(dept, id, payload);
        return id;
    }

    private static void send(String dept, String id, Object payload) throws Exception {
        producer.send(new ProducerRecord<>(Topics.commands(dept), id, command(id, dept, payload, CLOCK.instant())))
                .get(30, TimeUnit.SECONDS);
    }

    private static <V> KafkaConsumer<String, V> consumer(String topic, Deserializer<V> values) {
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), values);
        List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    /** Every committed record of {@code topic} whose key and value match, once {@code done} holds for them. */
    private static <V extends org.apache.avro.specific.SpecificRecord> List<ConsumerRecord<String, V>> records(String topic, Class<V> type,
            Predicate<ConsumerRecord<String, V>> match, Predicate<List<ConsumerRecord<String, V>>> done) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> c = consumer(topic, AvroDeserializer.specific(registry, type))) {
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        found.add(r);
                    }
                }
                return done.test(found);
            });
        }
        return found;
    }

    private static CommandResult reply(String dept, String commandId) {
        return records(Topics.replies(dept), CommandResult.class, r -> r.key().equals(commandId), l -> !l.isEmpty())
                .get(0).value();
    }

    private static CommandResult sendAndAwait(String dept, Object payload) throws Exception {
        return reply(dept, send(dept, payload));
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> V latest(String topic, Class<V> type, String key, Predicate<V> state) {
        List<ConsumerRecord<String, V>> records = records(topic, type, r -> r.key().equals(key),
                l -> !l.isEmpty() && state.test(l.get(l.size() - 1).value()));
        return records.get(records.size() - 1).value();
    }

    // ---- tests ----

    @Test
    void theConditionalFlowEndsWithAGrantOnBusGrants() throws Exception {
        String provider = department("psb");
        String consumer = department("edu");
        String code = code();

        CommandResult registered = sendAndAwait(provider, register(code, SharingClass.CONDITIONAL));
        assertThat(registered.getOutcome()).as(registered.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(latest(Topics.CATALOG, CatalogEntry.class, code, e -> true).getProvider()).isEqualTo(provider);
        assertThat(bus.admin().listTopics().names().get()).contains(Topics.source(provider, code));
        assertThat(registry.latest(Topics.source(provider, code) + "-value").id())
                .isEqualTo(latest(Topics.CATALOG, CatalogEntry.class, code, e -> true).getSchemaId());

        CommandResult pending = sendAndAwait(consumer, request(code, "verify residence for school enrolment"));
        assertThat(pending.getOutcome()).as(pending.getMessage()).isEqualTo(Outcome.PENDING);
        AccessRequest request = latest(Topics.REQUESTS, AccessRequest.class, pending.getRequestId(), r -> true);
        assertThat(request.getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(request.getFiledAt()).isEqualTo(SEPTEMBER_18);
        // the worked example: due at the end of 2026-10-09
        assertThat(request.getDueAt()).isEqualTo(java.time.OffsetDateTime.parse("2026-10-09T23:59:59.999+08:00").toInstant());
        assertThat(request.getDueAt()).isEqualTo(WorkingDayCalendar.bundled().dueInstant(request.getFiledAt(), 10));
        assertThat(request.getDueProvisional()).isFalse();
        assertThat(pending.getMessage()).contains(request.getDueAt().toString()).doesNotContain("provisional");

        CommandResult approved = sendAndAwait(provider, DecideRequest.newBuilder()
                .setRequestId(pending.getRequestId())
                .setDecision(Decision.APPROVE)
                .setAllowedFields(List.of("idNumber", "divisionCode"))
                .setRowFilter("divisionCode == \"510104\"")
                .build());
        assertThat(approved.getOutcome()).as(approved.getMessage()).isEqualTo(Outcome.ACCEPTED);

        Grant grant = latest(Topics.GRANTS, Grant.class, approved.getGrantId(), g -> true);
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getConsumer()).isEqualTo(consumer);
        assertThat(grant.getProvider()).isEqualTo(provider);
        assertThat(grant.getAllowedFields()).containsExactly("idNumber", "divisionCode");
        assertThat(grant.getRowFilter()).isEqualTo("divisionCode == \"510104\"");
        assertThat(grant.getPurpose()).isEqualTo("verify residence for school enrolment");
        assertThat(latest(Topics.REQUESTS, AccessRequest.class, pending.getRequestId(),
                r -> r.getStatus() != RequestStatus.PENDING).getStatus()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void aRequestFiledOn20December2026IsDueOn4JanuaryOnTheProvisional2027() throws Exception {
        String provider = department("psb");
        String consumer = department("edu");
        String code = code();
        assertThat(sendAndAwait(provider, register(code, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CLOCK.set(java.time.OffsetDateTime.parse("2026-12-20T10:00:00+08:00").toInstant());
        try {
            CommandResult pending = sendAndAwait(consumer, request(code, "verify residence for school enrolment"));

            assertThat(pending.getOutcome()).as(pending.getMessage()).isEqualTo(Outcome.PENDING);
            assertThat(pending.getMessage()).contains("2027-01-04 23:59:59", "due 2027-01-04, provisional calendar for 2027");
            AccessRequest request = latest(Topics.REQUESTS, AccessRequest.class, pending.getRequestId(), r -> true);
            assertThat(request.getDueAt()).isEqualTo(java.time.OffsetDateTime.parse("2027-01-04T23:59:59.999+08:00").toInstant());
            assertThat(request.getDueProvisional()).isTrue();
            assertThat(request.getDueCalendar()).isEqualTo("2026 OFFICIAL, 2027 PROVISIONAL");
        } finally {
            CLOCK.set(SEPTEMBER_18);
        }
    }

    @Test
    void anOfficialYearLoadedOnBusCalendarsCountsForNewRequestsWhileAPendingOneKeepsItsDueTime() throws Exception {
        // 2029, so the provisional 2027 of the other test stays provisional; the notice is invented for the test
        String provider = department("psb");
        String code = code();
        assertThat(sendAndAwait(provider, register(code, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CLOCK.set(java.time.OffsetDateTime.parse("2028-12-21T10:00:00+08:00").toInstant());
        try (cn.tianfu.databus.calendar.admin.Calendars calendars = cn.tianfu.databus.calendar.admin.Calendars.connect(bus.busConfig(), WAIT)) {
            // Thu 2028-12-21: 12-22, 25..29 (6); 2029-01-01 off; 01-02..05 (10): due 2029-01-05, both years provisional
            CommandResult before = sendAndAwait(department("edu"), request(code, "school enrolment"));
            assertThat(before.getMessage()).as(before.getMessage()).contains("due 2029-01-05, provisional calendar for 2028 and 2029");

            cn.tianfu.databus.calendar.YearCalendar notice = WorkingDayCalendar.parse(
                    "year 2029\n2029-01-01..2029-01-02 off 元旦\n", "it-2029.cal").calendarOf(2029);
            calendars.load(notice, true, CLOCK.instant());
            // the global store follows the topic; a new request is counted on the loaded year
            CommandResult[] after = new CommandResult[1];
            await().atMost(WAIT).until(() -> {
                after[0] = sendAndAwait(department("hrss"), request(code, "pension check"));
                return after[0].getOutcome() == Outcome.PENDING && after[0].getMessage().contains("2029-01-08 23:59:59");
            });

            // with 2029-01-02 off: 01-03..05 (9), Mon 01-08 (10)
            assertThat(after[0].getMessage()).contains("due 2029-01-08, provisional calendar for 2028");
            AccessRequest later = latest(Topics.REQUESTS, AccessRequest.class, after[0].getRequestId(), r -> true);
            assertThat(later.getDueProvisional()).isTrue();
            assertThat(later.getDueCalendar()).isEqualTo("2028 PROVISIONAL, 2029 OFFICIAL");
            AccessRequest pending = latest(Topics.REQUESTS, AccessRequest.class, before.getRequestId(), r -> true);
            assertThat(pending.getDueAt()).isEqualTo(java.time.OffsetDateTime.parse("2029-01-05T23:59:59.999+08:00").toInstant());
            assertThat(pending.getDueProvisional()).isTrue();
            assertThat(calendars.find("CN", 2029).orElseThrow().getHistory()).isNotEmpty();
        } finally {
            CLOCK.set(SEPTEMBER_18);
        }
    }

    @Test
    void ofEightDepartmentsRacingToRegisterOneCodeExactlyOneWins() throws Exception {
        String code = code();
        List<String> departments = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            departments.add(department("race" + i));
        }
        Map<String, String> commandIds = new HashMap<>();
        departments.forEach(d -> commandIds.put(d, UUID.randomUUID().toString()));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (String d : departments) {
                sent.add(pool.submit(() -> {
                    go.await();
                    send(d, commandIds.get(d), register(code, SharingClass.UNCONDITIONAL));
                    return null;
                }));
            }
            go.countDown();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, CommandResult> results = new HashMap<>();
        for (String d : departments) {
            results.put(d, reply(d, commandIds.get(d)));
        }
        List<String> winners = results.entrySet().stream()
                .filter(e -> e.getValue().getOutcome() == Outcome.ACCEPTED).map(Map.Entry::getKey).toList();
        assertThat(winners).hasSize(1);
        String winner = winners.get(0);
        results.forEach((d, r) -> {
            if (!d.equals(winner)) {
                assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
                assertThat(r.getMessage()).contains("already provided by department '" + winner + "'");
            }
        });
        // a marker command on the same resource, answered after every registration, bounds the catalog's history
        String marker = department("race-end");
        assertThat(sendAndAwait(marker, request(code, "check")).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        List<ConsumerRecord<String, CatalogEntry>> entries = records(Topics.CATALOG, CatalogEntry.class,
                r -> r.key().equals(code), l -> !l.isEmpty());
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).value().getProvider()).isEqualTo(winner);
    }

    @Test
    void malformedBytesGoToTheDeadLetterTopicAndLaterCommandsAreProcessed() throws Exception {
        String dept = department("psb");
        byte[] garbage = "not avro at all".getBytes();
        Properties p = new Properties();
        p.putAll(bus.clientProperties());
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.commands(dept), "bad-1".getBytes(), garbage)).get(30, TimeUnit.SECONDS);
        }

        DeadLetter letter = records(Topics.DEADLETTER, DeadLetter.class,
                r -> Topics.commands(dept).equals(r.value().getSourceTopic()), l -> !l.isEmpty()).get(0).value();
        assertThat(letter.getReason()).isEqualTo("MALFORMED_BYTES");
        assertThat(letter.getSourceOffset()).isEqualTo(0L);
        assertThat(letter.getOriginalValue().array()).isEqualTo(garbage);
        CommandResult invalid = reply(dept, "bad-1");
        assertThat(invalid.getOutcome()).isEqualTo(Outcome.INVALID);

        CommandResult next = sendAndAwait(dept, register(code(), SharingClass.UNCONDITIONAL));
        assertThat(next.getOutcome()).as(next.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void noDecisionIsLostAcrossRestartsOnTheSameAndOnAFreshStateDirectory() throws Exception {
        String provider = department("psb");
        String other = department("mca");
        String consumer = department("edu");
        String code = code();
        assertThat(sendAndAwait(provider, register(code, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CommandResult pending = sendAndAwait(consumer, request(code, "school enrolment"));
        assertThat(pending.getOutcome()).isEqualTo(Outcome.PENDING);

        app.close(Duration.ofSeconds(60));
        app = started(stateDir);

        CommandResult again = sendAndAwait(other, register(code, SharingClass.CONDITIONAL));
        assertThat(again.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(again.getMessage()).contains("already provided by department '" + provider + "'");
        String approvalId = UUID.randomUUID().toString();
        send(provider, approvalId, DecideRequest.newBuilder().setRequestId(pending.getRequestId())
                .setDecision(Decision.APPROVE).build());
        CommandResult approved = reply(provider, approvalId);
        assertThat(approved.getOutcome()).as(approved.getMessage()).isEqualTo(Outcome.ACCEPTED);

        app.close(Duration.ofSeconds(60));
        Path fresh = Files.createTempDirectory("governance-it-fresh-");
        try {
            app = started(fresh);

            send(provider, approvalId, DecideRequest.newBuilder().setRequestId(pending.getRequestId())
                    .setDecision(Decision.APPROVE).build());
            List<ConsumerRecord<String, CommandResult>> answers = records(Topics.replies(provider), CommandResult.class,
                    r -> r.key().equals(approvalId), l -> l.size() == 2);
            assertThat(answers.get(1).value().getOutcome()).isEqualTo(Outcome.DUPLICATE);
            CommandResult second = sendAndAwait(consumer, request(code, "school enrolment, again"));
            assertThat(second.getOutcome()).isEqualTo(Outcome.REFUSED);
            assertThat(second.getMessage()).contains("active grant " + approved.getGrantId());
            assertThat(sendAndAwait(provider, register(code, SharingClass.CONDITIONAL)).getMessage()).contains("use update");
        } finally {
            app.close(Duration.ofSeconds(60));
            app = started(stateDir);
            SharedBus.deleteRecursively(fresh);
        }
    }
}
