package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;

/**
 * The deadlines app's duty "answer a public request to open data within 10 days" (Art. 34 → 46(五)), the clock pinned:
 * filed on Monday 2026-11-02, the request is due at the end of Thursday 2026-11-12 (Asia/Shanghai, calendar days), so
 * its provider is reminded at the end of Tuesday 2026-11-10.
 */
class PublicRequestDutyTest {

    private static final String ID = "amr.P1";
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, PublicRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, GovernanceCommand> commands;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, FILED, this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        requests = bed.input(Topics.PUBLIC_REQUESTS, PublicRequest.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        replies = bed.output(Topics.replies("amr"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
        commands = bed.output(Topics.AUTHORITY_COMMANDS, GovernanceCommand.class);
    }

    private static PublicRequest request(PublicRequestStatus status) {
        return PublicRequest.newBuilder().setId(ID).setProvider("amr").setResourceCode("10201-000002")
                .setTitle("企业年报").setRequesterName("张三").setRequesterContact("zhang@example.org")
                .setFiledAt(FILED).setDueAt(PublicRequestRules.dueAt(FILED)).setStatus(status)
                .setAnsweredAt(status == PublicRequestStatus.PENDING ? null : REMIND)
                .setAnsweredBy(status == PublicRequestStatus.PENDING ? null : "amr")
                .setOpenBy(status == PublicRequestStatus.WILL_OPEN ? LocalDate.of(2026, 12, 1) : null)
                .build();
    }

    @Test
    void theDueTimeIsTheRulesOneAndTheProviderIsRemindedOnce() {
        assertThat(PublicRequestRules.dueAt(FILED)).isEqualTo(DUE);
        requests.pipeInput(ID, request(PublicRequestStatus.PENDING));
        bed.at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        bed.at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:public:" + ID);
        assertThat(reminders.get(0).value.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminders.get(0).value.getSubjectId()).isEqualTo(ID);
        assertThat(reminders.get(0).value.getMessage()).contains("Art. 34", "46(五)", "databus public-requests answer " + ID);

        bed.at(REMIND.plus(Duration.ofHours(5)));
        requests.pipeInput(ID, request(PublicRequestStatus.PENDING));
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void anUnansweredRequestIsOneViolationUnderArt46Item5() {
        requests.pipeInput(ID, request(PublicRequestStatus.PENDING));
        bed.at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        bed.at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:public:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDuty()).isEqualTo(DutyKind.ANSWER_OPEN_DATA_REQUEST);
        assertThat(v.getDepartment()).isEqualTo("amr");
        assertThat(v.getCounterparty()).isEqualTo("public");
        assertThat(v.getResourceCode()).isEqualTo("10201-000002");
        assertThat(v.getEvidence()).contains(ID, Topics.PUBLIC_REQUESTS + "/0@0");
        assertThat(commands.isEmpty()).as("no MarkOverdue for a public request").isTrue();

        // answered late: the violation stays, nothing more is raised
        requests.pipeInput(ID, request(PublicRequestStatus.REFUSED));
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void anAnswerInTimeClosesTheDutyAndAWipedStateRaisesNothingTwice() {
        requests.pipeInput(ID, request(PublicRequestStatus.PENDING));
        bed.at(REMIND.minus(Duration.ofDays(1)));
        requests.pipeInput(ID, request(PublicRequestStatus.WILL_OPEN));
        bed.at(DUE.plus(Duration.ofDays(1)));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();

        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(PublicRequestStatus.PENDING)).setId("amr.P2").build());
        Violation v = violations.readValuesToList().get(0);
        assertThat(v.getId()).isEqualTo("46-5:public:amr.P2");

        bed.restart("b");
        violationsIn.pipeInput(v.getId(), v);
        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(PublicRequestStatus.PENDING)).setId("amr.P2").build());
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }
}
