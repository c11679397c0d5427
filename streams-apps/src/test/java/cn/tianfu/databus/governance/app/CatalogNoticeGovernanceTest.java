package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.NoticeCatalogUpdate;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The authority's notice to update a catalogue (Art. 14) through the governance topology, the clock pinned: only from
 * {@code cmd.bus}, only to a department the bus knows, due in 15 working days, closed by the department's own later
 * catalogue change and by no other department's.
 */
class CatalogNoticeGovernanceTest {

    /** Monday 2026-09-14, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-09-14T10:00:00+08:00[Asia/Shanghai]").toInstant();

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final MutableClock clock = new MutableClock(MONDAY);
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private TestOutputTopic<String, CatalogNotice> notices;

    @BeforeEach
    void start() {
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> { },
                WorkingDayCalendar.bundled(), 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, MONDAY);
        notices = driver.createOutputTopic(Topics.CATALOG_NOTICES, new StringDeserializer(),
                AvroSerde.specific(registry, CatalogNotice.class).deserializer());
        TestInputTopic<String, byte[]> departments = driver.createInputTopic(Topics.DEPARTMENTS, new StringSerializer(),
                new ByteArraySerializer());
        for (String dept : List.of("psb", "edu")) {
            departments.pipeInput(dept, dept.getBytes(StandardCharsets.UTF_8));
        }
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Sends the command and returns the answer to it (other records on the sender's reply topic are notices). */
    private CommandResult send(String dept, String commandId, Object payload) {
        inputs.computeIfAbsent(dept, d -> driver.createInputTopic(Topics.commands(d), new StringSerializer(),
                        AvroSerde.specific(registry, GovernanceCommand.class).serializer()))
                .pipeInput(commandId, command(commandId, dept, payload, clock.instant()));
        List<CommandResult> answers = replies(dept).stream()
                .filter(r -> r.getCommandId().equals(commandId)).toList();
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private List<CommandResult> replies(String dept) {
        return replies.computeIfAbsent(dept, d -> driver.createOutputTopic(Topics.replies(d), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer())).readValuesToList();
    }

    private static NoticeCatalogUpdate notice(String dept) {
        return NoticeCatalogUpdate.newBuilder().setDepartment(dept).setReason("新《户籍管理条例》施行").build();
    }

    @Test
    void onlyTheAuthorityGivesNoticeDueInFifteenWorkingDaysAndTheDepartmentIsTold() {
        CommandResult byDept = send("edu", "n1", notice("psb"));
        assertThat(byDept.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(byDept.getMessage()).contains("only the public data authority");
        assertThat(notices.isEmpty()).isTrue();

        CommandResult given = send("bus", "n2", notice("psb"));
        assertThat(given.getOutcome()).as(given.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(given.getSubjectId()).isEqualTo("notice:psb:n2");
        CatalogNotice n = notices.readValuesToList().get(0);
        assertThat(n.getId()).isEqualTo("notice:psb:n2");
        assertThat(n.getDepartment()).isEqualTo("psb");
        assertThat(n.getStatus()).isEqualTo(NoticeStatus.OPEN);
        assertThat(n.getIssuedAt()).isEqualTo(MONDAY);
        // 15 working days after Monday 2026-09-14 on the 2026 calendar (Sunday 09-20 worked, 09-25..27 and
        // 10-01..07 off): Saturday 2026-10-10, a make-up working day, to its end
        assertThat(n.getDueAt()).isEqualTo(ZonedDateTime.parse("2026-10-10T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        List<CommandResult> told = replies("psb");
        assertThat(told).hasSize(1);
        assertThat(told.get(0).getSubjectId()).isEqualTo("notice:psb:n2");
        assertThat(told.get(0).getOutcome()).isEqualTo(Outcome.PENDING);

        assertThat(send("bus", "n2", notice("psb")).getOutcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(notices.isEmpty()).isTrue();
    }

    @Test
    void aDepartmentTheBusDoesNotKnowIsRefusedClearly() {
        CommandResult r = send("bus", "n1", notice("tax"));
        assertThat(r.getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(r.getMessage()).contains("no department 'tax'");
        assertThat(send("bus", "n2", NoticeCatalogUpdate.newBuilder().setDepartment("psb").setReason(" ").build())
                .getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(notices.isEmpty()).isTrue();
    }

    @Test
    void theDepartmentsLaterCatalogueChangeClosesItAndAnotherDepartmentsDoesNot() {
        assertThat(send("psb", "r1", register("101-000001", SharingClass.UNCONDITIONAL)).getOutcome())
                .isEqualTo(Outcome.ACCEPTED);
        assertThat(send("bus", "n1", notice("psb")).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        assertThat(notices.readValuesToList()).hasSize(1);

        clock.advance(Duration.ofDays(1));
        assertThat(send("edu", "r2", register("360-000001", SharingClass.UNCONDITIONAL)).getOutcome())
                .isEqualTo(Outcome.ACCEPTED);
        assertThat(notices.isEmpty()).as("edu's change does not close psb's notice").isTrue();
        // a refused change is no change
        assertThat(send("psb", "r3", register("101-000001", SharingClass.UNCONDITIONAL)).getOutcome())
                .isNotEqualTo(Outcome.ACCEPTED);
        assertThat(notices.isEmpty()).isTrue();

        clock.advance(Duration.ofDays(1));
        assertThat(send("psb", "r4", RetireResource.newBuilder().setCode("101-000001").setReason("merged").build())
                .getOutcome()).isEqualTo(Outcome.ACCEPTED);
        List<CatalogNotice> closed = notices.readValuesToList();
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).getId()).isEqualTo("notice:psb:n1");
        assertThat(closed.get(0).getStatus()).isEqualTo(NoticeStatus.CLOSED);
        assertThat(closed.get(0).getClosedAt()).isEqualTo(MONDAY.plus(Duration.ofDays(2)));
        assertThat(closed.get(0).getClosedBy()).contains("psb/r4");
    }
}
