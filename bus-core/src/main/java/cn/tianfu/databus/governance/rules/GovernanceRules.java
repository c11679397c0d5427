package cn.tianfu.databus.governance.rules;

import cn.tianfu.databus.contract.Subjects;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.apache.avro.Schema;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.governance.rules.Change.CatalogState;
import cn.tianfu.databus.opendata.Opening;
import cn.tianfu.databus.governance.rules.Change.GrantState;
import cn.tianfu.databus.governance.rules.Change.RequestState;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.NarrowGrant;
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
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.PolicyException;
import cn.tianfu.databus.sharing.RowFilter;
import cn.tianfu.databus.sharing.RowFilterException;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.deadlines.ViolationLifecycle;
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationActionKind;

/**
 * The governance rules, one method per command: the state the command needs (as read from the stores, {@code null}
 * when absent), the command, the sending department and the time in, a {@link Decision} out. Pure: no store, registry,
 * clock or calendar is read here; what the rules need from the registry or the calendar they ask for as a step.
 *
 * <pre>{@code
 * Decision d = GovernanceRules.retire("psb", command, catalogEntry, grantsOfResource, requestsOfResource, now);
 * if (d instanceof Decision.Accepted a) { a.changes().forEach(store::put); reply(a.answer()); }
 * }</pre>
 */
public final class GovernanceRules {

    /** Working days a provider has to decide a conditional request (Art. 26). */
    public static final int DECISION_WORKING_DAYS = 10;

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(WorkingDayCalendar.ZONE);

    private GovernanceRules() {
    }

    // ---- any command ----

    /** The answer to a command id already processed ({@code earlier}): DUPLICATE, quoting the earlier outcome. */
    public static Answer duplicate(String commandId, CommandResult earlier) {
        return new Answer(Outcome.DUPLICATE, "command " + commandId + " was already processed at "
                + LOCAL.format(earlier.getProcessedAt()) + " (Asia/Shanghai) and nothing was changed now; its"
                + " outcome was " + earlier.getOutcome() + ": " + earlier.getMessage(),
                earlier.getResourceCode(), earlier.getRequestId(), earlier.getGrantId());
    }

    /** A payload that is no command the rules know. */
    public static Decision unknown(String code, Object payload) {
        return Decision.refused(Answer.invalid(code, "unknown command "
                + (payload == null ? "null" : payload.getClass().getSimpleName())));
    }

    // ---- catalog ----

    /**
     * Registering a resource (Art. 17: one data, one source): refused when its code is catalogued already; invalid
     * when the spec or its schema has problems; otherwise the resource is provisioned and catalogued as version 1.
     *
     * @param existing the catalog entry of the spec's code, or null
     */
    public static Decision register(String sender, RegisterResource r, CatalogEntry existing, Instant now) {
        ResourceSpec spec = r.getSpec();
        String code = spec.getCode();
        if (existing != null) {
            if (!existing.getProvider().equals(sender)) {
                return Decision.refused(Answer.refused(code, "resource " + code + " is already provided by department '"
                        + existing.getProvider() + "' (one data, one source, Art. 17): request access to "
                        + existing.getProvider() + "'s resource instead of registering it again"));
            }
            if (existing.getStatus() == ResourceStatus.RETIRED) {
                return Decision.refused(Answer.refused(code, "you retired resource " + code + "; a retired code is not"
                        + " reused: register the resource under a new code"));
            }
            return Decision.refused(Answer.refused(code, "you already provide resource " + code + " (catalog version "
                    + existing.getCatalogVersion() + "): use update to change its entry"));
        }
        List<String> openRefusals = Opening.refusals(spec);
        if (!openRefusals.isEmpty()) {
            return Decision.refused(Answer.refused(code, "resource " + code + " was not registered: it cannot be opened"
                    + " to the public as declared: " + String.join("; ", openRefusals)));
        }
        List<String> problems = new ArrayList<>(SpecChecks.spec(spec));
        Schema schema = parse(r.getSchemaJson(), problems);
        if (schema != null && spec.getDataItems() != null) {
            problems.addAll(SpecChecks.schema(spec.getDataItems(), schema));
        }
        if (!problems.isEmpty()) {
            return Decision.refused(Answer.invalid(code, "resource " + code + " was not registered: "
                    + String.join("; ", problems)));
        }
        String topic = Topics.source(sender, code);
        String subject = Subjects.valueSubject(topic);
        return new Decision.ProvisionResource(topic, subject, schema, registration -> {
            if (registration instanceof SchemaRegistration.Incompatible i) {
                return Decision.refused(Answer.invalid(code, "resource " + code + " was not registered: subject "
                        + subject + " already holds an incompatible schema: " + String.join("; ", i.messages())));
            }
            if (registration instanceof SchemaRegistration.Refused f) {
                return Decision.refused(registryRefused(code, f.message()));
            }
            SchemaRegistration.Registered registered = (SchemaRegistration.Registered) registration;
            CatalogEntry entry = Opening.reviewed(CatalogEntries.toCatalogEntry(spec, sender, subject, registered.id(),
                    registered.version(), 1, now), spec, sender, now);
            return Decision.accepted(Answer.accepted(code, "registered resource " + code + " (" + spec.getName()
                    + ") in the catalog, version 1; publish its records on " + topic + " (schema id " + registered.id()
                    + ")" + openedNote(entry)), new CatalogState(entry));
        });
    }

