package cn.tianfu.databus.governance.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
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
import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.governance.GovernanceContext;
import cn.tianfu.databus.registry.CompatibilityResult;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;
import cn.tianfu.databus.serde.SubjectNameStrategy;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.PolicyException;
import cn.tianfu.databus.sharing.RowFilter;
import cn.tianfu.databus.sharing.RowFilterException;
import cn.tianfu.databus.streams.Failures;
import cn.tianfu.databus.contract.Topics;

/**
 * Second step, on the partition of one resource: decides each command by the rules, in order, against the stores
 * (catalog, requests, grants, processed command ids), writes the changed states and the reply. A refusal writes the
 * reply only. A wall-clock punctuation expires grants past their {@code validUntil}.
 */
public final class CommandDecider implements Processor<String, Envelope, String, Out> {

    public static final String CATALOG_STORE = "governance-catalog";
    public static final String REQUESTS_STORE = "governance-requests";
    public static final String GRANTS_STORE = "governance-grants";
    public static final String PROCESSED_STORE = "governance-processed";
    /** Global store of {@code bus.calendars}. */
    public static final String CALENDARS_STORE = "governance-calendars";

    /** How often grants past their validity are looked for (wall-clock time). */
    public static final Duration EXPIRY_INTERVAL = Duration.ofSeconds(30);
    /** Working days a provider has to decide a conditional request (Art. 26). */
    public static final int DECISION_WORKING_DAYS = 10;

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(WorkingDayCalendar.ZONE);
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
            reply(record, CommandResult.newBuilder(earlier)
                    .setAccepted(false)
                    .setOutcome(Outcome.DUPLICATE)
                    .setMessage("command " + cmd.getCommandId() + " was already processed at "
                            + LOCAL.format(earlier.getProcessedAt()) + " (Asia/Shanghai) and nothing was changed now; its"
                            + " outcome was " + earlier.getOutcome() + ": " + earlier.getMessage())
                    .setProcessedAt(now)
                    .build());
            return;
        }
        Answer answer;
        boolean record_ = true;
        try {
            answer = decide(sender, cmd.getPayload(), record.key(), now, record.timestamp());
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
                .setProcessedAt(now)
                .build();
        if (record_) {
            processed.put(processedKey, result);
        }
        reply(record, result);
    }

    private Answer decide(String sender, Object payload, String code, Instant now, long ts) {
        if (payload instanceof RegisterResource r) {
            return register(sender, r, now, ts);
        } else if (payload instanceof UpdateResource u) {
            return update(sender, u, now, ts);
        } else if (payload instanceof RetireResource r) {
            return retire(sender, r, now, ts);
        } else if (payload instanceof RequestAccess r) {
            return requestAccess(sender, r, now, ts);
        } else if (payload instanceof DecideRequest d) {
            return decideRequest(sender, d, now, ts);
        } else if (payload instanceof WithdrawRequest w) {
            return withdraw(sender, w, now, ts);
        } else if (payload instanceof RevokeGrant r) {
            return revoke(sender, r, now, ts);
        }
        return Answer.invalid(code, "unknown command " + (payload == null ? "null" : payload.getClass().getSimpleName()));
    }

    // ---- catalog ----

    private Answer register(String sender, RegisterResource r, Instant now, long ts) {
        ResourceSpec spec = r.getSpec();
        String code = spec.getCode();
        CatalogEntry existing = catalog.get(code);
        if (existing != null) {
            if (!existing.getProvider().equals(sender)) {
                return Answer.refused(code, "resource " + code + " is already provided by department '"
                        + existing.getProvider() + "' (one data, one source, Art. 17): request access to "
                        + existing.getProvider() + "'s resource instead of registering it again");
            }
            if (existing.getStatus() == ResourceStatus.RETIRED) {
                return Answer.refused(code, "you retired resource " + code + "; a retired code is not reused: register"
                        + " the resource under a new code");
            }
            return Answer.refused(code, "you already provide resource " + code + " (catalog version "
                    + existing.getCatalogVersion() + "): use update to change its entry");
        }
        List<String> problems = new ArrayList<>(SpecChecks.spec(spec));
        Schema schema = parse(r.getSchemaJson(), problems);
        if (schema != null && spec.getDataItems() != null) {
            problems.addAll(SpecChecks.schema(spec.getDataItems(), schema));
        }
        if (!problems.isEmpty()) {
            return Answer.invalid(code, "resource " + code + " was not registered: " + String.join("; ", problems));
        }
        String topic = Topics.source(sender, code);
        String subject = SubjectNameStrategy.TOPIC_NAME.subjectName(topic, false, schema);
        // the schema is registered last, when nothing but the catalog entry is left to do, so a registration that is
        // refused or fails leaves no subject behind to block the corrected one
        createTopic(topic);
        RegisteredSchema registered;
        try {
            dropUncatalogued(subject);
            CompatibilityResult compatibility = ctx.registry().testCompatibility(subject, schema);
            if (!compatibility.compatible()) {
                return Answer.invalid(code, "resource " + code + " was not registered: subject " + subject + " already"
                        + " holds an incompatible schema: " + String.join("; ", compatibility.messages()));
            }
            registered = registerSchema(subject, schema);
            ctx.registry().setCompatibility(Optional.of(subject), "BACKWARD");
        } catch (SchemaRegistryException e) {
            dropQuietly(subject);
            return registryRefusal(code, e);
        }
        CatalogEntry entry = CatalogEntries.toCatalogEntry(spec, sender, subject, registered.id(), registered.version(), 1, now);
        putCatalog(entry, ts);
        return Answer.accepted(code, "registered resource " + code + " (" + spec.getName() + ") in the catalog, version 1;"
                + " publish its records on " + topic + " (schema id " + registered.id() + ")");
    }

    private Answer update(String sender, UpdateResource u, Instant now, long ts) {
        ResourceSpec spec = u.getSpec();
        String code = spec.getCode();
        CatalogEntry existing = catalog.get(code);
        if (existing == null) {
            return Answer.notFound(code, "there is no resource " + code + " in the catalog: register it first");
        }
        if (!existing.getProvider().equals(sender)) {
            return notProvider(code, existing, "update");
        }
        if (existing.getStatus() == ResourceStatus.RETIRED) {
            return Answer.refused(code, "resource " + code + " was retired (" + existing.getRetiredReason()
                    + "); a retired resource cannot be updated");
        }
        List<String> problems = new ArrayList<>(SpecChecks.spec(spec));
        Schema schema;
        try {
            schema = u.getSchemaJson() == null ? ctx.registry().schemaById(existing.getSchemaId()) : parse(u.getSchemaJson(), problems);
        } catch (SchemaRegistryException e) {
            return registryRefusal(code, e);
        }
        if (schema != null && spec.getDataItems() != null) {
            problems.addAll(SpecChecks.schema(spec.getDataItems(), schema));
        }
        if (!problems.isEmpty()) {
            return Answer.invalid(code, "resource " + code + " was not updated: " + String.join("; ", problems));
        }
        int schemaId = existing.getSchemaId();
        int schemaVersion = existing.getSchemaVersion();
        if (u.getSchemaJson() != null) {
            try {
                CompatibilityResult compatibility = ctx.registry().testCompatibility(existing.getSchemaSubject(), schema);
                if (!compatibility.compatible()) {
                    return Answer.invalid(code, "resource " + code + " was not updated: the new schema is not backward"
                            + " compatible with version " + existing.getSchemaVersion() + " of " + existing.getSchemaSubject()
                            + ": " + String.join("; ", compatibility.messages()));
                }
                RegisteredSchema registered = registerSchema(existing.getSchemaSubject(), schema);
                schemaId = registered.id();
                schemaVersion = registered.version();
            } catch (SchemaRegistryException e) {
                return registryRefusal(code, e);
            }
        }
        int version = existing.getCatalogVersion() + 1;
        CatalogEntry entry = CatalogEntries.toCatalogEntry(spec, sender, existing.getSchemaSubject(), schemaId, schemaVersion,
                version, now);
        putCatalog(entry, ts);
        return Answer.accepted(code, "updated resource " + code + " to catalog version " + version
                + (schemaId != existing.getSchemaId() ? " with schema version " + schemaVersion + " (id " + schemaId + ")" : "")
                + (SpecChecks.blank(u.getReason()) ? "" : "; reason: " + u.getReason()));
    }

    private Answer retire(String sender, RetireResource r, Instant now, long ts) {
        String code = r.getCode();
        CatalogEntry existing = catalog.get(code);
        if (existing == null) {
            return Answer.notFound(code, "there is no resource " + code + " in the catalog");
        }
        if (!existing.getProvider().equals(sender)) {
            return notProvider(code, existing, "retire");
        }
        if (existing.getStatus() == ResourceStatus.RETIRED) {
            return Answer.refused(code, "resource " + code + " is already retired (" + existing.getRetiredReason() + ")");
        }
        if (SpecChecks.blank(r.getReason())) {
            return Answer.invalid(code, "retiring resource " + code + " needs a reason: state why it is retired");
        }
        putCatalog(CatalogEntry.newBuilder(existing)
                .setStatus(ResourceStatus.RETIRED)
                .setRetiredReason(r.getReason())
                .setCatalogVersion(existing.getCatalogVersion() + 1)
                .setLastChanged(now)
                .build(), ts);
        String why = "resource " + code + " was retired by " + sender + ": " + r.getReason();
        List<Grant> ended = scan(grants, Ids.grantPrefix(code), g -> g.getStatus() == GrantStatus.ACTIVE);
        for (Grant g : ended) {
            putGrant(Grant.newBuilder(g).setStatus(GrantStatus.ENDED).setEndedAt(now).setEndReason(why).build(), ts);
        }
        List<AccessRequest> refused = scan(requests, Ids.requestPrefix(code), q -> q.getStatus() == RequestStatus.PENDING);
        for (AccessRequest q : refused) {
            putRequest(AccessRequest.newBuilder(q).setStatus(RequestStatus.REFUSED).setDecidedAt(now).setDecisionReason(why).build(), ts);
        }
        return Answer.accepted(code, "retired resource " + code + "; ended " + ended.size() + " active grant(s) and refused "
                + refused.size() + " pending request(s)");
    }

    // ---- requests ----

    private Answer requestAccess(String sender, RequestAccess r, Instant now, long ts) {
        String code = r.getResourceCode();
        if (SpecChecks.blank(r.getPurpose())) {
            return Answer.invalid(code, "a request must state its purpose (Art. 30): say what the data of " + code
                    + " will be used for");
        }
        CatalogEntry entry = catalog.get(code);
        if (entry == null) {
            return Answer.notFound(code, "there is no resource " + code + " in the catalog");
        }
        if (entry.getStatus() == ResourceStatus.RETIRED) {
            return Answer.refused(code, "resource " + code + " was retired by " + entry.getProvider() + " ("
                    + entry.getRetiredReason() + ") and can no longer be requested");
        }
        if (entry.getProvider().equals(sender)) {
            return Answer.refused(code, "you provide resource " + code + " yourself; a department does not request access"
                    + " to its own resource");
        }
        if (entry.getSharingClass() == SharingClass.NOT_SHARED) {
            return Answer.refused(code, "resource " + code + " is not shared (不予共享): " + entry.getReasonNotShared());
        }
        if (entry.getSharingMethod() != SharingMethod.BOTH && r.getMethod() != entry.getSharingMethod()) {
            return Answer.refused(code, "resource " + code + " is shared by " + entry.getSharingMethod() + " only; request"
                    + " method " + entry.getSharingMethod());
        }
        if (r.getRequestedFields() != null) {
            List<String> problems = fieldProblems(entry, r.getRequestedFields(), null, "requested");
            if (!problems.isEmpty()) {
                return Answer.invalid(code, "request for " + code + " was not filed: " + String.join("; ", problems));
            }
        }
        long count = 0;
        try (KeyValueIterator<String, AccessRequest> it = requests.prefixScan(Ids.requestPrefix(code), KEYS)) {
            while (it.hasNext()) {
                AccessRequest q = it.next().value;
                count++;
                if (q.getConsumer().equals(sender) && q.getStatus() == RequestStatus.PENDING) {
                    return Answer.refused(code, "you already have pending request " + q.getRequestId() + " on " + code
                            + " (filed " + LOCAL.format(q.getFiledAt()) + "); wait for " + entry.getProvider()
                            + "'s decision or withdraw it first").request(q.getRequestId());
                }
            }
        }
        List<Grant> active = scan(grants, Ids.grantPrefix(code),
                g -> g.getConsumer().equals(sender) && g.getStatus() == GrantStatus.ACTIVE);
        if (!active.isEmpty()) {
            return Answer.refused(code, "you already hold active grant " + active.get(0).getGrantId() + " on " + code
                    + "; revoke it before requesting again").grant(active.get(0).getGrantId());
        }
        String requestId = Ids.request(code, count + 1);
        AccessRequest.Builder request = AccessRequest.newBuilder()
                .setRequestId(requestId)
                .setResourceCode(code)
                .setProvider(entry.getProvider())
                .setConsumer(sender)
                .setPurpose(r.getPurpose())
                .setRequestedFields(r.getRequestedFields() == null ? null : List.copyOf(r.getRequestedFields()))
                .setMethod(r.getMethod())
                .setLegalBasis(r.getLegalBasis())
                .setFiledAt(now);
        if (entry.getSharingClass() == SharingClass.UNCONDITIONAL) {
            String grantId = Ids.grantFor(requestId);
            putRequest(request.setStatus(RequestStatus.APPROVED).setDecidedAt(now).setGrantId(grantId).build(), ts);
            putGrant(Grant.newBuilder()
                    .setGrantId(grantId)
                    .setRequestId(requestId)
                    .setResourceCode(code)
                    .setProvider(entry.getProvider())
                    .setConsumer(sender)
                    .setPurpose(r.getPurpose())
                    .setMethod(r.getMethod())
                    .setAllowedFields(r.getRequestedFields() == null ? null : List.copyOf(r.getRequestedFields()))
                    .setClearFields(List.of())
                    .setRowFilter(null)
                    .setValidFrom(now)
                    .setValidUntil(null)
                    .setStatus(GrantStatus.ACTIVE)
                    .setCreatedAt(now)
                    .build(), ts);
            return Answer.accepted(code, "resource " + code + " is shared unconditionally: grant " + grantId
                    + " is active for the purpose stated").request(requestId).grant(grantId);
        }
        Due due;
        try {
            due = DueTimes.calendar(ctx.calendar(), calendars).due(now, DECISION_WORKING_DAYS);
        } catch (CalendarException e) {
            return Answer.refused(code, "request on " + code + " was not filed: its decision deadline cannot be counted ("
                    + e.getMessage() + ")");
        }
        putRequest(request.setStatus(RequestStatus.PENDING).setDueAt(due.instant())
                .setDueCalendar(due.calendarSummary()).setDueProvisional(due.provisional()).build(), ts);
        return new Answer(Outcome.PENDING, "request " + requestId + " on " + code + " is pending: " + entry.getProvider()
                + " must decide it within " + DECISION_WORKING_DAYS + " working days, by " + LOCAL.format(due.instant())
                + " Asia/Shanghai (" + due.instant() + ")" + DueTimes.provisionalNote(due)
                + "; the sharing conditions are: " + entry.getSharingConditions(),
                code, requestId, null);
    }

    private Answer decideRequest(String sender, DecideRequest d, Instant now, long ts) {
        String requestId = d.getRequestId();
        AccessRequest request = requests.get(requestId);
        String code = Ids.resourceOfRequest(requestId).orElse(null);
        if (request == null) {
            return Answer.notFound(code, "there is no request " + requestId).request(requestId);
        }
        if (!request.getProvider().equals(sender)) {
            return Answer.refused(code, "request " + requestId + " is decided by the provider of " + code + ", department '"
                    + request.getProvider() + "', not by " + sender).request(requestId);
        }
        if (request.getStatus() != RequestStatus.PENDING) {
            return Answer.refused(code, "request " + requestId + " is " + request.getStatus() + ", not PENDING; only a"
                    + " pending request can be decided").request(requestId);
        }
        if (d.getDecision() == Decision.REJECT) {
            if (SpecChecks.blank(d.getReason())) {
                return Answer.invalid(code, "rejecting request " + requestId + " needs a reason, which is given to "
                        + request.getConsumer()).request(requestId);
            }
            putRequest(AccessRequest.newBuilder(request).setStatus(RequestStatus.REJECTED).setDecidedAt(now)
                    .setDecisionReason(d.getReason()).build(), ts);
            return Answer.accepted(code, "rejected request " + requestId + " of " + request.getConsumer()).request(requestId);
        }
        CatalogEntry entry = catalog.get(request.getResourceCode());
        List<String> allowed = d.getAllowedFields() != null ? List.copyOf(d.getAllowedFields())
                : request.getRequestedFields() == null ? null : List.copyOf(request.getRequestedFields());
        List<String> clear = d.getClearFields() == null ? List.of() : List.copyOf(d.getClearFields());
        List<String> problems = new ArrayList<>();
        if (allowed != null) {
            problems.addAll(fieldProblems(entry, allowed, request.getRequestedFields(), "allowed"));
        }
        Set<String> notPersonal = new TreeSet<>();
        Set<String> notAllowed = new TreeSet<>();
        for (String f : clear) {
            Optional<DataItem> item = item(entry, f);
            if (item.isPresent() && item.get().getSensitivity() != Sensitivity.PERSONAL) {
                notPersonal.add(f);
            }
            if (item.isEmpty() || allowed != null && !allowed.contains(f)) {
                notAllowed.add(f);
            }
        }
        if (!notAllowed.isEmpty()) {
            problems.add("clear field(s) " + notAllowed + " are not among the allowed fields");
        }
        if (!notPersonal.isEmpty()) {
            problems.add("clear field(s) " + notPersonal + " are not personal items; only personal items are masked");
        }
        Instant from = d.getValidFrom() == null ? now : d.getValidFrom();
        Instant until = d.getValidUntil();
        if (until != null && !until.isAfter(from)) {
            problems.add("validUntil " + until + " must be after validFrom " + from);
        }
        if (until != null && !until.isAfter(now)) {
            problems.add("validUntil " + until + " is not in the future");
        }
        Schema schema;
        try {
            schema = ctx.registry().schemaById(entry.getSchemaId());
        } catch (SchemaRegistryException e) {
            return registryRefusal(code, e).request(requestId);
        }
        if (problems.isEmpty()) {
            try {
                DeliveryPlan.build(schema, request.getConsumer(), Optional.ofNullable(allowed), Set.copyOf(clear));
            } catch (PolicyException e) {
                problems.add(e.getMessage());
            }
        }
        if (d.getRowFilter() != null) {
            try {
                RowFilter.compile(d.getRowFilter(), schema);
            } catch (RowFilterException e) {
                problems.add("row filter '" + d.getRowFilter() + "' does not compile against the schema of " + code + ":\n"
                        + e.compilerMessage());
            } catch (PolicyException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            return Answer.invalid(code, "the approval of request " + requestId + " was not recorded: "
                    + String.join("; ", problems)).request(requestId);
        }
        String grantId = Ids.grantFor(requestId);
        putRequest(AccessRequest.newBuilder(request).setStatus(RequestStatus.APPROVED).setDecidedAt(now)
                .setDecisionReason(d.getReason()).setGrantId(grantId).build(), ts);
        putGrant(Grant.newBuilder()
                .setGrantId(grantId)
                .setRequestId(requestId)
                .setResourceCode(request.getResourceCode())
                .setProvider(request.getProvider())
                .setConsumer(request.getConsumer())
                .setPurpose(request.getPurpose())
                .setMethod(request.getMethod())
                .setAllowedFields(allowed)
                .setClearFields(clear)
                .setRowFilter(d.getRowFilter())
                .setValidFrom(from)
                .setValidUntil(until)
                .setStatus(GrantStatus.ACTIVE)
                .setCreatedAt(now)
                .build(), ts);
        return Answer.accepted(code, "approved request " + requestId + " of " + request.getConsumer() + ": grant " + grantId
                + " is active" + (until == null ? "" : " until " + LOCAL.format(until) + " Asia/Shanghai"))
                .request(requestId).grant(grantId);
    }

    private Answer withdraw(String sender, WithdrawRequest w, Instant now, long ts) {
        String requestId = w.getRequestId();
        String code = Ids.resourceOfRequest(requestId).orElse(null);
        AccessRequest request = requests.get(requestId);
        if (request == null) {
            return Answer.notFound(code, "there is no request " + requestId).request(requestId);
        }
        if (!request.getConsumer().equals(sender)) {
            return Answer.refused(code, "request " + requestId + " was filed by department '" + request.getConsumer()
                    + "'; only the requester may withdraw it").request(requestId);
        }
        if (request.getStatus() != RequestStatus.PENDING) {
            return Answer.refused(code, "request " + requestId + " is " + request.getStatus() + ", not PENDING; only a"
                    + " pending request can be withdrawn").request(requestId);
        }
        putRequest(AccessRequest.newBuilder(request).setStatus(RequestStatus.WITHDRAWN).setDecidedAt(now)
                .setDecisionReason(SpecChecks.blank(w.getReason()) ? "withdrawn by " + sender : w.getReason()).build(), ts);
        return Answer.accepted(code, "withdrew request " + requestId).request(requestId);
    }

    private Answer revoke(String sender, RevokeGrant r, Instant now, long ts) {
        String grantId = r.getGrantId();
        String code = Ids.resourceOfGrant(grantId).orElse(null);
        Grant grant = grants.get(grantId);
        if (grant == null) {
            return Answer.notFound(code, "there is no grant " + grantId).grant(grantId);
        }
        if (!grant.getProvider().equals(sender) && !grant.getConsumer().equals(sender)) {
            return Answer.refused(code, "grant " + grantId + " may be revoked only by its provider '" + grant.getProvider()
                    + "' or given up by its consumer '" + grant.getConsumer() + "'").grant(grantId);
        }
        if (grant.getStatus() != GrantStatus.ACTIVE) {
            return Answer.refused(code, "grant " + grantId + " is " + grant.getStatus() + ", not ACTIVE").grant(grantId);
        }
        if (SpecChecks.blank(r.getReason())) {
            return Answer.invalid(code, "revoking grant " + grantId + " needs a reason, which is given to the other"
                    + " department").grant(grantId);
        }
        String by = sender.equals(grant.getProvider()) ? "revoked by provider " : "given up by consumer ";
        putGrant(Grant.newBuilder(grant).setStatus(GrantStatus.REVOKED).setEndedAt(now)
                .setEndReason(by + sender + ": " + r.getReason()).build(), ts);
        return Answer.accepted(code, "revoked grant " + grantId + " (" + by.trim() + " " + sender + ")")
                .request(grant.getRequestId()).grant(grantId);
    }

    // ---- punctuation ----

    private void expireGrants(long wallClockMs) {
        Instant now = ctx.clock().instant();
        List<Grant> due = new ArrayList<>();
        try (KeyValueIterator<String, Grant> it = grants.all()) {
            while (it.hasNext()) {
                Grant g = it.next().value;
                if (g.getStatus() == GrantStatus.ACTIVE && g.getValidUntil() != null && !g.getValidUntil().isAfter(now)) {
                    due.add(g);
                }
            }
        }
        for (Grant g : due) {
            putGrant(Grant.newBuilder(g).setStatus(GrantStatus.EXPIRED).setEndedAt(now)
                    .setEndReason("validity ended at " + LOCAL.format(g.getValidUntil()) + " Asia/Shanghai").build(), wallClockMs);
        }
    }

    // ---- helpers ----

    private List<String> fieldProblems(CatalogEntry entry, List<String> fields, List<String> requested, String what) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        Set<String> notRequested = new TreeSet<>();
        for (String f : fields) {
            if (item(entry, f).isEmpty()) {
                unknown.add(f);
            } else if (requested != null && !requested.contains(f)) {
                notRequested.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            problems.add(what + " field(s) " + unknown + " are not data items of " + entry.getCode());
        }
        if (!notRequested.isEmpty()) {
            problems.add(what + " field(s) " + notRequested + " were not requested; an approval may only narrow the request");
        }
        Set<String> missingKeys = new LinkedHashSet<>();
        for (DataItem item : entry.getDataItems()) {
            if (item.getKey() && !fields.contains(item.getName())) {
                missingKeys.add(item.getName());
            }
        }
        if (!missingKeys.isEmpty()) {
            problems.add(what + " fields must include the key field(s) " + missingKeys);
        }
        return problems;
    }

    private static Optional<DataItem> item(CatalogEntry entry, String name) {
        return entry.getDataItems().stream().filter(i -> i.getName().equals(name)).findFirst();
    }

    private static Answer notProvider(String code, CatalogEntry entry, String action) {
        return Answer.refused(code, "resource " + code + " is provided by department '" + entry.getProvider()
                + "'; only its provider may " + action + " it");
    }

    private static Schema parse(String json, List<String> problems) {
        if (SpecChecks.blank(json)) {
            problems.add("schemaJson is empty: give the Avro schema of the resource's records");
            return null;
        }
        try {
            return new Schema.Parser().parse(json);
        } catch (RuntimeException e) {
            problems.add("schemaJson is not a valid Avro schema: " + e.getMessage());
            return null;
        }
    }

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

    private static Answer registryRefusal(String code, SchemaRegistryException e) {
        if (e.kind() == SchemaRegistryException.Kind.INCOMPATIBLE || e.kind() == SchemaRegistryException.Kind.INVALID_SCHEMA) {
            return Answer.invalid(code, "the schema registry refused the schema of " + code + ": " + e.getMessage());
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

    private static <V> List<V> scan(KeyValueStore<String, V> store, String prefix, Predicate<V> filter) {
        List<V> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.prefixScan(prefix, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                if (filter.test(kv.value)) {
                    out.add(kv.value);
                }
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

    private void reply(Record<String, Envelope> record, CommandResult result) {
        context.forward(new Record<>(result.getCommandId(), new Out.Reply(result.getDepartment(), result), record.timestamp()));
    }
}
