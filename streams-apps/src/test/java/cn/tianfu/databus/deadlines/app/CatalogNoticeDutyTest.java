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
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;

/**
 * The deadlines app's duty "update the catalogue within 15 working days of a recorded change" (Art. 14 → 46(四)), the
 * clock pinned: the notice below is due at the end of Thursday 2026-11-12 (Asia/Shanghai), so its department is reminded
 * at the end of Tuesday 2026-11-10.
 */
class CatalogNoticeDutyTest {

    private static final String ID = "notice:psb:c1";
    private static final Instant ISSUED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, CatalogNotice> notices;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, GovernanceCommand> commands;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, ISSUED, this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        notices = bed.input(Topics.CATALOG_NOTICES, CatalogNotice.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        replies = bed.output(Topics.replies("psb"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
        commands = bed.output(Topics.AUTHORITY_COMMANDS, GovernanceCommand.class);
    }

    private static CatalogNotice notice(NoticeStatus status) {
        return CatalogNotice.newBuilder().setId(ID).setDepartment("psb").setReason("a new regulation on household registers")
                .setIssuedAt(ISSUED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL").setStatus(status)
                .setClosedAt(status == NoticeStatus.OPEN ? null : REMIND)
                .setClosedBy(status == NoticeStatus.OPEN ? null : "psb/c9 on 10101-000001").build();
    }

    @Test
    void theDepartmentIsRemindedOnceTwoWorkingDaysBeforeTheUpdateIsDue() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        bed.at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        bed.at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getSubjectId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains(ID, "Art. 14", "46(四)");

        bed.at(REMIND.plus(Duration.ofHours(5)));
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aCatalogueNotUpdatedIsOneViolationUnderArt46Item4AndNoOverdueCommand() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        bed.at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        bed.at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-4:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_4);
        assertThat(v.getDuty()).isEqualTo(DutyKind.UPDATE_CATALOG);
        assertThat(v.getDepartment()).isEqualTo("psb");
        assertThat(v.getCounterparty()).isNull();
        assertThat(v.getResourceCode()).isNull();
        assertThat(commands.isEmpty()).as("no MarkOverdue for a notice").isTrue();
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getEvidence()).contains(ID, Topics.CATALOG_NOTICES + "/0@0");

        bed.at(DUE.plus(Duration.ofDays(3)));
        notices.pipeInput(ID, notice(NoticeStatus.OPEN)); // read again: nothing new
        assertThat(violations.isEmpty()).isTrue();
        // updated late: the violation stays, nothing else is raised
        notices.pipeInput(ID, notice(NoticeStatus.CLOSED));
        bed.at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aCatalogueUpdatedInTimeClosesTheDuty() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        bed.at(REMIND.minus(Duration.ofDays(1)));
        notices.pipeInput(ID, notice(NoticeStatus.CLOSED));
        bed.at(REMIND);
        bed.at(DUE.plus(Duration.ofDays(1)));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aWipedStateDoesNotRaiseTheViolationAgain() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        bed.at(DUE);
        Violation v = violations.readValuesToList().get(0);

        bed.restart("b");   // a new state directory, as after losing state and changelog
        violationsIn.pipeInput(v.getId(), v);
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        bed.at(DUE.plus(Duration.ofHours(1)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }
}