    /** What the reply says of an opened resource: where it is published and who reviewed it. */
    private static String openedNote(CatalogEntry entry) {
        if (!Opening.isOpen(entry)) {
            return "";
        }
        return "; opened to the public (fields " + String.join(", ", entry.getOpenFields()) + ") on "
                + Topics.open(entry.getCode()) + ", confidentiality review by " + entry.getConfidentialityReview().getReviewedBy()
                + " recorded";
    }

    /**
     * Updating a resource's entry: only by its provider, not once retired; the spec and the schema (the new one, or
     * the registered one when none is given) must agree, and a new schema must be backward compatible.
     *
     * @param existing the catalog entry of the spec's code, or null
     */
    public static Decision update(String sender, UpdateResource u, CatalogEntry existing, Instant now) {
        ResourceSpec spec = u.getSpec();
        String code = spec.getCode();
        if (existing == null) {
            return Decision.refused(Answer.notFound(code, "there is no resource " + code + " in the catalog: register it first"));
        }
        if (!existing.getProvider().equals(sender)) {
            return notProvider(code, existing, "update");
        }
        if (existing.getStatus() == ResourceStatus.RETIRED) {
            return Decision.refused(Answer.refused(code, "resource " + code + " was retired (" + existing.getRetiredReason()
                    + "); a retired resource cannot be updated"));
        }
        List<String> openRefusals = Opening.refusals(spec);
        if (!openRefusals.isEmpty()) {
            return Decision.refused(Answer.refused(code, "resource " + code + " was not updated: it cannot be opened"
                    + " to the public as declared: " + String.join("; ", openRefusals)));
        }
        List<String> problems = new ArrayList<>(SpecChecks.spec(spec));
        if (u.getSchemaJson() == null) {
            return new Decision.FetchSchema(existing.getSchemaId(), fetched -> {
                if (fetched instanceof SchemaFetch.Refused f) {
                    return Decision.refused(registryRefused(code, f.message()));
                }
                return checkedUpdate(sender, u, existing, ((SchemaFetch.Found) fetched).schema(), new ArrayList<>(problems), now);
            });
        }
        return checkedUpdate(sender, u, existing, parse(u.getSchemaJson(), problems), problems, now);
    }

    private static Decision checkedUpdate(String sender, UpdateResource u, CatalogEntry existing, Schema schema,
                                          List<String> problems, Instant now) {
        ResourceSpec spec = u.getSpec();
        String code = spec.getCode();
        if (schema != null && spec.getDataItems() != null) {
            problems.addAll(SpecChecks.schema(spec.getDataItems(), schema));
        }
        if (!problems.isEmpty()) {
            return Decision.refused(Answer.invalid(code, "resource " + code + " was not updated: " + String.join("; ", problems)));
        }
        if (u.getSchemaJson() == null) {
            return updated(sender, u, existing, existing.getSchemaId(), existing.getSchemaVersion(), now);
        }
        return new Decision.RegisterVersion(existing.getSchemaSubject(), schema, registration -> {
            if (registration instanceof SchemaRegistration.Incompatible i) {
                return Decision.refused(Answer.invalid(code, "resource " + code + " was not updated: the new schema is not"
                        + " backward compatible with version " + existing.getSchemaVersion() + " of "
                        + existing.getSchemaSubject() + ": " + String.join("; ", i.messages())));
            }
            if (registration instanceof SchemaRegistration.Refused f) {
                return Decision.refused(registryRefused(code, f.message()));
            }
            SchemaRegistration.Registered registered = (SchemaRegistration.Registered) registration;
            return updated(sender, u, existing, registered.id(), registered.version(), now);
        });
    }

    private static Decision updated(String sender, UpdateResource u, CatalogEntry existing, int schemaId, int schemaVersion,
                                    Instant now) {
        String code = u.getSpec().getCode();
        int version = existing.getCatalogVersion() + 1;
        CatalogEntry entry = Opening.reviewed(CatalogEntries.toCatalogEntry(u.getSpec(), sender,
                existing.getSchemaSubject(), schemaId, schemaVersion, version, now), u.getSpec(), sender, now);
        return Decision.accepted(Answer.accepted(code, "updated resource " + code + " to catalog version " + version
                + (schemaId != existing.getSchemaId() ? " with schema version " + schemaVersion + " (id " + schemaId + ")" : "")
                + (SpecChecks.blank(u.getReason()) ? "" : "; reason: " + u.getReason()) + openedNote(entry)),
                new CatalogState(entry));
    }

