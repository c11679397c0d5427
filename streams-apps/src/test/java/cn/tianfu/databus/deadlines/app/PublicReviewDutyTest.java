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
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.PublicReview;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;

/**
 * The deadlines app's duty "decide a public request's review within 15 days of the expert committee's opinion" (Art. 34
 * → 46(五)), the authority's, the clock pinned: the opinion recorded on Monday 2026-11-16, the decision is due at the
 * end of Tuesday 2026-12-01 (Asia/Shanghai, calendar days), the authority reminded on its reply.bus two working days
 * before (Tuesday and Monday left), at the end of Sunday 2026-11-29.
 */
class PublicReviewDutyTest {

    private static final String ID = "amr.P1";
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final Instant OPINION = Instant.parse("2026-11-16T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-12-01T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-29T15:59:59.999Z");

    @TempDir
    Path stateDir;

    private DeadlinesTestBed bed;
    private TestInputTopic<String, PublicRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> authority;
    private TestOutputTopic<String, CommandResult> provider;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, GovernanceCommand> commands;

    @BeforeEach
    void start() {
        bed = new DeadlinesTestBed(stateDir, OPINION, this::openTopics);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private void openTopics(DeadlinesTestBed bed) {
        requests = bed.input(Topics.PUBLIC_REQUESTS, PublicRequest.class);
        violationsIn = bed.input(Topics.VIOLATIONS, Violation.class);
        authority = bed.output(Topics.AUTHORITY_REPLIES, CommandResult.class);
        provider = bed.output(Topics.replies("amr"), CommandResult.class);
        violations = bed.output(Topics.VIOLATIONS, Violation.class);
        commands = bed.output(Topics.AUTHORITY_COMMANDS, GovernanceCommand.class);
    }

    /** The request refused in time; under review from 11-09; with the opinion when {@code opinion}; decided when given. */
    private static PublicRequest request(boolean opinion, PublicReviewDecision decision) {
        PublicReview.Builder review = PublicReview.newBuilder().setRequestedAt(Instant.parse("2026-11-09T02:00:00Z"))
                .setReason("不涉及商业秘密");
        if (opinion) {
            review.setOpinion("建议开放").setOpinionAt(OPINION).setOpinionBy("bus").setDueAt(PublicReviewRules.dueAt(OPINION));
        }
        if (decision != null) {
            review.setDecision(decision).setDecidedAt(REMIND.minus(Duration.ofDays(1))).setDecidedBy("bus")
                    .setDecisionReason("依专家意见");
        }
        return PublicRequest.newBuilder().setId(ID).setProvider("amr").setResourceCode("10201-000002")
                .setTitle("企业年报").setRequesterName("张三").setRequesterContact("zhang@example.org")
                .setFiledAt(FILED).setDueAt(PublicRequestRules.dueAt(FILED)).setStatus(PublicRequestStatus.REFUSED)
                .setAnsweredAt(FILED.plus(Duration.ofDays(2))).setAnsweredBy("amr").setAnswer("涉及商业秘密")
                .setReview(review.build())
                .build();
    }

    @Test
    void noDutyUntilTheOpinionThenTheAuthorityIsRemindedOnce() {
        assertThat(PublicReviewRules.dueAt(OPINION)).isEqualTo(DUE);
        requests.pipeInput(ID, request(false, null));
        bed.at(DUE.plus(Duration.ofDays(30)));
        assertThat(authority.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).as("no due time before the committee's opinion").isTrue();

        bed.now.set(OPINION);
        requests.pipeInput(ID, request(true, null));
        bed.at(REMIND.minusMillis(1));
        assertThat(authority.isEmpty()).isTrue();
        bed.at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = authority.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:review:" + ID);
        assertThat(reminders.get(0).value.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminders.get(0).value.getMessage()).contains("Art. 34", "46(五)", "databus public-requests review " + ID);
        assertThat(provider.isEmpty()).as("the review is the authority's duty, not the provider's").isTrue();

        bed.at(REMIND.plus(Duration.ofHours(5)));
        requests.pipeInput(ID, request(true, null));
        assertThat(authority.isEmpty()).isTrue();
    }

    @Test
    void anUndecidedReviewIsOneViolationOfTheAuthority() {
        requests.pipeInput(ID, request(true, null));
        bed.at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        bed.at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:review:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDuty()).isEqualTo(DutyKind.REVIEW_OPEN_DATA_REQUEST);
        assertThat(v.getDepartment()).isEqualTo("bus");
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getCounterparty()).isEqualTo("public");
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getDescription()).contains("review of public request " + ID, "15 days");
        assertThat(commands.isEmpty()).isTrue();

        // decided late: the violation stays, nothing more is raised
        requests.pipeInput(ID, request(true, PublicReviewDecision.UPHELD));
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aDecisionInTimeEndsTheDutyAndAWipedStateRaisesNothingTwice() {
        requests.pipeInput(ID, request(true, null));
        bed.at(REMIND.minus(Duration.ofDays(1)));
        requests.pipeInput(ID, request(true, PublicReviewDecision.OVERTURNED));
        bed.at(DUE.plus(Duration.ofDays(1)));
        assertThat(authority.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();

        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(true, null)).setId("amr.P2").build());
        Violation v = violations.readValuesToList().get(0);
        assertThat(v.getId()).isEqualTo("46-5:review:amr.P2");

        bed.restart("b");
        violationsIn.pipeInput(v.getId(), v);
        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(true, null)).setId("amr.P2").build());
        bed.at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }
}
