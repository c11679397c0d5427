package cn.tianfu.databus.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.List;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.governance.rules.Change.CatalogState;
import cn.tianfu.databus.governance.rules.Change.GrantState;
import cn.tianfu.databus.governance.rules.Change.RequestState;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.NarrowGrant;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;

class GovernanceRulesTest {

    /** Friday 2026-09-18, 10:00 in Asia/Shanghai. */
    static final Instant NOW = ZonedDateTime.parse("2026-09-18T10:00:00+08:00[Asia/Shanghai]").toInstant();
    static final Instant EARLIER = ZonedDateTime.parse("2026-09-01T09:30:00+08:00[Asia/Shanghai]").toInstant();
    static final String CODE = "101-000001";
    static final String SUBJECT = "src.psb.101-000001-value";
    static final String CONDITIONS = "only for verifying residence in an administrative procedure";
    static final String NOT_SHARED_REASON = "sealed by the Public Security Law, Art. 9";
    static final WorkingDayCalendar CALENDAR = WorkingDayCalendar.bundled().withProvisionalYears();

    // ---- fixtures ----

    static DataItem item(String name, FieldType type, Sensitivity sensitivity, MaskKind mask, boolean key) {
        return DataItem.newBuilder().setName(name).setDisplayName(name).setType(type).setSensitivity(sensitivity)
                .setMask(mask).setKey(key).build();
    }

    static List<DataItem> items() {
        return List.of(
                item("idNumber", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.ID_NUMBER, true),
                item("name", FieldType.STRING, Sensitivity.PERSONAL, MaskKind.NAME, false),
                item("divisionCode", FieldType.STRING, Sensitivity.INTERNAL, MaskKind.NONE, false),
                item("birthDate", FieldType.DATE, Sensitivity.PUBLIC, MaskKind.NONE, false));
    }

