package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.schemaJson;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.avro.Schema;
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

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

/** A resource's schema is registered only for a registration governance accepts: a refused one leaves no subject. */
class RegistrationOrderTest {

    private static final Instant FRIDAY = ZonedDateTime.parse("2026-09-18T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final String CODE = "101-000007";
    private static final String PSB_SUBJECT = Topics.source("psb", CODE) + "-value";

    @TempDir
    Path stateDir;

    private MockSchemaRegistryClient registry;
    private final AtomicBoolean topicsFail = new AtomicBoolean();
    private TopologyTestDriver driver;
    private final Map<String, TestInputTopic<String, GovernanceCommand>> inputs = new HashMap<>();
    private final Map<String, TestOutputTopic<String, CommandResult>> replies = new HashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() {
        registry = new MockSchemaRegistryClient();
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> {
            if (topicsFail.get() && topic.startsWith(Topics.SOURCE_PREFIX)) {
                throw new DatabusException("the broker did not answer in time");
            }
        }, WorkingDayCalendar.bundled(), 2);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-order-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, FRIDAY);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private CommandResult send(String dept, Object payload) {
        String commandId = "c" + ids.incrementAndGet();
        inputs.computeIfAbsent(dept, d -> driver.createInputTopic(Topics.commands(d), new StringSerializer(),
                AvroSerde.specific(registry, GovernanceCommand.class).serializer()))
                .pipeInput(commandId, command(commandId, dept, payload, FRIDAY));
        List<TestRecord<String, CommandResult>> answers = replies.computeIfAbsent(dept, d -> driver.createOutputTopic(
                Topics.replies(d), new StringDeserializer(), AvroSerde.specific(registry, CommandResult.class).deserializer()))
                .readRecordsToList();
        assertThat(answers).hasSize(1);
        return answers.get(0).value();
    }

    /** The resource with its record renamed: not a backward-compatible successor of the fixture's schema. */
    private static RegisterResource corrected() {
        String schema = schemaJson().replace("\"name\":\"Population\"", "\"name\":\"Residents\"");
        assertThat(schema).isNotEqualTo(schemaJson());
        return RegisterResource.newBuilder().setSpec(spec(CODE, SharingClass.UNCONDITIONAL).build()).setSchemaJson(schema).build();
    }

    @Test
    void a_duplicate_of_another_departments_resource_leaves_no_subject() {
        assertThat(send("psb", register(CODE, SharingClass.UNCONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);

        CommandResult r = send("hrss", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getAccepted()).as(r.getMessage()).isFalse();
        assertThat(registry.subjects()).contains(PSB_SUBJECT).doesNotContain(Topics.source("hrss", CODE) + "-value");
    }

    @Test
    void an_invalid_definition_leaves_no_subject_and_the_corrected_one_registers() {
        RegisterResource invalid = RegisterResource.newBuilder()
                .setSpec(spec(CODE, SharingClass.UNCONDITIONAL).setName("").build()).setSchemaJson(schemaJson()).build();

        CommandResult r = send("psb", invalid);

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.INVALID);
        assertThat(registry.subjects()).doesNotContain(PSB_SUBJECT);
        CommandResult fixed = send("psb", corrected());
        assertThat(fixed.getOutcome()).as(fixed.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(registry.versions(PSB_SUBJECT)).hasSize(1);
    }

    @Test
    void a_registration_that_fails_after_its_checks_leaves_no_subject_and_the_corrected_one_registers() {
        topicsFail.set(true);

        CommandResult r = send("psb", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getAccepted()).as(r.getMessage()).isFalse();
        assertThat(r.getMessage()).contains("send the command again later");
        assertThat(registry.subjects()).doesNotContain(PSB_SUBJECT);
        topicsFail.set(false);
        CommandResult fixed = send("psb", corrected());
        assertThat(fixed.getOutcome()).as(fixed.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void a_subject_no_catalog_entry_holds_does_not_block_the_registration() {
        // left by a registration that never committed, or registered by someone who should not have
        registry.register(PSB_SUBJECT, new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Squat\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}"));

        CommandResult r = send("psb", register(CODE, SharingClass.UNCONDITIONAL));

        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(registry.versions(PSB_SUBJECT)).hasSize(1);
        assertThat(registry.latest(PSB_SUBJECT).schema().getName()).isEqualTo("Population");
    }
}
