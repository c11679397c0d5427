package cn.tianfu.databus.governance.app.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.governance.app.GovernanceContext;
import cn.tianfu.databus.governance.rules.AccountabilityRules;
import cn.tianfu.databus.governance.rules.Answer;
import cn.tianfu.databus.governance.rules.Change;
import cn.tianfu.databus.governance.rules.Decision;
import cn.tianfu.databus.governance.rules.GovernanceRules;
import cn.tianfu.databus.governance.rules.Ids;
import cn.tianfu.databus.governance.rules.SchemaFetch;
import cn.tianfu.databus.governance.rules.SchemaRegistration;
import cn.tianfu.databus.registry.CompatibilityResult;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.AcceptAnswer;
import cn.tianfu.databus.schemas.AnswerReport;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeStep;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.OpenDispute;
import cn.tianfu.databus.schemas.ReportError;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.NarrowGrant;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.NoticeCatalogUpdate;
import cn.tianfu.databus.governance.rules.NoticeRules;
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.schemas.Violation;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import cn.tianfu.databus.streams.Failures;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.contract.Principals;

/**
 * Second step, on the partition of one resource: reads from the stores (catalog, requests, grants, processed command
 * ids) the state each command needs, has {@link GovernanceRules} decide it, carries out the registry, topic and
 * calendar steps the rules ask for, and writes the changed states and the reply. A refusal writes the reply only. A
 * wall-clock punctuation expires grants past their {@code validUntil}.
 */
public final class CommandDecider implements Processor<String, Envelope, String, Out> {

    public static final String CATALOG_STORE = "governance-catalog";
    public static final String REQUESTS_STORE = "governance-requests";
    public static final String GRANTS_STORE = "governance-grants";
    public static final String PROCESSED_STORE = "governance-processed";
    public static final String REPORTS_STORE = "governance-error-reports";
    public static final String DISPUTES_STORE = "governance-disputes";
    /** Global store of {@code bus.calendars}. */
    public static final String CALENDARS_STORE = "governance-calendars";
    /** Global store of {@code bus.violations}: the state the authority's actions on a violation are checked against. */
    public static final String VIOLATIONS_STORE = "governance-violations";
    /** Global store of {@code bus.departments} (values kept as bytes: only whether a department exists is read). */
    public static final String DEPARTMENTS_STORE = "governance-departments";
    /** Global store of {@code bus.catalog-notices}: the open notices a department's catalogue change closes. */
    public static final String NOTICES_STORE = "governance-catalog-notices";
    /** The public requests to open data, by request id (Art. 34), on the partition of their provider. */
    public static final String PUBLIC_REQUESTS_STORE = "governance-public-requests";

    /** How often grants past their validity are looked for (wall-clock time). */
    public static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(30);

    private static final StringSerializer KEYS = new StringSerializer();
    private static final Logger LOG = LoggerFactory.getLogger(CommandDecider.class);

    private final GovernanceContext ctx;
    private ProcessorContext<String, Out> context;
    private CommandReader reader;
    private KeyValueStore<String, CatalogEntry> catalog;
    private KeyValueStore<String, AccessRequest> requests;
    private KeyValueStore<String, Grant> grants;
    private KeyValueStore<String, CommandResult> processed;
    private KeyValueStore<String, HolidayCalendar> calendars;
    private ReadOnlyKeyValueStore<String, Violation> violations;
    private KeyValueStore<String, ErrorReport> reports;
    private KeyValueStore<String, Dispute> disputes;
    private ReadOnlyKeyValueStore<String, byte[]> departments;
    private ReadOnlyKeyValueStore<String, CatalogNotice> notices;
    private KeyValueStore<String, cn.tianfu.databus.schemas.PublicRequest> publicRequests;

