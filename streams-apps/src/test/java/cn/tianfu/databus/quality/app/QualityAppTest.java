package cn.tianfu.databus.quality.app;

import static cn.tianfu.databus.quality.app.QualityFixtures.BAD_CREDIT_CODE;
import static cn.tianfu.databus.quality.app.QualityFixtures.CREDIT_CODE;
import static cn.tianfu.databus.quality.app.QualityFixtures.badIdNumber;
import static cn.tianfu.databus.quality.app.QualityFixtures.idNumber;
import static cn.tianfu.databus.quality.app.QualityFixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.quality.QualityThresholds;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.PublicComment;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerializer;

/**
 * The quality topology with the clock pinned at {@link #T0}: a DAILY resource of residents published on 2027-03-01,
 * records with known bad ID numbers, credit codes, division codes and dates; the thresholds are the defaults.
 */
class QualityAppTest {

    private static final Instant T0 = Instant.parse("2027-03-10T02:00:00Z");
    private static final Duration CHECK = Duration.ofSeconds(1);
    private static final String CODE = "101-000001";
    private static final String TOPIC = Topics.source("psb", CODE);
    private static final QualityThresholds DEFAULTS = new QualityThresholds(0.6, 0.9, 0.95, 0.5, 0.9);

    @TempDir
    Path stateDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;
    private TestInputTopic<String, CatalogEntry> catalog;
    private TestInputTopic<String, GenericRecord> source;
    private TestInputTopic<String, byte[]> rawSource;
    private TestInputTopic<String, Violation> violationsIn;
    private TestOutputTopic<String, QualityScore> scores;
    private TestOutputTopic<String, Violation> violations;

