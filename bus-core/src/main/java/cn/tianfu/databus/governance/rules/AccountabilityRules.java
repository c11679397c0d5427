package cn.tianfu.databus.governance.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.governance.rules.Change.DisputeState;
import cn.tianfu.databus.governance.rules.Change.Notice;
import cn.tianfu.databus.governance.rules.Change.ReportState;
import cn.tianfu.databus.schemas.AcceptAnswer;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.AnswerReport;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeMessage;
import cn.tianfu.databus.schemas.DisputeStatus;
import cn.tianfu.databus.schemas.DisputeStep;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.OpenDispute;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.ReportError;
import cn.tianfu.databus.schemas.RequestStatus;

/**
 * The rules of error reports (校核, Art. 27) and disputes (异议, Art. 28), as {@link GovernanceRules} decides the other
 * commands: the state the command needs in (null when absent), a {@link Decision} out; pure.
 *
 * <p>Who may do what: a consumer that holds or held a grant on a resource reports an error in its records; only the
 * resource's provider answers the report; only the reporting consumer accepts the answer. Either party of a refused
 * request, an answered report or a grant opens a dispute about it, writes in it, settles it or escalates it to the
 * authority while it is NEGOTIATING; the authority ({@value Principals#BUS_PRINCIPAL}) refers an escalated dispute to an
 * expert and decides it; only the expert it was referred to records an opinion.
 */
public final class AccountabilityRules {

    /** Working days a provider has to answer an error report (Art. 27). */
    public static final int ANSWER_WORKING_DAYS = 10;
    /** Working days after finding a problem within which the consumer reports it (Art. 27); later is flagged late. */
    public static final int REPORT_WORKING_DAYS = 5;
    /** The sender name of the authority: the bus's own principal, on {@code cmd.bus}. */
    public static final String AUTHORITY = Principals.BUS_PRINCIPAL;

    /** How far in the future a stated finding time may lie (clocks differ). */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(WorkingDayCalendar.ZONE);

    private AccountabilityRules() {
    }

    // ---- error reports ----

