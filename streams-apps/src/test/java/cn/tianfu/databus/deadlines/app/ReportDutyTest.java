package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The deadlines app's duty "answer an error report within 10 working days" (Art. 27 → 46(五)), the clock pinned: the
 * report below is due at the end of Thursday 2026-11-12 (Asia/Shanghai), so its provider is reminded at the end of
 * Tuesday 2026-11-10.
 */
class ReportDutyTest {

    private static final String ID = "10101-000001.E1";
    private static final Instant REPORTED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");
    private static final Duration CHECK = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(REPORTED);
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<String, ErrorReport> reports;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;

    @BeforeEach
    void start() {
        driver = newDriver("a");
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TopologyTestDriver newDriver(String dir) {
        InstantSource clock = () -> now.get();
        DeadlinesContext ctx = new DeadlinesContext(registry, WorkingDayCalendar.bundled().withProvisionalYears(), clock, CHECK);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "deadlines-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        TopologyTestDriver d = new TopologyTestDriver(DeadlinesApp.buildTopology(ctx), props, REPORTED);
        AvroSerde<Violation> violationSerde = AvroSerde.specific(registry, Violation.class);
        reports = d.createInputTopic(Topics.ERROR_REPORTS, new StringSerializer(),
                AvroSerde.specific(registry, ErrorReport.class).serializer());
        violationsIn = d.createInputTopic(Topics.VIOLATIONS, new StringSerializer(), violationSerde.serializer());
        replies = d.createOutputTopic(Topics.replies("psb"), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer());
        violations = d.createOutputTopic(Topics.VIOLATIONS, new StringDeserializer(), violationSerde.deserializer());
        return d;
    }

    private static ErrorReport report(ErrorReportStatus status) {
        return ErrorReport.newBuilder().setId(ID).setResourceCode("10101-000001").setProvider("psb").setConsumer("hrss")
                .setRecordKey("510104199001011234").setField("name").setProblem("misspelt").setFoundAt(REPORTED)
                .setReportedAt(REPORTED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL").setStatus(status)
                .setAnsweredAt(status == ErrorReportStatus.OPEN ? null : REMIND).build();
    }

    private void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    @Test
    void theProviderIsRemindedOnceTwoWorkingDaysBeforeTheAnswerIsDue() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:report:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getSubjectId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains("answer-report " + ID, "Art. 27");

        at(REMIND.plus(Duration.ofHours(5)));
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void anUnansweredReportIsOneViolationUnderArt46Item5() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:report:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDuty()).isEqualTo(DutyKind.ANSWER_ERROR_REPORT);
        assertThat(v.getDepartment()).isEqualTo("psb");
        assertThat(v.getCounterparty()).isEqualTo("hrss");
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getEvidence()).contains(ID, Topics.ERROR_REPORTS + "/0@0");

        at(DUE.plus(Duration.ofDays(3)));
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN)); // read again: nothing new
        assertThat(violations.isEmpty()).isTrue();
        // answered late: the violation stays, nothing else is raised
        reports.pipeInput(ID, report(ErrorReportStatus.ANSWERED_CORRECTED));
        at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aReportAnsweredInTimeClosesTheDuty() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        at(REMIND.minus(Duration.ofDays(1)));
        reports.pipeInput(ID, report(ErrorReportStatus.ANSWERED_REJECTED));
        at(REMIND);
        at(DUE.plus(Duration.ofDays(1)));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aWipedStateDoesNotRaiseTheViolationAgain() {
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        at(DUE);
        Violation v = violations.readValuesToList().get(0);
        driver.close();

        driver = newDriver("b");   // a new state directory, as after losing state and changelog
        violationsIn.pipeInput(v.getId(), v);
        reports.pipeInput(ID, report(ErrorReportStatus.OPEN));
        at(DUE.plus(Duration.ofHours(1)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }
}