    @BeforeEach
    void start() {
        driver = newDriver("a");
        catalog.pipeInput(CODE, QualityFixtures.entry(CODE, "psb", UpdateFrequency.DAILY, LocalDate.of(2027, 3, 1), true));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TopologyTestDriver newDriver(String dir) {
        QualityContext ctx = new QualityContext(registry, () -> now.get(), CHECK, DEFAULTS);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "quality-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        TopologyTestDriver d = new TopologyTestDriver(QualityApp.buildTopology(ctx), props, T0);
        AvroSerde<Violation> violationSerde = AvroSerde.specific(registry, Violation.class);
        catalog = d.createInputTopic(Topics.CATALOG, new StringSerializer(),
                AvroSerde.specific(registry, CatalogEntry.class).serializer());
        source = d.createInputTopic(TOPIC, new StringSerializer(), new AvroSerializer<>(registry));
        rawSource = d.createInputTopic(TOPIC, new StringSerializer(), new ByteArraySerializer());
        violationsIn = d.createInputTopic(Topics.VIOLATIONS, new StringSerializer(), violationSerde.serializer());
        scores = d.createOutputTopic(Topics.QUALITY, new StringDeserializer(),
                AvroSerde.specific(registry, QualityScore.class).deserializer());
        violations = d.createOutputTopic(Topics.VIOLATIONS, new StringDeserializer(), violationSerde.deserializer());
        return d;
    }

    /** Moves the pinned clock to {@code t} and lets the wall-clock punctuation run. */
    private void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    private QualityScore lastScore() {
        List<KeyValue<String, QualityScore>> out = scores.readKeyValuesToList();
        assertThat(out).as("a score was published").isNotEmpty();
        assertThat(out.get(out.size() - 1).key).isEqualTo(CODE);
        return out.get(out.size() - 1).value;
    }

    /** Two good records, one with a bad ID number, one with a bad credit code, unknown division, 1850 birth date, no name. */
    private void publishFour() {
        source.pipeInput("A", resident(idNumber(1), "张三", CREDIT_CODE, "510104", LocalDate.of(1980, 1, 1)), T0);
        source.pipeInput("B", resident(idNumber(2), "李四", CREDIT_CODE, "510107", LocalDate.of(1985, 5, 5)), T0);
        source.pipeInput("C", resident(badIdNumber(3), "王五", CREDIT_CODE, "510105", LocalDate.of(1990, 1, 1)), T0);
        source.pipeInput("D", resident(idNumber(4), null, BAD_CREDIT_CODE, "510199", LocalDate.of(1850, 1, 1)), T0);
    }

    @Test
    void knownBadIdNumbersCreditCodesDivisionCodesAndDatesLowerValidityAndRaiseOneViolation() {
        publishFour();
        at(T0.plusSeconds(1));

        QualityScore s = lastScore();
        assertThat(s.getRecords()).isEqualTo(4);
        assertThat(s.getItemsRequired()).isEqualTo(20);
        assertThat(s.getItemsPresent()).isEqualTo(19);
        assertThat(s.getIdNumbersChecked()).isEqualTo(4);
        assertThat(s.getIdNumbersInvalid()).isEqualTo(1);
        assertThat(s.getCreditCodesChecked()).isEqualTo(4);
        assertThat(s.getCreditCodesInvalid()).isEqualTo(1);
        assertThat(s.getDivisionCodesChecked()).isEqualTo(4);
        assertThat(s.getDivisionCodesInvalid()).isEqualTo(1);
        assertThat(s.getDatesChecked()).isEqualTo(4);
        assertThat(s.getDatesInvalid()).isEqualTo(1);
        assertThat(s.getCompleteness()).isEqualTo(0.95);
        assertThat(s.getValidity()).isEqualTo(0.75);
        assertThat(s.getTimeliness()).isEqualTo(1.0);
        assertThat(s.getAvailability()).isEqualTo(1.0);
        assertThat(s.getOverall()).isEqualTo(0.925);
        assertThat(s.getLastChangeAt()).isEqualTo(T0);
        assertThat(s.getEvaluatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(s.getBreaches()).containsExactly("validity 0.750 < 0.950");

        List<KeyValue<String, Violation>> raised = violations.readKeyValuesToList();
        assertThat(raised).singleElement().satisfies(kv -> {
            Violation v = kv.value;
            assertThat(kv.key).isEqualTo(v.getId()).startsWith("46-2:quality:" + CODE + ":");
            assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_2);
            assertThat(v.getDuty()).isEqualTo(DutyKind.KEEP_DATA_QUALITY);
            assertThat(v.getDepartment()).isEqualTo("psb");
            assertThat(v.getResourceCode()).isEqualTo(CODE);
            assertThat(v.getStatus()).isEqualTo(ViolationStatus.OPEN);
            assertThat(v.getDescription()).contains("validity 0.750 < 0.950");
        });
        assertThat(s.getViolationId()).isEqualTo(raised.get(0).key);

        // unchanged: no new score, no second violation
        at(T0.plusSeconds(60));
        at(T0.plus(Duration.ofHours(2)));
        assertThat(scores.isEmpty()).isTrue();
        assertThat(violations.isEmpty()).isTrue();

        // the provider corrects C and deletes D: every value valid, the breach is over
        source.pipeInput("C", resident(idNumber(3), "王五", CREDIT_CODE, "510105", LocalDate.of(1990, 1, 1)), T0.plus(Duration.ofHours(3)));
        source.pipeInput("D", null, T0.plus(Duration.ofHours(3)));
        at(T0.plus(Duration.ofHours(3)));
        QualityScore fixed = lastScore();
        assertThat(fixed.getRecords()).isEqualTo(3);
        assertThat(fixed.getIdNumbersInvalid()).isZero();
        assertThat(fixed.getValidity()).isEqualTo(1.0);
        assertThat(fixed.getCompleteness()).isEqualTo(1.0);
        assertThat(fixed.getBreaches()).isEmpty();
        assertThat(fixed.getViolationId()).isNull();
        assertThat(violations.isEmpty()).isTrue();
    }

    @Test
    void aStaleResourceIsInBreachOnceUntilItIsUpdatedAndABreachAfterThatIsANewViolation() {
        source.pipeInput("A", resident(idNumber(1), "张三", CREDIT_CODE, "510104", LocalDate.of(1980, 1, 1)), T0);
        at(T0.plus(Duration.ofHours(12)));
        assertThat(lastScore().getTimeliness()).isEqualTo(1.0);

        // a day and a half after the last change: half way to stale
        at(T0.plus(Duration.ofHours(36)));
        assertThat(lastScore().getTimeliness()).isEqualTo(0.5);
        assertThat(violations.isEmpty()).isTrue();

        at(T0.plus(Duration.ofDays(3)));
        QualityScore stale = lastScore();
        assertThat(stale.getTimeliness()).isEqualTo(0.0);
        assertThat(stale.getBreaches()).containsExactly("timeliness 0.000 < 0.500");
        Violation first = violations.readValuesToList().get(0);
        assertThat(first.getDescription()).contains("timeliness");
        assertThat(stale.getViolationId()).isEqualTo(first.getId());

        at(T0.plus(Duration.ofDays(10)));
        assertThat(violations.isEmpty()).as("still stale: not raised again").isTrue();
        assertThat(scores.isEmpty()).isTrue();

        source.pipeInput("A", resident(idNumber(1), "张三", CREDIT_CODE, "510104", LocalDate.of(1980, 1, 1)),
                T0.plus(Duration.ofDays(10)));
        at(T0.plus(Duration.ofDays(10)).plusSeconds(1));
        assertThat(lastScore().getBreaches()).isEmpty();

        at(T0.plus(Duration.ofDays(13)));
        List<Violation> again = violations.readValuesToList();
        assertThat(again).singleElement().satisfies(v -> assertThat(v.getId()).isNotEqualTo(first.getId()));
    }

    @Test
    void aResourceWithoutRecordsIsTimedFromItsPublishDateAndAnUnreadableRecordLowersAvailability() {
        at(T0);
        QualityScore empty = lastScore();
        assertThat(empty.getRecords()).isZero();
        assertThat(empty.getCompleteness()).isNull();
        assertThat(empty.getValidity()).isNull();
        assertThat(empty.getAvailability()).isNull();
        assertThat(empty.getTimeliness()).as("published 2027-03-01, nothing since").isEqualTo(0.0);
        assertThat(empty.getLastChangeAt()).isNull();
        violations.readValuesToList();

        publishFour();
        rawSource.pipeInput("E", "not avro".getBytes(StandardCharsets.UTF_8), T0);
        at(T0.plusSeconds(5));
        QualityScore s = lastScore();
        assertThat(s.getUnreadable()).isEqualTo(1);
        assertThat(s.getAvailability()).isEqualTo(0.8);
        assertThat(s.getBreaches()).contains("availability 0.800 < 0.900");
    }

    @Test
    void usageCountsGrantsInForceRequestsAndDownloads() {
        AvroSerde<Grant> grantSerde = AvroSerde.specific(registry, Grant.class);
        TestInputTopic<String, Grant> grants = driver.createInputTopic(Topics.GRANTS, new StringSerializer(), grantSerde.serializer());
        TestInputTopic<String, AccessRequest> requests = driver.createInputTopic(Topics.REQUESTS, new StringSerializer(),
                AvroSerde.specific(registry, AccessRequest.class).serializer());
        TestInputTopic<String, String> downloads = driver.createInputTopic(Topics.OPEN_DOWNLOADS, new StringSerializer(),
                new StringSerializer());
        for (String id : List.of("G1", "G2")) {
            grants.pipeInput(id, grant(id, id.equals("G1") ? GrantStatus.ACTIVE : GrantStatus.REVOKED));
        }
        for (String id : List.of("R1", "R2", "R3")) {
            requests.pipeInput(id, AccessRequest.newBuilder().setRequestId(id).setResourceCode(CODE).setProvider("psb")
                    .setConsumer("edu").setPurpose("enrolment").setMethod(SharingMethod.PUSH)
                    .setStatus(RequestStatus.APPROVED).setFiledAt(T0).build());
        }
        downloads.pipeInput(CODE, "7");
        at(T0);
        QualityScore s = lastScore();
        assertThat(s.getGrantsActive()).isEqualTo(1);
        assertThat(s.getAccessRequests()).isEqualTo(3);
        assertThat(s.getDownloads()).isEqualTo(7);
        assertThat(s.getErrorReports()).isZero();
    }

    @Test
    void usageCountsThePublicsCommentsAndTheirMeanRatingOnAnOpenResource() {
        TestInputTopic<String, PublicComment> comments = driver.createInputTopic(Topics.COMMENTS, new StringSerializer(),
                AvroSerde.specific(registry, PublicComment.class).serializer());
        int[] ratings = {5, 4, 2};
        for (int i = 0; i < ratings.length; i++) {
            comments.pipeInput(CODE + ".C" + i, PublicComment.newBuilder().setId(CODE + ".C" + i).setResourceCode(CODE)
                    .setProvider("psb").setText("数据很有用").setRating(ratings[i]).setPostedAt(T0).build());
        }
        comments.pipeInput("OTHER.C9", PublicComment.newBuilder().setId("OTHER.C9").setResourceCode("99999-000009")
                .setProvider("amr").setText("另一个数据集").setRating(1).setPostedAt(T0).build());
        at(T0);
        QualityScore open = lastScore();
        assertThat(open.getComments()).as("the three comments on this dataset, not the other's").isEqualTo(3);
        assertThat(open.getRating()).isEqualTo(3.667);

        catalog.pipeInput(CODE, QualityFixtures.entry(CODE, "psb", UpdateFrequency.DAILY, LocalDate.of(2027, 3, 1), false));
        at(T0.plus(CHECK));
        QualityScore closed = lastScore();
        assertThat(closed.getComments()).as("a closed resource has no public usage").isNull();
        assertThat(closed.getRating()).isNull();
    }

    @Test
    void afterTheStateIsLostAnUnresolvedQualityViolationOnTheTopicIsNotRaisedAgain() {
        publishFour();
        at(T0.plusSeconds(1));
        Violation raised = violations.readValuesToList().get(0);
        driver.close();

        driver = newDriver("b");
        catalog.pipeInput(CODE, QualityFixtures.entry(CODE, "psb", UpdateFrequency.DAILY, LocalDate.of(2027, 3, 1), true));
        violationsIn.pipeInput(raised.getId(), raised);
        publishFour();
        at(T0.plusSeconds(2));
        assertThat(lastScore().getViolationId()).isEqualTo(raised.getId());
        assertThat(violations.isEmpty()).as("no second violation").isTrue();
    }

    private static Grant grant(String id, GrantStatus status) {
        return Grant.newBuilder().setGrantId(id).setRequestId("R-" + id).setResourceCode(CODE).setProvider("psb")
                .setConsumer("edu").setPurpose("enrolment").setMethod(SharingMethod.PUSH).setValidFrom(T0)
                .setStatus(status).setCreatedAt(T0).build();
    }
}
