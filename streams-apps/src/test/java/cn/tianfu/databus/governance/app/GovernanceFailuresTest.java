package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.command;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.contract.RecordLimits;
import cn.tianfu.databus.contract.Topics;

/**
 * Whatever a command contains and whatever fails while it is decided, governance answers it (a refusal with the
 * reason, or a dead letter where no reply can be formed) and goes on with the next command of another department.
 * Each branch of the decider is made to throw by a failing collaborator given to its context.
 */
class GovernanceFailuresTest {

    /** Friday 2026-09-18, 10:00 in Asia/Shanghai. */
    private static final Instant FRIDAY = ZonedDateTime.parse("2026-09-18T10:00:00+08:00[Asia/Shanghai]").toInstant();
    /** A clock past the last year a calendar can count (provisional years end with 2100): no deadline can be computed. */
    private static final InstantSource AFTER_2100 = InstantSource.fixed(Instant.parse("2101-03-02T02:00:00Z"));

    @TempDir
    Path stateDir;

    private final FailingRegistry registry = new FailingRegistry();
    private final Set<String> failingTopics = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private TopologyTestDriver driver;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, CatalogEntry> catalog;

    private void start(WorkingDayCalendar calendar) {
        start(calendar, InstantSource.fixed(FRIDAY));
    }

    private void start(WorkingDayCalendar calendar, InstantSource clock) {
        GovernanceContext ctx = new GovernanceContext(registry, (topic, partitions, configs) -> {
            if (failingTopics.contains(topic)) {
                throw new IllegalStateException("the admin library failed creating " + topic);
            }
        }, calendar, 2, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "governance-failures-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.putAll(StreamsAppConfig.failureHandling("governance", registry));
        driver = new TopologyTestDriver(GovernanceApp.buildTopology(ctx), props, FRIDAY);
        deadLetters = driver.createOutputTopic(Topics.DEADLETTER, new StringDeserializer(),
                AvroSerde.specific(registry, DeadLetter.class).deserializer());
        catalog = driver.createOutputTopic(Topics.CATALOG, new StringDeserializer(),
                AvroSerde.specific(registry, CatalogEntry.class).deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private List<CommandResult> send(String dept, Object payload) {
        String id = "c" + ids.incrementAndGet();
        driver.createInputTopic(Topics.commands(dept), new StringSerializer(),
                        AvroSerde.specific(registry, GovernanceCommand.class).serializer())
                .pipeInput(id, command(id, dept, payload, FRIDAY));
        return driver.createOutputTopic(Topics.replies(dept), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer()).readValuesToList();
    }

    private CommandResult answer(String dept, Object payload) {
        List<CommandResult> answers = send(dept, payload);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private void refusedWithReason(CommandResult r, String... reason) {
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.REFUSED);
        assertThat(r.getAccepted()).isFalse();
        assertThat(r.getMessage()).contains("could not decide").contains(reason);
    }

    /** Another department's command is still decided, by the rules. */
    private void anotherDepartmentIsStillDecided(String code) {
        CommandResult r = answer("civil", register(code, SharingClass.UNCONDITIONAL));
        assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void registerWhoseRegistryCallThrowsIsRefusedAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        registry.failing.add("testCompatibility");
        refusedWithReason(answer("psb", register("101-000001", SharingClass.CONDITIONAL)), "IllegalStateException",
                "testCompatibility");
        registry.failing.clear();
        anotherDepartmentIsStillDecided("102-000001");
        // not recorded as processed: the same resource registers once the cause is gone
        assertThat(answer("psb", register("101-000001", SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void registerWhoseTopicCreationThrowsIsRefusedAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        failingTopics.add(Topics.source("psb", "101-000001"));
        refusedWithReason(answer("psb", register("101-000001", SharingClass.CONDITIONAL)), "creating src.psb.101-000001");
        anotherDepartmentIsStillDecided("102-000001");
    }

    @Test
    void updateWhoseRegistryCallThrowsIsRefusedAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        assertThat(answer("psb", register("101-000001", SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CatalogEntry entry = catalog.readValuesToList().get(0);
        registry.failing.add("schemaById:" + entry.getSchemaId());
        UpdateResource update = UpdateResource.newBuilder().setSpec(spec("101-000001", SharingClass.CONDITIONAL)
                .setSummary("residents of the city, updated").build()).build();
        refusedWithReason(answer("psb", update), "schemaById");
        registry.failing.clear();
        anotherDepartmentIsStillDecided("102-000001");
    }

    @Test
    void aRequestWhoseDeadlineTheCalendarCannotComputeIsRefusedAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled(), AFTER_2100);
        assertThat(answer("psb", register("101-000001", SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CommandResult refused = answer("hrss", request("101-000001", "checking residence"));
        assertThat(refused.getOutcome()).as(refused.getMessage()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.getMessage()).contains("deadline cannot be counted", "2101");
        anotherDepartmentIsStillDecided("102-000001");
    }

    @Test
    void aDecisionWhoseSchemaLookupThrowsIsRefusedAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        assertThat(answer("psb", register("101-000001", SharingClass.CONDITIONAL)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        CatalogEntry entry = catalog.readValuesToList().get(0);
        CommandResult pending = answer("hrss", request("101-000001", "checking residence"));
        assertThat(pending.getOutcome()).as(pending.getMessage()).isEqualTo(Outcome.PENDING);
        registry.failing.add("schemaById:" + entry.getSchemaId());
        DecideRequest approve = DecideRequest.newBuilder().setRequestId(pending.getRequestId())
                .setDecision(Decision.APPROVE).build();
        refusedWithReason(answer("psb", approve), "schemaById");
        anotherDepartmentIsStillDecided("102-000001");
        registry.failing.clear();
        assertThat(answer("psb", approve).getOutcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void aFailureWhereNoReplyCanBeFormedIsADeadLetterAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        failingTopics.add(Topics.replies("psb"));
        assertThat(send("psb", register("101-000001", SharingClass.CONDITIONAL))).isEmpty();
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.PROCESSING_ERROR.name());
        assertThat(letter.getComponent()).isEqualTo("governance");
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.commands("psb"));
        assertThat(letter.getMessage()).contains("the admin library failed creating reply.psb");
        assertThat(letter.getOriginalValue()).isNotNull();
        anotherDepartmentIsStillDecided("102-000001");
    }

    @Test
    void aCommandTooLargeUncompressedIsADeadLetterWithABoundedPrefixAndTheNextCommandIsDecided() {
        start(WorkingDayCalendar.bundled());
        byte[] huge = new byte[5 * 1024 * 1024];
        driver.createInputTopic(Topics.commands("psb"), new StringSerializer(), new ByteArraySerializer())
                .pipeInput("big-1", huge);
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE.name());
        assertThat(letter.getMessage()).contains(Integer.toString(RecordLimits.MAX_RECORD_BYTES));
        assertThat(letter.getOriginalValue().remaining()).isEqualTo(DeadLetters.MAX_VALUE_BYTES);
        assertThat(letter.getOriginalValueSize()).isEqualTo(huge.length);
        assertThat(letter.getOriginalValueSha256()).hasSize(64);
        assertThat(letter.getTruncated()).isTrue();
        anotherDepartmentIsStillDecided("102-000001");
    }
}
