package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The deadlines topology with the clock pinned: the request below is due at the end of Thursday 2026-11-12 (Asia/Shanghai),
 * so its provider is reminded at the end of Tuesday 2026-11-10.
 */
class DeadlinesAppTest {

    private static final String ID = "10101-000001.R1";
    private static final Instant FILED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");
    private static final Duration CHECK = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(FILED);
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<String, AccessRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;

    @BeforeEach
    void start() {
        driver = newDriver("a");
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TopologyTestDriver newDriver(String dir) {
        InstantSource clock = () -> now.get();
        DeadlinesContext ctx = new DeadlinesContext(registry, WorkingDayCalendar.bundled().withProvisionalYears(), clock, CHECK);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "deadlines-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        TopologyTestDriver d = new TopologyTestDriver(DeadlinesApp.buildTopology(ctx), props, FILED);
        AvroSerde<AccessRequest> requestSerde = AvroSerde.specific(registry, AccessRequest.class);
        AvroSerde<Violation> violationSerde = AvroSerde.specific(registry, Violation.class);
        requests = d.createInputTopic(Topics.REQUESTS, new StringSerializer(), requestSerde.serializer());
        violationsIn = d.createInputTopic(Topics.VIOLATIONS, new StringSerializer(), violationSerde.serializer());
        replies = d.createOutputTopic(Topics.replies("psb"), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer());
        violations = d.createOutputTopic(Topics.VIOLATIONS, new StringDeserializer(), violationSerde.deserializer());
        return d;
    }

    private static AccessRequest request(RequestStatus status) {
        return AccessRequest.newBuilder().setRequestId(ID).setResourceCode("10101-000001").setProvider("psb")
                .setConsumer("hrss").setPurpose("社保待遇资格认证").setMethod(SharingMethod.PUSH).setStatus(status)
                .setFiledAt(FILED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL")
                .setDecidedAt(status == RequestStatus.PENDING ? null : FILED.plusSeconds(60)).build();
    }

    /** Moves the pinned clock to {@code t} and lets the wall-clock punctuation run. */
    private void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    @Test
    void theProviderIsRemindedOnceTwoWorkingDaysBeforeTheDueTime() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getDepartment()).isEqualTo("psb");
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getRequestId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains("2 working days left").contains(DUE.toString());

        at(REMIND.plus(Duration.ofHours(20)));
        requests.pipeInput(ID, request(RequestStatus.PENDING)); // the same state again
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aViolationIsRaisedOnceAtTheDueTime() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDepartment()).isEqualTo("psb");
        assertThat(v.getDuty()).isEqualTo(DutyKind.DECIDE_REQUEST);
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getCounterparty()).isEqualTo("hrss");
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getDetectedAt()).isEqualTo(DUE);
        assertThat(v.getStatus()).isEqualTo(ViolationStatus.OPEN);
        assertThat(v.getEvidence()).startsWith(ID).anyMatch(e -> e.startsWith(Topics.REQUESTS + "/0@"));
        assertThat(v.getHistory()).singleElement().satisfies(e -> assertThat(e.getStatus()).isEqualTo(ViolationStatus.OPEN));

        at(DUE.plus(Duration.ofDays(3)));
        requests.pipeInput(ID, request(RequestStatus.PENDING)); // still undecided, re-emitted
        at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
        // the reminder came first, once
        assertThat(replies.readValuesToList()).hasSize(1);
    }

    @Test
    void aRequestDecidedOrWithdrawnBeforeTheDueTimeClosesTheDuty() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        requests.pipeInput("other", AccessRequest.newBuilder(request(RequestStatus.PENDING)).setRequestId("other").build());
        at(DUE.minusSeconds(3600));
        requests.pipeInput(ID, request(RequestStatus.APPROVED));
        requests.pipeInput("other", AccessRequest.newBuilder(request(RequestStatus.WITHDRAWN)).setRequestId("other").build());
        at(DUE.plus(Duration.ofDays(1)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aDutyFirstSeenAfterItsDueTimeRaisesTheViolationAloneAtOnce() {
        now.set(DUE.plus(Duration.ofDays(2)));
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        assertThat(violations.readValuesToList()).hasSize(1);
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void afterTheStateIsWipedNothingIsRaisedTwice() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        at(REMIND);
        at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        assertThat(replies.readValuesToList()).hasSize(1);
        driver.close();

        // a new instance with an empty state directory reads the topics from their beginning
        driver = newDriver("b");
        now.set(DUE.plus(Duration.ofDays(1)));
        violationsIn.pipeInput(raised.get(0).key, raised.get(0).value);
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void aTombstoneClosesTheDuty() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        requests.pipeInput(ID, (AccessRequest) null);
        at(DUE);
        assertThat(violations.isEmpty()).isTrue();
    }
}