    /**
     * Retiring a resource: only by its provider, with a reason; ends its active grants and refuses its pending
     * requests, giving that reason.
     *
     * @param existing the catalog entry of the code, or null
     * @param grants   every grant of the resource, in id order
     * @param requests every request of the resource, in id order
     */
    public static Decision retire(String sender, RetireResource r, CatalogEntry existing, List<Grant> grants,
                                  List<AccessRequest> requests, Instant now) {
        String code = r.getCode();
        if (existing == null) {
            return Decision.refused(Answer.notFound(code, "there is no resource " + code + " in the catalog"));
        }
        if (!existing.getProvider().equals(sender)) {
            return notProvider(code, existing, "retire");
        }
        if (existing.getStatus() == ResourceStatus.RETIRED) {
            return Decision.refused(Answer.refused(code, "resource " + code + " is already retired ("
                    + existing.getRetiredReason() + ")"));
        }
        if (SpecChecks.blank(r.getReason())) {
            return Decision.refused(Answer.invalid(code, "retiring resource " + code + " needs a reason: state why it is retired"));
        }
        List<Change> changes = new ArrayList<>();
        changes.add(new CatalogState(CatalogEntry.newBuilder(existing)
                .setStatus(ResourceStatus.RETIRED)
                .setRetiredReason(r.getReason())
                .setCatalogVersion(existing.getCatalogVersion() + 1)
                .setLastChanged(now)
                .build()));
        String why = "resource " + code + " was retired by " + sender + ": " + r.getReason();
        int ended = 0;
        for (Grant g : grants) {
            if (g.getStatus() == GrantStatus.ACTIVE) {
                changes.add(new GrantState(Grant.newBuilder(g).setStatus(GrantStatus.ENDED).setEndedAt(now).setEndReason(why).build()));
                ended++;
            }
        }
        int refused = 0;
        for (AccessRequest q : requests) {
            if (q.getStatus() == RequestStatus.PENDING) {
                changes.add(new RequestState(AccessRequest.newBuilder(q).setStatus(RequestStatus.REFUSED).setDecidedAt(now)
                        .setDecisionReason(why).build()));
                refused++;
            }
        }
        return new Decision.Accepted(Answer.accepted(code, "retired resource " + code + "; ended " + ended
                + " active grant(s) and refused " + refused + " pending request(s)"), changes);
    }

    // ---- requests ----

