package cn.tianfu.databus.governance.rules;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.governance.rules.Change.NoticeState;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.NoticeCatalogUpdate;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.schemas.Outcome;

/**
 * The catalogue-update duty (Art. 14 → Art. 46(四)): the authority records a change of law or of a department's duties
 * ({@link NoticeCatalogUpdate}, only from the bus principal on {@code cmd.bus}); the department must change its
 * catalogue within {@value #UPDATE_WORKING_DAYS} working days, counted as request due times are. Any accepted
 * catalogue change of the department after the notice (register, update, retire a resource) closes it.
 */
public final class NoticeRules {

    /** Working days a department has to update its catalogue after a recorded change (Art. 14). */
    public static final int UPDATE_WORKING_DAYS = 15;
    /** Prefix of every notice id: {@code notice:<department>:<commandId>}. */
    public static final String ID_PREFIX = "notice:";

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(WorkingDayCalendar.ZONE);

    private NoticeRules() {
    }

    /** The id of the notice the command {@code commandId} records for {@code department}. */
    public static String noticeId(String department, String commandId) {
        return ID_PREFIX + department + ":" + commandId;
    }

    /** The prefix of the ids of {@code department}'s notices. */
    public static String departmentPrefix(String department) {
        return ID_PREFIX + department + ":";
    }

    /**
     * Recording a change of law or of a department's duties: only the authority (the bus principal); the department
     * must be known to the bus; a reason is needed. Accepted, the notice is OPEN with its due time, the end of the
     * {@value #UPDATE_WORKING_DAYS}th working day after now.
     *
     * @param departmentKnown whether the department is one of the bus's departments ({@code bus.departments})
     * @param commandId       the command's id, from which the notice id is derived
     */
    public static Decision catalogUpdate(String sender, NoticeCatalogUpdate n, boolean departmentKnown, String commandId,
                                         Instant now) {
        String dept = n.getDepartment();
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(null, "only the public data authority records a change of law or of"
                    + " a department's duties and gives notice to update the catalogue (Art. 14); department '" + sender
                    + "' cannot"));
        }
        if (dept == null || dept.isBlank()) {
            return Decision.refused(Answer.invalid(null, "the notice names no department"));
        }
        if (n.getReason() == null || n.getReason().isBlank()) {
            return Decision.refused(Answer.invalid(null, "the notice to " + dept + " gives no reason: say what changed"
                    + " (the law or the department's duties)"));
        }
        if (!departmentKnown) {
            return Decision.refused(Answer.notFound(null, "there is no department '" + dept + "' on the bus (list them"
                    + " with 'databus dept list'); no notice was recorded"));
        }
        String id = noticeId(dept, commandId);
        return new Decision.NeedsCalendar(calendar -> {
            Due due;
            try {
                due = calendar.due(now, UPDATE_WORKING_DAYS);
            } catch (CalendarException e) {
                return uncountable(dept, e);
            }
            CatalogNotice notice = CatalogNotice.newBuilder()
                    .setId(id)
                    .setDepartment(dept)
                    .setReason(n.getReason())
                    .setIssuedAt(now)
                    .setDueAt(due.instant())
                    .setDueCalendar(due.calendarSummary())
                    .setDueProvisional(due.provisional())
                    .setStatus(NoticeStatus.OPEN)
                    .setClosedAt(null)
                    .setClosedBy(null)
                    .build();
            return Decision.accepted(new Answer(Outcome.ACCEPTED, "notice " + id + " recorded: " + dept + " must update"
                            + " its catalogue within " + UPDATE_WORKING_DAYS + " working days, by "
                            + LOCAL.format(due.instant()) + " Asia/Shanghai (" + due.instant() + ")"
                            + GovernanceRules.provisionalNote(due) + "; not updated by then it is a violation under"
                            + " Art. 46(四)", null, null, null, id),
                    new NoticeState(notice),
                    new Change.Notice(dept, id, new Answer(Outcome.PENDING, "the public data authority recorded a change"
                            + " (" + n.getReason() + "): update your catalogue (databus register / update / retire) by "
                            + LOCAL.format(due.instant()) + " Asia/Shanghai, " + UPDATE_WORKING_DAYS + " working days"
                            + " (Art. 14)", null, null, null, id)));
        }, e -> uncountable(dept, e));
    }

    private static Decision uncountable(String dept, CalendarException e) {
        return Decision.refused(Answer.refused(null, "the notice to " + dept + " was not recorded: its due time cannot"
                + " be counted (" + e.getMessage() + ")"));
    }

    /**
     * The notices a catalogue change closes: every OPEN notice of {@code department} issued before {@code now}, as
     * CLOSED at {@code now} by {@code closedBy}. Notices of other departments and closed ones are left as they are.
     */
    public static List<CatalogNotice> closedBy(String department, List<CatalogNotice> notices, String closedBy, Instant now) {
        List<CatalogNotice> closed = new ArrayList<>();
        for (CatalogNotice n : notices) {
            if (n.getDepartment().equals(department) && n.getStatus() == NoticeStatus.OPEN
                    && !n.getIssuedAt().isAfter(now)) {
                closed.add(CatalogNotice.newBuilder(n).setStatus(NoticeStatus.CLOSED).setClosedAt(now)
                        .setClosedBy(closedBy).build());
            }
        }
        return closed;
    }
}
