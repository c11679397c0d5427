package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.NOT_SHARED_REASON;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.schemaJson;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.NarrowGrant;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

class GovernanceAppTest {

    /** Friday 2026-09-18, 10:00 in Asia/Shanghai. */
    private static final Instant FRIDAY = ZonedDateTime.parse("2026-09-18T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final String CODE = "101-000001";

    @TempDir
    Path stateDir;

    private MockSchemaRegistryClient registry;
    private final List<String> createdTopics = new ArrayList<>();
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private TestOutputTopic<String, CatalogEntry> catalog;
    private TestOutputTopic<String, AccessRequest> requests;
    private TestOutputTopic<String, Grant> grants;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private final AtomicInteger ids = new AtomicInteger();
    private final MutableClock clock = new MutableClock(FRIDAY);

    @BeforeEach
    void start() {
        registry = new MockSchemaRegistryClient();
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> {
            createdTopics.add(topic + "/" + partitions);
            topicConfigs.put(topic, configs);
        }, WorkingDayCalendar.bundled(), 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, FRIDAY);
        catalog = driver.createOutputTopic(Topics.CATALOG, new StringDeserializer(),
                AvroSerde.specific(registry, CatalogEntry.class).deserializer());
        requests = driver.createOutputTopic(Topics.REQUESTS, new StringDeserializer(),
                AvroSerde.specific(registry, AccessRequest.class).deserializer());
        grants = driver.createOutputTopic(Topics.GRANTS, new StringDeserializer(),
                AvroSerde.specific(registry, Grant.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEADLETTER, new StringDeserializer(),
                AvroSerde.specific(registry, DeadLetter.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- helpers ----

    private TestInputTopic<String, GovernanceCommand> input(String dept) {
        return inputs.computeIfAbsent(dept, d -> driver.createInputTopic(Topics.commands(d), new StringSerializer(),
                AvroSerde.specific(registry, GovernanceCommand.class).serializer()));
    }

    private TestOutputTopic<String, CommandResult> replies(String dept) {
        return replies.computeIfAbsent(dept, d -> driver.createOutputTopic(Topics.replies(d), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer()));
    }

    private CommandResult send(String dept, Object payload) {
        return send(dept, "c" + ids.incrementAndGet(), dept, payload);
    }

    private CommandResult send(String dept, String commandId, String claimed, Object payload) {
        input(dept).pipeInput(commandId, command(commandId, claimed, payload, now()));
        List<TestRecord<String, CommandResult>> answers = replies(dept).readRecordsToList();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).key()).isEqualTo(commandId);
        return answers.get(0).value();
    }

    private TestInputTopic<String, HolidayCalendar> calendarsTopic() {
        return driver.createInputTopic(Topics.CALENDARS, new StringSerializer(),
                AvroSerde.specific(registry, HolidayCalendar.class).serializer());
    }

    private Instant now() {
        return clock.instant();
    }

    /** Moves governance's clock and the driver's wall clock (which fires the expiry punctuation) together. */
    private void advance(Duration d) {
        clock.advance(d);
        driver.advanceWallClockTime(d);
    }

    private CommandResult registered(String dept, String code, SharingClass sharing) {
        CommandResult r = send(dept, register(code, sharing));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        return r;
    }

    private String pendingRequest(String provider, String consumer) {
        registered(provider, CODE, SharingClass.CONDITIONAL);
        CommandResult r = send(consumer, request(CODE, "verify residence for school enrolment"));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.PENDING);
        return r.getRequestId();
    }

    private static DecideRequest.Builder approve(String requestId) {
        return DecideRequest.newBuilder().setRequestId(requestId).setDecision(Decision.APPROVE);
    }

    private String activeGrant() {
        String requestId = pendingRequest("psb", "edu");
        CommandResult r = send("psb", approve(requestId).build());
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        return r.getGrantId();
    }

    private <V> Map<String, V> latest(TestOutputTopic<String, V> topic) {
        return topic.readKeyValuesToMap();
    }

    // ---- catalog ----

    @Test
    void registerWritesCatalogEntryCreatesTopicAndRegistersSchema() {
        CommandResult r = registered("psb", CODE, SharingClass.UNCONDITIONAL);

        assertThat(r.getAccepted()).isTrue();
        assertThat(r.getResourceCode()).isEqualTo(CODE);
        assertThat(r.getDepartment()).isEqualTo("psb");
        CatalogEntry entry = latest(catalog).get(CODE);
        assertThat(entry.getProvider()).isEqualTo("psb");
        assertThat(entry.getCatalogVersion()).isEqualTo(1);
        assertThat(entry.getStatus()).isEqualTo(ResourceStatus.ACTIVE);
        assertThat(entry.getSchemaSubject()).isEqualTo("src.psb.101-000001-value");
        assertThat(registry.latest("src.psb.101-000001-value").id()).isEqualTo(entry.getSchemaId());
        assertThat(registry.latest("src.psb.101-000001-value").schema()).isEqualTo(new Schema.Parser().parse(schemaJson()));
        assertThat(createdTopics).contains("src.psb.101-000001/2");
        assertThat(topicConfigs.get("src.psb.101-000001")).isEqualTo(Topics.resourceTopicConfigs());
    }

    @Test
    void registeringACodeAnotherDepartmentProvidesIsRefusedNamingThatDepartment() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);

