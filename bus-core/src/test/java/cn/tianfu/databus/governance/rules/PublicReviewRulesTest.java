package cn.tianfu.databus.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.schemas.AnswerPublicRequest;
import cn.tianfu.databus.schemas.DecidePublicReview;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import cn.tianfu.databus.schemas.RecordReviewOpinion;
import cn.tianfu.databus.schemas.RequestPublicReview;
import cn.tianfu.databus.schemas.SubmitPublicRequest;

/** {@link PublicReviewRules}: the authority's review (复核) of a disputed answer to a public request (Art. 34). */
class PublicReviewRulesTest {

    /** Monday 2026-11-02, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-11-02T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final String TOKEN = "s3cr3t-token";

    private static PublicRequest filed(String token) {
        SubmitPublicRequest ask = SubmitPublicRequest.newBuilder().setProvider("amr").setResourceCode("10201-000001")
                .setTitle("企业年报").setRequesterName("张三").setRequesterContact("zhang@example.org")
                .setReviewTokenDigest(token == null ? null : PublicReviewRules.digest(token)).build();
        return state(PublicRequestRules.submit("bus", ask, true, List.of(), MONDAY));
    }

    private static PublicRequest state(Decision d) {
        assertThat(d).as(d.toString()).isInstanceOf(Decision.Accepted.class);
        return ((Change.PublicRequestState) ((Decision.Accepted) d).changes().get(0)).request();
    }

    private static Answer refusal(Decision d) {
        assertThat(d).isInstanceOf(Decision.Refused.class);
        return ((Decision.Refused) d).answer();
    }

    private static PublicRequest refused(PublicRequest r) {
        return state(PublicRequestRules.answer("amr", AnswerPublicRequest.newBuilder().setRequestId(r.getId())
                .setStatus(PublicRequestStatus.REFUSED).setAnswer("涉及商业秘密").build(), r, MONDAY.plus(Duration.ofDays(1))));
    }

    private static RequestPublicReview ask(String id, String token) {
        return RequestPublicReview.newBuilder().setRequestId(id).setReason("该数据不涉及商业秘密")
                .setReviewTokenDigest(PublicReviewRules.digest(token)).build();
    }

    @Test
    void theDecisionIsDueFifteenCalendarDaysAfterTheOpinion() {
        Instant opinion = ZonedDateTime.parse("2026-11-16T10:00:00+08:00[Asia/Shanghai]").toInstant();
        assertThat(PublicReviewRules.dueAt(opinion))
                .isEqualTo(ZonedDateTime.parse("2026-12-01T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        assertThat(PublicReviewRules.digest(TOKEN)).hasSize(64).isEqualTo(PublicReviewRules.digest(TOKEN))
                .isNotEqualTo(PublicReviewRules.digest(TOKEN + "x"));
    }

    @Test
    void onlyTheTokenHolderAsksOnceForAReviewOfAnAnswer() {
        PublicRequest pending = filed(TOKEN);
        assertThat(pending.getReviewTokenDigest()).isEqualTo(PublicReviewRules.digest(TOKEN));
        Instant later = MONDAY.plus(Duration.ofDays(3));
        assertThat(refusal(PublicReviewRules.request("bus", ask(pending.getId(), TOKEN), pending, later)).message())
                .contains("not answered yet");
        PublicRequest answered = refused(pending);
        assertThat(refusal(PublicReviewRules.request("amr", ask(answered.getId(), TOKEN), answered, later)).outcome())
                .isEqualTo(Outcome.REFUSED);
        assertThat(refusal(PublicReviewRules.request("bus", ask(answered.getId(), "guessed"), answered, later)).message())
                .contains("token does not match");
        assertThat(refusal(PublicReviewRules.request("bus", ask("amr.P9", TOKEN), null, later)).outcome())
                .isEqualTo(Outcome.NOT_FOUND);
        assertThat(refusal(PublicReviewRules.request("bus", RequestPublicReview.newBuilder(ask(answered.getId(), TOKEN))
                .setReason(" ").build(), answered, later)).outcome()).isEqualTo(Outcome.INVALID);
        PublicRequest noToken = refused(filed(null));
        assertThat(refusal(PublicReviewRules.request("bus", ask(noToken.getId(), TOKEN), noToken, later)).message())
                .contains("token does not match");

        Decision.Accepted asked = (Decision.Accepted) PublicReviewRules.request("bus", ask(answered.getId(), TOKEN),
                answered, later);
        assertThat(asked.answer().outcome()).isEqualTo(Outcome.PENDING);
        PublicRequest underReview = ((Change.PublicRequestState) asked.changes().get(0)).request();
        assertThat(underReview.getReview().getRequestedAt()).isEqualTo(later);
        assertThat(underReview.getReview().getDueAt()).as("due only from the opinion").isNull();
        assertThat(asked.changes()).filteredOn(c -> c instanceof Change.Notice)
                .extracting(c -> ((Change.Notice) c).recipient()).containsExactly("bus", "amr");
        assertThat(refusal(PublicReviewRules.request("bus", ask(answered.getId(), TOKEN), underReview, later)).message())
                .contains("already asked for");
    }

    @Test
    void theAuthorityDecidesAfterTheOpinionAndAnOverturnOrdersTheProviderToOpen() {
        PublicRequest answered = refused(filed(TOKEN));
        String id = answered.getId();
        Instant asked = MONDAY.plus(Duration.ofDays(3));
        PublicRequest underReview = state(PublicReviewRules.request("bus", ask(id, TOKEN), answered, asked));
        DecidePublicReview overturn = DecidePublicReview.newBuilder().setRequestId(id)
                .setDecision(PublicReviewDecision.OVERTURNED).setReason("专家委员会认为可以开放").build();
        assertThat(refusal(PublicReviewRules.decide("bus", overturn, underReview, asked)).message()).contains("no opinion");
        RecordReviewOpinion opinion = RecordReviewOpinion.newBuilder().setRequestId(id).setOpinion("不涉及商业秘密，建议开放").build();
        assertThat(refusal(PublicReviewRules.opinion("amr", opinion, underReview, asked)).outcome()).isEqualTo(Outcome.REFUSED);
        Instant opined = asked.plus(Duration.ofDays(1));
        PublicRequest withOpinion = state(PublicReviewRules.opinion("bus", opinion, underReview, opined));
        assertThat(withOpinion.getReview().getDueAt()).isEqualTo(PublicReviewRules.dueAt(opined));
        assertThat(refusal(PublicReviewRules.opinion("bus", opinion, withOpinion, opined)).message()).contains("already recorded");

        // the provider cannot answer again before the review's result
        AnswerPublicRequest opened = AnswerPublicRequest.newBuilder().setRequestId(id).setStatus(PublicRequestStatus.OPENED).build();
        assertThat(refusal(PublicRequestRules.answer("amr", opened, withOpinion, opined)).message()).contains("already answered");

        Instant decidedAt = opined.plus(Duration.ofDays(2));
        Decision.Accepted decided = (Decision.Accepted) PublicReviewRules.decide("bus", overturn, withOpinion, decidedAt);
        PublicRequest overturned = ((Change.PublicRequestState) decided.changes().get(0)).request();
        assertThat(overturned.getReview().getDecision()).isEqualTo(PublicReviewDecision.OVERTURNED);
        assertThat(overturned.getReview().getDecidedLate()).isFalse();
        assertThat(decided.answer().message()).contains("ordered to open");
        assertThat(decided.changes()).filteredOn(c -> c instanceof Change.Notice)
                .extracting(c -> ((Change.Notice) c).recipient()).containsExactly("amr");
        assertThat(refusal(PublicReviewRules.decide("bus", overturn, overturned, decidedAt)).message()).contains("already decided");

        // ordered to open: not refused again, but opened, once
        assertThat(refusal(PublicRequestRules.answer("amr", AnswerPublicRequest.newBuilder(opened)
                .setStatus(PublicRequestStatus.REFUSED).setAnswer("仍不同意").build(), overturned, decidedAt)).message())
                .contains("overturned");
        PublicRequest complied = state(PublicRequestRules.answer("amr", opened, overturned, decidedAt));
        assertThat(complied.getStatus()).isEqualTo(PublicRequestStatus.OPENED);
        assertThat(complied.getReview().getOrderAnsweredAt()).isEqualTo(decidedAt);
        assertThat(refusal(PublicRequestRules.answer("amr", opened, complied, decidedAt)).message()).contains("already answered");
    }

    @Test
    void aDecisionAfterTheDueTimeIsMarkedLate() {
        PublicRequest answered = refused(filed(TOKEN));
        String id = answered.getId();
        PublicRequest underReview = state(PublicReviewRules.request("bus", ask(id, TOKEN), answered, MONDAY));
        PublicRequest withOpinion = state(PublicReviewRules.opinion("bus", RecordReviewOpinion.newBuilder()
                .setRequestId(id).setOpinion("维持").build(), underReview, MONDAY));
        Instant late = withOpinion.getReview().getDueAt().plusSeconds(1);
        PublicRequest upheld = state(PublicReviewRules.decide("bus", DecidePublicReview.newBuilder().setRequestId(id)
                .setDecision(PublicReviewDecision.UPHELD).setReason("维持原答复").build(), withOpinion, late));
        assertThat(upheld.getReview().getDecidedLate()).isTrue();
        assertThat(PublicReviewRules.statusLine(upheld.getReview())).startsWith("UPHELD (decided late)");
    }
}
