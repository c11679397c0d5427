package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * The deadlines app's accountability rules with the clock pinned: the OVERDUE mark sent with the violation, and the
 * authority's actions applied to the violation, with the duty of an ordered rectification (reminder, overdue). The
 * request is due at the end of Thursday 2026-11-12 (Asia/Shanghai).
 */
class ViolationLifecycleAppTest {

    private static final String ID = "10101-000001.R1";
    private static final String VID = "46-5:" + ID;
    private static final Instant FILED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    /** Ordered on Friday 2026-11-13 10:00, to rectify by the end of Friday 2026-11-20; reminded at the end of Wed 11-18. */
    private static final Instant ORDERED = Instant.parse("2026-11-13T02:00:00Z");
    private static final Instant RECTIFY_BY = Instant.parse("2026-11-20T15:59:59.999Z");
    private static final Instant RECTIFY_REMIND = Instant.parse("2026-11-18T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, AccessRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestInputTopic<String, ViolationAction> actions;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, GovernanceCommand> busCommands;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, FILED,
                registry -> StreamsAppConfig.failureHandling(DeadlinesApp.COMPONENT, registry), this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        requests = bed.input(Topics.REQUESTS, AccessRequest.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        actions = bed.input(Topics.VIOLATION_ACTIONS, ViolationAction.class);
        replies = bed.output(Topics.replies("psb"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
        deadLetters = bed.output(Topics.DEADLETTER, DeadLetter.class);
        busCommands = bed.output(Topics.commands("bus"), GovernanceCommand.class);
    }

    private static AccessRequest pending() {
        return AccessRequest.newBuilder().setRequestId(ID).setResourceCode("10101-000001").setProvider("psb")
                .setConsumer("hrss").setPurpose("社保待遇资格认证").setMethod(SharingMethod.PUSH)
                .setStatus(RequestStatus.PENDING).setFiledAt(FILED).setDueAt(DUE).build();
    }

    /** Raises the request's violation and feeds it back as bus.violations holds it (the global store). */
    private Violation violationRaised() {
        requests.pipeInput(ID, pending());
        bed.at(DUE);
        Violation v = violations.readValuesToList().get(0);
        violationsIn.pipeInput(v.getId(), v);
        replies.readValuesToList();
        return v;
    }

    private static ViolationAction action(String actionId, ViolationActionKind kind, Instant at, Instant rectifyBy) {
        return ViolationAction.newBuilder().setActionId(actionId).setViolationId(VID).setAction(kind)
                .setRectifyBy(rectifyBy).setBy("bus").setAt(at).setNote("note " + actionId).build();
    }

    @Test
    void theRequestIsMarkedOverdueOnceAtItsDueTimeWithTheViolation() {
        requests.pipeInput(ID, pending());
        bed.at(DUE.minusMillis(1));
        assertThat(busCommands.isEmpty()).isTrue();

        bed.at(DUE);
        List<KeyValue<String, GovernanceCommand>> sent = busCommands.readKeyValuesToList();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).key).isEqualTo("overdue:" + ID);
        GovernanceCommand cmd = sent.get(0).value;
        assertThat(cmd.getCommandId()).isEqualTo("overdue:" + ID);
        assertThat(cmd.getDepartment()).isEqualTo("bus");
        assertThat(((MarkOverdue) cmd.getPayload()).getRequestId()).isEqualTo(ID);
        assertThat(((MarkOverdue) cmd.getPayload()).getViolationId()).isEqualTo(VID);
        assertThat(violations.readValuesToList()).hasSize(1);

        // governance's overdue state comes back on bus.requests: nothing more is sent
        requests.pipeInput(ID, AccessRequest.newBuilder(pending()).setOverdueAt(DUE).build());
        bed.at(DUE.plus(Duration.ofDays(3)));
        assertThat(busCommands.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void afterAWipedStateTheOverdueMarkIsSentWithTheSameCommandIdOnly() {
        Violation v = violationRaised();
        assertThat(busCommands.readValuesToList()).hasSize(1);

        bed.restart("b");
        bed.now.set(DUE.plus(Duration.ofDays(1)));
        violationsIn.pipeInput(v.getId(), v);
        requests.pipeInput(ID, pending());
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
        // governance answers a repeated command id DUPLICATE and changes nothing
        assertThat(busCommands.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("overdue:" + ID);
    }

    @Test
    void anOrderedRectificationIsRemindedOnceAndRecordedOverdueOnceAtItsDeadline() {
        violationRaised();
        bed.now.set(ORDERED);
        actions.pipeInput(VID, action("bus/c1", ViolationActionKind.ORDER_RECTIFICATION, ORDERED, RECTIFY_BY));
        Violation ordered = violations.readValuesToList().get(0);
        assertThat(ordered.getStatus()).isEqualTo(ViolationStatus.RECTIFICATION_ORDERED);
        assertThat(ordered.getRectifyBy()).isEqualTo(RECTIFY_BY);
        assertThat(ordered.getHistory()).hasSize(2);
        assertThat(ordered.getHistory().get(1).getBy()).isEqualTo("bus");
        assertThat(ordered.getHistory().get(1).getNote()).contains("note bus/c1");

        bed.at(RECTIFY_REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();
        bed.at(RECTIFY_REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("rectify-reminder:" + VID);
        assertThat(reminders.get(0).value.getMessage()).contains(VID).contains(RECTIFY_BY.toString());
        bed.at(RECTIFY_REMIND.plusSeconds(3600));
        assertThat(replies.isEmpty()).isTrue();

        bed.at(RECTIFY_BY.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();
        bed.at(RECTIFY_BY);
        Violation overdue = violations.readValuesToList().get(0);
        assertThat(overdue.getStatus()).isEqualTo(ViolationStatus.RECTIFICATION_ORDERED);
        assertThat(overdue.getRectificationOverdueAt()).isEqualTo(RECTIFY_BY);
        assertThat(overdue.getHistory()).hasSize(3);
        bed.at(RECTIFY_BY.plus(Duration.ofDays(5)));
        assertThat(violations.isEmpty()).isTrue();

        // the authority escalates it
        actions.pipeInput(VID, action("bus/c2", ViolationActionKind.ESCALATE, RECTIFY_BY.plusSeconds(7200), null));
        Violation escalated = violations.readValuesToList().get(0);
        assertThat(escalated.getStatus()).isEqualTo(ViolationStatus.ESCALATED);
        assertThat(escalated.getHistory()).extracting(e -> e.getStatus().name())
                .containsExactly("OPEN", "RECTIFICATION_ORDERED", "RECTIFICATION_ORDERED", "ESCALATED");
    }

    @Test
    void aRectificationRecordedInTimeEndsTheDuty() {
        violationRaised();
        bed.now.set(ORDERED);
        actions.pipeInput(VID, action("bus/c1", ViolationActionKind.ORDER_RECTIFICATION, ORDERED, RECTIFY_BY));
        actions.pipeInput(VID, action("bus/c2", ViolationActionKind.RECTIFIED, ORDERED.plusSeconds(60), null));
        List<Violation> written = violations.readValuesToList();
        assertThat(written).extracting(Violation::getStatus)
                .containsExactly(ViolationStatus.RECTIFICATION_ORDERED, ViolationStatus.RECTIFIED);
        bed.at(RECTIFY_REMIND);
        bed.at(RECTIFY_BY.plusSeconds(1));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void anActionReadAgainAfterTheStateIsLostChangesNothing() {
        violationRaised();
        bed.now.set(ORDERED);
        ViolationAction order = action("bus/c1", ViolationActionKind.ORDER_RECTIFICATION, ORDERED, RECTIFY_BY);
        actions.pipeInput(VID, order);
        Violation ordered = violations.readValuesToList().get(0);

        bed.restart("b");
        violationsIn.pipeInput(VID, ordered);
        actions.pipeInput(VID, order);
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void anActionThatNoLongerFitsIsNotApplied() {
        violationRaised();
        actions.pipeInput(VID, action("bus/c1", ViolationActionKind.RECTIFIED, ORDERED, null));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(deadLetters.readValuesToList()).singleElement()
                .satisfies(l -> assertThat(l.getMessage()).contains("is OPEN"));
        // the app goes on: a fitting action is applied
        actions.pipeInput(VID, action("bus/c2", ViolationActionKind.ORDER_RECTIFICATION, ORDERED, RECTIFY_BY));
        assertThat(violations.readValuesToList()).hasSize(1);
    }
}
