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
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;

/**
 * The deadlines app's duty "answer an error report within 10 working days" (Art. 27 → 46(五)), the clock pinned: the
 * report below is due at the end of Thursday 2026-11-12 (Asia/Shanghai), so its provider is reminded at the end of
 * Tuesday 2026-11-10.
 */
class ReportDutyTest {

    private static final String ID = "10101-000001.E1";
    private static final Instant REPORTED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, ErrorReport> reports;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, REPORTED, this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        reports = bed.input(Topics.ERROR_REPORTS, ErrorReport.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        replies = bed.output(Topics.replies("psb"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
    }

    private static ErrorReport report(ErrorReportStatus status) {
        return ErrorReport.newBuilder().setId(ID).setResourceCode("10101-000001").setProvider("psb").setConsumer("hrss")
                .setRecordKey("510104199001011234").setField("name").setProblem("misspelt").setFoundAt(REPORTED)
                .setReportedAt(REPORTED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL").setStatus(status)
                .setAnsweredAt(status == ErrorReportStatus.OPEN ? null : REMIND).build();
    }

    @Test
    void theProviderIsRemindedOnceTwoWorkingDaysBeforeTheAnswerIsDue() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        bed.at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        bed.at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:report:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getSubjectId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains("answer-report " + ID, "Art. 27");

        bed.at(REMIND.plus(Duration.ofHours(5)));
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void anUnansweredReportIsOneViolationUnderArt46Item5() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        bed.at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        bed.at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:report:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDuty()).isEqualTo(DutyKind.ANSWER_ERROR_REPORT);
        assertThat(v.getDepartment()).isEqualTo("psb");
        assertThat(v.getCounterparty()).isEqualTo("hrss");
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getEvidence()).contains(ID, Topics.ERROR_REPORTS + "/0@0");

        bed.at(DUE.plus(Duration.ofDays(3)));
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN)); // read again: nothing new
        assertThat(violations.isEmpty()).isTrue();
        // answered late: the violation stays, nothing else is raised
        reports.pipeInput(ID, report(ErrorReportStatus.ANSWERED_CORRECTED));
        bed.at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aReportAnsweredInTimeClosesTheDuty() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        bed.at(REMIND.minus(Duration.ofDays(1)));
        reports.pipeInput(ID, report(ErrorReportStatus.ANSWERED_REJECTED));
        bed.at(REMIND);
        bed.at(DUE.plus(Duration.ofDays(1)));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aWipedStateDoesNotRaiseTheViolationAgain() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        bed.at(DUE);
        Violation v = violations.readValuesToList().get(0);

        bed.restart("b");   // a new state directory, as after losing state and changelog
        violationsIn.pipeInput(v.getId(), v);
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        bed.at(DUE.plus(Duration.ofHours(1)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }
}
