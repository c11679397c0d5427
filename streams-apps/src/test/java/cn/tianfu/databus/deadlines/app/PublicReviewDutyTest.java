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
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.PublicReview;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The deadlines app's duty "decide a public request's review within 15 days of the expert committee's opinion" (Art. 34
 * → 46(五)), the authority's, the clock pinned: the opinion recorded on Monday 2026-11-16, the decision is due at the
 * end of Tuesday 2026-12-01 (Asia/Shanghai, calendar days), the authority reminded on its reply.bus two working days
 * before (Tuesday and Monday left), at the end of Sunday 2026-11-29.
 */
class PublicReviewDutyTest {

    private static final String ID = "amr.P1";
    private static final Instant FILED = Instant.parse("2026-11-02T02:00:00Z");
    private static final Instant OPINION = Instant.parse("2026-11-16T02:00:00Z");
    private static final Instant DUE = Instant.parse("2026-12-01T15:59:59.999Z");
    private static final Instant REMIND = Instant.parse("2026-11-29T15:59:59.999Z");
    private static final Duration CHECK = Duration.ofSeconds(1);

    @TempDir
    Path stateDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(OPINION);
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<String, PublicRequest> requests;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, CommandResult> authority;
    private TestOutputTopic<String, CommandResult> provider;
    private TestOutputTopic<String, Violation> violations;
    private TestOutputTopic<String, GovernanceCommand> commands;

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
        TopologyTestDriver d = new TopologyTestDriver(DeadlinesApp.buildTopology(ctx), props, OPINION);
        AvroSerde<Violation> violationSerde = AvroSerde.specific(registry, Violation.class);
        requests = d.createInputTopic(Topics.PUBLIC_REQUESTS, new StringSerializer(),
                AvroSerde.specific(registry, PublicRequest.class).serializer());
        violationsIn = d.createInputTopic(Topics.VIOLATIONS, new StringSerializer(), violationSerde.serializer());
        authority = d.createOutputTopic(Topics.AUTHORITY_REPLIES, new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer());
        provider = d.createOutputTopic(Topics.replies("amr"), new StringDeserializer(),
                AvroSerde.specific(registry, CommandResult.class).deserializer());
        violations = d.createOutputTopic(Topics.VIOLATIONS, new StringDeserializer(), violationSerde.deserializer());
        commands = d.createOutputTopic(Topics.AUTHORITY_COMMANDS, new StringDeserializer(),
                AvroSerde.specific(registry, GovernanceCommand.class).deserializer());
        return d;
    }

    /** The request refused in time; under review from 11-09; with the opinion when {@code opinion}; decided when given. */
    private static PublicRequest request(boolean opinion, PublicReviewDecision decision) {
        PublicReview.Builder review = PublicReview.newBuilder().setRequestedAt(Instant.parse("2026-11-09T02:00:00Z"))
                .setReason("不涉及商业秘密");
        if (opinion) {
            review.setOpinion("建议开放").setOpinionAt(OPINION).setOpinionBy("bus").setDueAt(PublicReviewRules.dueAt(OPINION));
        }
        if (decision != null) {
            review.setDecision(decision).setDecidedAt(REMIND.minus(Duration.ofDays(1))).setDecidedBy("bus")
                    .setDecisionReason("依专家意见");
        }
        return PublicRequest.newBuilder().setId(ID).setProvider("amr").setResourceCode("10201-000002")
                .setTitle("企业年报").setRequesterName("张三").setRequesterContact("zhang@example.org")
                .setFiledAt(FILED).setDueAt(PublicRequestRules.dueAt(FILED)).setStatus(PublicRequestStatus.REFUSED)
                .setAnsweredAt(FILED.plus(Duration.ofDays(2))).setAnsweredBy("amr").setAnswer("涉及商业秘密")
                .setReview(review.build())
                .build();
    }

    private void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    @Test
    void noDutyUntilTheOpinionThenTheAuthorityIsRemindedOnce() {
        assertThat(PublicReviewRules.dueAt(OPINION)).isEqualTo(DUE);
        requests.pipeInput(ID, request(false, null));
        at(DUE.plus(Duration.ofDays(30)));
        assertThat(authority.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).as("no due time before the committee's opinion").isTrue();

        now.set(OPINION);
        requests.pipeInput(ID, request(true, null));
        at(REMIND.minusMillis(1));
        assertThat(authority.isEmpty()).isTrue();
        at(REMIND);
        List<KeyValue<String, CommandResult>> reminders = authority.readKeyValuesToList();
        assertThat(reminders).hasSize(1);
        assertThat(reminders.get(0).key).isEqualTo("reminder:review:" + ID);
        assertThat(reminders.get(0).value.getOutcome()).isEqualTo(Outcome.PENDING);
        assertThat(reminders.get(0).value.getMessage()).contains("Art. 34", "46(五)", "databus public-requests review " + ID);
        assertThat(provider.isEmpty()).as("the review is the authority's duty, not the provider's").isTrue();

        at(REMIND.plus(Duration.ofHours(5)));
        requests.pipeInput(ID, request(true, null));
        assertThat(authority.isEmpty()).isTrue();
    }

    @Test
    void anUndecidedReviewIsOneViolationOfTheAuthority() {
        requests.pipeInput(ID, request(true, null));
        at(DUE.minusMillis(1));
        assertThat(violations.isEmpty()).isTrue();

        at(DUE);
        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).hasSize(1);
        Violation v = raised.get(0).value;
        assertThat(raised.get(0).key).isEqualTo("46-5:review:" + ID).isEqualTo(v.getId());
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_5);
        assertThat(v.getDuty()).isEqualTo(DutyKind.REVIEW_OPEN_DATA_REQUEST);
        assertThat(v.getDepartment()).isEqualTo("bus");
        assertThat(v.getSubjectId()).isEqualTo(ID);
        assertThat(v.getCounterparty()).isEqualTo("public");
        assertThat(v.getDueAt()).isEqualTo(DUE);
        assertThat(v.getDescription()).contains("review of public request " + ID, "15 days");
        assertThat(commands.isEmpty()).isTrue();

        // decided late: the violation stays, nothing more is raised
        requests.pipeInput(ID, request(true, PublicReviewDecision.UPHELD));
        at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aDecisionInTimeEndsTheDutyAndAWipedStateRaisesNothingTwice() {
        requests.pipeInput(ID, request(true, null));
        at(REMIND.minus(Duration.ofDays(1)));
        requests.pipeInput(ID, request(true, PublicReviewDecision.OVERTURNED));
        at(DUE.plus(Duration.ofDays(1)));
        assertThat(authority.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();

        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(true, null)).setId("amr.P2").build());
        Violation v = violations.readValuesToList().get(0);
        assertThat(v.getId()).isEqualTo("46-5:review:amr.P2");
        driver.close();

        driver = newDriver("b");
        violationsIn.pipeInput(v.getId(), v);
        requests.pipeInput("amr.P2", PublicRequest.newBuilder(request(true, null)).setId("amr.P2").build());
        at(DUE.plus(Duration.ofDays(2)));
        assertThat(violations.isEmpty()).isTrue();
    }
}