    /** A failure that says nothing about the command (registry or broker unreachable): answered, not recorded. */
    private static final class Transient extends RuntimeException {
        Transient(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public CommandDecider(GovernanceContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.reader = new CommandReader(ctx.registry());
        this.catalog = context.getStateStore(CATALOG_STORE);
        this.requests = context.getStateStore(REQUESTS_STORE);
        this.grants = context.getStateStore(GRANTS_STORE);
        this.processed = context.getStateStore(PROCESSED_STORE);
        this.calendars = context.getStateStore(CALENDARS_STORE);
        this.violations = context.getStateStore(VIOLATIONS_STORE);
        this.reports = context.getStateStore(REPORTS_STORE);
        this.disputes = context.getStateStore(DISPUTES_STORE);
        this.departments = context.getStateStore(DEPARTMENTS_STORE);
        this.notices = context.getStateStore(NOTICES_STORE);
        this.publicRequests = context.getStateStore(PUBLIC_REQUESTS_STORE);
        context.schedule(EXPIRY_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::expireGrants);
    }

    @Override
    public void process(Record<String, Envelope> record) {
        Envelope envelope = record.value();
        Instant now = ctx.clock().instant();
        CommandReader.Reading reading = reader.read(envelope.sourceTopic(), envelope.command());
        if (!reading.ok()) {
            // read once already by the router; only a schema deleted in between gets here
            var letter = DeadLetters.builder(CommandRouter.COMPONENT, reading.reason(), reading.problem())
                    .source(envelope.sourceTopic(), envelope.partition(), envelope.offset())
                    .original(null, envelope.command(), null).time(now).build();
            context.forward(new Record<>(letter.getId(), new Out.Dead(letter), record.timestamp()));
            return;
        }
        GovernanceCommand cmd = reading.command();
        String sender = envelope.sender();
        String processedKey = sender + "/" + cmd.getCommandId();
        CommandResult earlier = processed.get(processedKey);
        if (earlier != null) {
            Answer duplicate = GovernanceRules.duplicate(cmd.getCommandId(), earlier);
            reply(record, CommandResult.newBuilder(earlier)
                    .setAccepted(duplicate.accepted())
                    .setOutcome(duplicate.outcome())
                    .setMessage(duplicate.message())
                    .setProcessedAt(now)
                    .build());
            return;
        }
        Answer answer;
        boolean record_ = true;
        try {
            answer = decide(sender, cmd.getPayload(), processedKey, record.key(), now, record.timestamp());
            if (answer.accepted() && isCatalogChange(cmd.getPayload()) && !Principals.BUS_PRINCIPAL.equals(sender)) {
                closeNotices(sender, processedKey + " on " + record.key(), now, record.timestamp());
            }
        } catch (Transient e) {
            answer = Answer.refused(record.key(), e.getMessage() + "; nothing was changed: send the command again later");
            record_ = false;
        } catch (RuntimeException e) {
            if (Failures.isTransient(e)) {
                throw e;   // the thread is replaced and the command decided again
            }
            // whatever a command contains, it is answered: what the rules cannot decide is refused with the reason
            LOG.error("Command {} of {} could not be decided; refused", cmd.getCommandId(), sender, e);
            answer = Answer.refused(record.key(), "governance could not decide this command: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; it was not carried out and is not"
                    + " recorded as processed: send it again once the public data authority has resolved the cause");
            record_ = false;
        }
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(cmd.getCommandId())
                .setDepartment(sender)
                .setAccepted(answer.accepted())
                .setOutcome(answer.outcome())
                .setMessage(answer.message())
                .setResourceCode(answer.resourceCode())
                .setRequestId(answer.requestId())
                .setGrantId(answer.grantId())
                .setSubjectId(answer.subjectId())
                .setProcessedAt(now)
                .build();
        if (record_) {
            processed.put(processedKey, result);
        }
        reply(record, result);
    }

    /** Reads the state the command's rule needs, applies the rule and carries out what it decides. */
    private Answer decide(String sender, Object payload, String commandKey, String code, Instant now, long ts) {
        Decision decision;
        if (payload instanceof RegisterResource r) {
            decision = GovernanceRules.register(sender, r, catalog.get(r.getSpec().getCode()), now);
        } else if (payload instanceof UpdateResource u) {
            decision = GovernanceRules.update(sender, u, catalog.get(u.getSpec().getCode()), now);
        } else if (payload instanceof RetireResource r) {
            decision = GovernanceRules.retire(sender, r, catalog.get(r.getCode()), scan(grants, Ids.grantPrefix(r.getCode())),
                    scan(requests, Ids.requestPrefix(r.getCode())), now);
        } else if (payload instanceof RequestAccess r) {
            String resource = r.getResourceCode();
            decision = GovernanceRules.requestAccess(sender, r, catalog.get(resource), scan(requests, Ids.requestPrefix(resource)),
                    scan(grants, Ids.grantPrefix(resource)), now);
        } else if (payload instanceof DecideRequest d) {
            AccessRequest request = requests.get(d.getRequestId());
            decision = GovernanceRules.decide(sender, d, request, request == null ? null : catalog.get(request.getResourceCode()), now);
        } else if (payload instanceof WithdrawRequest w) {
            decision = GovernanceRules.withdraw(sender, w, requests.get(w.getRequestId()), now);
        } else if (payload instanceof RevokeGrant r) {
            decision = GovernanceRules.revoke(sender, r, grants.get(r.getGrantId()), now);
        } else if (payload instanceof NarrowGrant n) {
            Grant grant = grants.get(n.getGrantId());
            decision = GovernanceRules.narrow(sender, n, grant, grant == null ? null : catalog.get(grant.getResourceCode()), now);
        } else if (payload instanceof MarkOverdue m) {
            decision = GovernanceRules.markOverdue(sender, m, requests.get(m.getRequestId()), now);
        } else if (payload instanceof NoticeCatalogUpdate n) {
            decision = NoticeRules.catalogUpdate(sender, n, departments.get(n.getDepartment()) != null,
                    commandKey.substring(commandKey.indexOf('/') + 1), now);
        } else if (payload instanceof cn.tianfu.databus.schemas.SubmitPublicRequest p) {
            decision = PublicRequestRules.submit(sender, p, departments.get(p.getProvider()) != null,
                    scan(publicRequests, PublicRequestRules.idPrefix(p.getProvider())), now);
        } else if (payload instanceof cn.tianfu.databus.schemas.AnswerPublicRequest a) {
            decision = PublicRequestRules.answer(sender, a, publicRequests.get(a.getRequestId()), now);
        } else if (payload instanceof cn.tianfu.databus.schemas.RequestPublicReview r) {
            decision = PublicReviewRules.request(sender, r, publicRequests.get(r.getRequestId()), now);
        } else if (payload instanceof cn.tianfu.databus.schemas.RecordReviewOpinion o) {
            decision = PublicReviewRules.opinion(sender, o, publicRequests.get(o.getRequestId()), now);
        } else if (payload instanceof cn.tianfu.databus.schemas.DecidePublicReview d) {
            decision = PublicReviewRules.decide(sender, d, publicRequests.get(d.getRequestId()), now);
        } else if (payload instanceof ActOnViolation a) {
            decision = GovernanceRules.actOnViolation(sender, a, violations.get(a.getViolationId()), commandKey, now);
        } else if (payload instanceof ReportError r) {
            String resource = r.getResourceCode();
            decision = AccountabilityRules.reportError(sender, r, catalog.get(resource), scan(grants, Ids.grantPrefix(resource)),
                    scan(reports, Ids.reportPrefix(resource)), now);
        } else if (payload instanceof AnswerReport a) {
            decision = AccountabilityRules.answerReport(sender, a, reports.get(a.getReportId()), now);
        } else if (payload instanceof AcceptAnswer a) {
            decision = AccountabilityRules.acceptAnswer(sender, a, reports.get(a.getReportId()), now);
        } else if (payload instanceof OpenDispute o) {
            String id = o.getSubjectId();
            decision = AccountabilityRules.openDispute(sender, o,
                    o.getSubject() == DisputeSubject.REQUEST ? requests.get(id) : null,
                    o.getSubject() == DisputeSubject.REPORT ? reports.get(id) : null,
                    o.getSubject() == DisputeSubject.GRANT ? grants.get(id) : null,
                    scan(disputes, Ids.disputePrefix(code)), now);
        } else if (payload instanceof DisputeStep d) {
            decision = AccountabilityRules.disputeStep(sender, d, disputes.get(d.getDisputeId()), now);
        } else {
            decision = GovernanceRules.unknown(code, payload);
        }
        return carryOut(decision, ts);
    }

    /** Carries out the steps a decision asks for until it is final, then writes its changes in order. */
    private Answer carryOut(Decision decision, long ts) {
        Decision d = decision;
        while (!d.isFinal()) {
            if (d instanceof Decision.FetchSchema f) {
                d = f.then().apply(fetchSchema(f.schemaId()));
            } else if (d instanceof Decision.ProvisionResource p) {
                d = p.then().apply(provision(p.topic(), p.subject(), p.schema()));
            } else if (d instanceof Decision.RegisterVersion v) {
                d = v.then().apply(registerVersion(v.subject(), v.schema()));
            } else if (d instanceof Decision.NeedsCalendar c) {
                WorkingDayCalendar calendar;
                try {
                    calendar = DueTimes.calendar(ctx.calendar(), calendars);
                } catch (CalendarException e) {
                    d = c.uncountable().apply(e);
                    continue;
                }
                d = c.then().apply(calendar);
            } else {
                throw new IllegalStateException("unknown decision step " + d);
            }
        }
        if (d instanceof Decision.Refused r) {
            return r.answer();
        }
        Decision.Accepted accepted = (Decision.Accepted) d;
        for (Change change : accepted.changes()) {
            if (change instanceof Change.CatalogState c) {
                putCatalog(c.entry(), ts);
            } else if (change instanceof Change.RequestState r) {
                putRequest(r.request(), ts);
            } else if (change instanceof Change.GrantState g) {
                putGrant(g.grant(), ts);
            } else if (change instanceof Change.ViolationActionState v) {
                context.forward(new Record<>(v.action().getViolationId(), new Out.ViolationAct(v.action()), ts));
            } else if (change instanceof Change.ReportState r) {
                reports.put(r.report().getId(), r.report());
                context.forward(new Record<>(r.report().getId(), new Out.Report(r.report()), ts));
            } else if (change instanceof Change.NoticeState ns) {
                context.forward(new Record<>(ns.notice().getId(), new Out.NoticeState(ns.notice()), ts));
            } else if (change instanceof Change.PublicRequestState pr) {
                publicRequests.put(pr.request().getId(), pr.request());
                context.forward(new Record<>(pr.request().getId(), new Out.PublicRequestState(pr.request()), ts));
            } else if (change instanceof Change.DisputeState ds) {
                disputes.put(ds.dispute().getId(), ds.dispute());
                context.forward(new Record<>(ds.dispute().getId(), new Out.DisputeState(ds.dispute()), ts));
            } else if (change instanceof Change.Notice n) {
                notice(n, ts);
            }
        }
        return accepted.answer();
    }

    private static boolean isCatalogChange(Object payload) {
        return payload instanceof RegisterResource || payload instanceof UpdateResource || payload instanceof RetireResource;
    }

    /** Closes the open catalogue-update notices of {@code dept}: it changed its catalogue (Art. 14). */
    private void closeNotices(String dept, String closedBy, Instant now, long ts) {
        List<CatalogNotice> of = scan(notices, NoticeRules.departmentPrefix(dept));
        for (CatalogNotice closed : NoticeRules.closedBy(dept, of, closedBy, now)) {
            context.forward(new Record<>(closed.getId(), new Out.NoticeState(closed), ts));
        }
    }

    // ---- the registry steps ----

    private SchemaFetch fetchSchema(int id) {
        try {
            return new SchemaFetch.Found(ctx.registry().schemaById(id));
        } catch (SchemaRegistryException e) {
            return new SchemaFetch.Refused(refusal(e));
        }
    }

    /**
     * Creates the topic, then registers the schema last, when nothing but the catalog entry is left to do, so a
     * registration that is refused or fails leaves no subject behind to block the corrected one.
     */
    private SchemaRegistration provision(String topic, String subject, Schema schema) {
        createTopic(topic);
        try {
            dropUncatalogued(subject);
            CompatibilityResult compatibility = ctx.registry().testCompatibility(subject, schema);
            if (!compatibility.compatible()) {
                return new SchemaRegistration.Incompatible(compatibility.messages());
            }
            RegisteredSchema registered = registerSchema(subject, schema);
            ctx.registry().setCompatibility(Optional.of(subject), "BACKWARD");
            return new SchemaRegistration.Registered(registered.id(), registered.version());
        } catch (SchemaRegistryException e) {
            dropQuietly(subject);
            return new SchemaRegistration.Refused(refusal(e));
        }
    }

    private SchemaRegistration registerVersion(String subject, Schema schema) {
        try {
            CompatibilityResult compatibility = ctx.registry().testCompatibility(subject, schema);
            if (!compatibility.compatible()) {
                return new SchemaRegistration.Incompatible(compatibility.messages());
            }
            RegisteredSchema registered = registerSchema(subject, schema);
            return new SchemaRegistration.Registered(registered.id(), registered.version());
        } catch (SchemaRegistryException e) {
            return new SchemaRegistration.Refused(refusal(e));
        }
    }

    // ---- punctuation ----

    private void expireGrants(long wallClockMs) {
        List<Grant> all = new ArrayList<>();
        try (KeyValueIterator<String, Grant> it = grants.all()) {
            while (it.hasNext()) {
                all.add(it.next().value);
            }
        }
        for (Grant g : GovernanceRules.expired(all, ctx.clock().instant())) {
            putGrant(g, wallClockMs);
        }
    }

    // ---- helpers ----

    private RegisteredSchema registerSchema(String subject, Schema schema) {
        int id = ctx.registry().register(subject, schema);
        return ctx.registry().lookup(subject, schema)
                .orElseGet(() -> new RegisteredSchema(subject, id, ctx.registry().latest(subject).version(), schema));
    }

    /**
     * Removes the subject of a resource that has no catalog entry: left by a registration that was not accepted (the
     * governance task stopped between registering and committing, the registry failed after registering), it would
     * otherwise refuse the corrected schema as incompatible.
     */
    private void dropUncatalogued(String subject) {
        try {
            ctx.registry().deleteSubject(subject, true);
        } catch (SchemaRegistryException e) {
            if (e.kind() != SchemaRegistryException.Kind.SUBJECT_NOT_FOUND) {
                throw e;
            }
        }
    }

    private void dropQuietly(String subject) {
        try {
            dropUncatalogued(subject);
        } catch (SchemaRegistryException e) {
            // the registry is failing: the next registration of this resource removes the subject first
        }
    }

    /** The registry's message when it refused the schema (invalid or incompatible); any other failure is transient. */
    private static String refusal(SchemaRegistryException e) {
        if (e.kind() == SchemaRegistryException.Kind.INCOMPATIBLE || e.kind() == SchemaRegistryException.Kind.INVALID_SCHEMA) {
            return e.getMessage();
        }
        throw new Transient("the schema registry could not answer (" + e.getMessage() + ")", e);
    }

    private void createTopic(String topic) {
        try {
            ctx.topics().ensure(topic, ctx.partitions(), Topics.resourceTopicConfigs());
        } catch (DatabusException e) {
            throw new Transient("topic " + topic + " could not be created (" + e.getMessage() + ")", e);
        }
    }

    /** Every value whose key starts with {@code prefix}, in key order. */
    private static <V> List<V> scan(ReadOnlyKeyValueStore<String, V> store, String prefix) {
        List<V> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
            while (it.hasNext()) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    private void putCatalog(CatalogEntry entry, long ts) {
        catalog.put(entry.getCode(), entry);
        context.forward(new Record<>(entry.getCode(), new Out.Catalog(entry), ts));
    }

    private void putRequest(AccessRequest request, long ts) {
        requests.put(request.getRequestId(), request);
        context.forward(new Record<>(request.getRequestId(), new Out.Request(request), ts));
    }

    private void putGrant(Grant grant, long ts) {
        grants.put(grant.getGrantId(), grant);
        context.forward(new Record<>(grant.getGrantId(), new Out.GrantState(grant), ts));
    }

    /** A notice to another party of a command, on its reply topic (a new sender's reply topic is made first). */
    private void notice(Change.Notice n, long ts) {
        Answer a = n.answer();
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(n.noticeId())
                .setDepartment(n.recipient())
                .setAccepted(a.accepted())
                .setOutcome(a.outcome())
                .setMessage(a.message())
                .setResourceCode(a.resourceCode())
                .setRequestId(a.requestId())
                .setGrantId(a.grantId())
                .setSubjectId(a.subjectId())
                .setProcessedAt(ctx.clock().instant())
                .build();
        try {
            ctx.topics().ensure(Topics.replies(n.recipient()), 1, Map.of());
        } catch (DatabusException e) {
            throw new Transient("reply topic of " + n.recipient() + " could not be created (" + e.getMessage() + ")", e);
        }
        context.forward(new Record<>(n.noticeId(), new Out.Reply(n.recipient(), result), ts));
    }

    private void reply(Record<String, Envelope> record, CommandResult result) {
        context.forward(new Record<>(result.getCommandId(), new Out.Reply(result.getDepartment(), result), record.timestamp()));
    }
}
