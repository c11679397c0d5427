package cn.tianfu.databus.deadlines.app.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadlines.DecisionDuty;
import cn.tianfu.databus.deadlines.ReportDuty;
import cn.tianfu.databus.deadlines.NoticeDuty;
import cn.tianfu.databus.deadlines.PublicRequestDuty;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.PublicReview;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.deadlines.app.DeadlinesContext;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.streams.RejectedRecordException;

/**
 * Keeps every open duty "decide a conditional request by its due time" (from {@code bus.requests}) and "answer an error
 * report by its due time" (from {@code bus.error-reports}) in the duties store and, on a wall-clock punctuation and on every input record, checks them against the context's clock:
 * <ol>
 *   <li>from the reminder time ({@link DecisionDuty#reminderAt}) to the due time: one reminder on the provider's
 *       {@code reply.<dept>}, recorded in the store;</li>
 *   <li>at the due time: one violation under Art. 46(五) on {@code bus.violations} ({@code 46-5:<request-id>} or
 *       {@code 46-5:report:<report-id>}), recorded in the store, unless the global store of {@code bus.violations}
 *       already holds its id (it was raised before the state was lost); for a request, in the same transaction, the
 *       command {@code MarkOverdue} on {@code cmd.bus}: governance marks the request overdue on {@code bus.requests}
 *       (it stays PENDING); the command id is fixed, so governance applies it once.</li>
 * </ol>
 * A request that leaves PENDING (decided, withdrawn, refused), a report that leaves OPEN (answered), or either deleted,
 * closes its duty. A duty first seen after its
 * due time raises the violation alone: a reminder would come too late to help.
 */
public final class DutyKeeper implements Processor<String, byte[], String, Raised> {

    /** Open duties by request id (changelogged). */
    public static final String DUTIES_STORE = "deadlines-duties";
    /** Global store of {@code bus.violations} (key: violation id). */
    public static final String VIOLATIONS_STORE = "deadlines-violations";
    /** Who raises reminders and violations, as named in their history and in dead letters. */
    public static final String COMPONENT = "deadlines";
    /** The counterparty of a public request's duty: the public (the requester is not named on a violation). */
    static final String PUBLIC = "public";
    /** Prefix of the duties store's key of a review's duty (the request's own duty is keyed by its id). */
    static final String REVIEW_KEY_PREFIX = "review:";

    private final DeadlinesContext ctx;
    private final Deserializer<AccessRequest> requests;
    private final Deserializer<ErrorReport> reports;
    private final Deserializer<CatalogNotice> notices;
    private final Deserializer<PublicRequest> publicRequests;
    private ProcessorContext<String, Raised> context;
    private KeyValueStore<String, Duty> duties;
    private ReadOnlyKeyValueStore<String, byte[]> raised;

    public DutyKeeper(DeadlinesContext ctx, Deserializer<AccessRequest> requests, Deserializer<ErrorReport> reports) {
        this(ctx, requests, reports, null);
    }

    /** Also keeping the catalogue-update notices of {@code bus.catalog-notices} (Art. 14 → 46(四)). */
    public DutyKeeper(DeadlinesContext ctx, Deserializer<AccessRequest> requests, Deserializer<ErrorReport> reports,
                      Deserializer<CatalogNotice> notices) {
        this(ctx, requests, reports, notices, null);
    }

    /** Also keeping the public requests to open data of {@code bus.public-requests} (Art. 34 → 46(五)). */
    public DutyKeeper(DeadlinesContext ctx, Deserializer<AccessRequest> requests, Deserializer<ErrorReport> reports,
                      Deserializer<CatalogNotice> notices, Deserializer<PublicRequest> publicRequests) {
        this.ctx = ctx;
        this.requests = requests;
        this.reports = reports;
        this.notices = notices;
        this.publicRequests = publicRequests;
    }

