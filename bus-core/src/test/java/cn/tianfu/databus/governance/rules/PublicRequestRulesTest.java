package cn.tianfu.databus.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.schemas.AnswerPublicRequest;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.SubmitPublicRequest;

/** {@link PublicRequestRules}: the public's requests to open data and the provider's answers (Art. 34). */
class PublicRequestRulesTest {

    /** Monday 2026-11-02, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-11-02T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final SubmitPublicRequest ASK = SubmitPublicRequest.newBuilder().setProvider("amr")
            .setResourceCode("10201-000001").setTitle("企业年报").setDescription("research")
            .setRequesterName("张三").setRequesterContact("zhang@example.org").build();

    private static PublicRequest filed(List<PublicRequest> earlier) {
        Decision.Accepted a = (Decision.Accepted) PublicRequestRules.submit("bus", ASK, true, earlier, MONDAY);
        assertThat(a.answer().outcome()).isEqualTo(Outcome.PENDING);
        return ((Change.PublicRequestState) a.changes().get(0)).request();
    }

    private static Answer refusal(Decision d) {
        assertThat(d).isInstanceOf(Decision.Refused.class);
        return ((Decision.Refused) d).answer();
    }

    @Test
    void dueAtTheEndOfTheTenthCalendarDayNotWorkingDays() {
        // filed on Monday 2026-11-02: due at the end of Thursday 2026-11-12, weekends counted (10日, not 10个工作日)
        assertThat(PublicRequestRules.dueAt(MONDAY))
                .isEqualTo(ZonedDateTime.parse("2026-11-12T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        // 23:30 UTC on 2026-09-30 is already 10-01 in Shanghai: due at the end of 10-11, across the National Day holiday
        assertThat(PublicRequestRules.dueAt(Instant.parse("2026-09-30T23:30:00Z")))
                .isEqualTo(ZonedDateTime.parse("2026-10-11T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
    }

    @Test
    void onlyTheBusFilesForAKnownDepartmentWithNameAndContact() {
        assertThat(refusal(PublicRequestRules.submit("edu", ASK, true, List.of(), MONDAY)).outcome())
                .isEqualTo(Outcome.REFUSED);
        assertThat(refusal(PublicRequestRules.submit("bus", ASK, false, List.of(), MONDAY)).outcome())
                .isEqualTo(Outcome.NOT_FOUND);
        Answer noContact = refusal(PublicRequestRules.submit("bus", SubmitPublicRequest.newBuilder(ASK)
                .setRequesterContact(" ").build(), true, List.of(), MONDAY));
        assertThat(noContact.outcome()).isEqualTo(Outcome.INVALID);
        assertThat(noContact.message()).contains("requesterContact");

        PublicRequest first = filed(List.of());
        assertThat(first.getId()).isEqualTo("amr.P1");
        assertThat(first.getStatus()).isEqualTo(PublicRequestStatus.PENDING);
        assertThat(first.getDueAt()).isEqualTo(PublicRequestRules.dueAt(MONDAY));
        assertThat(filed(List.of(first)).getId()).isEqualTo("amr.P2");
        assertThat(PublicRequestRules.providerOf("amr.P12")).contains("amr");
        assertThat(PublicRequestRules.providerOf("10201-000001.R1")).isEmpty();
    }

    @Test
    void theProviderAnswersOnceARefusalNeedsAReasonAndLateAnswersAreMarked() {
        PublicRequest r = filed(List.of());
        AnswerPublicRequest refuse = AnswerPublicRequest.newBuilder().setRequestId(r.getId())
                .setStatus(PublicRequestStatus.REFUSED).build();
        Instant tuesday = MONDAY.plus(Duration.ofDays(1));

        assertThat(refusal(PublicRequestRules.answer("edu", refuse, r, tuesday)).message()).contains("only its provider");
        assertThat(refusal(PublicRequestRules.answer("amr", refuse, r, tuesday)).message()).contains("reason");
        assertThat(refusal(PublicRequestRules.answer("amr", refuse, null, tuesday)).outcome()).isEqualTo(Outcome.NOT_FOUND);
        AnswerPublicRequest past = AnswerPublicRequest.newBuilder().setRequestId(r.getId())
                .setStatus(PublicRequestStatus.WILL_OPEN).setOpenBy(LocalDate.of(2026, 11, 1)).build();
        assertThat(refusal(PublicRequestRules.answer("amr", past, r, tuesday)).message()).contains("in the past");

        Decision.Accepted ok = (Decision.Accepted) PublicRequestRules.answer("amr", AnswerPublicRequest
                .newBuilder(refuse).setAnswer("涉及商业秘密").build(), r, tuesday);
        PublicRequest answered = ((Change.PublicRequestState) ok.changes().get(0)).request();
        assertThat(answered.getStatus()).isEqualTo(PublicRequestStatus.REFUSED);
        assertThat(answered.getAnswer()).isEqualTo("涉及商业秘密");
        assertThat(answered.getAnsweredLate()).isFalse();
        assertThat(refusal(PublicRequestRules.answer("amr", refuse, answered, tuesday)).message()).contains("already");

        Decision.Accepted late = (Decision.Accepted) PublicRequestRules.answer("amr", AnswerPublicRequest.newBuilder()
                .setRequestId(r.getId()).setStatus(PublicRequestStatus.WILL_OPEN).setOpenBy(LocalDate.of(2026, 12, 31))
                .build(), r, MONDAY.plus(Duration.ofDays(11)));
        PublicRequest willOpen = ((Change.PublicRequestState) late.changes().get(0)).request();
        assertThat(willOpen.getAnsweredLate()).isTrue();
        assertThat(willOpen.getOpenBy()).isEqualTo(LocalDate.of(2026, 12, 31));
        assertThat(willOpen.getOpenedResourceCode()).isEqualTo("10201-000001");
        assertThat(late.answer().message()).contains("late");
    }
}
