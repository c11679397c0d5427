package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerde;

/** The governance topology's accountability commands: MarkOverdue and ActOnViolation, from cmd.bus only. */
class GovernanceAccountabilityTest {

    private static final Instant FRIDAY = ZonedDateTime.parse("2026-09-18T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final String CODE = "101-000001";

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final MutableClock clock = new MutableClock(FRIDAY);
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private TestOutputTopic<String, AccessRequest> requests;
    private TestOutputTopic<String, ViolationAction> actions;
    private TestInputTopic<String, Violation> violations;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() {
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> { },
                WorkingDayCalendar.bundled(), 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, FRIDAY);
        requests = driver.createOutputTopic(Topics.REQUESTS, new StringDeserializer(),
                AvroSerde.specific(registry, AccessRequest.class).deserializer());
        actions = driver.createOutputTopic(Topics.VIOLATION_ACTIONS, new StringDeserializer(),
                AvroSerde.specific(registry, ViolationAction.class).deserializer());
        violations = driver.createInputTopic(Topics.VIOLATIONS, new StringSerializer(),
                AvroSerde.specific(registry, Violation.class).serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private CommandResult send(String dept, String commandId, Object payload) {
        inputs.computeIfAbsent(dept, d -> driver.createInputTopic(Topics.commands(d), new StringSerializer(),
                        AvroSerde.specific(registry, GovernanceCommand.class).serializer()))
                .pipeInput(commandId, command(commandId, dept, payload, clock.instant()));
        List<CommandResult> answers = replies.computeIfAbsent(dept, d -> driver.createOutputTopic(Topics.replies(d),
                new StringDeserializer(), AvroSerde.specific(registry, CommandResult.class).deserializer())).readValuesToList();
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private CommandResult send(String dept, Object payload) {
        return send(dept, "c" + ids.incrementAndGet(), payload);
    }

    private String pendingRequest() {
        assertThat(send("psb", register(CODE, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CommandResult r = send("edu", request(CODE, "verify residence"));
        assertThat(r.getOutcome()).isEqualTo(Outcome.PENDING);
        requests.readValuesToList();
        return r.getRequestId();
    }

    @Test
    void onlyTheBusMarksARequestOverdueOnceAndItStaysDecidable() {
        String id = pendingRequest();
        MarkOverdue mark = MarkOverdue.newBuilder().setRequestId(id).setViolationId("46-5:" + id).build();

        assertThat(send("psb", mark).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(send("edu", mark).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(requests.isEmpty()).isTrue();

        CommandResult marked = send("bus", "overdue:" + id, mark);
        assertThat(marked.getOutcome()).as(marked.getMessage()).isEqualTo(Outcome.ACCEPTED);
        AccessRequest overdue = requests.readValuesToList().get(0);
        assertThat(overdue.getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(overdue.getOverdueAt()).isEqualTo(FRIDAY);
        assertThat(send("bus", "overdue:" + id, mark).getOutcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(requests.isEmpty()).isTrue();

        // still decidable by its provider
        CommandResult decided = send("psb", cn.tianfu.databus.schemas.DecideRequest.newBuilder().setRequestId(id)
                .setDecision(cn.tianfu.databus.schemas.Decision.REJECT).setReason("not needed").build());
        assertThat(decided.getOutcome()).as(decided.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void theAuthoritysActionIsCheckedAgainstBusViolationsAndWrittenForTheDeadlinesApp() {
        String vid = "46-5:" + CODE + ".R1";
        ActOnViolation order = ActOnViolation.newBuilder().setViolationId(vid)
                .setAction(ViolationActionKind.ORDER_RECTIFICATION).setWithinWorkingDays(5).setNote("now").build();
        assertThat(send("bus", order).getOutcome()).isEqualTo(Outcome.NOT_FOUND);

        violations.pipeInput(vid, Violation.newBuilder().setId(vid).setClause(ViolationClause.ART46_5).setDepartment("psb")
                .setDuty(DutyKind.DECIDE_REQUEST).setSubjectId(CODE + ".R1").setDueAt(FRIDAY).setDetectedAt(FRIDAY)
                .setDescription("d").setStatus(ViolationStatus.OPEN).build());
        CommandResult refused = send("psb", order);
        assertThat(refused.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.getMessage()).contains("only the public data authority");
        assertThat(actions.isEmpty()).isTrue();

        CommandResult accepted = send("bus", order);
        assertThat(accepted.getOutcome()).as(accepted.getMessage()).isEqualTo(Outcome.ACCEPTED);
        ViolationAction action = actions.readValuesToList().get(0);
        assertThat(action.getViolationId()).isEqualTo(vid);
        assertThat(action.getBy()).isEqualTo("bus");
        // 5 working days after Friday 2026-09-18, to the end of the last (Asia/Shanghai), on governance's calendar
        assertThat(action.getRectifyBy()).isEqualTo(WorkingDayCalendar.bundled().due(FRIDAY, 5).instant())
                .isAfter(FRIDAY.plus(java.time.Duration.ofDays(4)));

        ActOnViolation close = ActOnViolation.newBuilder().setViolationId(vid).setAction(ViolationActionKind.RECTIFIED).build();
        assertThat(send("bus", close).getOutcome()).isEqualTo(Outcome.REFUSED); // still OPEN on bus.violations
    }
}