        CommandResult r = send("mca", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getAccepted()).isFalse();
        assertThat(r.getMessage()).contains("already provided by department 'psb'");
        assertThat(latest(catalog).get(CODE).getProvider()).isEqualTo("psb");
        assertThat(catalog.isEmpty()).isTrue();
        assertThat(createdTopics).doesNotContain("src.mca.101-000001/2");
    }

    @Test
    void reRegisteringOnesOwnCodeSaysUseUpdate() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        catalog.readRecordsToList();

        CommandResult r = send("psb", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("use update");
        assertThat(catalog.isEmpty()).isTrue();
    }

    @Test
    void notSharedResourceNeedsItsReason() {
        RegisterResource cmd = RegisterResource.newBuilder(register(CODE, SharingClass.NOT_SHARED))
                .setSpec(spec(CODE, SharingClass.NOT_SHARED).setReasonNotShared(" ").build()).build();

        CommandResult r = send("psb", cmd);

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("reasonNotShared");
        assertThat(catalog.isEmpty()).isTrue();
        assertThat(registry.subjects()).noneMatch(subject -> subject.startsWith("src."));
    }

    @Test
    void conditionalResourceNeedsSharingConditions() {
        RegisterResource cmd = RegisterResource.newBuilder(register(CODE, SharingClass.CONDITIONAL))
                .setSpec(spec(CODE, SharingClass.CONDITIONAL).setSharingConditions(null).build()).build();

        CommandResult r = send("psb", cmd);

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("sharingConditions");
        assertThat(catalog.isEmpty()).isTrue();
    }

    @Test
    void schemaMustParseAndMatchTheDataItems() {
        CommandResult unparsable = send("psb", RegisterResource.newBuilder(register(CODE, SharingClass.UNCONDITIONAL))
                .setSchemaJson("{\"type\":\"record\"").build());
        String mismatched = schemaJson().replace("\"name\":\"divisionCode\",\"type\":[\"null\",\"string\"]",
                "\"name\":\"divisionCode\",\"type\":[\"null\",\"int\"]")
                .replace("\"type\":\"string\",\"sensitivity\":\"PERSONAL\",\"mask\":\"ID_NUMBER\"",
                        "\"type\":[\"null\",\"string\"],\"default\":null,\"sensitivity\":\"PERSONAL\",\"mask\":\"ID_NUMBER\"");
        CommandResult wrongTypes = send("psb", RegisterResource.newBuilder(register(CODE, SharingClass.UNCONDITIONAL))
                .setSchemaJson(mismatched).build());
        CommandResult extraField = send("psb", RegisterResource.newBuilder(register(CODE, SharingClass.UNCONDITIONAL))
                .setSchemaJson(schemaJson(",{\"name\":\"secret\",\"type\":[\"null\",\"string\"],\"default\":null}")).build());

        assertThat(unparsable.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(unparsable.getMessage()).contains("not a valid Avro schema");
        assertThat(wrongTypes.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(wrongTypes.getMessage()).contains("field 'divisionCode' is \"int\"", "key field 'idNumber' must not be nullable");
        assertThat(extraField.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(extraField.getMessage()).contains("field 'secret' of the schema is not a data item");
        assertThat(catalog.isEmpty()).isTrue();
        assertThat(createdTopics).noneMatch(topic -> topic.startsWith("src."));
    }

    @Test
    void updateIncrementsTheVersionAndRegistersABackwardCompatibleSchema() {
        CatalogEntry first = null;
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        first = latest(catalog).get(CODE);
        var items = new ArrayList<>(GovernanceFixtures.items());
        items.add(GovernanceFixtures.item("phone", cn.tianfu.databus.schemas.FieldType.STRING,
                cn.tianfu.databus.schemas.Sensitivity.PERSONAL, cn.tianfu.databus.schemas.MaskKind.PHONE, false));
        UpdateResource update = UpdateResource.newBuilder()
                .setSpec(spec(CODE, SharingClass.CONDITIONAL).setDataItems(items).build())
                .setSchemaJson(schemaJson(",{\"name\":\"phone\",\"type\":[\"null\",\"string\"],\"default\":null,"
                        + "\"sensitivity\":\"PERSONAL\",\"mask\":\"PHONE\"}"))
                .setReason("duty changed")
                .build();

        CommandResult r = send("psb", update);

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        CatalogEntry entry = latest(catalog).get(CODE);
        assertThat(entry.getCatalogVersion()).isEqualTo(first.getCatalogVersion() + 1);
        assertThat(entry.getSharingClass()).isEqualTo(SharingClass.CONDITIONAL);
        assertThat(entry.getSchemaVersion()).isEqualTo(2);
        assertThat(entry.getSchemaId()).isNotEqualTo(first.getSchemaId());
        assertThat(registry.versions("src.psb.101-000001-value")).containsExactly(1, 2);
    }

    @Test
    void updateWithAnIncompatibleSchemaIsRefusedAndChangesNothing() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        catalog.readRecordsToList();
        var items = new ArrayList<>(GovernanceFixtures.items());
        items.add(GovernanceFixtures.item("phone", cn.tianfu.databus.schemas.FieldType.STRING,
                cn.tianfu.databus.schemas.Sensitivity.PERSONAL, cn.tianfu.databus.schemas.MaskKind.PHONE, false));
        UpdateResource update = UpdateResource.newBuilder()
                .setSpec(spec(CODE, SharingClass.UNCONDITIONAL).setDataItems(items).build())
                .setSchemaJson(schemaJson(",{\"name\":\"phone\",\"type\":\"string\",\"sensitivity\":\"PERSONAL\",\"mask\":\"PHONE\"}"))
                .build();

        CommandResult r = send("psb", update);

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("not backward compatible", "phone");
        assertThat(catalog.isEmpty()).isTrue();
        assertThat(registry.versions("src.psb.101-000001-value")).containsExactly(1);
    }

    @Test
    void onlyTheProviderMayUpdateOrRetire() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        catalog.readRecordsToList();

        CommandResult update = send("mca", UpdateResource.newBuilder().setSpec(spec(CODE, SharingClass.UNCONDITIONAL).build()).build());
        CommandResult retire = send("mca", RetireResource.newBuilder().setCode(CODE).setReason("mine now").build());

        assertThat(update.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(update.getMessage()).contains("provided by department 'psb'");
        assertThat(retire.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(retire.getMessage()).contains("provided by department 'psb'");
        assertThat(catalog.isEmpty()).isTrue();
    }

    // ---- requests ----

    @Test
    void aRequestMustStateItsPurpose() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);

        CommandResult r = send("edu", request(CODE, "   "));

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("purpose");
        assertThat(requests.isEmpty()).isTrue();
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void anUnconditionalRequestIsGrantedAtOnce() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(r.getRequestId()).isEqualTo(CODE + ".R1");
        assertThat(r.getGrantId()).isEqualTo(CODE + ".G1");
        Grant grant = latest(grants).get(r.getGrantId());
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getConsumer()).isEqualTo("edu");
        assertThat(grant.getProvider()).isEqualTo("psb");
        assertThat(grant.getPurpose()).isEqualTo("school enrolment");
        assertThat(grant.getValidFrom()).isEqualTo(FRIDAY);
        AccessRequest request = latest(requests).get(r.getRequestId());
        assertThat(request.getStatus()).isEqualTo(RequestStatus.APPROVED);
        assertThat(request.getGrantId()).isEqualTo(r.getGrantId());
    }

    @Test
    void aConditionalRequestFiledOnFriday18SeptemberIsDueAtTheEndOf9October() {
        registered("psb", CODE, SharingClass.CONDITIONAL);

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        Instant due = ZonedDateTime.parse("2026-10-09T23:59:59.999+08:00[Asia/Shanghai]").toInstant();
        assertThat(r.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(r.getAccepted()).isTrue();
        assertThat(r.getMessage()).contains("2026-10-09 23:59:59", "psb");
        AccessRequest request = latest(requests).get(r.getRequestId());
        assertThat(request.getStatus()).isEqualTo(RequestStatus.PENDING);
        assertThat(request.getFiledAt()).isEqualTo(FRIDAY);
        assertThat(request.getDueAt()).isEqualTo(due);
        assertThat(request.getDueProvisional()).isFalse();
        assertThat(request.getDueCalendar()).isEqualTo("2026 OFFICIAL");
        assertThat(r.getMessage()).doesNotContain("provisional");
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void aRequestFiledOn20DecemberIsDueOn4JanuaryOnTheProvisional2027() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        clock.set(ZonedDateTime.parse("2026-12-20T10:00:00+08:00[Asia/Shanghai]").toInstant());

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.PENDING);
        assertThat(r.getMessage()).contains("2027-01-04 23:59:59", "due 2027-01-04, provisional calendar for 2027");
        AccessRequest request = latest(requests).get(r.getRequestId());
        assertThat(request.getDueAt()).isEqualTo(ZonedDateTime.parse("2027-01-04T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        assertThat(request.getDueProvisional()).isTrue();
        assertThat(request.getDueCalendar()).isEqualTo("2026 OFFICIAL, 2027 PROVISIONAL");
    }

    @Test
    void loadingAnOfficialYearCountsNewRequestsOnItWhileAPendingOneKeepsItsDueTime() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        clock.set(ZonedDateTime.parse("2026-12-20T10:00:00+08:00[Asia/Shanghai]").toInstant());
        String before = send("edu", request(CODE, "school enrolment")).getRequestId();
        // an invented notice, for the test only: 2027-01-04 is a bridge day off
        YearCalendar notice = WorkingDayCalendar.parse("year 2027\n2027-01-01..2027-01-04 off 元旦\n", "test-2027.cal").calendarOf(2027);
        calendarsTopic().pipeInput(CalendarRecords.key("CN", 2027),
                CalendarRecords.loading(notice, "CN", java.util.Optional.empty(), false, clock.instant()));

        CommandResult after = send("hrss", request(CODE, "pension check"));

        Map<String, AccessRequest> states = latest(requests);
        assertThat(after.getMessage()).contains("2027-01-05 23:59:59").doesNotContain("provisional");
        assertThat(states.get(after.getRequestId()).getDueProvisional()).isFalse();
        assertThat(states.get(after.getRequestId()).getDueCalendar()).isEqualTo("2026 OFFICIAL, 2027 OFFICIAL");
        AccessRequest pending = states.get(before);
        assertThat(pending.getDueAt()).isEqualTo(ZonedDateTime.parse("2027-01-04T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        assertThat(pending.getDueProvisional()).isTrue();
    }

    @Test
    void anUnreadableCalendarRecordIsSkippedAndRequestsAreStillDecided() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        driver.createInputTopic(Topics.CALENDARS, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())
                .pipeInput(CalendarRecords.key("CN", 2027), new byte[] {0, 0, 0, 0, 42, 1, 2, 3});
        clock.set(ZonedDateTime.parse("2026-12-20T10:00:00+08:00[Asia/Shanghai]").toInstant());

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.PENDING);
        assertThat(r.getMessage()).contains("due 2027-01-04, provisional calendar for 2027");
    }

    @Test
    void aDeadlineNoCalendarCanCountRefusesTheRequestAndGovernanceGoesOn() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        clock.set(ZonedDateTime.parse("2100-12-28T10:00:00+08:00[Asia/Shanghai]").toInstant());

        CommandResult r = send("edu", request(CODE, "school enrolment"));
        clock.set(FRIDAY);
        CommandResult next = send("hrss", request(CODE, "pension check"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("cannot be counted", "2101");
        assertThat(next.getOutcome()).isEqualTo(Outcome.PENDING);
    }

    @Test
    void theDueTimeFollowsTheWallClockOfFiling() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        advance(Duration.ofDays(3)); // Monday 2026-09-21

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        AccessRequest request = latest(requests).get(r.getRequestId());
        assertThat(request.getFiledAt()).isEqualTo(FRIDAY.plus(Duration.ofDays(3)));
        assertThat(request.getDueAt()).isEqualTo(ZonedDateTime.parse("2026-10-12T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
    }

    @Test
    void aNotSharedResourceIsRefusedQuotingTheCataloguedReason() {
        registered("psb", CODE, SharingClass.NOT_SHARED);

        CommandResult r = send("edu", request(CODE, "school enrolment"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains(NOT_SHARED_REASON);
        assertThat(requests.isEmpty()).isTrue();
    }

    @Test
    void anUnknownResourceCannotBeRequested() {
        CommandResult r = send("edu", request("999-000001", "school enrolment"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(r.getMessage()).contains("999-000001");
    }

    @Test
    void aDepartmentCannotRequestItsOwnResource() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);

        CommandResult r = send("psb", request(CODE, "our own use"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("yourself");
        assertThat(requests.isEmpty()).isTrue();
    }

    @Test
    void aSecondRequestWhileOneIsPendingIsRefusedNamingIt() {
        String first = pendingRequest("psb", "edu");
        requests.readRecordsToList();

        CommandResult r = send("edu", request(CODE, "again"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("pending request " + first);
        assertThat(requests.isEmpty()).isTrue();
        // another department may still ask
        assertThat(send("hrss", request(CODE, "pension check")).getRequestId()).isEqualTo(CODE + ".R2");
    }

    @Test
    void aSecondRequestWhileAGrantIsActiveIsRefusedNamingIt() {
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        String grant = send("edu", request(CODE, "school enrolment")).getGrantId();

        CommandResult r = send("edu", request(CODE, "again"));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("active grant " + grant);
    }

    // ---- decisions ----

    @Test
    void anApprovalMayNarrowFieldsRowsAndTime() {
        String requestId = pendingRequest("psb", "edu");
        Instant until = FRIDAY.plus(Duration.ofDays(365));

        CommandResult r = send("psb", approve(requestId)
                .setAllowedFields(List.of("idNumber", "name", "divisionCode"))
                .setClearFields(List.of("name"))
                .setRowFilter("divisionCode.startsWith(\"5101\")")
                .setValidUntil(until)
                .build());

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(r.getGrantId()).isEqualTo(CODE + ".G1");
        Grant grant = latest(grants).get(r.getGrantId());
        assertThat(grant.getAllowedFields()).containsExactly("idNumber", "name", "divisionCode");
        assertThat(grant.getClearFields()).containsExactly("name");
        assertThat(grant.getRowFilter()).isEqualTo("divisionCode.startsWith(\"5101\")");
        assertThat(grant.getValidFrom()).isEqualTo(FRIDAY);
        assertThat(grant.getValidUntil()).isEqualTo(until);
        assertThat(grant.getPurpose()).isEqualTo("verify residence for school enrolment");
        assertThat(latest(requests).get(requestId).getStatus()).isEqualTo(RequestStatus.APPROVED);
    }

    @Test
    void approvedFieldsMustBeResourceFieldsIncludingTheKeys() {
        String requestId = pendingRequest("psb", "edu");
        requests.readRecordsToList();

        CommandResult r = send("psb", approve(requestId).setAllowedFields(List.of("name", "shoeSize")).build());

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("[shoeSize]", "key field(s) [idNumber]");
        assertThat(grants.isEmpty()).isTrue();
        assertThat(requests.isEmpty()).isTrue();
    }

    @Test
    void clearFieldsMustBeAllowedPersonalFields() {
        String requestId = pendingRequest("psb", "edu");

        CommandResult r = send("psb", approve(requestId).setAllowedFields(List.of("idNumber", "divisionCode"))
                .setClearFields(List.of("name", "divisionCode")).build());

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("[name] are not among the allowed fields", "[divisionCode] are not personal");
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void aBadRowFilterRefusesTheDecisionWithTheCompilersMessage() {
        String requestId = pendingRequest("psb", "edu");
        String compilerMessage;
        try {
            cn.tianfu.databus.sharing.RowFilter.compile("shoeSize > 40", new Schema.Parser().parse(schemaJson()));
            throw new AssertionError("the filter should not compile");
        } catch (cn.tianfu.databus.sharing.RowFilterException e) {
            compilerMessage = e.compilerMessage();
        }

        CommandResult r = send("psb", approve(requestId).setRowFilter("shoeSize > 40").build());

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains(compilerMessage);
        assertThat(compilerMessage).contains("shoeSize");
        assertThat(grants.isEmpty()).isTrue();
        assertThat(latest(requests).get(requestId).getStatus()).isEqualTo(RequestStatus.PENDING);
    }

    @Test
    void aRowFilterOverTheCostLimitRefusesTheDecisionNamingTheLimit() {
        String requestId = pendingRequest("psb", "edu");
        // compiles to about 10^6 regular-expression instructions: seconds per record in the shared router
        CommandResult r = send("psb", approve(requestId)
                .setRowFilter("divisionCode != null && divisionCode.matches(\"((5{1000}){1000})\")").build());

        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("too complex")
                .contains(Integer.toString(cn.tianfu.databus.sharing.RowFilter.MAX_REGEX_PROGRAM_SIZE));
        assertThat(grants.isEmpty()).isTrue();
        assertThat(latest(requests).get(requestId).getStatus()).isEqualTo(RequestStatus.PENDING);
    }

    @Test
    void theValidityWindowMustEndInTheFutureAfterItStarts() {
        String requestId = pendingRequest("psb", "edu");

        CommandResult past = send("psb", approve(requestId).setValidUntil(FRIDAY.minusSeconds(60)).build());
        CommandResult backwards = send("psb", approve(requestId).setValidFrom(FRIDAY.plus(Duration.ofDays(10)))
                .setValidUntil(FRIDAY.plus(Duration.ofDays(5))).build());

        assertThat(past.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(past.getMessage()).contains("not in the future");
        assertThat(backwards.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(backwards.getMessage()).contains("must be after validFrom");
        assertThat(grants.isEmpty()).isTrue();
    }

    @Test
    void aRejectionNeedsAReason() {
        String requestId = pendingRequest("psb", "edu");

        CommandResult noReason = send("psb", DecideRequest.newBuilder().setRequestId(requestId).setDecision(Decision.REJECT).build());
        CommandResult rejected = send("psb", DecideRequest.newBuilder().setRequestId(requestId).setDecision(Decision.REJECT)
                .setReason("conditions not met").build());

        assertThat(noReason.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(rejected.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        AccessRequest request = latest(requests).get(requestId);
        assertThat(request.getStatus()).isEqualTo(RequestStatus.REJECTED);
        assertThat(request.getDecisionReason()).isEqualTo("conditions not met");
        assertThat(request.getDecidedAt()).isEqualTo(FRIDAY);
    }

    @Test
    void onlyTheProviderDecidesAndOnlyPendingRequests() {
        String requestId = pendingRequest("psb", "edu");

        CommandResult byConsumer = send("edu", approve(requestId).build());
        CommandResult approved = send("psb", approve(requestId).build());
        CommandResult again = send("psb", approve(requestId).build());

        assertThat(byConsumer.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(byConsumer.getMessage()).contains("department 'psb'");
        assertThat(approved.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(again.getMessage()).contains("APPROVED, not PENDING");
    }

    @Test
    void unknownRequestAndGrantIdsAreNotFound() {
        registered("psb", CODE, SharingClass.CONDITIONAL);

        assertThat(send("psb", approve(CODE + ".R7").build()).getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(send("psb", approve("no-such-id").build()).getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(send("psb", RevokeGrant.newBuilder().setGrantId(CODE + ".R1").setReason("x").build()).getOutcome())
                .isEqualTo(Outcome.NOT_FOUND);
    }

    @Test
    void onlyTheRequesterWithdrawsAndOnlyPendingRequests() {
        String requestId = pendingRequest("psb", "edu");

        CommandResult byProvider = send("psb", WithdrawRequest.newBuilder().setRequestId(requestId).build());
        CommandResult withdrawn = send("edu", WithdrawRequest.newBuilder().setRequestId(requestId).setReason("no longer needed").build());
        CommandResult again = send("edu", WithdrawRequest.newBuilder().setRequestId(requestId).build());

        assertThat(byProvider.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(byProvider.getMessage()).contains("filed by department 'edu'");
        assertThat(withdrawn.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(latest(requests).get(requestId).getStatus()).isEqualTo(RequestStatus.WITHDRAWN);
    }

    @Test
    void theProviderRevokesAnActiveGrantWithAReason() {
        String grantId = activeGrant();
        advance(Duration.ofHours(1));

        CommandResult noReason = send("psb", RevokeGrant.newBuilder().setGrantId(grantId).setReason("").build());
        CommandResult byOther = send("mca", RevokeGrant.newBuilder().setGrantId(grantId).setReason("x").build());
        CommandResult revoked = send("psb", RevokeGrant.newBuilder().setGrantId(grantId).setReason("purpose fulfilled").build());
        CommandResult again = send("psb", RevokeGrant.newBuilder().setGrantId(grantId).setReason("twice").build());

        assertThat(noReason.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(byOther.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(revoked.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(again.getMessage()).contains("REVOKED, not ACTIVE");
        Grant grant = latest(grants).get(grantId);
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.REVOKED);
        assertThat(grant.getEndReason()).contains("purpose fulfilled");
        assertThat(grant.getEndedAt()).isEqualTo(FRIDAY.plus(Duration.ofHours(1)));
    }

    @Test
    void theProviderNarrowsAnActiveGrantOnBusGrants() {
        String grantId = activeGrant();

        CommandResult byConsumer = send("edu", NarrowGrant.newBuilder().setGrantId(grantId)
                .setRowFilter("divisionCode == '510104'").setReason("x").build());
        CommandResult narrowed = send("psb", NarrowGrant.newBuilder().setGrantId(grantId)
                .setAllowedFields(List.of("idNumber", "divisionCode")).setRowFilter("divisionCode == '510104'")
                .setReason("one district only").build());
        CommandResult unknown = send("psb", NarrowGrant.newBuilder().setGrantId(CODE + ".G99").setRowFilter("true")
                .setReason("x").build());

        assertThat(byConsumer.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(narrowed.getOutcome()).as(narrowed.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(narrowed.getGrantId()).isEqualTo(grantId);
        assertThat(unknown.getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        Grant grant = latest(grants).get(grantId);
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.ACTIVE);
        assertThat(grant.getAllowedFields()).containsExactly("idNumber", "divisionCode");
        assertThat(grant.getRowFilter()).isEqualTo("divisionCode == '510104'");
    }

    @Test
    void theConsumerMayGiveUpItsGrant() {
        String grantId = activeGrant();

        CommandResult r = send("edu", RevokeGrant.newBuilder().setGrantId(grantId).setReason("project ended").build());

        assertThat(r.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(latest(grants).get(grantId).getEndReason()).contains("given up by consumer edu");
    }

    @Test
    void retiringEndsActiveGrantsRefusesPendingRequestsAndLaterOnes() {
        registered("psb", CODE, SharingClass.CONDITIONAL);
        String pending = send("edu", request(CODE, "school enrolment")).getRequestId();
        String approvedRequest = send("hrss", request(CODE, "pension check")).getRequestId();
        String grantId = send("psb", approve(approvedRequest).build()).getGrantId();

        CommandResult r = send("psb", RetireResource.newBuilder().setCode(CODE).setReason("merged into 101-000002").build());
        CommandResult later = send("mca", request(CODE, "marriage registration"));

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        CatalogEntry entry = latest(catalog).get(CODE);
        assertThat(entry.getStatus()).isEqualTo(ResourceStatus.RETIRED);
        assertThat(entry.getRetiredReason()).isEqualTo("merged into 101-000002");
        assertThat(entry.getCatalogVersion()).isEqualTo(2);
        Map<String, Grant> grantStates = latest(grants);
        assertThat(grantStates.get(grantId).getStatus()).isEqualTo(GrantStatus.ENDED);
        assertThat(grantStates.get(grantId).getEndReason()).contains("merged into 101-000002");
        Map<String, AccessRequest> requestStates = latest(requests);
        assertThat(requestStates.get(pending).getStatus()).isEqualTo(RequestStatus.REFUSED);
        assertThat(requestStates.get(pending).getDecisionReason()).contains("retired");
        assertThat(later.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(later.getMessage()).contains("retired");
    }

    @Test
    void aGrantPastItsValidityExpiresOnTheWallClock() {
        String requestId = pendingRequest("psb", "edu");
        String grantId = send("psb", approve(requestId).setValidUntil(FRIDAY.plus(Duration.ofDays(2))).build()).getGrantId();
        grants.readRecordsToList();

        advance(Duration.ofDays(1));
        assertThat(grants.isEmpty()).isTrue();
        advance(Duration.ofDays(1).plusMinutes(1));

        Grant grant = latest(grants).get(grantId);
        assertThat(grant.getStatus()).isEqualTo(GrantStatus.EXPIRED);
        assertThat(grant.getEndReason()).contains("validity ended");
    }

    // ---- commands ----

    @Test
    void aRepeatedCommandIdIsAnsweredDuplicateWithTheOriginalOutcomeAndChangesNothing() {
        CommandResult first = send("psb", "same-id", "psb", register(CODE, SharingClass.UNCONDITIONAL));
        catalog.readRecordsToList();

        CommandResult again = send("psb", "same-id", "psb", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(first.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(again.getOutcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(again.getAccepted()).isFalse();
        assertThat(again.getMessage()).contains("ACCEPTED", first.getMessage());
        assertThat(again.getResourceCode()).isEqualTo(CODE);
        assertThat(catalog.isEmpty()).isTrue();
        // the same id from another department is another command
        assertThat(send("mca", "same-id", "mca", register(CODE, SharingClass.UNCONDITIONAL)).getOutcome()).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void aCommandClaimingAnotherDepartmentIsRefused() {
        CommandResult r = send("mca", "c-forged", "psb", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getDepartment()).isEqualTo("mca");
        assertThat(r.getMessage()).contains("claims department 'psb'", "cmd.mca");
        assertThat(catalog.isEmpty()).isTrue();
        assertThat(replies("psb").isEmpty()).isTrue();
    }

    @Test
    void malformedBytesGoToTheDeadLetterTopicAndTheAppContinues() {
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.commands("psb"), new ByteArraySerializer(),
                new ByteArraySerializer());
        byte[] garbage = {0x7b, 0x22, 0x01, 0x02};
        raw.pipeInput("bad-1".getBytes(), garbage);
        raw.pipeInput(null, new byte[]{0, 0, 0});

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).getReason()).isEqualTo("MALFORMED_BYTES");
        assertThat(letters.get(0).getComponent()).isEqualTo("governance");
        assertThat(letters.get(0).getSourceTopic()).isEqualTo("cmd.psb");
        assertThat(letters.get(0).getSourceOffset()).isEqualTo(0L);
        assertThat(letters.get(0).getOriginalValue().array()).isEqualTo(garbage);
        assertThat(letters.get(1).getSourceOffset()).isEqualTo(1L);
        List<TestRecord<String, CommandResult>> answers = replies("psb").readRecordsToList();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).key()).isEqualTo("bad-1");
        assertThat(answers.get(0).value().getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(answers.get(0).value().getMessage()).contains("MALFORMED_BYTES");

        assertThat(registered("psb", CODE, SharingClass.UNCONDITIONAL).getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void anUnknownSchemaIdIsAnUnknownSchemaDeadLetter() {
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(Topics.commands("psb"), new ByteArraySerializer(),
                new ByteArraySerializer());

        raw.pipeInput("c-unknown".getBytes(), new byte[]{0, 0, 0, 0x7f, 0x01, 0x02});

        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo("UNKNOWN_SCHEMA");
        assertThat(replies("psb").readValue().getOutcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void aRecordThatIsNotACommandIsAnInvalidCommandDeadLetter() {
        TestInputTopic<String, CatalogEntry> wrong = driver.createInputTopic(Topics.commands("psb"), new StringSerializer(),
                AvroSerde.specific(registry, CatalogEntry.class).serializer());
        registered("psb", CODE, SharingClass.UNCONDITIONAL);
        CatalogEntry entry = latest(catalog).get(CODE);
        registry.setCompatibility(java.util.Optional.of("cmd.psb-value"), "NONE");

        wrong.pipeInput("c-wrong", entry);

        DeadLetter letter = deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo("INVALID_COMMAND");
        assertThat(letter.getMessage()).contains("CatalogEntry");
        assertThat(replies("psb").readValue().getOutcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void replyTopicsAreCreatedForNewSenders() {
        send("psb", request("999-000001", "x"));

        assertThat(createdTopics).contains("reply.psb/1");
    }
}