    /**
     * Requesting access (Art. 25–26, 30): with a purpose, to an active resource of another department that is shared
     * by the method asked for, naming only its data items, while the requester has no pending request and no active
     * grant on it. An UNCONDITIONAL resource is granted at once; a CONDITIONAL one is filed PENDING, due
     * {@value #DECISION_WORKING_DAYS} working days after filing.
     *
     * @param entry    the catalog entry of the resource, or null
     * @param requests every request of the resource, in id order
     * @param grants   every grant of the resource, in id order
     */
    public static Decision requestAccess(String sender, RequestAccess r, CatalogEntry entry, List<AccessRequest> requests,
                                         List<Grant> grants, Instant now) {
        String code = r.getResourceCode();
        if (SpecChecks.blank(r.getPurpose())) {
            return Decision.refused(Answer.invalid(code, "a request must state its purpose (Art. 30): say what the data of "
                    + code + " will be used for"));
        }
        if (entry == null) {
            return Decision.refused(Answer.notFound(code, "there is no resource " + code + " in the catalog"));
        }
        if (entry.getStatus() == ResourceStatus.RETIRED) {
            return Decision.refused(Answer.refused(code, "resource " + code + " was retired by " + entry.getProvider()
                    + " (" + entry.getRetiredReason() + ") and can no longer be requested"));
        }
        if (entry.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(code, "you provide resource " + code + " yourself; a department does not"
                    + " request access to its own resource"));
        }
        if (entry.getSharingClass() == SharingClass.NOT_SHARED) {
            return Decision.refused(Answer.refused(code, "resource " + code + " is not shared (不予共享): "
                    + entry.getReasonNotShared()));
        }
        if (entry.getSharingMethod() != SharingMethod.BOTH && r.getMethod() != entry.getSharingMethod()) {
            return Decision.refused(Answer.refused(code, "resource " + code + " is shared by " + entry.getSharingMethod()
                    + " only; request method " + entry.getSharingMethod()));
        }
        if (r.getRequestedFields() != null) {
            List<String> problems = fieldProblems(entry, r.getRequestedFields(), null, "requested");
            if (!problems.isEmpty()) {
                return Decision.refused(Answer.invalid(code, "request for " + code + " was not filed: "
                        + String.join("; ", problems)));
            }
        }
        for (AccessRequest q : requests) {
            if (q.getConsumer().equals(sender) && q.getStatus() == RequestStatus.PENDING) {
                return Decision.refused(Answer.refused(code, "you already have pending request " + q.getRequestId()
                        + " on " + code + " (filed " + LOCAL.format(q.getFiledAt()) + "); wait for " + entry.getProvider()
                        + "'s decision or withdraw it first").request(q.getRequestId()));
            }
        }
        for (Grant g : grants) {
            if (g.getConsumer().equals(sender) && g.getStatus() == GrantStatus.ACTIVE) {
                return Decision.refused(Answer.refused(code, "you already hold active grant " + g.getGrantId() + " on "
                        + code + "; revoke it before requesting again").grant(g.getGrantId()));
            }
        }
        String requestId = Ids.request(code, requests.size() + 1L);
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
            Grant grant = Grant.newBuilder()
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
                    .build();
            return Decision.accepted(Answer.accepted(code, "resource " + code + " is shared unconditionally: grant "
                            + grantId + " is active for the purpose stated").request(requestId).grant(grantId),
                    new RequestState(request.setStatus(RequestStatus.APPROVED).setDecidedAt(now).setGrantId(grantId).build()),
                    new GrantState(grant));
        }
        return new Decision.NeedsCalendar(calendar -> {
            Due due;
            try {
                due = calendar.due(now, DECISION_WORKING_DAYS);
            } catch (CalendarException e) {
                return uncountable(code, e);
            }
            return Decision.accepted(new Answer(Outcome.PENDING, "request " + requestId + " on " + code + " is pending: "
                            + entry.getProvider() + " must decide it within " + DECISION_WORKING_DAYS + " working days, by "
                            + LOCAL.format(due.instant()) + " Asia/Shanghai (" + due.instant() + ")" + provisionalNote(due)
                            + "; the sharing conditions are: " + entry.getSharingConditions(), code, requestId, null),
                    new RequestState(request.setStatus(RequestStatus.PENDING).setDueAt(due.instant())
                            .setDueCalendar(due.calendarSummary()).setDueProvisional(due.provisional()).build()));
        }, e -> uncountable(code, e));
    }

    private static Decision uncountable(String code, CalendarException e) {
        return Decision.refused(Answer.refused(code, "request on " + code + " was not filed: its decision deadline cannot"
                + " be counted (" + e.getMessage() + ")"));
    }

    /** What a reply adds for a due date counted over a provisional year; empty otherwise. */
    static String provisionalNote(Due due) {
        if (!due.provisional()) {
            return "";
        }
        return "; " + due.describe() + ": that year's holiday notice is not loaded, so only its statutory holidays were"
                + " counted (no make-up working days), and this due time stays as given when the notice is loaded";
    }

    /**
     * Deciding a pending request: only by the provider. A rejection needs a reason. An approval may narrow the
     * requested fields (keeping the key fields), leave personal items in clear, limit rows by a filter that compiles
     * against the resource's schema, and bound the validity in the future; it creates the grant.
     *
     * @param request the request decided, or null
     * @param entry   the catalog entry of the request's resource (null when there is no request)
     */
    public static Decision decide(String sender, DecideRequest d, AccessRequest request, CatalogEntry entry, Instant now) {
        String requestId = d.getRequestId();
        String code = Ids.resourceOfRequest(requestId).orElse(null);
        if (request == null) {
            return Decision.refused(Answer.notFound(code, "there is no request " + requestId).request(requestId));
        }
        if (!request.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(code, "request " + requestId + " is decided by the provider of " + code
                    + ", department '" + request.getProvider() + "', not by " + sender).request(requestId));
        }
        if (request.getStatus() != RequestStatus.PENDING) {
            return Decision.refused(Answer.refused(code, "request " + requestId + " is " + request.getStatus()
                    + ", not PENDING; only a pending request can be decided").request(requestId));
        }
        if (d.getDecision() == cn.tianfu.databus.schemas.Decision.REJECT) {
            if (SpecChecks.blank(d.getReason())) {
                return Decision.refused(Answer.invalid(code, "rejecting request " + requestId + " needs a reason, which is"
                        + " given to " + request.getConsumer()).request(requestId));
            }
            return Decision.accepted(Answer.accepted(code, "rejected request " + requestId + " of " + request.getConsumer())
                            .request(requestId),
                    new RequestState(AccessRequest.newBuilder(request).setStatus(RequestStatus.REJECTED).setDecidedAt(now)
                            .setDecisionReason(d.getReason()).build()));
        }
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
        if (d.getRateLimit() != null && d.getRateLimit() < 1 || d.getDailyLimit() != null && d.getDailyLimit() < 1) {
            problems.add("rate and daily limits must be at least 1 (leave them out for the bus's defaults)");
        }
        Instant from = d.getValidFrom() == null ? now : d.getValidFrom();
        Instant until = d.getValidUntil();
        if (until != null && !until.isAfter(from)) {
            problems.add("validUntil " + until + " must be after validFrom " + from);
        }
        if (until != null && !until.isAfter(now)) {
            problems.add("validUntil " + until + " is not in the future");
        }
        return new Decision.FetchSchema(entry.getSchemaId(), fetched -> {
            if (fetched instanceof SchemaFetch.Refused f) {
                return Decision.refused(registryRefused(code, f.message()).request(requestId));
            }
            Schema schema = ((SchemaFetch.Found) fetched).schema();
            List<String> all = new ArrayList<>(problems);
            if (all.isEmpty()) {
                try {
                    DeliveryPlan.build(schema, request.getConsumer(), Optional.ofNullable(allowed), Set.copyOf(clear));
                } catch (PolicyException e) {
                    all.add(e.getMessage());
                }
            }
            if (d.getRowFilter() != null) {
                try {
                    RowFilter.compile(d.getRowFilter(), schema);
                } catch (RowFilterException e) {
                    all.add("row filter '" + d.getRowFilter() + "' does not compile against the schema of " + code
                            + ":\n" + e.compilerMessage());
                } catch (PolicyException e) {
                    all.add(e.getMessage());
                }
            }
            if (!all.isEmpty()) {
                return Decision.refused(Answer.invalid(code, "the approval of request " + requestId + " was not recorded: "
                        + String.join("; ", all)).request(requestId));
            }
            String grantId = Ids.grantFor(requestId);
            Grant grant = Grant.newBuilder()
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
                    .setRateLimit(d.getRateLimit())
                    .setDailyLimit(d.getDailyLimit())
                    .build();
            return Decision.accepted(Answer.accepted(code, "approved request " + requestId + " of " + request.getConsumer()
                            + ": grant " + grantId + " is active"
                            + (until == null ? "" : " until " + LOCAL.format(until) + " Asia/Shanghai"))
                            .request(requestId).grant(grantId),
                    new RequestState(AccessRequest.newBuilder(request).setStatus(RequestStatus.APPROVED).setDecidedAt(now)
                            .setDecisionReason(d.getReason()).setGrantId(grantId).build()),
                    new GrantState(grant));
        });
    }

    /**
     * Withdrawing a pending request: only by the requester.
     *
     * @param request the request, or null
     */
    public static Decision withdraw(String sender, WithdrawRequest w, AccessRequest request, Instant now) {
        String requestId = w.getRequestId();
        String code = Ids.resourceOfRequest(requestId).orElse(null);
        if (request == null) {
            return Decision.refused(Answer.notFound(code, "there is no request " + requestId).request(requestId));
        }
        if (!request.getConsumer().equals(sender)) {
            return Decision.refused(Answer.refused(code, "request " + requestId + " was filed by department '"
                    + request.getConsumer() + "'; only the requester may withdraw it").request(requestId));
        }
        if (request.getStatus() != RequestStatus.PENDING) {
            return Decision.refused(Answer.refused(code, "request " + requestId + " is " + request.getStatus() + ", not"
                    + " PENDING; only a pending request can be withdrawn").request(requestId));
        }
        return Decision.accepted(Answer.accepted(code, "withdrew request " + requestId).request(requestId),
                new RequestState(AccessRequest.newBuilder(request).setStatus(RequestStatus.WITHDRAWN).setDecidedAt(now)
                        .setDecisionReason(SpecChecks.blank(w.getReason()) ? "withdrawn by " + sender : w.getReason())
                        .build()));
    }

    // ---- grants ----

    /**
     * Ending an active grant, with a reason given to the other party: revoked by its provider or given up by its
     * consumer.
     *
     * @param grant the grant, or null
     */
    public static Decision revoke(String sender, RevokeGrant r, Grant grant, Instant now) {
        String grantId = r.getGrantId();
        String code = Ids.resourceOfGrant(grantId).orElse(null);
        if (grant == null) {
            return Decision.refused(Answer.notFound(code, "there is no grant " + grantId).grant(grantId));
        }
        if (!grant.getProvider().equals(sender) && !grant.getConsumer().equals(sender)) {
            return Decision.refused(Answer.refused(code, "grant " + grantId + " may be revoked only by its provider '"
                    + grant.getProvider() + "' or given up by its consumer '" + grant.getConsumer() + "'").grant(grantId));
        }
        if (grant.getStatus() != GrantStatus.ACTIVE) {
            return Decision.refused(Answer.refused(code, "grant " + grantId + " is " + grant.getStatus() + ", not ACTIVE")
                    .grant(grantId));
        }
        if (SpecChecks.blank(r.getReason())) {
            return Decision.refused(Answer.invalid(code, "revoking grant " + grantId + " needs a reason, which is given to"
                    + " the other department").grant(grantId));
        }
        String by = sender.equals(grant.getProvider()) ? "revoked by provider " : "given up by consumer ";
        return Decision.accepted(Answer.accepted(code, "revoked grant " + grantId + " (" + by.trim() + " " + sender + ")")
                        .request(grant.getRequestId()).grant(grantId),
                new GrantState(Grant.newBuilder(grant).setStatus(GrantStatus.REVOKED).setEndedAt(now)
                        .setEndReason(by + sender + ": " + r.getReason()).build()));
    }

    /**
     * Narrowing an active grant, by its provider only: fewer allowed fields (a subset of those allowed now, keeping the
     * key fields), fewer rows (the given filter is joined to the grant's own with {@code &&}, so it can only take rows
     * away) and fewer fields in clear (a subset of those in clear now; fields no longer allowed leave the clear list).
     * The grant keeps its id, purpose and validity; the router sees its terms change and withdraws from the consumer
     * what it received outside them ({@code docs/router.md}, Withdrawal). A narrowing that changes nothing is refused.
     *
     * @param grant the grant, or null
     * @param entry the catalog entry of the grant's resource, or null
     */
    public static Decision narrow(String sender, NarrowGrant n, Grant grant, CatalogEntry entry, Instant now) {
        String grantId = n.getGrantId();
        String code = Ids.resourceOfGrant(grantId).orElse(null);
        if (grant == null) {
            return Decision.refused(Answer.notFound(code, "there is no grant " + grantId).grant(grantId));
        }
        if (!grant.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(code, "grant " + grantId + " may be narrowed only by its provider '"
                    + grant.getProvider() + "'").grant(grantId));
        }
        if (grant.getStatus() != GrantStatus.ACTIVE) {
            return Decision.refused(Answer.refused(code, "grant " + grantId + " is " + grant.getStatus() + ", not ACTIVE")
                    .grant(grantId));
        }
        if (entry == null) {
            return Decision.refused(Answer.notFound(code, "resource " + grant.getResourceCode() + " of grant " + grantId
                    + " is not in the catalog").grant(grantId));
        }
        if (SpecChecks.blank(n.getReason())) {
            return Decision.refused(Answer.invalid(code, "narrowing grant " + grantId + " needs a reason").grant(grantId));
        }
        if (n.getAllowedFields() == null && SpecChecks.blank(n.getRowFilter()) && n.getClearFields() == null) {
            return Decision.refused(Answer.invalid(code, "narrowing grant " + grantId + " needs fewer allowed fields, a row"
                    + " filter or fewer fields in clear").grant(grantId));
        }
        List<String> problems = new ArrayList<>();
        List<String> allowedNow = grant.getAllowedFields() == null ? null : List.copyOf(grant.getAllowedFields());
        List<String> allowed = allowedNow;
        if (n.getAllowedFields() != null) {
            allowed = List.copyOf(new LinkedHashSet<>(n.getAllowedFields()));
            problems.addAll(fieldProblems(entry, allowed, null, "allowed"));
            if (allowedNow != null) {
                Set<String> wider = new TreeSet<>(allowed);
                wider.removeAll(allowedNow);
                if (!wider.isEmpty()) {
                    problems.add("field(s) " + wider + " are not allowed by grant " + grantId + " now; narrowing cannot add fields");
                }
            }
        }
        List<String> clearNow = grant.getClearFields() == null ? List.of() : List.copyOf(grant.getClearFields());
        List<String> clear;
        if (n.getClearFields() != null) {
            Set<String> wider = new TreeSet<>(n.getClearFields());
            wider.removeAll(clearNow);
            if (!wider.isEmpty()) {
                problems.add("field(s) " + wider + " are not in clear under grant " + grantId + " now; narrowing cannot"
                        + " unmask fields");
            }
            clear = List.copyOf(new LinkedHashSet<>(n.getClearFields()));
        } else {
            clear = clearNow;
        }
        List<String> allowedFinal = allowed;
        clear = clear.stream().filter(f -> allowedFinal == null || allowedFinal.contains(f)).toList();
        String rowFilter = SpecChecks.blank(n.getRowFilter()) ? grant.getRowFilter()
                : grant.getRowFilter() == null ? n.getRowFilter().trim()
                : "(" + grant.getRowFilter() + ") && (" + n.getRowFilter().trim() + ")";
        boolean sameFields = java.util.Objects.equals(allowed == null ? null : Set.copyOf(allowed),
                allowedNow == null ? null : Set.copyOf(allowedNow));
        if (problems.isEmpty() && sameFields && Set.copyOf(clear).equals(Set.copyOf(clearNow))
                && java.util.Objects.equals(rowFilter, grant.getRowFilter())) {
            return Decision.refused(Answer.invalid(code, "the narrowing of grant " + grantId + " changes nothing").grant(grantId));
        }
        List<String> clearFinal = clear;
        return new Decision.FetchSchema(entry.getSchemaId(), fetched -> {
            if (fetched instanceof SchemaFetch.Refused f) {
                return Decision.refused(registryRefused(code, f.message()).grant(grantId));
            }
            Schema schema = ((SchemaFetch.Found) fetched).schema();
            List<String> all = new ArrayList<>(problems);
            if (all.isEmpty()) {
                try {
                    DeliveryPlan.build(schema, grant.getConsumer(), Optional.ofNullable(allowedFinal), Set.copyOf(clearFinal));
                } catch (PolicyException e) {
                    all.add(e.getMessage());
                }
            }
            if (!SpecChecks.blank(n.getRowFilter())) {
                try {
                    RowFilter.compile(rowFilter, schema);
                } catch (RowFilterException e) {
                    all.add("row filter '" + n.getRowFilter() + "' does not compile against the schema of " + code
                            + ":\n" + e.compilerMessage());
                } catch (PolicyException e) {
                    all.add(e.getMessage());
                }
            }
            if (!all.isEmpty()) {
                return Decision.refused(Answer.invalid(code, "grant " + grantId + " was not narrowed: "
                        + String.join("; ", all)).grant(grantId));
            }
            return Decision.accepted(Answer.accepted(code, "narrowed grant " + grantId + " of " + grant.getConsumer() + ": "
                            + n.getReason()).request(grant.getRequestId()).grant(grantId),
                    new GrantState(Grant.newBuilder(grant).setAllowedFields(allowedFinal).setClearFields(clearFinal)
                            .setRowFilter(rowFilter).build()));
        });
    }

    /** The grants among {@code grants} whose validity has ended by {@code now}, EXPIRED, in the given order. */
    public static List<Grant> expired(Iterable<Grant> grants, Instant now) {
        List<Grant> out = new ArrayList<>();
        for (Grant g : grants) {
            if (g.getStatus() == GrantStatus.ACTIVE && g.getValidUntil() != null && !g.getValidUntil().isAfter(now)) {
                out.add(Grant.newBuilder(g).setStatus(GrantStatus.EXPIRED).setEndedAt(now)
                        .setEndReason("validity ended at " + LOCAL.format(g.getValidUntil()) + " Asia/Shanghai").build());
            }
        }
        return out;
    }

    // ---- helpers ----

    /** The refusal when the schema registry refused a schema of {@code code} (invalid or incompatible). */
    private static Answer registryRefused(String code, String registryMessage) {
        return Answer.invalid(code, "the schema registry refused the schema of " + code + ": " + registryMessage);
    }

    // ---- accountability: sent by the bus (the authority and its deadlines app) only ----

    /** Longest rectification period the authority may order in working days (a year of them). */
    public static final int MAX_RECTIFICATION_WORKING_DAYS = 250;

    /**
     * Marking a pending request OVERDUE (Art. 26): only the bus sends it (the deadlines app, at the request's due time,
     * in the transaction of its violation). The request stays PENDING and decidable; {@code overdueAt} is set once (a
     * request already marked is left as it is, accepted).
     *
     * @param request the request, or null
     */
    public static Decision markOverdue(String sender, MarkOverdue m, AccessRequest request, Instant now) {
        String requestId = m.getRequestId();
        String code = Ids.resourceOfRequest(requestId).orElse(null);
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(code, "only the bus marks a request overdue (at its due time); a"
                    + " department cannot, department '" + sender + "'").request(requestId));
        }
        if (request == null) {
            return Decision.refused(Answer.notFound(code, "there is no request " + requestId).request(requestId));
        }
        if (request.getStatus() != RequestStatus.PENDING || request.getDueAt() == null) {
            return Decision.refused(Answer.refused(code, "request " + requestId + " is " + request.getStatus()
                    + (request.getDueAt() == null ? " without a due time" : "") + "; only a pending request with a due"
                    + " time becomes overdue").request(requestId));
        }
        if (request.getOverdueAt() != null) {
            return Decision.accepted(Answer.accepted(code, "request " + requestId + " was already marked overdue at "
                    + LOCAL.format(request.getOverdueAt()) + " Asia/Shanghai; nothing changed").request(requestId));
        }
        return Decision.accepted(Answer.accepted(code, "request " + requestId + " is overdue: not decided by "
                        + LOCAL.format(request.getDueAt()) + " Asia/Shanghai; it stays pending and " + request.getProvider()
                        + " can still decide it" + (m.getViolationId() == null ? "" : " (violation " + m.getViolationId() + ")"))
                        .request(requestId),
                new RequestState(AccessRequest.newBuilder(request).setOverdueAt(now).build()));
    }

    /**
     * The authority acting on a violation (Art. 46): only the bus principal (the authority's CLI acts as it, on
     * {@code cmd.bus}); the violation must exist and the action fit its status ({@link ViolationLifecycle#problem}).
     * Ordering rectification needs a deadline in the future: {@code withinWorkingDays} (1 to
     * {@value #MAX_RECTIFICATION_WORKING_DAYS}, counted on the calendar) or {@code rectifyBy}. Accepted, it is recorded
     * on {@code bus.violation-actions} for the deadlines app to apply (the one writer of {@code bus.violations}).
     *
     * @param violation the violation's current state, or null
     * @param actionId  a unique id of the action ({@code <sender>/<commandId>})
     */
    public static Decision actOnViolation(String sender, ActOnViolation a, Violation violation, String actionId, Instant now) {
        String id = a.getViolationId();
        String code = violation == null ? null : violation.getResourceCode();
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(code, "only the public data authority orders, closes or escalates a"
                    + " violation (Art. 46); department '" + sender + "' cannot act on violation " + id));
        }
        if (violation == null) {
            return Decision.refused(Answer.notFound(null, "there is no violation '" + id + "' (list them with"
                    + " 'databus violations')"));
        }
        Optional<String> problem = ViolationLifecycle.problem(violation, a.getAction());
        if (problem.isPresent()) {
            return Decision.refused(Answer.refused(code, problem.get()));
        }
        ViolationAction.Builder action = ViolationAction.newBuilder().setActionId(actionId).setViolationId(id)
                .setAction(a.getAction()).setBy(sender).setAt(now).setNote(a.getNote()).setRectifyBy(null);
        if (a.getAction() != ViolationActionKind.ORDER_RECTIFICATION) {
            if (a.getWithinWorkingDays() != null || a.getRectifyBy() != null) {
                return Decision.refused(Answer.invalid(code, "a deadline goes only with ordering rectification"));
            }
            return acted(code, action.build(), violation);
        }
        if ((a.getWithinWorkingDays() == null) == (a.getRectifyBy() == null)) {
            return Decision.refused(Answer.invalid(code, "ordering rectification of " + id + " needs its deadline: either"
                    + " a number of working days or a time, not both"));
        }
        if (a.getRectifyBy() != null) {
            if (!a.getRectifyBy().isAfter(now)) {
                return Decision.refused(Answer.invalid(code, "the rectification deadline " + a.getRectifyBy()
                        + " is not in the future"));
            }
            return acted(code, action.setRectifyBy(a.getRectifyBy()).build(), violation);
        }
        int days = a.getWithinWorkingDays();
        if (days < 1 || days > MAX_RECTIFICATION_WORKING_DAYS) {
            return Decision.refused(Answer.invalid(code, "the rectification period must be 1 to "
                    + MAX_RECTIFICATION_WORKING_DAYS + " working days, was " + days));
        }
        return new Decision.NeedsCalendar(calendar -> {
            Due due;
            try {
                due = calendar.due(now, days);
            } catch (CalendarException e) {
                return Decision.refused(Answer.refused(code, "the rectification deadline cannot be counted ("
                        + e.getMessage() + "): give it as a date"));
            }
            return acted(code, action.setRectifyBy(due.instant()).build(), violation);
        }, e -> Decision.refused(Answer.refused(code, "the rectification deadline cannot be counted (" + e.getMessage()
                + "): give it as a date")));
    }

    private static Decision acted(String code, ViolationAction action, Violation violation) {
        String what = switch (action.getAction()) {
            case ORDER_RECTIFICATION -> "ordered " + violation.getDepartment() + " to rectify violation "
                    + violation.getId() + " by " + LOCAL.format(action.getRectifyBy()) + " Asia/Shanghai ("
                    + action.getRectifyBy() + ")";
            case RECTIFIED -> "recorded violation " + violation.getId() + " of " + violation.getDepartment() + " as rectified";
            case ESCALATE -> "escalated violation " + violation.getId() + " of " + violation.getDepartment();
        };
        return Decision.accepted(Answer.accepted(code, what + "; it shows on bus.violations once the deadlines app has"
                + " applied it"), new Change.ViolationActionState(action));
    }

    private static Decision notProvider(String code, CatalogEntry entry, String action) {
        return Decision.refused(Answer.refused(code, "resource " + code + " is provided by department '" + entry.getProvider()
                + "'; only its provider may " + action + " it"));
    }

    private static List<String> fieldProblems(CatalogEntry entry, List<String> fields, List<String> requested, String what) {
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
}
