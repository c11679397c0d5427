package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.SubmitPublicRequest;
import cn.tianfu.databus.schemas.AnswerPublicRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * Public requests to open data (Art. 34) through the governance topology, the clock pinned: filed only from
 * {@code cmd.bus} for a department the bus knows, numbered per provider, due in 10 calendar days, answered once and only
 * by the provider.
 */
class PublicRequestGovernanceTest {

    /** Monday 2026-09-14, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-09-14T10:00:00+08:00[Asia/Shanghai]").toInstant();

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final MutableClock clock = new MutableClock(MONDAY);
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private TestOutputTopic<String, PublicRequest> requests;

    @BeforeEach
    void start() {
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> { },
                WorkingDayCalendar.bundled(), 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, MONDAY);
        requests = driver.createOutputTopic(Topics.PUBLIC_REQUESTS, new StringDeserializer(),
                AvroSerde.specific(registry, PublicRequest.class).deserializer());
        TestInputTopic<String, byte[]> departments = driver.createInputTopic(Topics.DEPARTMENTS, new StringSerializer(),
                new ByteArraySerializer());
        for (String dept : List.of("amr", "edu")) {
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

    private static SubmitPublicRequest ask(String dept) {
        return SubmitPublicRequest.newBuilder().setProvider(dept).setResourceCode("10201-000002").setTitle("企业年度报告")
                .setRequesterName("成都某科技有限公司").setRequesterContact("open@example.com").build();
    }

    @Test
    void filedOnlyByTheBusForAKnownDepartmentDueInTenCalendarDays() {
        CommandResult byDept = send("edu", "p0", ask("amr"));
        assertThat(byDept.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(send("bus", "p1", ask("tax")).getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(send("bus", "p2", SubmitPublicRequest.newBuilder(ask("amr")).setProvider("Not A Dept").build())
                .getOutcome()).isEqualTo(Outcome.INVALID);
        assertThat(requests.isEmpty()).isTrue();

        CommandResult filed = send("bus", "p3", ask("amr"));
        assertThat(filed.getOutcome()).as(filed.getMessage()).isEqualTo(Outcome.PENDING);
        assertThat(filed.getSubjectId()).isEqualTo("amr.P1");
        PublicRequest r = requests.readValuesToList().get(0);
        assertThat(r.getStatus()).isEqualTo(PublicRequestStatus.PENDING);
        // filed Monday 2026-09-14: due at the end of Thursday 09-24, ten calendar days, the weekend counted
        assertThat(r.getDueAt()).isEqualTo(ZonedDateTime.parse("2026-09-24T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
        List<CommandResult> told = replies("amr");
        assertThat(told).hasSize(1);
        assertThat(told.get(0).getSubjectId()).isEqualTo("amr.P1");
        assertThat(told.get(0).getMessage()).contains("databus public-requests answer amr.P1");

        assertThat(send("bus", "p4", ask("amr")).getSubjectId()).isEqualTo("amr.P2");
        assertThat(send("bus", "p4", ask("amr")).getOutcome()).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void onlyTheProviderAnswersAndOnlyOnce() {
        send("bus", "p1", ask("amr"));
        requests.readValuesToList();
        AnswerPublicRequest refuse = AnswerPublicRequest.newBuilder().setRequestId("amr.P1")
                .setStatus(PublicRequestStatus.REFUSED).setAnswer("含商业秘密，不予开放").build();
        assertThat(send("edu", "a1", refuse).getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(send("amr", "a2", AnswerPublicRequest.newBuilder(refuse).setRequestId("amr.P9").build()).getOutcome())
                .isEqualTo(Outcome.NOT_FOUND);
        assertThat(send("amr", "a3", AnswerPublicRequest.newBuilder(refuse).setRequestId("nonsense").build())
                .getOutcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(requests.isEmpty()).isTrue();

        CommandResult ok = send("amr", "a4", refuse);
        assertThat(ok.getOutcome()).as(ok.getMessage()).isEqualTo(Outcome.ACCEPTED);
        PublicRequest answered = requests.readValuesToList().get(0);
        assertThat(answered.getStatus()).isEqualTo(PublicRequestStatus.REFUSED);
        assertThat(answered.getAnswer()).isEqualTo("含商业秘密，不予开放");
        assertThat(answered.getAnsweredBy()).isEqualTo("amr");
        assertThat(answered.getAnsweredAt()).isEqualTo(MONDAY);

        assertThat(send("amr", "a5", refuse).getMessage()).contains("already answered");
        assertThat(requests.isEmpty()).isTrue();
    }
}
