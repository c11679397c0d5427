package cn.tianfu.databus.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.deadlines.ViolationLifecycle;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;

/** The rules of the bus's accountability commands: MarkOverdue and the authority's actions on a violation. */
class AccountabilityRulesTest {

    /** Friday 2026-11-13, 10:00 Asia/Shanghai. */
    static final Instant NOW = ZonedDateTime.parse("2026-11-13T10:00:00+08:00[Asia/Shanghai]").toInstant();
    static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    static final String REQUEST = "101-000001.R1";
    static final String VIOLATION = "46-5:" + REQUEST;

    static AccessRequest pending() {
        return AccessRequest.newBuilder().setRequestId(REQUEST).setResourceCode("101-000001").setProvider("psb")
                .setConsumer("edu").setPurpose("p").setMethod(SharingMethod.PUSH).setStatus(RequestStatus.PENDING)
                .setFiledAt(DUE.minusSeconds(86400 * 14)).setDueAt(DUE).build();
    }

    static Violation violation(ViolationStatus status) {
        return Violation.newBuilder().setId(VIOLATION).setClause(ViolationClause.ART46_5).setDepartment("psb")
                .setDuty(DutyKind.DECIDE_REQUEST).setSubjectId(REQUEST).setResourceCode("101-000001")
                .setDueAt(DUE).setDetectedAt(DUE).setDescription("not decided").setStatus(status)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(DUE).setStatus(ViolationStatus.OPEN)
                        .setBy("deadlines").build()))
                .build();
    }

    static MarkOverdue mark() {
        return MarkOverdue.newBuilder().setRequestId(REQUEST).setViolationId(VIOLATION).build();
    }

    static ActOnViolation act(ViolationActionKind kind, Integer days, Instant by) {
        return ActOnViolation.newBuilder().setViolationId(VIOLATION).setAction(kind).setWithinWorkingDays(days)
                .setRectifyBy(by).setNote("note").build();
    }

    static Decision calendar(Decision d) {
        return d instanceof Decision.NeedsCalendar c ? c.then().apply(WorkingDayCalendar.bundled().withProvisionalYears()) : d;
    }

    // ---- MarkOverdue ----

    @Test
    void theBusMarksAPendingRequestOverdueAndItStaysPending() {
        Decision d = GovernanceRules.markOverdue("bus", mark(), pending(), NOW);
        Decision.Accepted a = (Decision.Accepted) d;
        AccessRequest marked = ((Change.RequestState) a.changes().get(0)).request();
        assertThat(marked.getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(marked.getOverdueAt()).isEqualTo(NOW);
        assertThat(a.answer().outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void aDepartmentCannotMarkARequestOverdue() {
        Decision d = GovernanceRules.markOverdue("edu", mark(), pending(), NOW);
        assertThat(((Decision.Refused) d).answer().outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(((Decision.Refused) d).answer().message()).contains("only the bus");
        d = GovernanceRules.markOverdue("psb", mark(), pending(), NOW);
        assertThat(d).isInstanceOf(Decision.Refused.class);
    }

    @Test
    void aRequestMarkedOnceIsLeftAsItIs() {
        AccessRequest marked = AccessRequest.newBuilder(pending()).setOverdueAt(DUE).build();
        Decision.Accepted a = (Decision.Accepted) GovernanceRules.markOverdue("bus", mark(), marked, NOW);
        assertThat(a.changes()).isEmpty();
    }

    @Test
    void aDecidedOrUnknownRequestIsNotMarked() {
        AccessRequest approved = AccessRequest.newBuilder(pending()).setStatus(RequestStatus.APPROVED).build();
        assertThat(((Decision.Refused) GovernanceRules.markOverdue("bus", mark(), approved, NOW)).answer().outcome())
                .isEqualTo(Outcome.REFUSED);
        assertThat(((Decision.Refused) GovernanceRules.markOverdue("bus", mark(), null, NOW)).answer().outcome())
                .isEqualTo(Outcome.NOT_FOUND);
    }

    // ---- ActOnViolation ----

    @Test
    void theAuthorityOrdersRectificationWithinWorkingDays() {
        Decision d = calendar(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ORDER_RECTIFICATION, 5, null),
                violation(ViolationStatus.OPEN), "bus/c1", NOW));
        ViolationAction action = ((Change.ViolationActionState) ((Decision.Accepted) d).changes().get(0)).action();
        // 5 working days from Friday 2026-11-13: Mon 16 .. Fri 20, to the end of Friday 2026-11-20 (Asia/Shanghai)
        assertThat(action.getRectifyBy()).isEqualTo(Instant.parse("2026-11-20T15:59:59.999Z"));
        assertThat(action.getBy()).isEqualTo("bus");
        assertThat(action.getActionId()).isEqualTo("bus/c1");
        assertThat(action.getAt()).isEqualTo(NOW);
    }

    @Test
    void aDepartmentCannotActOnAViolation() {
        for (ViolationActionKind kind : ViolationActionKind.values()) {
            Decision d = GovernanceRules.actOnViolation("psb", act(kind, null, null),
                    violation(ViolationLifecycle.from(kind)), "psb/c1", NOW);
            assertThat(((Decision.Refused) d).answer().outcome()).isEqualTo(Outcome.REFUSED);
            assertThat(((Decision.Refused) d).answer().message()).contains("only the public data authority");
        }
    }

    @Test
    void anUnknownViolationIsNotFound() {
        Decision d = GovernanceRules.actOnViolation("bus", act(ViolationActionKind.RECTIFIED, null, null), null, "bus/c1", NOW);
        assertThat(((Decision.Refused) d).answer().outcome()).isEqualTo(Outcome.NOT_FOUND);
    }

    @Test
    void onlyTheLifecyclesTransitionsAreAccepted() {
        // OPEN: only an order
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.RECTIFIED, null, null),
                violation(ViolationStatus.OPEN), "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ESCALATE, null, null),
                violation(ViolationStatus.OPEN), "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        // ORDERED: rectified or escalated, not ordered again
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ORDER_RECTIFICATION, 5, null),
                violation(ViolationStatus.RECTIFICATION_ORDERED), "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.RECTIFIED, null, null),
                violation(ViolationStatus.RECTIFICATION_ORDERED), "bus/c", NOW)).isInstanceOf(Decision.Accepted.class);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ESCALATE, null, null),
                violation(ViolationStatus.RECTIFICATION_ORDERED), "bus/c", NOW)).isInstanceOf(Decision.Accepted.class);
        // closed: nothing more
        for (ViolationStatus closed : List.of(ViolationStatus.RECTIFIED, ViolationStatus.ESCALATED)) {
            for (ViolationActionKind kind : ViolationActionKind.values()) {
                assertThat(calendar(GovernanceRules.actOnViolation("bus", act(kind, kind == ViolationActionKind.ORDER_RECTIFICATION
                        ? 5 : null, null), violation(closed), "bus/c", NOW))).isInstanceOf(Decision.Refused.class);
            }
        }
    }

    @Test
    void anOrderNeedsOneDeadlineInTheFuture() {
        Violation open = violation(ViolationStatus.OPEN);
        assertThat(((Decision.Refused) GovernanceRules.actOnViolation("bus",
                act(ViolationActionKind.ORDER_RECTIFICATION, null, null), open, "bus/c", NOW)).answer().outcome())
                .isEqualTo(Outcome.INVALID);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ORDER_RECTIFICATION, 5, NOW.plusSeconds(9)),
                open, "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ORDER_RECTIFICATION, null, NOW.minusSeconds(1)),
                open, "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        assertThat(GovernanceRules.actOnViolation("bus", act(ViolationActionKind.ORDER_RECTIFICATION, 0, null),
                open, "bus/c", NOW)).isInstanceOf(Decision.Refused.class);
        Decision.Accepted a = (Decision.Accepted) GovernanceRules.actOnViolation("bus",
                act(ViolationActionKind.ORDER_RECTIFICATION, null, NOW.plusSeconds(3600)), open, "bus/c", NOW);
        assertThat(((Change.ViolationActionState) a.changes().get(0)).action().getRectifyBy()).isEqualTo(NOW.plusSeconds(3600));
    }

    // ---- the lifecycle applied ----

    @Test
    void applyingAnActionRecordsWhoWhenAndTheNote() {
        ViolationAction order = ViolationAction.newBuilder().setActionId("bus/c1").setViolationId(VIOLATION)
                .setAction(ViolationActionKind.ORDER_RECTIFICATION).setRectifyBy(NOW.plusSeconds(86400)).setBy("bus")
                .setAt(NOW).setNote("decide it").build();
        Violation ordered = ViolationLifecycle.apply(violation(ViolationStatus.OPEN), order);
        assertThat(ordered.getStatus()).isEqualTo(ViolationStatus.RECTIFICATION_ORDERED);
        assertThat(ordered.getRectifyBy()).isEqualTo(NOW.plusSeconds(86400));
        assertThat(ordered.getHistory()).hasSize(2);
        ViolationEvent step = ordered.getHistory().get(1);
        assertThat(step.getBy()).isEqualTo("bus");
        assertThat(step.getAt()).isEqualTo(NOW);
        assertThat(step.getNote()).contains("decide it");
        ViolationAction done = ViolationAction.newBuilder(order).setActionId("bus/c2").setAction(ViolationActionKind.RECTIFIED)
                .setRectifyBy(null).setNote("decided").build();
        Violation rectified = ViolationLifecycle.apply(ordered, done);
        assertThat(rectified.getStatus()).isEqualTo(ViolationStatus.RECTIFIED);
        assertThat(rectified.getHistory()).extracting(ViolationEvent::getStatus).containsExactly(ViolationStatus.OPEN,
                ViolationStatus.RECTIFICATION_ORDERED, ViolationStatus.RECTIFIED);
        assertThatThrownBy(() -> ViolationLifecycle.apply(rectified, done)).isInstanceOf(IllegalStateException.class);
    }
}