    @Override
    public void init(ProcessorContext<String, Raised> context) {
        this.context = context;
        this.duties = context.getStateStore(DUTIES_STORE);
        this.raised = context.getStateStore(VIOLATIONS_STORE);
        context.schedule(ctx.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkAll);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(Topics.REQUESTS);
        if (topic.equals(Topics.ERROR_REPORTS)) {
            processReport(record);
        } else if (topic.equals(Topics.CATALOG_NOTICES) && notices != null) {
            processNotice(record);
        } else if (topic.equals(Topics.PUBLIC_REQUESTS) && publicRequests != null) {
            processPublicRequest(record);
        } else {
            processRequest(record);
        }
    }

    /** An error report: OPEN with a due time opens (or keeps) the duty to answer it; any other status closes it. */
    private void processReport(Record<String, byte[]> record) {
        String reportId = record.key();
        if (reportId == null) {
            throw new RejectedRecordException(DeadLetterReason.MISSING_KEY, "a record of " + Topics.ERROR_REPORTS
                    + " has no key (the report id)");
        }
        if (record.value() == null) {
            duties.delete(reportId);
            return;
        }
        ErrorReport report;
        try {
            report = reports.deserialize(Topics.ERROR_REPORTS, record.value());
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.MALFORMED_BYTES, "report " + reportId + " of "
                    + Topics.ERROR_REPORTS + " cannot be read as an ErrorReport: " + e.getMessage());
        }
        Duty known = duties.get(reportId);
        if (report.getStatus() != ErrorReportStatus.OPEN || report.getDueAt() == null) {
            if (known != null) {
                duties.delete(reportId); // answered: the duty is done
            }
            return;
        }
        if (known != null && known.dueAt().equals(report.getDueAt())) {
            return;
        }
        boolean violated = raised.get(ReportDuty.violationId(reportId)) != null;
        Instant now = ctx.clock().instant();
        Duty duty = new Duty(reportId, report.getProvider(), report.getConsumer(), report.getResourceCode(),
                report.getDueAt(), report.getDueCalendar(), DecisionDuty.reminderAt(report.getDueAt(), ctx.calendar()),
                evidence(), violated || !now.isBefore(report.getDueAt()), violated, DutyKind.ANSWER_ERROR_REPORT);
        duties.put(reportId, duty);
        check(duty, now, record.timestamp());
    }

    /** A catalogue-update notice: OPEN opens (or keeps) the department's duty to update its catalogue; CLOSED ends it. */
    private void processNotice(Record<String, byte[]> record) {
        String noticeId = record.key();
        if (noticeId == null) {
            throw new RejectedRecordException(DeadLetterReason.MISSING_KEY, "a record of " + Topics.CATALOG_NOTICES
                    + " has no key (the notice id)");
        }
        if (record.value() == null) {
            duties.delete(noticeId);
            return;
        }
        CatalogNotice notice;
        try {
            notice = notices.deserialize(Topics.CATALOG_NOTICES, record.value());
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.MALFORMED_BYTES, "notice " + noticeId + " of "
                    + Topics.CATALOG_NOTICES + " cannot be read as a CatalogNotice: " + e.getMessage());
        }
        Duty known = duties.get(noticeId);
        if (notice.getStatus() != NoticeStatus.OPEN) {
            if (known != null) {
                duties.delete(noticeId); // the catalogue was changed: the duty is done
            }
            return;
        }
        if (known != null && known.dueAt().equals(notice.getDueAt())) {
            return;
        }
        boolean violated = raised.get(NoticeDuty.violationId(noticeId)) != null;
        Instant now = ctx.clock().instant();
        Duty duty = new Duty(noticeId, notice.getDepartment(), Principals.BUS_PRINCIPAL, "", notice.getDueAt(),
                notice.getDueCalendar(), DecisionDuty.reminderAt(notice.getDueAt(), ctx.calendar()), evidence(),
                violated || !now.isBefore(notice.getDueAt()), violated, DutyKind.UPDATE_CATALOG);
        duties.put(noticeId, duty);
        check(duty, now, record.timestamp());
    }

    /** A public request to open data: PENDING opens (or keeps) the provider's duty to answer it; an answer ends it. */
    private void processPublicRequest(Record<String, byte[]> record) {
        String requestId = record.key();
        if (requestId == null) {
            throw new RejectedRecordException(DeadLetterReason.MISSING_KEY, "a record of " + Topics.PUBLIC_REQUESTS
                    + " has no key (the request id)");
        }
        if (record.value() == null) {
            duties.delete(requestId);
            return;
        }
        PublicRequest request;
        try {
            request = publicRequests.deserialize(Topics.PUBLIC_REQUESTS, record.value());
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.MALFORMED_BYTES, "public request " + requestId + " of "
                    + Topics.PUBLIC_REQUESTS + " cannot be read as a PublicRequest: " + e.getMessage());
        }
        processReview(request, record.timestamp());
        Duty known = duties.get(requestId);
        if (request.getStatus() != PublicRequestStatus.PENDING) {
            if (known != null) {
                duties.delete(requestId); // answered: the duty is done
            }
            return;
        }
        if (known != null && known.dueAt().equals(request.getDueAt())) {
            return;
        }
        boolean violated = raised.get(PublicRequestDuty.violationId(requestId)) != null;
        Instant now = ctx.clock().instant();
        Duty duty = new Duty(requestId, request.getProvider(), PUBLIC,
                request.getResourceCode() == null ? "" : request.getResourceCode(), request.getDueAt(), null,
                DecisionDuty.reminderAt(request.getDueAt(), ctx.calendar()), evidence(),
                violated || !now.isBefore(request.getDueAt()), violated, DutyKind.ANSWER_OPEN_DATA_REQUEST);
        duties.put(requestId, duty);
        check(duty, now, record.timestamp());
    }

    /**
     * The review of a public request: once the expert committee's opinion is recorded, the authority's duty to decide
     * it by the review's due time is kept under {@code review:<request-id>}; the decision ends it.
     */
    private void processReview(PublicRequest request, long timestamp) {
        String key = REVIEW_KEY_PREFIX + request.getId();
        PublicReview review = request.getReview();
        Duty known = duties.get(key);
        if (review == null || review.getDueAt() == null || review.getDecision() != null) {
            if (known != null) {
                duties.delete(key); // decided (or no longer under review): the duty is done
            }
            return;
        }
        if (known != null && known.dueAt().equals(review.getDueAt())) {
            return;
        }
        boolean violated = raised.get(PublicRequestDuty.reviewViolationId(request.getId())) != null;
        Instant now = ctx.clock().instant();
        Duty duty = new Duty(request.getId(), Principals.BUS_PRINCIPAL, PUBLIC,
                request.getResourceCode() == null ? "" : request.getResourceCode(), review.getDueAt(), null,
                DecisionDuty.reminderAt(review.getDueAt(), ctx.calendar()), evidence(),
                violated || !now.isBefore(review.getDueAt()), violated, DutyKind.REVIEW_OPEN_DATA_REQUEST);
        duties.put(key, duty);
        check(duty, now, timestamp);
    }

    /** The duties store's key of {@code d}: its subject's id; a review's is {@code review:<request-id>}. */
    static String storeKey(Duty d) {
        return d.kind() == DutyKind.REVIEW_OPEN_DATA_REQUEST ? REVIEW_KEY_PREFIX + d.requestId() : d.requestId();
    }

    private void processRequest(Record<String, byte[]> record) {
        String requestId = record.key();
        if (requestId == null) {
            throw new RejectedRecordException(DeadLetterReason.MISSING_KEY, "a record of " + Topics.REQUESTS
                    + " has no key (the request id)");
        }
        if (record.value() == null) {
            duties.delete(requestId);
            return;
        }
        AccessRequest request;
        try {
            request = requests.deserialize(Topics.REQUESTS, record.value());
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.MALFORMED_BYTES, "request " + requestId + " of "
                    + Topics.REQUESTS + " cannot be read as an AccessRequest: " + e.getMessage());
        }
        Duty known = duties.get(requestId);
        if (request.getStatus() != RequestStatus.PENDING || request.getDueAt() == null) {
            if (known != null) {
                duties.delete(requestId); // decided, withdrawn or refused: the duty is done
            }
            return;
        }
        if (known != null && known.dueAt().equals(request.getDueAt())) {
            return; // the same duty, as already kept
        }
        boolean violated = raised.get(DecisionDuty.violationId(requestId)) != null;
        Instant now = ctx.clock().instant();
        Instant remindAt = DecisionDuty.reminderAt(request.getDueAt(), ctx.calendar());
        Duty duty = new Duty(requestId, request.getProvider(), request.getConsumer(), request.getResourceCode(),
                request.getDueAt(), request.getDueCalendar(), remindAt, evidence(),
                violated || !now.isBefore(request.getDueAt()), violated);
        duties.put(requestId, duty);
        if (violated && request.getOverdueAt() == null && !now.isBefore(request.getDueAt())) {
            // raised before the state was lost, but the request does not show overdue (yet): mark it again, which
            // governance applies once (the command id is the same)
            GovernanceCommand mark = markOverdue(duty, DecisionDuty.violationId(requestId), now);
            context.forward(new Record<>(mark.getCommandId(), new Raised.Command(mark), record.timestamp()));
        }
        check(duty, now, record.timestamp());
    }

    /** Checks every open duty against the clock; what is raised carries the punctuation's (wall-clock) timestamp. */
    void checkAll(long timestamp) {
        Instant now = ctx.clock().instant();
        List<Duty> open = new ArrayList<>();
        try (KeyValueIterator<String, Duty> it = duties.all()) {
            while (it.hasNext()) {
                KeyValue<String, Duty> kv = it.next();
                if (!kv.value.violated()) {
                    open.add(kv.value);
                }
            }
        }
        open.forEach(d -> check(d, now, timestamp));
    }

    /**
     * Raises what is due of {@code duty} at {@code now} (the context's clock, which dates what is raised); the records
     * carry {@code timestamp}, Kafka's time (the input record's or the punctuation's), never the context's clock, which
     * a test may set years ahead of what the broker accepts.
     */
    private void check(Duty duty, Instant now, long timestamp) {
        Duty d = duty;
        boolean report = d.kind() == DutyKind.ANSWER_ERROR_REPORT;
        boolean notice = d.kind() == DutyKind.UPDATE_CATALOG;
        boolean open = d.kind() == DutyKind.ANSWER_OPEN_DATA_REQUEST;
        boolean review = d.kind() == DutyKind.REVIEW_OPEN_DATA_REQUEST;
        if (!d.reminded() && !now.isBefore(d.remindAt()) && now.isBefore(d.dueAt())) {
            String id = review ? PublicRequestDuty.reviewReminderId(d.requestId())
                    : open ? PublicRequestDuty.reminderId(d.requestId()) : notice ? NoticeDuty.reminderId(d.requestId())
                    : report ? ReportDuty.reminderId(d.requestId()) : DecisionDuty.reminderId(d.requestId());
            context.forward(new Record<>(id, new Raised.Reminder(reminder(id, d, now)), timestamp));
            d = d.withReminded();
            duties.put(storeKey(d), d);
        }
        if (!d.violated() && !now.isBefore(d.dueAt())) {
            String id = review ? PublicRequestDuty.reviewViolationId(d.requestId())
                    : open ? PublicRequestDuty.violationId(d.requestId()) : notice ? NoticeDuty.violationId(d.requestId())
                    : report ? ReportDuty.violationId(d.requestId()) : DecisionDuty.violationId(d.requestId());
            if (raised.get(id) == null) {
                context.forward(new Record<>(id, new Raised.Breach(violation(id, d, now)), timestamp));
            }
            if (notice || open || review) {
                d = d.withViolated().withReminded();
                duties.put(storeKey(d), d);
                return;
            }
            // the request shows OVERDUE on bus.requests (governance sets it; a repeated command id changes nothing)
            GovernanceCommand mark = markOverdue(d, id, now);
            context.forward(new Record<>(mark.getCommandId(), new Raised.Command(mark), timestamp));
            // kept (not deleted) until the request is decided, so a later update of it cannot raise it again
            d = d.withViolated().withReminded();
            duties.put(storeKey(d), d);
        }
    }

    /** The command that marks the request overdue; its id, {@code overdue:<requestId>}, is the same every time. */
    static GovernanceCommand markOverdue(Duty d, String violationId, Instant now) {
        return GovernanceCommand.newBuilder()
                .setCommandId(DecisionDuty.overdueCommandId(d.requestId()))
                .setIssuedAt(now)
                .setDepartment(Principals.BUS_PRINCIPAL)
                .setPayload(MarkOverdue.newBuilder().setRequestId(d.requestId()).setViolationId(violationId).build())
                .build();
    }

    private String evidence() {
        Optional<RecordMetadata> meta = context.recordMetadata();
        return meta.map(m -> m.topic() + "/" + m.partition() + "@" + m.offset()).orElse(null);
    }

    private static CommandResult reminder(String id, Duty d, Instant now) {
        if (d.kind() == DutyKind.REVIEW_OPEN_DATA_REQUEST) {
            return CommandResult.newBuilder()
                    .setCommandId(id)
                    .setDepartment(d.provider())
                    .setAccepted(true)
                    .setOutcome(Outcome.PENDING)
                    .setMessage("Reminder: the review of public request " + d.requestId() + " must be decided by "
                            + d.dueAt() + " (15 days after the expert committee's opinion, Art. 34); undecided at that"
                            + " time it is a violation under Art. 46(五). Decide it with: databus public-requests review "
                            + d.requestId() + " --uphold | --overturn --reason ...")
                    .setResourceCode(d.resourceCode().isEmpty() ? null : d.resourceCode())
                    .setSubjectId(d.requestId())
                    .setProcessedAt(now)
                    .build();
        }
        if (d.kind() == DutyKind.ANSWER_OPEN_DATA_REQUEST) {
            return CommandResult.newBuilder()
                    .setCommandId(id)
                    .setDepartment(d.provider())
                    .setAccepted(true)
                    .setOutcome(Outcome.PENDING)
                    .setMessage("Reminder: public request " + d.requestId() + " to open data must be answered by "
                            + d.dueAt() + " (10 days, Art. 34); unanswered at that time it is a violation under"
                            + " Art. 46(五). Answer it with: databus public-requests answer " + d.requestId()
                            + " --opened | --will-open-by DATE | --refuse --reason ...")
                    .setResourceCode(d.resourceCode().isEmpty() ? null : d.resourceCode())
                    .setSubjectId(d.requestId())
                    .setProcessedAt(now)
                    .build();
        }
        if (d.kind() == DutyKind.UPDATE_CATALOG) {
            return CommandResult.newBuilder()
                    .setCommandId(id)
                    .setDepartment(d.provider())
                    .setAccepted(true)
                    .setOutcome(Outcome.PENDING)
                    .setMessage("Reminder: notice " + d.requestId() + " of the public data authority: your catalogue must"
                            + " be updated by " + d.dueAt() + " (" + DecisionDuty.REMINDER_WORKING_DAYS + " working days"
                            + " left, Art. 14); not updated at that time it is a violation under Art. 46(四). Update it"
                            + " with: databus register | update | retire")
                    .setSubjectId(d.requestId())
                    .setProcessedAt(now)
                    .build();
        }
        if (d.kind() == DutyKind.ANSWER_ERROR_REPORT) {
            return CommandResult.newBuilder()
                    .setCommandId(id)
                    .setDepartment(d.provider())
                    .setAccepted(true)
                    .setOutcome(Outcome.PENDING)
                    .setMessage("Reminder: error report " + d.requestId() + " of " + d.consumer() + " on " + d.resourceCode()
                            + " must be answered by " + d.dueAt() + " (" + DecisionDuty.REMINDER_WORKING_DAYS
                            + " working days left, Art. 27); unanswered at that time it is a violation under Art. 46(五)."
                            + " Answer it with: databus answer-report " + d.requestId() + " --corrected [--note ...] |"
                            + " --rejected --reason ...")
                    .setResourceCode(d.resourceCode())
                    .setSubjectId(d.requestId())
                    .setProcessedAt(now)
                    .build();
        }
        return CommandResult.newBuilder()
                .setCommandId(id)
                .setDepartment(d.provider())
                .setAccepted(true)
                .setOutcome(Outcome.PENDING)
                .setMessage("Reminder: request " + d.requestId() + " of " + d.consumer() + " for " + d.resourceCode()
                        + " must be decided by " + d.dueAt() + " (" + DecisionDuty.REMINDER_WORKING_DAYS
                        + " working days left, Art. 26); undecided at that time it is a violation under Art. 46(五)."
                        + " Decide it with: databus decide " + d.requestId() + " --approve | --reject --reason ...")
                .setResourceCode(d.resourceCode())
                .setRequestId(d.requestId())
                .setProcessedAt(now)
                .build();
    }

    private static Violation violation(String id, Duty d, Instant now) {
        List<String> evidence = new ArrayList<>();
        evidence.add(d.requestId());
        if (d.evidence() != null) {
            evidence.add(d.evidence());
        }
        boolean report = d.kind() == DutyKind.ANSWER_ERROR_REPORT;
        boolean notice = d.kind() == DutyKind.UPDATE_CATALOG;
        boolean open = d.kind() == DutyKind.ANSWER_OPEN_DATA_REQUEST;
        boolean review = d.kind() == DutyKind.REVIEW_OPEN_DATA_REQUEST;
        String description = review
                ? "The review of public request " + d.requestId() + " to open data" + (d.resourceCode().isEmpty() ? ""
                    : " (" + d.resourceCode() + ")") + " was not decided by " + d.dueAt() + " (15 days after the"
                    + " expert committee's opinion, Art. 34)"
                : open
                ? "Public request " + d.requestId() + " to open data" + (d.resourceCode().isEmpty() ? ""
                    : " (" + d.resourceCode() + ")") + " was not answered by " + d.dueAt() + " (10 days, Art. 34)"
                : notice
                ? "The catalogue of " + d.provider() + " was not updated by " + d.dueAt() + " after notice "
                    + d.requestId() + " of a change of law or of its duties (15 working days, Art. 14)"
                : report
                ? "Error report " + d.requestId() + " of " + d.consumer() + " on " + d.resourceCode()
                    + " was not answered by " + d.dueAt() + " (10 working days, Art. 27)"
                : "Request " + d.requestId() + " of " + d.consumer() + " for " + d.resourceCode()
                    + " was not decided by " + d.dueAt() + " (10 working days, Art. 26)";
        return Violation.newBuilder()
                .setId(id)
                .setClause(notice ? ViolationClause.ART46_4 : ViolationClause.ART46_5)
                .setDepartment(d.provider())
                .setDuty(d.kind())
                .setSubjectId(d.requestId())
                .setResourceCode(notice || d.resourceCode().isEmpty() ? null : d.resourceCode())
                .setCounterparty(notice ? null : d.consumer())
                .setDueAt(d.dueAt())
                .setDueCalendar(d.dueCalendar())
                .setDetectedAt(now)
                .setDescription(description)
                .setEvidence(evidence)
                .setStatus(ViolationStatus.OPEN)
                .setRectifyBy(null)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(now).setStatus(ViolationStatus.OPEN)
                        .setBy(COMPONENT).setNote(description).build()))
                .build();
    }
}