    /**
     * A consumer reports an error in a record of {@code entry}'s resource: it must hold or have held a grant on it
     * (any status), name a key and the problem, and a data item of the resource if it names one. Filed OPEN, due
     * {@value #ANSWER_WORKING_DAYS} working days after the report; flagged late when reported more than
     * {@value #REPORT_WORKING_DAYS} working days after {@code foundAt}. The provider is notified.
     *
     * @param entry   the catalog entry of the resource, or null
     * @param grants  every grant of the resource
     * @param reports every error report of the resource (their count numbers the new one)
     */
    public static Decision reportError(String sender, ReportError r, CatalogEntry entry, List<Grant> grants,
                                       List<ErrorReport> reports, Instant now) {
        String code = r.getResourceCode();
        if (entry == null) {
            return Decision.refused(Answer.notFound(code, "there is no resource " + code + " in the catalog"));
        }
        if (SpecChecks.blank(r.getRecordKey())) {
            return Decision.refused(Answer.invalid(code, "an error report names the key of the record found wrong (--key)"));
        }
        if (SpecChecks.blank(r.getProblem())) {
            return Decision.refused(Answer.invalid(code, "an error report says what is wrong with the record (--problem)"));
        }
        if (entry.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(code, "you provide resource " + code + " yourself: correct the record"
                    + " and publish it again; error reports come from the departments it is shared with"));
        }
        boolean granted = grants.stream().anyMatch(g -> g.getConsumer().equals(sender));
        if (!granted) {
            return Decision.refused(Answer.refused(code, "department '" + sender + "' has no grant, and never had one, on "
                    + code + ": only a department that received its records reports errors in them (Art. 27)"));
        }
        if (r.getField() != null && entry.getDataItems().stream().noneMatch(i -> i.getName().equals(r.getField()))) {
            return Decision.refused(Answer.invalid(code, "field '" + r.getField() + "' is not a data item of " + code));
        }
        Instant foundAt = r.getFoundAt() == null ? now : r.getFoundAt();
        if (foundAt.isAfter(now.plus(CLOCK_SKEW))) {
            return Decision.refused(Answer.invalid(code, "the problem cannot have been found at " + LOCAL.format(foundAt)
                    + " Asia/Shanghai, which is in the future"));
        }
        String id = Ids.report(code, reports.size() + 1L);
        return new Decision.NeedsCalendar(calendar -> {
            Due due;
            boolean late;
            try {
                due = calendar.due(now, ANSWER_WORKING_DAYS);
                late = now.isAfter(calendar.dueInstant(foundAt, REPORT_WORKING_DAYS));
            } catch (CalendarException e) {
                return uncountable(code, e);
            }
            ErrorReport report = ErrorReport.newBuilder()
                    .setId(id)
                    .setResourceCode(code)
                    .setProvider(entry.getProvider())
                    .setConsumer(sender)
                    .setRecordKey(r.getRecordKey())
                    .setField(r.getField())
                    .setProblem(r.getProblem())
                    .setFoundAt(foundAt)
                    .setReportedAt(now)
                    .setLate(late)
                    .setDueAt(due.instant())
                    .setDueCalendar(due.calendarSummary())
                    .setDueProvisional(due.provisional())
                    .setStatus(ErrorReportStatus.OPEN)
                    .build();
            String dueText = LOCAL.format(due.instant()) + " Asia/Shanghai";
            String lateText = late ? "; reported more than " + REPORT_WORKING_DAYS + " working days after the problem was"
                    + " found (" + LOCAL.format(foundAt) + "): accepted and flagged late" : "";
            return Decision.accepted(new Answer(Outcome.ACCEPTED, "error report " + id + " on record '" + r.getRecordKey()
                            + "' of " + code + " is filed; " + entry.getProvider() + " must answer it within "
                            + ANSWER_WORKING_DAYS + " working days, by " + dueText + GovernanceRules.provisionalNote(due)
                            + lateText, code, null, null, id),
                    new ReportState(report),
                    notice(entry.getProvider(), id, "reported", Answer.of(Outcome.PENDING, code, sender
                            + " reports an error in record '" + r.getRecordKey() + "' of " + code
                            + (r.getField() == null ? "" : ", field " + r.getField()) + ": " + r.getProblem()
                            + "; answer report " + id + " by " + dueText + " (databus answer-report " + id
                            + " --corrected [--note ...] after publishing the corrected record, or --rejected --reason ...)")));
        }, e -> uncountable(code, e));
    }

    /**
     * The provider answers an OPEN report: corrected (it published the corrected record) or rejected with a reason.
     * The consumer is notified; the answer names the record's key, and links the re-delivery's exchange id when given.
     *
     * @param report the report, or null
     */
    public static Decision answerReport(String sender, AnswerReport a, ErrorReport report, Instant now) {
        String id = a.getReportId();
        String code = Ids.resourceOfReport(id).orElse(null);
        if (report == null) {
            return Decision.refused(Answer.notFound(code, "there is no error report " + id).subject(id));
        }
        if (!report.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(code, "error report " + id + " is about a record of " + code
                    + ", provided by department '" + report.getProvider() + "'; only its provider may answer it").subject(id));
        }
        if (report.getStatus() != ErrorReportStatus.OPEN) {
            return Decision.refused(Answer.refused(code, "error report " + id + " is " + report.getStatus()
                    + ", not OPEN: it was answered at " + LOCAL.format(report.getAnsweredAt()) + " Asia/Shanghai").subject(id));
        }
        if (!a.getCorrected() && SpecChecks.blank(a.getNote())) {
            return Decision.refused(Answer.invalid(code, "rejecting error report " + id + " needs a reason (--reason), which"
                    + " is given to " + report.getConsumer()).subject(id));
        }
        ErrorReport answered = ErrorReport.newBuilder(report)
                .setStatus(a.getCorrected() ? ErrorReportStatus.ANSWERED_CORRECTED : ErrorReportStatus.ANSWERED_REJECTED)
                .setAnsweredAt(now)
                .setAnswerNote(a.getNote())
                .setAnswerExchangeId(a.getExchangeId())
                .build();
        boolean inTime = report.getDueAt() == null || !now.isAfter(report.getDueAt());
        String what = a.getCorrected()
                ? "corrected record '" + report.getRecordKey() + "' of " + code + " and published it again"
                    + (a.getExchangeId() == null ? "" : " (exchange " + a.getExchangeId() + ")")
                : "rejected the report on record '" + report.getRecordKey() + "' of " + code;
        String note = SpecChecks.blank(a.getNote()) ? "" : (a.getCorrected() ? "; note: " : "; reason: ") + a.getNote();
        return Decision.accepted(Answer.accepted(code, "answered error report " + id + ": " + what + note
                        + (inTime ? "" : "; the answer came after its due time " + LOCAL.format(report.getDueAt())
                        + " Asia/Shanghai")).subject(id),
                new ReportState(answered),
                notice(report.getConsumer(), id, "answered", Answer.of(Outcome.ACCEPTED, code, report.getProvider() + " "
                        + what + note + "; accept the answer (databus accept-answer " + id + ") or open a dispute"
                        + " (databus dispute open --about report:" + id + " --statement ...)")));
    }

    /**
     * The reporting consumer accepts the provider's answer; the report is closed ACCEPTED and the provider notified.
     *
     * @param report the report, or null
     */
    public static Decision acceptAnswer(String sender, AcceptAnswer a, ErrorReport report, Instant now) {
        String id = a.getReportId();
        String code = Ids.resourceOfReport(id).orElse(null);
        if (report == null) {
            return Decision.refused(Answer.notFound(code, "there is no error report " + id).subject(id));
        }
        if (!report.getConsumer().equals(sender)) {
            return Decision.refused(Answer.refused(code, "error report " + id + " was filed by department '"
                    + report.getConsumer() + "'; only the reporter may accept its answer").subject(id));
        }
        if (!answered(report)) {
            return Decision.refused(Answer.refused(code, "error report " + id + " is " + report.getStatus()
                    + "; only an answered report (ANSWERED_CORRECTED or ANSWERED_REJECTED) can be accepted").subject(id));
        }
        return Decision.accepted(Answer.accepted(code, "accepted the answer to error report " + id).subject(id),
                new ReportState(ErrorReport.newBuilder(report).setStatus(ErrorReportStatus.ACCEPTED).setClosedAt(now).build()),
                notice(report.getProvider(), id, "accepted", Answer.of(Outcome.ACCEPTED, code, report.getConsumer()
                        + " accepted your answer to error report " + id)));
    }

    // ---- disputes ----

    /**
     * Either party opens a dispute about a refused (rejected or refused) request, an answered error report, or the use
     * of data under a grant; not while another dispute about the same subject is open. NEGOTIATING; the other party
     * is notified. A dispute the reporter opens about a report's answer marks the report DISPUTED.
     *
     * @param request  the request, when the subject is one (or null)
     * @param report   the error report, when the subject is one (or null)
     * @param grant    the grant, when the subject is one (or null)
     * @param disputes every dispute of the resource (their count numbers the new one)
     */
    public static Decision openDispute(String sender, OpenDispute o, AccessRequest request, ErrorReport report, Grant grant,
                                       List<Dispute> disputes, Instant now) {
        String subjectId = o.getSubjectId();
        String code = resourceOfSubject(o.getSubject(), subjectId);
        String provider;
        String consumer;
        switch (o.getSubject()) {
            case REQUEST -> {
                if (request == null) {
                    return Decision.refused(Answer.notFound(code, "there is no request " + subjectId));
                }
                if (request.getStatus() != RequestStatus.REJECTED && request.getStatus() != RequestStatus.REFUSED) {
                    return Decision.refused(Answer.refused(code, "request " + subjectId + " is " + request.getStatus()
                            + "; a dispute about a request is about its refusal (REJECTED or REFUSED)").request(subjectId));
                }
                provider = request.getProvider();
                consumer = request.getConsumer();
            }
            case REPORT -> {
                if (report == null) {
                    return Decision.refused(Answer.notFound(code, "there is no error report " + subjectId).subject(subjectId));
                }
                if (!answered(report)) {
                    return Decision.refused(Answer.refused(code, "error report " + subjectId + " is " + report.getStatus()
                            + "; a dispute about a report is about its answer (ANSWERED_CORRECTED or ANSWERED_REJECTED)")
                            .subject(subjectId));
                }
                provider = report.getProvider();
                consumer = report.getConsumer();
            }
            default -> {
                if (grant == null) {
                    return Decision.refused(Answer.notFound(code, "there is no grant " + subjectId).grant(subjectId));
                }
                provider = grant.getProvider();
                consumer = grant.getConsumer();
            }
        }
        if (!sender.equals(provider) && !sender.equals(consumer)) {
            return Decision.refused(Answer.refused(code, "only the two departments concerned, " + provider + " and "
                    + consumer + ", may open a dispute about " + subjectId));
        }
        if (SpecChecks.blank(o.getStatement())) {
            return Decision.refused(Answer.invalid(code, "a dispute needs a statement (--statement): what is disputed and why"));
        }
        for (Dispute d : disputes) {
            if (d.getSubjectId().equals(subjectId) && !closed(d)) {
                return Decision.refused(Answer.refused(code, "dispute " + d.getId() + " about " + subjectId + " is already "
                        + d.getStatus() + "; write in it (databus dispute message " + d.getId() + ") instead").subject(d.getId()));
            }
        }
        String id = Ids.dispute(code, disputes.size() + 1L);
        String other = sender.equals(provider) ? consumer : provider;
        Dispute dispute = Dispute.newBuilder()
                .setId(id)
                .setResourceCode(code)
                .setSubject(o.getSubject())
                .setSubjectId(subjectId)
                .setOpenedBy(sender)
                .setOtherParty(other)
                .setProvider(provider)
                .setConsumer(consumer)
                .setStatement(o.getStatement())
                .setStatus(DisputeStatus.NEGOTIATING)
                .setOpenedAt(now)
                .setMessages(List.of(new DisputeMessage(now, sender, DisputeAction.MESSAGE, o.getStatement())))
                .build();
        List<Change> changes = new ArrayList<>();
        changes.add(new DisputeState(dispute));
        if (report != null && sender.equals(consumer)) {
            changes.add(new ReportState(ErrorReport.newBuilder(report).setStatus(ErrorReportStatus.DISPUTED)
                    .setClosedAt(now).setDisputeId(id).build()));
        }
        changes.add(notice(other, id, "opened", Answer.of(Outcome.PENDING, code, sender + " opened dispute " + id
                + " about " + subjectId + ": " + o.getStatement() + "; answer with databus dispute message " + id
                + " --text ..., settle it (databus dispute settle " + id + ") or escalate it (databus dispute escalate "
                + id + ")")));
        return new Decision.Accepted(Answer.accepted(code, "opened dispute " + id + " about " + subjectId + " with "
                + other + "; it is NEGOTIATING between the two departments").subject(id), changes);
    }

    /**
     * One step of a dispute ({@link DisputeAction}), by whoever may take it: MESSAGE, SETTLE and ESCALATE by either
     * party while NEGOTIATING; REFER (to an expert) by the authority while ESCALATED; OPINION by the expert it was
     * referred to while REFERRED; DECIDE by the authority while ESCALATED or REFERRED. Every step is recorded in order
     * and the others concerned are notified.
     *
     * @param dispute the dispute, or null
     */
    public static Decision disputeStep(String sender, DisputeStep s, Dispute dispute, Instant now) {
        String id = s.getDisputeId();
        String code = Ids.resourceOfDispute(id).orElse(null);
        if (dispute == null) {
            return Decision.refused(Answer.notFound(code, "there is no dispute " + id).subject(id));
        }
        boolean party = sender.equals(dispute.getProvider()) || sender.equals(dispute.getConsumer());
        boolean authority = AUTHORITY.equals(sender);
        DisputeAction action = s.getAction();
        String text = s.getText();
        Dispute.Builder next = Dispute.newBuilder(dispute);
        List<String> notify = new ArrayList<>();
        String done;
        switch (action) {
            case MESSAGE, SETTLE, ESCALATE -> {
                if (!party) {
                    return refused(code, id, "only the two departments of dispute " + id + ", " + dispute.getProvider()
                            + " and " + dispute.getConsumer() + ", may " + verb(action) + " it");
                }
                if (dispute.getStatus() != DisputeStatus.NEGOTIATING) {
                    return refused(code, id, "dispute " + id + " is " + dispute.getStatus() + ", not NEGOTIATING; it can no"
                            + " longer be " + participle(action) + " by the departments");
                }
                if (action == DisputeAction.MESSAGE && SpecChecks.blank(text)) {
                    return Decision.refused(Answer.invalid(code, "a message needs a text (--text)").subject(id));
                }
                notify.add(other(dispute, sender));
                if (action == DisputeAction.SETTLE) {
                    next.setStatus(DisputeStatus.SETTLED).setClosedAt(now);
                    done = "settled dispute " + id + "; it is closed";
                } else if (action == DisputeAction.ESCALATE) {
                    next.setStatus(DisputeStatus.ESCALATED).setEscalatedAt(now);
                    notify.add(AUTHORITY);
                    done = "escalated dispute " + id + " to the authority";
                } else {
                    done = "recorded your message in dispute " + id;
                }
            }
            case REFER -> {
                if (!authority) {
                    return refused(code, id, "only the authority refers a dispute to the expert committee");
                }
                if (dispute.getStatus() != DisputeStatus.ESCALATED) {
                    return refused(code, id, "dispute " + id + " is " + dispute.getStatus() + "; only an ESCALATED dispute"
                            + " is referred to an expert");
                }
                try {
                    Principals.checkExpert(s.getExpert());
                } catch (IllegalArgumentException e) {
                    return Decision.refused(Answer.invalid(code, e.getMessage()).subject(id));
                }
                next.setStatus(DisputeStatus.REFERRED).setExpert(s.getExpert()).setReferredAt(now);
                notify.add(dispute.getProvider());
                notify.add(dispute.getConsumer());
                notify.add(Principals.expertPrincipal(s.getExpert()));
                done = "referred dispute " + id + " to expert " + s.getExpert();
            }
            case OPINION -> {
                if (!Principals.isExpert(sender) || dispute.getExpert() == null
                        || !sender.equals(Principals.expertPrincipal(dispute.getExpert()))) {
                    return refused(code, id, "only the expert dispute " + id + " was referred to"
                            + (dispute.getExpert() == null ? " (none yet)" : " (" + dispute.getExpert() + ")")
                            + " records an opinion on it");
                }
                if (dispute.getStatus() != DisputeStatus.REFERRED) {
                    return refused(code, id, "dispute " + id + " is " + dispute.getStatus() + ", not REFERRED");
                }
                if (SpecChecks.blank(text)) {
                    return Decision.refused(Answer.invalid(code, "an opinion needs a text (--text)").subject(id));
                }
                next.setOpinion(text).setOpinionAt(now);
                notify.add(AUTHORITY);
                notify.add(dispute.getProvider());
                notify.add(dispute.getConsumer());
                done = "recorded the expert opinion on dispute " + id;
            }
            default -> {  // DECIDE
                if (!authority) {
                    return refused(code, id, "only the authority decides a dispute");
                }
                if (dispute.getStatus() != DisputeStatus.ESCALATED && dispute.getStatus() != DisputeStatus.REFERRED) {
                    return refused(code, id, "dispute " + id + " is " + dispute.getStatus() + "; the authority decides an"
                            + " ESCALATED or REFERRED dispute");
                }
                if (SpecChecks.blank(text)) {
                    return Decision.refused(Answer.invalid(code, "a decision needs its text (--decision)").subject(id));
                }
                next.setStatus(DisputeStatus.DECIDED).setDecision(text).setClosedAt(now);
                notify.add(dispute.getProvider());
                notify.add(dispute.getConsumer());
                done = "decided dispute " + id + "; it is closed";
            }
        }
        List<DisputeMessage> messages = new ArrayList<>(dispute.getMessages());
        messages.add(new DisputeMessage(now, sender, action, SpecChecks.blank(text)
                ? (action == DisputeAction.REFER ? "referred to expert " + s.getExpert() : participle(action)) : text));
        next.setMessages(messages);
        List<Change> changes = new ArrayList<>();
        changes.add(new DisputeState(next.build()));
        String step = action.name().toLowerCase() + "-" + messages.size();
        String summary = sender + " " + (action == DisputeAction.MESSAGE ? "wrote" : participle(action)) + " in dispute "
                + id + " (" + dispute.getSubjectId() + ")" + (SpecChecks.blank(text) ? "" : ": " + text);
        for (String recipient : notify) {
            changes.add(notice(recipient, id, step, Answer.of(Outcome.ACCEPTED, code, summary)));
        }
        return new Decision.Accepted(Answer.accepted(code, done).subject(id), changes);
    }

    // ---- helpers ----

    /** The resource code in the id of a dispute's subject; null when the id is not one of its kind. */
    public static String resourceOfSubject(DisputeSubject subject, String subjectId) {
        return switch (subject) {
            case REQUEST -> Ids.resourceOfRequest(subjectId).orElse(null);
            case REPORT -> Ids.resourceOfReport(subjectId).orElse(null);
            case GRANT -> Ids.resourceOfGrant(subjectId).orElse(null);
        };
    }

    private static boolean answered(ErrorReport r) {
        return r.getStatus() == ErrorReportStatus.ANSWERED_CORRECTED || r.getStatus() == ErrorReportStatus.ANSWERED_REJECTED;
    }

    private static boolean closed(Dispute d) {
        return d.getStatus() == DisputeStatus.SETTLED || d.getStatus() == DisputeStatus.DECIDED;
    }

    private static String other(Dispute d, String party) {
        return party.equals(d.getProvider()) ? d.getConsumer() : d.getProvider();
    }

    private static Notice notice(String recipient, String subjectId, String step, Answer answer) {
        return new Notice(recipient, "notice:" + subjectId + ":" + step, answer.subject(subjectId));
    }

    private static Decision refused(String code, String id, String message) {
        return Decision.refused(Answer.refused(code, message).subject(id));
    }

    private static String verb(DisputeAction a) {
        return switch (a) {
            case MESSAGE -> "write in";
            case SETTLE -> "settle";
            default -> "escalate";
        };
    }

    private static String participle(DisputeAction a) {
        return switch (a) {
            case MESSAGE -> "written in";
            case SETTLE -> "settled";
            case ESCALATE -> "escalated";
            case REFER -> "referred";
            case OPINION -> "gave an opinion";
            case DECIDE -> "decided";
        };
    }

    private static Decision uncountable(String code, CalendarException e) {
        return Decision.refused(Answer.refused(code, "the error report on " + code + " was not filed: its answer deadline"
                + " cannot be counted (" + e.getMessage() + ")"));
    }
}