    static ResourceSpec.Builder spec(SharingClass sharing) {
        return ResourceSpec.newBuilder()
                .setCode(CODE)
                .setClassification("101")
                .setName("人口基础信息")
                .setCategory(Category.BASIC)
                .setProviderCode("11510100MB0000000X")
                .setSummary("residents of the city")
                .setFormat("Avro")
                .setDataItems(items())
                .setSharingClass(sharing)
                .setSharingConditions(sharing == SharingClass.CONDITIONAL ? CONDITIONS : null)
                .setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.DAILY)
                .setPublishDate(LocalDate.of(2026, 1, 1))
                .setReasonNotShared(sharing == SharingClass.NOT_SHARED ? NOT_SHARED_REASON : null);
    }

    static String schemaJson(String extraFields) {
        return """
                {"type":"record","name":"Population","namespace":"test.governance","fields":[
                 {"name":"idNumber","type":"string","sensitivity":"PERSONAL","mask":"ID_NUMBER","key":true},
                 {"name":"name","type":["null","string"],"default":null,"sensitivity":"PERSONAL","mask":"NAME"},
                 {"name":"divisionCode","type":["null","string"],"default":null,"sensitivity":"INTERNAL","mask":"NONE"},
                 {"name":"birthDate","type":["null",{"type":"int","logicalType":"date"}],"default":null}%s
                ]}""".formatted(extraFields);
    }

    static final Schema SCHEMA = new Schema.Parser().parse(schemaJson(""));

    static CatalogEntry entry(SharingClass sharing) {
        return CatalogEntries.toCatalogEntry(spec(sharing).build(), "psb", SUBJECT, 7, 1, 1, EARLIER);
    }

    static CatalogEntry retired() {
        return CatalogEntry.newBuilder(entry(SharingClass.CONDITIONAL)).setStatus(ResourceStatus.RETIRED)
                .setRetiredReason("merged into 101-000002").build();
    }

    static AccessRequest pending(String consumer, int n) {
        return AccessRequest.newBuilder().setRequestId(CODE + ".R" + n).setResourceCode(CODE).setProvider("psb")
                .setConsumer(consumer).setPurpose("school enrolment").setRequestedFields(List.of("idNumber", "name"))
                .setMethod(SharingMethod.PUSH).setStatus(RequestStatus.PENDING).setFiledAt(EARLIER).build();
    }

    static AccessRequest withStatus(AccessRequest r, RequestStatus status) {
        return AccessRequest.newBuilder(r).setStatus(status).build();
    }

    static Grant active(String consumer, int n) {
        return Grant.newBuilder().setGrantId(CODE + ".G" + n).setRequestId(CODE + ".R" + n).setResourceCode(CODE)
                .setProvider("psb").setConsumer(consumer).setPurpose("school enrolment").setMethod(SharingMethod.PUSH)
                .setClearFields(List.of()).setValidFrom(EARLIER).setStatus(GrantStatus.ACTIVE).setCreatedAt(EARLIER).build();
    }

    static Grant withStatus(Grant g, GrantStatus status) {
        return Grant.newBuilder(g).setStatus(status).build();
    }

    static RequestAccess request(String purpose) {
        return RequestAccess.newBuilder().setResourceCode(CODE).setPurpose(purpose).setMethod(SharingMethod.PUSH).build();
    }

    static DecideRequest.Builder approve(String requestId) {
        return DecideRequest.newBuilder().setRequestId(requestId).setDecision(cn.tianfu.databus.schemas.Decision.APPROVE);
    }

    // ---- decisions ----

    static Answer refused(Decision d, Outcome outcome) {
        assertThat(d).isInstanceOf(Decision.Refused.class);
        Answer a = ((Decision.Refused) d).answer();
        assertThat(a.outcome()).as(a.message()).isEqualTo(outcome);
        assertThat(a.accepted()).isFalse();
        return a;
    }

    static Decision.Accepted accepted(Decision d) {
        assertThat(d).isInstanceOf(Decision.Accepted.class);
        return (Decision.Accepted) d;
    }

    /** Carries out a step as a registry and calendar that answer without trouble would. */
    static Decision answered(Decision d) {
        if (d instanceof Decision.FetchSchema f) {
            return f.then().apply(new SchemaFetch.Found(SCHEMA));
        }
        if (d instanceof Decision.ProvisionResource p) {
            return p.then().apply(new SchemaRegistration.Registered(7, 1));
        }
        if (d instanceof Decision.RegisterVersion v) {
            return v.then().apply(new SchemaRegistration.Registered(8, 2));
        }
        if (d instanceof Decision.NeedsCalendar c) {
            return c.then().apply(CALENDAR);
        }
        return d;
    }

    // ---- AnyCommand ----

    @Test
    void aRepeatedCommandIsDuplicateQuotingTheEarlierOutcome() {
        CommandResult earlier = CommandResult.newBuilder().setCommandId("c1").setDepartment("edu").setAccepted(true)
                .setOutcome(Outcome.ACCEPTED).setMessage("withdrew request " + CODE + ".R1").setResourceCode(CODE)
                .setRequestId(CODE + ".R1").setGrantId(null).setProcessedAt(EARLIER).build();

        Answer a = GovernanceRules.duplicate("c1", earlier);

        assertThat(a).isEqualTo(new Answer(Outcome.DUPLICATE, "command c1 was already processed at 2026-09-01 09:30:00"
                + " (Asia/Shanghai) and nothing was changed now; its outcome was ACCEPTED: withdrew request "
                + CODE + ".R1", CODE, CODE + ".R1", null));
        assertThat(a.accepted()).isFalse();
    }

    @Test
    void anUnknownPayloadIsInvalidNamingItsType() {
        assertThat(refused(GovernanceRules.unknown(CODE, "text"), Outcome.INVALID).message()).isEqualTo("unknown command String");
        assertThat(refused(GovernanceRules.unknown(null, null), Outcome.INVALID).message()).isEqualTo("unknown command null");
    }

    // ---- Register ----

    RegisterResource registerCommand(ResourceSpec spec, String schemaJson) {
        return RegisterResource.newBuilder().setSpec(spec).setSchemaJson(schemaJson).build();
    }

    RegisterResource registerCommand() {
        return registerCommand(spec(SharingClass.CONDITIONAL).build(), schemaJson(""));
    }

    @Test
    void aNewResourceIsProvisionedThenCataloguedAsVersion1() {
        Decision d = GovernanceRules.register("psb", registerCommand(), null, NOW);

        assertThat(d).isInstanceOf(Decision.ProvisionResource.class);
        Decision.ProvisionResource p = (Decision.ProvisionResource) d;
        assertThat(p.topic()).isEqualTo("src.psb." + CODE);
        assertThat(p.subject()).isEqualTo(SUBJECT);
        assertThat(p.schema()).isEqualTo(SCHEMA);
        Decision.Accepted a = accepted(p.then().apply(new SchemaRegistration.Registered(7, 1)));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "registered resource " + CODE + " (人口基础信息) in the"
                + " catalog, version 1; publish its records on src.psb." + CODE + " (schema id 7)"));
        assertThat(a.changes()).containsExactly(new CatalogState(CatalogEntries.toCatalogEntry(
                spec(SharingClass.CONDITIONAL).build(), "psb", SUBJECT, 7, 1, 1, NOW)));
    }

    @Test
    void aCodeAnotherDepartmentProvidesIsRefusedNamingIt() {
        Answer a = refused(GovernanceRules.register("edu", registerCommand(), entry(SharingClass.CONDITIONAL), NOW), Outcome.REFUSED);
        assertThat(a).isEqualTo(Answer.refused(CODE, "resource " + CODE + " is already provided by department 'psb'"
                + " (one data, one source, Art. 17): request access to psb's resource instead of registering it again"));
    }

    @Test
    void aRetiredCodeIsNotReused() {
        assertThat(refused(GovernanceRules.register("psb", registerCommand(), retired(), NOW), Outcome.REFUSED).message())
                .isEqualTo("you retired resource " + CODE + "; a retired code is not reused: register the resource"
                        + " under a new code");
    }

    @Test
    void reRegisteringOnesOwnCodeSaysUseUpdate() {
        assertThat(refused(GovernanceRules.register("psb", registerCommand(), entry(SharingClass.CONDITIONAL), NOW),
                Outcome.REFUSED).message()).isEqualTo("you already provide resource " + CODE + " (catalog version 1):"
                + " use update to change its entry");
    }

    @Test
    void specProblemsAreListedTogether() {
        ResourceSpec spec = spec(SharingClass.NOT_SHARED).setReasonNotShared(null).setName(" ").build();
        Answer a = refused(GovernanceRules.register("psb", registerCommand(spec, schemaJson("")), null, NOW), Outcome.INVALID);
        assertThat(a.message()).isEqualTo("resource " + CODE + " was not registered: name is required; a NOT_SHARED"
                + " resource needs reasonNotShared: state why it is not shared and the legal basis (Art. 26)");
        assertThat(a.resourceCode()).isEqualTo(CODE);
    }

    @Test
    void aConditionalResourceNeedsItsConditions() {
        ResourceSpec spec = spec(SharingClass.CONDITIONAL).setSharingConditions(null).build();
        assertThat(refused(GovernanceRules.register("psb", registerCommand(spec, schemaJson("")), null, NOW), Outcome.INVALID)
                .message()).contains("a CONDITIONAL resource needs sharingConditions");
    }

    @Test
    void theSchemaMustBeGivenParseAndMatchTheDataItems() {
        ResourceSpec spec = spec(SharingClass.UNCONDITIONAL).build();
        assertThat(refused(GovernanceRules.register("psb", registerCommand(spec, " "), null, NOW), Outcome.INVALID).message())
                .isEqualTo("resource " + CODE + " was not registered: schemaJson is empty: give the Avro schema of the"
                        + " resource's records");
        assertThat(refused(GovernanceRules.register("psb", registerCommand(spec, "{"), null, NOW), Outcome.INVALID).message())
                .startsWith("resource " + CODE + " was not registered: schemaJson is not a valid Avro schema: ");
        assertThat(refused(GovernanceRules.register("psb", registerCommand(spec, schemaJson(",{\"name\":\"x\",\"type\":\"int\"}")),
                null, NOW), Outcome.INVALID).message()).isEqualTo("resource " + CODE + " was not registered: field 'x'"
                + " of the schema is not a data item of the spec: list it or remove it");
    }

    @Test
    void aSubjectHoldingAnIncompatibleSchemaRefusesTheRegistration() {
        var p = (Decision.ProvisionResource) GovernanceRules.register("psb", registerCommand(), null, NOW);
        Answer a = refused(p.then().apply(new SchemaRegistration.Incompatible(List.of("field x removed", "type changed"))),
                Outcome.INVALID);
        assertThat(a.message()).isEqualTo("resource " + CODE + " was not registered: subject " + SUBJECT + " already"
                + " holds an incompatible schema: field x removed; type changed");
    }

    @Test
    void aSchemaTheRegistryRefusesIsInvalid() {
        var p = (Decision.ProvisionResource) GovernanceRules.register("psb", registerCommand(), null, NOW);
        assertThat(refused(p.then().apply(new SchemaRegistration.Refused("bad default")), Outcome.INVALID))
                .isEqualTo(Answer.invalid(CODE, "the schema registry refused the schema of " + CODE + ": bad default"));
    }

    // ---- Update ----

    UpdateResource updateCommand(ResourceSpec spec, String schemaJson, String reason) {
        return UpdateResource.newBuilder().setSpec(spec).setSchemaJson(schemaJson).setReason(reason).build();
    }

    @Test
    void updatingAnUnknownResourceIsNotFound() {
        var u = updateCommand(spec(SharingClass.CONDITIONAL).build(), null, null);
        assertThat(refused(GovernanceRules.update("psb", u, null, NOW), Outcome.NOT_FOUND).message())
                .isEqualTo("there is no resource " + CODE + " in the catalog: register it first");
    }

    @Test
    void onlyTheProviderUpdatesAndNotOnceRetired() {
        var u = updateCommand(spec(SharingClass.CONDITIONAL).build(), null, null);
        assertThat(refused(GovernanceRules.update("edu", u, entry(SharingClass.CONDITIONAL), NOW), Outcome.REFUSED)
                .message()).isEqualTo("resource " + CODE + " is provided by department 'psb'; only its provider may update it");
        assertThat(refused(GovernanceRules.update("psb", u, retired(), NOW), Outcome.REFUSED).message())
                .isEqualTo("resource " + CODE + " was retired (merged into 101-000002); a retired resource cannot be updated");
    }

    @Test
    void withoutANewSchemaTheSpecIsCheckedAgainstTheRegisteredOne() {
        var u = updateCommand(spec(SharingClass.UNCONDITIONAL).build(), null, "now shared unconditionally");
        Decision d = GovernanceRules.update("psb", u, entry(SharingClass.CONDITIONAL), NOW);

        assertThat(d).isInstanceOf(Decision.FetchSchema.class);
        assertThat(((Decision.FetchSchema) d).schemaId()).isEqualTo(7);
        Decision.Accepted a = accepted(answered(d));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "updated resource " + CODE + " to catalog version 2;"
                + " reason: now shared unconditionally"));
        assertThat(a.changes()).containsExactly(new CatalogState(CatalogEntries.toCatalogEntry(
                spec(SharingClass.UNCONDITIONAL).build(), "psb", SUBJECT, 7, 1, 2, NOW)));
    }

    @Test
    void aSpecThatNoLongerMatchesTheRegisteredSchemaIsInvalid() {
        ResourceSpec spec = spec(SharingClass.CONDITIONAL).setDataItems(List.of(items().get(0))).build();
        Decision d = GovernanceRules.update("psb", updateCommand(spec, null, null), entry(SharingClass.CONDITIONAL), NOW);
        assertThat(refused(answered(d), Outcome.INVALID).message()).startsWith("resource " + CODE + " was not updated:"
                + " field 'name' of the schema is not a data item of the spec");
    }

    @Test
    void aRegisteredSchemaTheRegistryCannotGiveRefusesTheUpdate() {
        var u = updateCommand(spec(SharingClass.CONDITIONAL).setName("").build(), null, null);
        var f = (Decision.FetchSchema) GovernanceRules.update("psb", u, entry(SharingClass.CONDITIONAL), NOW);
        assertThat(refused(f.then().apply(new SchemaFetch.Refused("no")), Outcome.INVALID).message())
                .isEqualTo("the schema registry refused the schema of " + CODE + ": no");
    }

    @Test
    void aNewSchemaIsRegisteredAsTheSubjectsNextVersion() {
        String json = schemaJson(",{\"name\":\"x\",\"type\":[\"null\",\"string\"],\"default\":null}");
        ResourceSpec spec = spec(SharingClass.CONDITIONAL).setDataItems(List.of(items().get(0), items().get(1),
                items().get(2), items().get(3), item("x", FieldType.STRING, Sensitivity.PUBLIC, MaskKind.NONE, false)))
                .build();
        Decision d = GovernanceRules.update("psb", updateCommand(spec, json, null), entry(SharingClass.CONDITIONAL), NOW);

        assertThat(d).isInstanceOf(Decision.RegisterVersion.class);
        assertThat(((Decision.RegisterVersion) d).subject()).isEqualTo(SUBJECT);
        assertThat(((Decision.RegisterVersion) d).schema()).isEqualTo(new Schema.Parser().parse(json));
        Decision.Accepted a = accepted(answered(d));
        assertThat(a.answer().message()).isEqualTo("updated resource " + CODE + " to catalog version 2 with schema"
                + " version 2 (id 8)");
        assertThat(a.changes()).containsExactly(new CatalogState(CatalogEntries.toCatalogEntry(spec, "psb", SUBJECT, 8, 2, 2, NOW)));
        assertThat(accepted(((Decision.RegisterVersion) d).then().apply(new SchemaRegistration.Registered(7, 1)))
                .answer().message()).isEqualTo("updated resource " + CODE + " to catalog version 2");
    }

    @Test
    void aNewSchemaThatIsNotBackwardCompatibleOrThatTheRegistryRefusesIsInvalid() {
        var u = updateCommand(spec(SharingClass.CONDITIONAL).build(), schemaJson(""), null);
        var v = (Decision.RegisterVersion) GovernanceRules.update("psb", u, entry(SharingClass.CONDITIONAL), NOW);
        assertThat(refused(v.then().apply(new SchemaRegistration.Incompatible(List.of("idNumber removed"))), Outcome.INVALID)
                .message()).isEqualTo("resource " + CODE + " was not updated: the new schema is not backward compatible"
                + " with version 1 of " + SUBJECT + ": idNumber removed");
        assertThat(refused(v.then().apply(new SchemaRegistration.Refused("invalid")), Outcome.INVALID).message())
                .isEqualTo("the schema registry refused the schema of " + CODE + ": invalid");
    }

    @Test
    void aNewSchemaWithProblemsIsInvalidBeforeTheRegistryIsAsked() {
        var u = updateCommand(spec(SharingClass.CONDITIONAL).build(), "not json", null);
        assertThat(refused(GovernanceRules.update("psb", u, entry(SharingClass.CONDITIONAL), NOW), Outcome.INVALID)
                .message()).startsWith("resource " + CODE + " was not updated: schemaJson is not a valid Avro schema: ");
    }

    // ---- Retire ----

    RetireResource retireCommand(String reason) {
        return RetireResource.newBuilder().setCode(CODE).setReason(reason).build();
    }

    @Test
    void retiringAnUnknownResourceIsNotFound() {
        assertThat(refused(GovernanceRules.retire("psb", retireCommand("x"), null, List.of(), List.of(), NOW), Outcome.NOT_FOUND))
                .isEqualTo(Answer.notFound(CODE, "there is no resource " + CODE + " in the catalog"));
    }

    @Test
    void onlyTheProviderRetiresOnceAndWithAReason() {
        CatalogEntry e = entry(SharingClass.CONDITIONAL);
        assertThat(refused(GovernanceRules.retire("edu", retireCommand("x"), e, List.of(), List.of(), NOW), Outcome.REFUSED)
                .message()).isEqualTo("resource " + CODE + " is provided by department 'psb'; only its provider may retire it");
        assertThat(refused(GovernanceRules.retire("psb", retireCommand("x"), retired(), List.of(), List.of(), NOW), Outcome.REFUSED)
                .message()).isEqualTo("resource " + CODE + " is already retired (merged into 101-000002)");
        assertThat(refused(GovernanceRules.retire("psb", retireCommand(" "), e, List.of(), List.of(), NOW), Outcome.INVALID)
                .message()).isEqualTo("retiring resource " + CODE + " needs a reason: state why it is retired");
    }

    @Test
    void retiringEndsActiveGrantsAndRefusesPendingRequestsInOrder() {
        CatalogEntry e = entry(SharingClass.CONDITIONAL);
        Grant g1 = active("edu", 1);
        Grant g2 = withStatus(active("hrss", 2), GrantStatus.REVOKED);
        Grant g3 = active("civil", 3);
        AccessRequest r1 = withStatus(pending("edu", 1), RequestStatus.APPROVED);
        AccessRequest r4 = pending("tax", 4);

        Decision.Accepted a = accepted(GovernanceRules.retire("psb", retireCommand("merged"), e, List.of(g1, g2, g3),
                List.of(r1, r4), NOW));

        String why = "resource " + CODE + " was retired by psb: merged";
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "retired resource " + CODE + "; ended 2 active grant(s)"
                + " and refused 1 pending request(s)"));
        assertThat(a.changes()).containsExactly(
                new CatalogState(CatalogEntry.newBuilder(e).setStatus(ResourceStatus.RETIRED).setRetiredReason("merged")
                        .setCatalogVersion(2).setLastChanged(NOW).build()),
                new GrantState(Grant.newBuilder(g1).setStatus(GrantStatus.ENDED).setEndedAt(NOW).setEndReason(why).build()),
                new GrantState(Grant.newBuilder(g3).setStatus(GrantStatus.ENDED).setEndedAt(NOW).setEndReason(why).build()),
                new RequestState(AccessRequest.newBuilder(r4).setStatus(RequestStatus.REFUSED).setDecidedAt(NOW)
                        .setDecisionReason(why).build()));
    }

    // ---- RequestAccessRules ----

    @Test
    void aRequestMustStateItsPurposeBeforeAnythingElse() {
        assertThat(refused(GovernanceRules.requestAccess("edu", request(" "), null, List.of(), List.of(), NOW),
                Outcome.INVALID)).isEqualTo(Answer.invalid(CODE, "a request must state its purpose (Art. 30): say what"
                + " the data of " + CODE + " will be used for"));
    }

    @Test
    void theResourceMustExistBeActiveAndBeAnotherDepartments() {
        assertThat(refused(GovernanceRules.requestAccess("edu", request("p"), null, List.of(), List.of(), NOW),
                Outcome.NOT_FOUND).message()).isEqualTo("there is no resource " + CODE + " in the catalog");
        assertThat(refused(GovernanceRules.requestAccess("edu", request("p"), retired(), List.of(), List.of(), NOW),
                Outcome.REFUSED).message()).isEqualTo("resource " + CODE + " was retired by psb (merged into"
                + " 101-000002) and can no longer be requested");
        assertThat(refused(GovernanceRules.requestAccess("psb", request("p"), entry(SharingClass.CONDITIONAL), List.of(),
                List.of(), NOW), Outcome.REFUSED).message()).isEqualTo("you provide resource " + CODE + " yourself; a"
                + " department does not request access to its own resource");
    }

    @Test
    void aNotSharedResourceIsRefusedQuotingItsReason() {
        assertThat(refused(GovernanceRules.requestAccess("edu", request("p"), entry(SharingClass.NOT_SHARED), List.of(),
                List.of(), NOW), Outcome.REFUSED).message()).isEqualTo("resource " + CODE + " is not shared (不予共享): "
                + NOT_SHARED_REASON);
    }

    @Test
    void theMethodMustBeOneTheResourceIsSharedBy() {
        CatalogEntry pullOnly = CatalogEntry.newBuilder(entry(SharingClass.UNCONDITIONAL))
                .setSharingMethod(SharingMethod.SERVICE).build();
        assertThat(refused(GovernanceRules.requestAccess("edu", request("p"), pullOnly, List.of(), List.of(), NOW),
                Outcome.REFUSED).message()).isEqualTo("resource " + CODE + " is shared by SERVICE only; request method SERVICE");
    }

    @Test
    void requestedFieldsMustBeDataItemsIncludingTheKeys() {
        RequestAccess r = RequestAccess.newBuilder(request("p")).setRequestedFields(List.of("name", "phone")).build();
        assertThat(refused(GovernanceRules.requestAccess("edu", r, entry(SharingClass.CONDITIONAL), List.of(), List.of(),
                NOW), Outcome.INVALID).message()).isEqualTo("request for " + CODE + " was not filed: requested field(s)"
                + " [phone] are not data items of " + CODE + "; requested fields must include the key field(s) [idNumber]");
    }

    @Test
    void aPendingRequestOrAnActiveGrantOfTheRequesterIsNamed() {
        CatalogEntry e = entry(SharingClass.CONDITIONAL);
        Answer a = refused(GovernanceRules.requestAccess("edu", request("p"), e,
                List.of(pending("hrss", 1), pending("edu", 2)), List.of(), NOW), Outcome.REFUSED);
        assertThat(a).isEqualTo(Answer.refused(CODE, "you already have pending request " + CODE + ".R2 on " + CODE
                + " (filed 2026-09-01 09:30:00); wait for psb's decision or withdraw it first").request(CODE + ".R2"));
        Answer b = refused(GovernanceRules.requestAccess("edu", request("p"), e,
                List.of(withStatus(pending("edu", 1), RequestStatus.APPROVED)),
                List.of(withStatus(active("edu", 1), GrantStatus.EXPIRED), active("hrss", 2), active("edu", 3)), NOW),
                Outcome.REFUSED);
        assertThat(b).isEqualTo(Answer.refused(CODE, "you already hold active grant " + CODE + ".G3 on " + CODE
                + "; revoke it before requesting again").grant(CODE + ".G3"));
    }

    @Test
    void anUnconditionalResourceIsGrantedAtOnceUnderTheNextRequestNumber() {
        RequestAccess r = RequestAccess.newBuilder(request("school enrolment")).setRequestedFields(List.of("idNumber"))
                .setLegalBasis("Education Law").build();
        Decision.Accepted a = accepted(GovernanceRules.requestAccess("edu", r, entry(SharingClass.UNCONDITIONAL),
                List.of(withStatus(pending("hrss", 1), RequestStatus.REJECTED)), List.of(), NOW));

        String id = CODE + ".R2";
        String grantId = CODE + ".G2";
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "resource " + CODE + " is shared unconditionally: grant "
                + grantId + " is active for the purpose stated").request(id).grant(grantId));
        AccessRequest request = AccessRequest.newBuilder().setRequestId(id).setResourceCode(CODE).setProvider("psb")
                .setConsumer("edu").setPurpose("school enrolment").setRequestedFields(List.of("idNumber"))
                .setMethod(SharingMethod.PUSH).setLegalBasis("Education Law").setFiledAt(NOW)
                .setStatus(RequestStatus.APPROVED).setDecidedAt(NOW).setGrantId(grantId).build();
        Grant grant = Grant.newBuilder().setGrantId(grantId).setRequestId(id).setResourceCode(CODE).setProvider("psb")
                .setConsumer("edu").setPurpose("school enrolment").setMethod(SharingMethod.PUSH)
                .setAllowedFields(List.of("idNumber")).setClearFields(List.of()).setValidFrom(NOW)
                .setStatus(GrantStatus.ACTIVE).setCreatedAt(NOW).build();
        assertThat(a.changes()).containsExactly(new RequestState(request), new GrantState(grant));
    }

    @Test
    void aConditionalRequestIsPendingDueTenWorkingDaysLater() {
        Decision d = GovernanceRules.requestAccess("edu", request("school enrolment"), entry(SharingClass.CONDITIONAL),
                List.of(), List.of(), NOW);

        assertThat(d).isInstanceOf(Decision.NeedsCalendar.class);
        Decision.Accepted a = accepted(answered(d));
        Instant due = ZonedDateTime.parse("2026-10-09T23:59:59.999+08:00[Asia/Shanghai]").toInstant();
        assertThat(a.answer()).isEqualTo(new Answer(Outcome.PENDING, "request " + CODE + ".R1 on " + CODE + " is pending:"
                + " psb must decide it within 10 working days, by 2026-10-09 23:59:59 Asia/Shanghai (" + due + "); the"
                + " sharing conditions are: " + CONDITIONS, CODE, CODE + ".R1", null));
        assertThat(a.answer().accepted()).isTrue();
        AccessRequest request = AccessRequest.newBuilder().setRequestId(CODE + ".R1").setResourceCode(CODE)
                .setProvider("psb").setConsumer("edu").setPurpose("school enrolment").setRequestedFields(null)
                .setMethod(SharingMethod.PUSH).setFiledAt(NOW).setStatus(RequestStatus.PENDING).setDueAt(due)
                .setDueCalendar("2026 OFFICIAL").setDueProvisional(false).build();
        assertThat(a.changes()).containsExactly(new RequestState(request));
    }

    @Test
    void aDueDateOverAProvisionalYearSaysSo() {
        Instant filed = ZonedDateTime.parse("2026-12-20T10:00:00+08:00[Asia/Shanghai]").toInstant();
        Decision.Accepted a = accepted(answered(GovernanceRules.requestAccess("edu", request("p"),
                entry(SharingClass.CONDITIONAL), List.of(), List.of(), filed)));

        assertThat(a.answer().message()).contains("by 2027-01-04 23:59:59 Asia/Shanghai", "; due 2027-01-04, provisional"
                + " calendar for 2027: that year's holiday notice is not loaded, so only its statutory holidays were"
                + " counted (no make-up working days), and this due time stays as given when the notice is loaded;"
                + " the sharing conditions are: ");
        AccessRequest request = ((RequestState) a.changes().get(0)).request();
        assertThat(request.getDueProvisional()).isTrue();
        assertThat(request.getDueCalendar()).isEqualTo("2026 OFFICIAL, 2027 PROVISIONAL");
    }

    @Test
    void aDeadlineNoCalendarCanCountRefusesTheRequest() {
        var c = (Decision.NeedsCalendar) GovernanceRules.requestAccess("edu", request("p"), entry(SharingClass.CONDITIONAL),
                List.of(), List.of(), NOW);
        Answer a = refused(c.then().apply(WorkingDayCalendar.of(List.of())), Outcome.REFUSED);
        assertThat(a.message()).startsWith("request on " + CODE + " was not filed: its decision deadline cannot be"
                + " counted (");
        assertThat(refused(c.uncountable().apply(new CalendarException("no calendar")), Outcome.REFUSED).message())
                .isEqualTo("request on " + CODE + " was not filed: its decision deadline cannot be counted (no calendar)");
    }

    // ---- Decide ----

    final CatalogEntry decideEntry = entry(SharingClass.CONDITIONAL);
    final AccessRequest pendingRequest = pending("edu", 1);
    final String requestId = CODE + ".R1";

    Decision decide(String sender, DecideRequest d) {
        return GovernanceRules.decide(sender, d, pendingRequest, decideEntry, NOW);
    }

    String invalidApproval(DecideRequest d) {
        Answer a = refused(answered(decide("psb", d)), Outcome.INVALID);
        assertThat(a.requestId()).isEqualTo(requestId);
        assertThat(a.message()).startsWith("the approval of request " + requestId + " was not recorded: ");
        return a.message().substring(("the approval of request " + requestId + " was not recorded: ").length());
    }

    @Test
    void decidingAnUnknownRequestIsNotFound() {
        assertThat(refused(GovernanceRules.decide("psb", approve(CODE + ".R9").build(), null, null, NOW), Outcome.NOT_FOUND))
                .isEqualTo(Answer.notFound(CODE, "there is no request " + CODE + ".R9").request(CODE + ".R9"));
    }

    @Test
    void onlyTheProviderDecidesAndOnlyPendingRequests() {
        assertThat(refused(decide("edu", approve(requestId).build()), Outcome.REFUSED).message()).isEqualTo("request " + requestId
                + " is decided by the provider of " + CODE + ", department 'psb', not by edu");
        Decision d = GovernanceRules.decide("psb", approve(requestId).build(), withStatus(pendingRequest, RequestStatus.WITHDRAWN), decideEntry, NOW);
        assertThat(refused(d, Outcome.REFUSED)).isEqualTo(Answer.refused(CODE, "request " + requestId + " is WITHDRAWN, not"
                + " PENDING; only a pending request can be decided").request(requestId));
    }

    @Test
    void aRejectionNeedsAReasonAndGivesIt() {
        DecideRequest.Builder reject = DecideRequest.newBuilder().setRequestId(requestId)
                .setDecision(cn.tianfu.databus.schemas.Decision.REJECT);
        assertThat(refused(decide("psb", reject.build()), Outcome.INVALID)).isEqualTo(Answer.invalid(CODE,
                "rejecting request " + requestId + " needs a reason, which is given to edu").request(requestId));

        Decision.Accepted a = accepted(decide("psb", reject.setReason("no legal basis").build()));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "rejected request " + requestId + " of edu").request(requestId));
        assertThat(a.changes()).containsExactly(new RequestState(AccessRequest.newBuilder(pendingRequest)
                .setStatus(RequestStatus.REJECTED).setDecidedAt(NOW).setDecisionReason("no legal basis").build()));
    }

    @Test
    void anApprovalCreatesTheGrantNarrowedInFieldsRowsAndTime() {
        Instant until = ZonedDateTime.parse("2027-09-18T00:00:00+08:00[Asia/Shanghai]").toInstant();
        DecideRequest d = approve(requestId).setAllowedFields(List.of("idNumber")).setRowFilter("divisionCode.startsWith(\"5101\")")
                .setValidUntil(until).setReason("residence check").build();
        Decision step = decide("psb", d);

        assertThat(step).isInstanceOf(Decision.FetchSchema.class);
        assertThat(((Decision.FetchSchema) step).schemaId()).isEqualTo(7);
        Decision.Accepted a = accepted(answered(step));
        String grantId = CODE + ".G1";
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "approved request " + requestId + " of edu: grant " + grantId
                + " is active until 2027-09-18 00:00:00 Asia/Shanghai").request(requestId).grant(grantId));
        assertThat(a.changes()).containsExactly(
                new RequestState(AccessRequest.newBuilder(pendingRequest).setStatus(RequestStatus.APPROVED).setDecidedAt(NOW)
                        .setDecisionReason("residence check").setGrantId(grantId).build()),
                new GrantState(Grant.newBuilder().setGrantId(grantId).setRequestId(requestId).setResourceCode(CODE)
                        .setProvider("psb").setConsumer("edu").setPurpose("school enrolment").setMethod(SharingMethod.PUSH)
                        .setAllowedFields(List.of("idNumber")).setClearFields(List.of())
                        .setRowFilter("divisionCode.startsWith(\"5101\")").setValidFrom(NOW).setValidUntil(until)
                        .setStatus(GrantStatus.ACTIVE).setCreatedAt(NOW).build()));
    }

    @Test
    void anApprovalWithoutFieldsAllowsTheRequestedOnesForEver() {
        Decision.Accepted a = accepted(answered(decide("psb", approve(requestId).setClearFields(List.of("name")).build())));
        assertThat(a.answer().message()).isEqualTo("approved request " + requestId + " of edu: grant " + CODE + ".G1 is active");
        Grant grant = ((GrantState) a.changes().get(1)).grant();
        assertThat(grant.getAllowedFields()).containsExactly("idNumber", "name");
        assertThat(grant.getClearFields()).containsExactly("name");
        assertThat(grant.getValidUntil()).isNull();
    }

    @Test
    void allowedFieldsMustBeRequestedDataItemsIncludingTheKeys() {
        assertThat(invalidApproval(approve(requestId).setAllowedFields(List.of("name", "phone", "divisionCode")).build()))
                .isEqualTo("allowed field(s) [phone] are not data items of " + CODE + "; allowed field(s) [divisionCode]"
                        + " were not requested; an approval may only narrow the request; allowed fields must include the"
                        + " key field(s) [idNumber]");
    }

    @Test
    void clearFieldsMustBeAllowedPersonalItems() {
        assertThat(invalidApproval(approve(requestId).setAllowedFields(List.of("idNumber"))
                .setClearFields(List.of("name", "divisionCode", "phone")).build()))
                .isEqualTo("clear field(s) [divisionCode, name, phone] are not among the allowed fields; clear field(s)"
                        + " [divisionCode] are not personal items; only personal items are masked");
    }

    @Test
    void theValidityMustEndInTheFutureAfterItStarts() {
        Instant past = EARLIER;
        assertThat(invalidApproval(approve(requestId).setValidFrom(NOW.plusSeconds(60)).setValidUntil(past).build()))
                .isEqualTo("validUntil " + past + " must be after validFrom " + NOW.plusSeconds(60) + "; validUntil "
                        + past + " is not in the future");
    }

    @Test
    void theServiceLimitsOfAnApprovalGoToTheGrantAndMustBePositive() {
        Decision.Accepted a = accepted(answered(decide("psb", approve(requestId).setRateLimit(30L).setDailyLimit(500L).build())));
        Grant grant = ((GrantState) a.changes().get(1)).grant();
        assertThat(grant.getRateLimit()).isEqualTo(30L);
        assertThat(grant.getDailyLimit()).isEqualTo(500L);
        assertThat(invalidApproval(approve(requestId).setRateLimit(0L).build()))
                .contains("rate and daily limits must be at least 1");
    }

    @Test
    void aRowFilterMustCompileAgainstTheResourcesSchema() {
        assertThat(invalidApproval(approve(requestId).setRowFilter("nosuchfield == 1").build()))
                .startsWith("row filter 'nosuchfield == 1' does not compile against the schema of " + CODE + ":\n");
    }

    @Test
    void aSchemaTheRegistryRefusesRefusesTheApproval() {
        var f = (Decision.FetchSchema) decide("psb", approve(requestId).setAllowedFields(List.of("phone")).build());
        assertThat(refused(f.then().apply(new SchemaFetch.Refused("gone")), Outcome.INVALID)).isEqualTo(Answer.invalid(CODE,
                "the schema registry refused the schema of " + CODE + ": gone").request(requestId));
    }

    @Test
    void aStepAnsweredTwiceDecidesTheSame() {
        var f = (Decision.FetchSchema) decide("psb", approve(requestId).setAllowedFields(List.of("phone")).build());
        Decision once = f.then().apply(new SchemaFetch.Found(SCHEMA));
        assertThat(f.then().apply(new SchemaFetch.Found(SCHEMA))).isEqualTo(once);
    }

    // ---- Withdraw ----

    final String withdrawnId = CODE + ".R1";

    WithdrawRequest withdrawCommand(String reason) {
        return WithdrawRequest.newBuilder().setRequestId(withdrawnId).setReason(reason).build();
    }

    @Test
    void withdrawingAnUnknownRequestIsNotFound() {
        assertThat(refused(GovernanceRules.withdraw("edu", withdrawCommand(null), null, NOW), Outcome.NOT_FOUND))
                .isEqualTo(Answer.notFound(CODE, "there is no request " + withdrawnId).request(withdrawnId));
    }

    @Test
    void onlyTheRequesterWithdrawsAndOnlyPendingRequests() {
        assertThat(refused(GovernanceRules.withdraw("hrss", withdrawCommand(null), pending("edu", 1), NOW), Outcome.REFUSED)
                .message()).isEqualTo("request " + withdrawnId + " was filed by department 'edu'; only the requester may withdraw it");
        assertThat(refused(GovernanceRules.withdraw("edu", withdrawCommand(null), withStatus(pending("edu", 1),
                RequestStatus.APPROVED), NOW), Outcome.REFUSED).message()).isEqualTo("request " + withdrawnId + " is APPROVED,"
                + " not PENDING; only a pending request can be withdrawn");
    }

    @Test
    void aWithdrawnRequestKeepsTheReasonGivenOrNamesTheRequester() {
        Decision.Accepted a = accepted(GovernanceRules.withdraw("edu", withdrawCommand(null), pending("edu", 1), NOW));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "withdrew request " + withdrawnId).request(withdrawnId));
        assertThat(a.changes()).containsExactly(new RequestState(AccessRequest.newBuilder(pending("edu", 1))
                .setStatus(RequestStatus.WITHDRAWN).setDecidedAt(NOW).setDecisionReason("withdrawn by edu").build()));
        Decision.Accepted b = accepted(GovernanceRules.withdraw("edu", withdrawCommand("no longer needed"), pending("edu", 1), NOW));
        assertThat(((RequestState) b.changes().get(0)).request().getDecisionReason()).isEqualTo("no longer needed");
    }

    // ---- Revoke ----

    final String revokedId = CODE + ".G1";

    RevokeGrant revokeCommand(String reason) {
        return RevokeGrant.newBuilder().setGrantId(revokedId).setReason(reason).build();
    }

    @Test
    void anUnknownGrantIsNotFound() {
        assertThat(refused(GovernanceRules.revoke("psb", revokeCommand("x"), null, NOW), Outcome.NOT_FOUND))
                .isEqualTo(Answer.notFound(CODE, "there is no grant " + revokedId).grant(revokedId));
    }

    @Test
    void onlyItsPartiesEndAnActiveGrantWithAReason() {
        assertThat(refused(GovernanceRules.revoke("tax", revokeCommand("x"), active("edu", 1), NOW), Outcome.REFUSED)
                .message()).isEqualTo("grant " + revokedId + " may be revoked only by its provider 'psb' or given up by its"
                + " consumer 'edu'");
        assertThat(refused(GovernanceRules.revoke("psb", revokeCommand("x"), withStatus(active("edu", 1), GrantStatus.EXPIRED),
                NOW), Outcome.REFUSED)).isEqualTo(Answer.refused(CODE, "grant " + revokedId + " is EXPIRED, not ACTIVE").grant(revokedId));
        assertThat(refused(GovernanceRules.revoke("psb", revokeCommand(""), active("edu", 1), NOW), Outcome.INVALID)
                .message()).isEqualTo("revoking grant " + revokedId + " needs a reason, which is given to the other department");
    }

    @Test
    void theProviderRevokes() {
        Decision.Accepted a = accepted(GovernanceRules.revoke("psb", revokeCommand("audit finding"), active("edu", 1), NOW));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "revoked grant " + revokedId + " (revoked by provider psb)")
                .request(CODE + ".R1").grant(revokedId));
        assertThat(a.changes()).containsExactly(new GrantState(Grant.newBuilder(active("edu", 1))
                .setStatus(GrantStatus.REVOKED).setEndedAt(NOW).setEndReason("revoked by provider psb: audit finding").build()));
    }

    @Test
    void theConsumerGivesUp() {
        Decision.Accepted a = accepted(GovernanceRules.revoke("edu", revokeCommand("done"), active("edu", 1), NOW));
        assertThat(a.answer().message()).isEqualTo("revoked grant " + revokedId + " (given up by consumer edu)");
        assertThat(((GrantState) a.changes().get(0)).grant().getEndReason()).isEqualTo("given up by consumer edu: done");
    }

    // ---- Narrowing ----

    NarrowGrant.Builder narrowing() {
        return NarrowGrant.newBuilder().setGrantId(revokedId).setReason("purpose narrowed after review");
    }

    Grant wide() {
        return Grant.newBuilder(active("edu", 1)).setAllowedFields(List.of("idNumber", "name", "divisionCode"))
                .setClearFields(List.of("name")).setRowFilter("divisionCode.startsWith('51')").build();
    }

    @Test
    void theProviderNarrowsFieldsAndRowsTheFilterJoinedToTheGrantsOwnAndClearFieldsFollowTheAllowedOnes() {
        Decision.Accepted a = accepted(answered(GovernanceRules.narrow("psb", narrowing()
                .setAllowedFields(List.of("idNumber", "divisionCode")).setRowFilter("divisionCode == '510104'").build(),
                wide(), entry(SharingClass.CONDITIONAL), NOW)));
        assertThat(a.answer()).isEqualTo(Answer.accepted(CODE, "narrowed grant " + revokedId + " of edu: purpose narrowed"
                + " after review").request(CODE + ".R1").grant(revokedId));
        assertThat(a.changes()).containsExactly(new GrantState(Grant.newBuilder(wide())
                .setAllowedFields(List.of("idNumber", "divisionCode")).setClearFields(List.of())
                .setRowFilter("(divisionCode.startsWith('51')) && (divisionCode == '510104')").build()));
        // a grant without fields or filter: every catalogued item may be kept, the filter is the new one
        Decision.Accepted plain = accepted(answered(GovernanceRules.narrow("psb", narrowing().setRowFilter("divisionCode == '510104'")
                .build(), active("edu", 1), entry(SharingClass.CONDITIONAL), NOW)));
        Grant narrowed = ((GrantState) plain.changes().get(0)).grant();
        assertThat(narrowed.getRowFilter()).isEqualTo("divisionCode == '510104'");
        assertThat(narrowed.getAllowedFields()).isNull();
        assertThat(narrowed.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        // fewer in clear only
        Decision.Accepted masked = accepted(answered(GovernanceRules.narrow("psb", narrowing().setClearFields(List.of()).build(),
                wide(), entry(SharingClass.CONDITIONAL), NOW)));
        assertThat(((GrantState) masked.changes().get(0)).grant().getClearFields()).isEmpty();
    }

    @Test
    void narrowingCannotWidenNorChangeNothingAndOnlyTheProviderNarrowsAnActiveGrant() {
        CatalogEntry entry = entry(SharingClass.CONDITIONAL);
        assertThat(refused(answered(GovernanceRules.narrow("psb", narrowing().setAllowedFields(List.of("idNumber", "birthDate"))
                .build(), wide(), entry, NOW)), Outcome.INVALID).message())
                .contains("field(s) [birthDate] are not allowed by grant " + revokedId + " now; narrowing cannot add fields");
        assertThat(refused(answered(GovernanceRules.narrow("psb", narrowing().setAllowedFields(List.of("name")).build(),
                wide(), entry, NOW)), Outcome.INVALID).message()).contains("must include the key field(s) [idNumber]");
        assertThat(refused(answered(GovernanceRules.narrow("psb", narrowing().setClearFields(List.of("name", "idNumber")).build(),
                wide(), entry, NOW)), Outcome.INVALID).message()).contains("field(s) [idNumber] are not in clear under grant");
        assertThat(refused(answered(GovernanceRules.narrow("psb", narrowing().setRowFilter("divisionCode ==").build(),
                wide(), entry, NOW)), Outcome.INVALID).message()).contains("does not compile");
        assertThat(refused(GovernanceRules.narrow("psb", narrowing().setAllowedFields(List.of("divisionCode", "idNumber", "name"))
                .build(), wide(), entry, NOW), Outcome.INVALID).message()).isEqualTo("the narrowing of grant " + revokedId
                + " changes nothing");
        assertThat(refused(GovernanceRules.narrow("psb", narrowing().build(), wide(), entry, NOW), Outcome.INVALID).message())
                .contains("needs fewer allowed fields, a row filter or fewer fields in clear");
        assertThat(refused(GovernanceRules.narrow("psb", narrowing().setReason(" ").setRowFilter("true").build(), wide(), entry,
                NOW), Outcome.INVALID).message()).isEqualTo("narrowing grant " + revokedId + " needs a reason");
        assertThat(refused(GovernanceRules.narrow("edu", narrowing().setRowFilter("true").build(), wide(), entry, NOW),
                Outcome.REFUSED).message()).isEqualTo("grant " + revokedId + " may be narrowed only by its provider 'psb'");
        assertThat(refused(GovernanceRules.narrow("psb", narrowing().setRowFilter("true").build(),
                withStatus(wide(), GrantStatus.REVOKED), entry, NOW), Outcome.REFUSED).message())
                .isEqualTo("grant " + revokedId + " is REVOKED, not ACTIVE");
        assertThat(refused(GovernanceRules.narrow("psb", narrowing().setRowFilter("true").build(), null, entry, NOW),
                Outcome.NOT_FOUND).message()).isEqualTo("there is no grant " + revokedId);
    }

    // ---- Expiry ----

    @Test
    void activeGrantsWhoseValidityEndedExpireInOrder() {
        Grant ended = Grant.newBuilder(active("edu", 1)).setValidUntil(NOW).build();
        Grant later = Grant.newBuilder(active("hrss", 2)).setValidUntil(NOW.plusMillis(1)).build();
        Grant forever = active("tax", 3);
        Grant revoked = Grant.newBuilder(withStatus(active("civil", 4), GrantStatus.REVOKED)).setValidUntil(EARLIER).build();
        Grant earlier = Grant.newBuilder(active("health", 5)).setValidUntil(EARLIER).build();

        assertThat(GovernanceRules.expired(List.of(ended, later, forever, revoked, earlier), NOW)).containsExactly(
                Grant.newBuilder(ended).setStatus(GrantStatus.EXPIRED).setEndedAt(NOW)
                        .setEndReason("validity ended at 2026-09-18 10:00:00 Asia/Shanghai").build(),
                Grant.newBuilder(earlier).setStatus(GrantStatus.EXPIRED).setEndedAt(NOW)
                        .setEndReason("validity ended at 2026-09-01 09:30:00 Asia/Shanghai").build());
    }
}
