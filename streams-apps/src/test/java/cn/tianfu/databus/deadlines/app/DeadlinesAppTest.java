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
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The deadlines topology with the clock pinned: the request below is due at the end of Thursday 2026-11-12 (Asia/Shanghai),
 * so its provider is reminded at the end of Tuesday 2026-11-10.
 */
class DeadlinesAppTest {

    private static final String ID = "10101-000001.R1";
    private static final Instant FILED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, AccessRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, FILED, this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        requests = bed.input(Topics.REQUESTS, AccessRequest.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        replies = bed.output(Topics.replies("psb"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
    }

    private static AccessRequest request(RequestStatus status) {
        return AccessRequest.newBuilder().setRequestId(ID).setResourceCode("10101-000001").setProvider("psb")
                .setConsumer("hrss").setPurpose("社保待遇资格认证").setMethod(SharingMethod.PUSH).setStatus(status)
                .setFiledAt(FILED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL")
                .setDecidedAt(status == RequestStatus.PENDING ? null : FILED.plusSeconds(60)).build();
    }

    @Test
    void theProviderIsRemindedOnceTwoWorkingDaysBeforeTheDueTime() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        bed.at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        bed.at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getDepartment()).isEqualTo("psb");
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getRequestId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains("2 working days left").contains(DUE.toString());

        bed.at(REMIND.plus(Duration.ofHours(20)));
        requests.pipeInput(ID, request(RequestStatus.PENDING)); // the same state again
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aViolationIsRaisedOnceAtTheDueTime() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        bed.at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        bed.at(DUE);
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

        bed.at(DUE.plus(Duration.ofDays(3)));
        requests.pipeInput(ID, request(RequestStatus.PENDING)); // still undecided, re-emitted
        bed.at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
        // the reminder came first, once
        assertThat(replies.readValuesToList()).hasSize(1);
    }

    @Test
    void aRequestDecidedOrWithdrawnBeforeTheDueTimeClosesTheDuty() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        requests.pipeInput("other", AccessRequest.newBuilder(request(RequestStatus.PENDING)).setRequestId("other").build());
        bed.at(DUE.minusSeconds(3600));
        requests.pipeInput(ID, request(RequestStatus.APPROVED));
        requests.pipeInput("other", AccessRequest.newBuilder(request(RequestStatus.WITHDRAWN)).setRequestId("other").build());
        bed.at(DUE.plus(Duration.ofDays(1)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aDutyFirstSeenAfterItsDueTimeRaisesTheViolationAloneAtOnce() {
        bed.now.set(DUE.plus(Duration.ofDays(2)));
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        assertThat(violations.readValuesToList()).hasSize(1);
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void afterTheStateIsWipedNothingIsRaisedTwice() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        bed.at(REMIND);
        bed.at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        assertThat(replies.readValuesToList()).hasSize(1);

        // a new instance with an empty state directory reads the topics from their beginning
        bed.restart("b");
        bed.now.set(DUE.plus(Duration.ofDays(1)));
        violationsIn.pipeInput(raised.get(0).key, raised.get(0).value);
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void aTombstoneClosesTheDuty() {
        requests.pipeInput(ID, request(RequestStatus.PENDING));
        requests.pipeInput(ID, (AccessRequest) null);
        bed.at(DUE);
        assertThat(violations.isEmpty()).isTrue();
    }
}
