package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

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

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.AcceptAnswer;
import cn.tianfu.databus.schemas.AnswerReport;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeStatus;
import cn.tianfu.databus.schemas.DisputeStep;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.OpenDispute;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.ReportError;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroSerde;

/** Error reports (Art. 27) and disputes (Art. 28) through the governance topology, the clock pinned. */
class AccountabilityCommandsTest {

    /** Monday 2026-09-14, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-09-14T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final String CODE = "101-000001";
    private static final String EXPERT = Principals.expertPrincipal("law-prof");

    @TempDir
    Path stateDir;

    private MockSchemaRegistryClient registry;
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private TestOutputTopic<String, ErrorReport> reports;
    private TestOutputTopic<String, Dispute> disputes;
    private final AtomicInteger ids = new AtomicInteger();
    private final MutableClock clock = new MutableClock(MONDAY);

    @BeforeEach
    void start() {
        registry = new MockSchemaRegistryClient();
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> { },
                WorkingDayCalendar.bundled(), 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, MONDAY);
        reports = driver.createOutputTopic(Topics.ERROR_REPORTS, new StringDeserializer(),
                AvroSerde.specific(registry, ErrorReport.class).deserializer());
        disputes = driver.createOutputTopic(Topics.DISPUTES, new StringDeserializer(),
                AvroSerde.specific(registry, Dispute.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- error reports ----

    @Test
    void aConsumerWithAGrantReportsAnErrorDueInTenWorkingDaysAndTheProviderIsNotified() {
        grant();
        CommandResult r = send("edu", report("110101199001011234", "name", MONDAY.minus(Duration.ofDays(1))));

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        String id = r.getSubjectId();
        assertThat(id).isEqualTo(CODE + ".E1");
        ErrorReport report = reports.readKeyValuesToMap().get(id);
        assertThat(report.getStatus()).isEqualTo(ErrorReportStatus.OPEN);
        assertThat(report.getProvider()).isEqualTo("psb");
        assertThat(report.getConsumer()).isEqualTo("edu");
        assertThat(report.getRecordKey()).isEqualTo("110101199001011234");
        assertThat(report.getLate()).isFalse();
        assertThat(report.getReportedAt()).isEqualTo(MONDAY);
        // 10 working days after Monday 2026-09-14: Monday 2026-09-28, to its end
        assertThat(report.getDueAt()).isEqualTo(ZonedDateTime.parse("2026-09-28T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        List<CommandResult> notices = notices("psb");
        assertThat(notices).hasSize(1);
        assertThat(notices.get(0).getSubjectId()).isEqualTo(id);
        assertThat(notices.get(0).getMessage()).contains("edu reports an error", "answer-report " + id);
    }

    @Test
    void aReportMoreThanFiveWorkingDaysAfterFindingIsAcceptedAndFlaggedLate() {
        grant();
        // found Friday 2026-09-04: 5 working days end Friday 2026-09-11; reported Monday 09-14
        Instant found = ZonedDateTime.parse("2026-09-04T09:00:00+08:00[Asia/Shanghai]").toInstant();
        CommandResult r = send("edu", report("k1", null, found));

        assertThat(r.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(r.getMessage()).contains("flagged late");
        assertThat(reports.readKeyValuesToMap().get(r.getSubjectId()).getLate()).isTrue();
    }

    @Test
    void aDepartmentWithoutAnyGrantCannotReportAndNothingIsWritten() {
        registered();
        CommandResult r = send("edu", report("k1", null, null));

        assertThat(r.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getMessage()).contains("has no grant");
        assertThat(reports.isEmpty()).isTrue();
    }

    @Test
    void aReportOnAnUnknownResourceOrAnUnknownFieldIsRefused() {
        grant();
        assertThat(send("edu", ReportError.newBuilder().setResourceCode("999-000009").setRecordKey("k").setProblem("x").build())
                .getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        CommandResult r = send("edu", report("k", "shoeSize", null));
        assertThat(r.getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(r.getMessage()).contains("shoeSize");
        assertThat(reports.isEmpty()).isTrue();
    }

    @Test
    void onlyTheProviderAnswersAndOnlyTheReporterAccepts() {
        String id = openReport();
        CommandResult other = send("tax", AnswerReport.newBuilder().setReportId(id).setCorrected(true).build());
        assertThat(other.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(other.getMessage()).contains("only its provider may answer");
        CommandResult byConsumer = send("edu", AnswerReport.newBuilder().setReportId(id).setCorrected(true).build());
        assertThat(byConsumer.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(reports.isEmpty()).isTrue();

        CommandResult answered = send("psb", AnswerReport.newBuilder().setReportId(id).setCorrected(true)
                .setNote("name spelled as in the register").build());
        assertThat(answered.getOutcome()).as(answered.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(reports.readKeyValuesToMap().get(id).getStatus()).isEqualTo(ErrorReportStatus.ANSWERED_CORRECTED);
        List<CommandResult> toConsumer = notices("edu");
        assertThat(toConsumer).hasSize(1);
        assertThat(toConsumer.get(0).getMessage()).contains("corrected record 'k1'", "accept-answer " + id);

        assertThat(send("psb", AcceptAnswer.newBuilder().setReportId(id).build()).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(send("psb", AnswerReport.newBuilder().setReportId(id).setCorrected(false).setNote("no").build())
                .getOutcome()).isEqualTo(Outcome.REFUSED);
        CommandResult accepted = send("edu", AcceptAnswer.newBuilder().setReportId(id).build());
        assertThat(accepted.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        ErrorReport closed = reports.readKeyValuesToMap().get(id);
        assertThat(closed.getStatus()).isEqualTo(ErrorReportStatus.ACCEPTED);
        assertThat(closed.getClosedAt()).isEqualTo(MONDAY);
    }

    @Test
    void aRejectionNeedsAReasonAndAnUnknownReportIsNotFound() {
        String id = openReport();
        assertThat(send("psb", AnswerReport.newBuilder().setReportId(id).setCorrected(false).build()).getOutcome())
                .isEqualTo(Outcome.INVALID);
        assertThat(send("psb", AnswerReport.newBuilder().setReportId(CODE + ".E9").setCorrected(true).build()).getOutcome())
                .isEqualTo(Outcome.NOT_FOUND);
        assertThat(send("psb", AnswerReport.newBuilder().setReportId("nonsense").setCorrected(true).build()).getOutcome())
                .isEqualTo(Outcome.NOT_FOUND);
    }

    // ---- disputes ----

    @Test
    void aDisputeAboutARejectedAnswerGoesThroughNegotiationEscalationReferralOpinionAndDecision() {
        String report = openReport();
        send("psb", AnswerReport.newBuilder().setReportId(report).setCorrected(false).setNote("the register says so").build());
        notices("edu");

        CommandResult opened = send("edu", OpenDispute.newBuilder().setSubject(DisputeSubject.REPORT).setSubjectId(report)
                .setStatement("the register is wrong too").build());
        assertThat(opened.getOutcome()).as(opened.getMessage()).isEqualTo(Outcome.ACCEPTED);
        String id = opened.getSubjectId();
        assertThat(id).isEqualTo(CODE + ".D1");
        assertThat(reports.readKeyValuesToMap().get(report).getStatus()).isEqualTo(ErrorReportStatus.DISPUTED);
        assertThat(notices("psb")).extracting(CommandResult::getMessage).anyMatch(m -> m.contains("opened dispute " + id));

        assertThat(step("psb", id, DisputeAction.MESSAGE, "we checked twice", null).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        // the authority cannot refer or decide while the departments negotiate; a third department cannot write
        assertThat(step("bus", id, DisputeAction.REFER, null, "law-prof").getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(step("tax", id, DisputeAction.MESSAGE, "me too", null).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(step("edu", id, DisputeAction.ESCALATE, null, null).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(notices("bus")).extracting(CommandResult::getSubjectId).contains(id);
        // negotiation is over, and a department cannot decide
        assertThat(step("psb", id, DisputeAction.MESSAGE, "late words", null).getOutcome()).isEqualTo(Outcome.REFUSED);
        CommandResult selfDecided = step("edu", id, DisputeAction.DECIDE, "edu wins", null);
        assertThat(selfDecided.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(selfDecided.getMessage()).contains("only the authority decides");

        assertThat(step("bus", id, DisputeAction.REFER, null, "law-prof").getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(notices(EXPERT)).extracting(CommandResult::getSubjectId).contains(id);
        // another expert, or the expert sending anything else, is refused
        assertThat(step(Principals.expertPrincipal("other"), id, DisputeAction.OPINION, "x", null).getOutcome())
                .isEqualTo(Outcome.REFUSED);
        assertThat(step(EXPERT, id, DisputeAction.DECIDE, "x", null).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(send(EXPERT, AcceptAnswer.newBuilder().setReportId(report).build()).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(step(EXPERT, id, DisputeAction.OPINION, "the register should be corrected first", null).getOutcome())
                .isEqualTo(Outcome.ACCEPTED);
        CommandResult decided = step("bus", id, DisputeAction.DECIDE, "psb corrects the register and the record", null);
        assertThat(decided.getOutcome()).as(decided.getMessage()).isEqualTo(Outcome.ACCEPTED);

        Dispute d = disputes.readKeyValuesToMap().get(id);
        assertThat(d.getStatus()).isEqualTo(DisputeStatus.DECIDED);
        assertThat(d.getExpert()).isEqualTo("law-prof");
        assertThat(d.getOpinion()).isEqualTo("the register should be corrected first");
        assertThat(d.getDecision()).isEqualTo("psb corrects the register and the record");
        assertThat(d.getMessages()).extracting(m -> m.getBy() + ":" + m.getAction()).containsExactly(
                "edu:MESSAGE", "psb:MESSAGE", "edu:ESCALATE", "bus:REFER", EXPERT + ":OPINION", "bus:DECIDE");
        assertThat(step("bus", id, DisputeAction.DECIDE, "again", null).getOutcome()).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void aDisputeAboutARejectedRequestCanBeSettledAndOnlyARefusalIsDisputed() {
        assertThat(send("psb", register(CODE, SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CommandResult req = send("edu", request(CODE, "verify residence for school enrolment"));
        String requestId = req.getRequestId();
        // pending: not a refusal
        assertThat(send("edu", OpenDispute.newBuilder().setSubject(DisputeSubject.REQUEST).setSubjectId(requestId)
                .setStatement("x").build()).getOutcome()).isEqualTo(Outcome.REFUSED);
        send("psb", DecideRequest.newBuilder().setRequestId(requestId).setDecision(Decision.REJECT).setReason("no basis").build());
        assertThat(send("tax", OpenDispute.newBuilder().setSubject(DisputeSubject.REQUEST).setSubjectId(requestId)
                .setStatement("x").build()).getOutcome()).isEqualTo(Outcome.REFUSED);
        CommandResult opened = send("edu", OpenDispute.newBuilder().setSubject(DisputeSubject.REQUEST).setSubjectId(requestId)
                .setStatement("the law gives us the duty").build());
        assertThat(opened.getOutcome()).isEqualTo(Outcome.ACCEPTED);
        // one open dispute per subject
        assertThat(send("psb", OpenDispute.newBuilder().setSubject(DisputeSubject.REQUEST).setSubjectId(requestId)
                .setStatement("y").build()).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(step("psb", opened.getSubjectId(), DisputeAction.SETTLE, "we will approve a new request", null).getOutcome())
                .isEqualTo(Outcome.ACCEPTED);
        assertThat(disputes.readKeyValuesToMap().get(opened.getSubjectId()).getStatus()).isEqualTo(DisputeStatus.SETTLED);
        assertThat(step("edu", opened.getSubjectId(), DisputeAction.ESCALATE, null, null).getOutcome()).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void anUnknownDisputeIsNotFound() {
        assertThat(step("bus", CODE + ".D7", DisputeAction.DECIDE, "x", null).getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(step("bus", "D7", DisputeAction.DECIDE, "x", null).getOutcome()).isEqualTo(Outcome.NOT_FOUND);
    }

    // ---- helpers ----

    private void registered() {
        CommandResult r = send("psb", register(CODE, SharingClass.UNCONDITIONAL));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    private void grant() {
        registered();
        CommandResult r = send("edu", request(CODE, "verify residence for school enrolment"));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    private String openReport() {
        grant();
        CommandResult r = send("edu", report("k1", "name", null));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        reports.readRecordsToList();
        notices("psb");
        return r.getSubjectId();
    }

    private static ReportError report(String key, String field, Instant foundAt) {
        return ReportError.newBuilder().setResourceCode(CODE).setRecordKey(key).setField(field)
                .setProblem("the name is misspelt").setFoundAt(foundAt).build();
    }

    private CommandResult step(String sender, String id, DisputeAction action, String text, String expert) {
        return send(sender, DisputeStep.newBuilder().setDisputeId(id).setAction(action).setText(text).setExpert(expert).build());
    }

    private TestInputTopic<String, GovernanceCommand> input(String sender) {
        return inputs.computeIfAbsent(sender, d -> driver.createInputTopic(Topics.commands(d), new StringSerializer(),
                AvroSerde.specific(registry, GovernanceCommand.class).serializer()));
    }

    private TestOutputTopic<String, CommandResult> replies(String sender) {
        return replies.computeIfAbsent(sender, d -> driver.createOutputTopic(Topics.replies(d), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer()));
    }

    /** Sends a command and returns the answer to it; notices to the sender are kept for {@link #notices}. */
    private CommandResult send(String sender, Object payload) {
        String commandId = "c" + ids.incrementAndGet();
        input(sender).pipeInput(commandId, command(commandId, sender, payload, clock.instant()));
        List<TestRecord<String, CommandResult>> answers = replies(sender).readRecordsToList();
        List<TestRecord<String, CommandResult>> mine = answers.stream().filter(a -> a.key().equals(commandId)).toList();
        assertThat(mine).hasSize(1);
        answers.stream().filter(a -> !a.key().equals(commandId)).forEach(a -> pending(sender).add(a.value()));
        return mine.get(0).value();
    }

    private final Map<String, List<CommandResult>> pendingNotices = new HashMap<>();

    private List<CommandResult> pending(String sender) {
        return pendingNotices.computeIfAbsent(sender, s -> new java.util.ArrayList<>());
    }

    /** The notices (not answers) on {@code reply.<recipient>} since the last call. */
    private List<CommandResult> notices(String recipient) {
        List<CommandResult> out = new java.util.ArrayList<>(pending(recipient));
        pending(recipient).clear();
        replies(recipient).readRecordsToList().forEach(r -> out.add(r.value()));
        out.forEach(n -> assertThat(n.getCommandId()).startsWith("notice:"));
        return out;
    }
}
