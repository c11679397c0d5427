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
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The deadlines app's duty "update the catalogue within 15 working days of a recorded change" (Art. 14 → 46(四)), the
 * clock pinned: the notice below is due at the end of Thursday 2026-11-12 (Asia/Shanghai), so its department is reminded
 * at the end of Tuesday 2026-11-10.
 */
class CatalogNoticeDutyTest {

    private static final String ID = "notice:psb:c1";
    private static final Instant ISSUED = Instant.parse("2026-10-29T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-11-12T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-10T15:59:59.999Z");
    private static final Duration CHECK = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(ISSUED);
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<String, CatalogNotice> notices;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> replies;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, cn.tianfu.databus.schemas.GovernanceCommand> commands;

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
        TopologyTestDriver d = new TopologyTestDriver(DeadlinesApp.buildTopology(ctx), props, ISSUED);
        AvroSerde<Violation> violationSerde = AvroSerde.specific(registry, Violation.class);
        notices = d.createInputTopic(Topics.CATALOG_NOTICES, new StringSerializer(),
                AvroSerde.specific(registry, CatalogNotice.class).serializer());
        violationsIn = d.createInputTopic(Topics.VIOLATIONS, new StringSerializer(), violationSerde.serializer());
        replies = d.createOutputTopic(Topics.replies("psb"), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer());
        violations = d.createOutputTopic(Topics.VIOLATIONS, new StringDeserializer(), violationSerde.deserializer());
        commands = d.createOutputTopic(Topics.AUTHORITY_COMMANDS, new StringDeserializer(),
                AvroSerde.specific(registry, cn.tianfu.databus.schemas.GovernanceCommand.class).deserializer());
        return d;
    }

    private static CatalogNotice notice(NoticeStatus status) {
        return CatalogNotice.newBuilder().setId(ID).setDepartment("psb").setReason("a new regulation on household registers")
                .setIssuedAt(ISSUED).setDueAt(DUE).setDueCalendar("CN 2026 OFFICIAL").setStatus(status)
                .setClosedAt(status == NoticeStatus.OPEN ? null : REMIND)
                .setClosedBy(status == NoticeStatus.OPEN ? null : "psb/c9 on 10101-000001").build();
    }

    private void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    @Test
    void theDepartmentIsRemindedOnceTwoWorkingDaysBeforeTheUpdateIsDue() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        at(REMIND.minusMillis(1));
        assertThat(replies.isEmpty()).isTrue();

        at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = replies.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:" + ID);
        CommandResult reminder = reminders.get(0).value;
        assertThat(reminder.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminder.getSubjectId()).isEqualTo(ID);
        assertThat(reminder.getMessage()).contains(ID, "Art. 14", "46(四)");

        at(REMIND.plus(Duration.ofHours(5)));
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aCatalogueNotUpdatedIsOneViolationUnderArt46Item4AndNoOverdueCommand() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-4:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_4);
        assertThat(v.getDuty()).isEqualTo(DutyKind.UPDATE_CATALOG);
        assertThat(v.getDepartment()).isEqualTo("psb");
        assertThat(v.getCounterparty()).isNull();
        assertThat(v.getResourceCode()).isNull();
        assertThat(commands.isEmpty()).as("no MarkOverdue for a notice").isTrue();
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getEvidence()).contains(ID, Topics.CATALOG_NOTICES + "/0@0");

        at(DUE.plus(Duration.ofDays(3)));
        notices.pipeInput(ID, notice(NoticeStatus.OPEN)); // read again: nothing new
        assertThat(violations.isEmpty()).isTrue();
        // updated late: the violation stays, nothing else is raised
        notices.pipeInput(ID, notice(NoticeStatus.CLOSED));
        at(DUE.plus(Duration.ofDays(4)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aCatalogueUpdatedInTimeClosesTheDuty() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        at(REMIND.minus(Duration.ofDays(1)));
        notices.pipeInput(ID, notice(NoticeStatus.CLOSED));
        at(REMIND);
        at(DUE.plus(Duration.ofDays(1)));
        assertThat(replies.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aWipedStateDoesNotRaiseTheViolationAgain() {
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        at(DUE);
        Violation v = violations.readValuesToList().get(0);
        driver.close();

        driver = newDriver("b");   // a new state directory, as after losing state and changelog
        violationsIn.pipeInput(v.getId(), v);
        notices.pipeInput(ID, notice(NoticeStatus.OPEN));
        at(DUE.plus(Duration.ofHours(1)));
        assertThat(violations.isEmpty()).isTrue();
        assertThat(replies.isEmpty()).isTrue();
    }
}
