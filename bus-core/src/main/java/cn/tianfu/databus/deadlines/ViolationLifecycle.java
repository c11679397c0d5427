package cn.tianfu.databus.deadlines;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The statuses a violation goes through (Art. 46) and what the authority may do in each: OPEN → RECTIFICATION_ORDERED
 * (责令限期整改, with a deadline) → RECTIFIED or ESCALATED. Governance checks an action with {@link #problem}; the
 * deadlines app, the one writer of {@code bus.violations}, applies it with {@link #apply}, checking it again.
 *
 * <pre>{@code
 * ViolationLifecycle.problem(violation, ViolationActionKind.RECTIFIED);   // "... is OPEN: order its rectification first"
 * Violation ordered = ViolationLifecycle.apply(violation, action);        // RECTIFICATION_ORDERED, rectifyBy set
 * }</pre>
 */
public final class ViolationLifecycle {

    /** Working days before the rectification deadline the department is reminded. */
    public static final int REMINDER_WORKING_DAYS = DecisionDuty.REMINDER_WORKING_DAYS;

    /** Prefix of the id (the reply key) of a reminder of an ordered rectification. */
    public static final String RECTIFY_REMINDER_PREFIX = "rectify-reminder:";

    private ViolationLifecycle() {
    }

    /** The status an action leads to. */
    public static ViolationStatus target(ViolationActionKind action) {
        return switch (action) {
            case ORDER_RECTIFICATION -> ViolationStatus.RECTIFICATION_ORDERED;
            case RECTIFIED -> ViolationStatus.RECTIFIED;
            case ESCALATE -> ViolationStatus.ESCALATED;
        };
    }

    /** The status an action must find. */
    public static ViolationStatus from(ViolationActionKind action) {
        return action == ViolationActionKind.ORDER_RECTIFICATION ? ViolationStatus.OPEN : ViolationStatus.RECTIFICATION_ORDERED;
    }

    /** Why {@code action} cannot be taken on {@code v} in its status; empty when it can. */
    public static Optional<String> problem(Violation v, ViolationActionKind action) {
        ViolationStatus required = from(action);
        if (v.getStatus() == required) {
            return Optional.empty();
        }
        String what = switch (action) {
            case ORDER_RECTIFICATION -> "rectification can only be ordered for an OPEN violation";
            case RECTIFIED, ESCALATE -> "a violation is recorded rectified or escalated only after its rectification"
                    + " was ordered (RECTIFICATION_ORDERED)" + (v.getStatus() == ViolationStatus.OPEN
                    ? ": order it first ('databus violation order " + v.getId() + " --within N')" : "");
        };
        return Optional.of("violation " + v.getId() + " is " + v.getStatus() + "; " + what);
    }

    /**
     * {@code v} after {@code a}: the new status, the deadline with an order, and the step appended to its history.
     *
     * @throws IllegalStateException when the action does not fit the violation's status ({@link #problem})
     */
    public static Violation apply(Violation v, ViolationAction a) {
        problem(v, a.getAction()).ifPresent(p -> {
            throw new IllegalStateException(p);
        });
        ViolationStatus to = target(a.getAction());
        List<ViolationEvent> history = new ArrayList<>(v.getHistory());
        history.add(ViolationEvent.newBuilder().setAt(a.getAt()).setStatus(to).setBy(a.getBy())
                .setNote(note(a)).build());
        Violation.Builder b = Violation.newBuilder(v).setStatus(to).setHistory(history);
        if (a.getAction() == ViolationActionKind.ORDER_RECTIFICATION) {
            b.setRectifyBy(a.getRectifyBy()).setRectificationOverdueAt(null);
        }
        return b.build();
    }

    /**
     * {@code v} with its ordered rectification found not done at {@code now}: {@code rectificationOverdueAt} set and a
     * step (status unchanged) in its history, by {@code by}.
     */
    public static Violation rectificationOverdue(Violation v, Instant now, String by) {
        List<ViolationEvent> history = new ArrayList<>(v.getHistory());
        history.add(ViolationEvent.newBuilder().setAt(now).setStatus(v.getStatus()).setBy(by)
                .setNote("rectification overdue: not recorded rectified by " + v.getRectifyBy()
                        + "; the authority may escalate it ('databus violation escalate " + v.getId() + "')").build());
        return Violation.newBuilder(v).setRectificationOverdueAt(now).setHistory(history).build();
    }

    /** The reminder's id (key on the department's {@code reply.<dept>}) of an ordered rectification. */
    public static String reminderId(String violationId) {
        return RECTIFY_REMINDER_PREFIX + violationId;
    }

    private static String note(ViolationAction a) {
        String note = a.getNote() == null || a.getNote().isBlank() ? null : a.getNote();
        if (a.getAction() == ViolationActionKind.ORDER_RECTIFICATION) {
            String by = "rectify by " + a.getRectifyBy();
            return note == null ? by : by + "; " + note;
        }
        return note;
    }
}
