package cn.tianfu.databus.governance.app;

import static cn.tianfu.databus.governance.app.GovernanceFixtures.register;
import static cn.tianfu.databus.governance.app.GovernanceFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeStatus;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * Error reports (Art. 27) and disputes (Art. 28) on the shared bus, with the real governance app: a consumer with a
 * grant reports an error in a record (one without a grant cannot), only the provider answers it, linking an exchange id; a dispute goes from negotiation through escalation, referral and the
 * expert's opinion to the authority's decision. Departments cannot take the authority's or the provider's steps
 * (governance refuses) nor write the system topics (the broker's ACLs refuse).
 */
class AccountabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Governance's pinned clock (a Monday, 10:00 Asia/Shanghai): due times and the lateness of reports do not depend on today. */
    private static final Instant NOW = Instant.parse("2026-11-02T02:00:00Z");

    private static SharedBus bus;
    private static SchemaRegistryClient registry;
    private static Path stateDir;
    private static KafkaStreams governance;
    private static KafkaStreams router;
    private static String provider;
    private static String consumer;
    private static String expertId;
    private static String code;
    private static DatabusClientConfig providerConfig;
    private static DatabusClientConfig consumerConfig;
    private static DatabusClientConfig expertConfig;
    private static DatabusClientConfig otherConfig;

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        registry = bus.registryClient();
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        provider = "ap" + suffix;
        consumer = "ac" + suffix;
        expertId = "ex" + suffix;
        code = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        // principals first: a command topic appearing while governance runs replaces its stream thread
        providerConfig = bus.addDepartment(provider);
        consumerConfig = bus.addDepartment(consumer);
        expertConfig = bus.addExpert(expertId);
        otherConfig = bus.addDepartment("ao" + suffix);
        stateDir = Files.createTempDirectory("accountability-it-");
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, stateDir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-accountability-" + suffix))), InstantSource.fixed(NOW));
        governance.start();
        router = cn.tianfu.databus.sharing.app.SharingRouterApp.create(cn.tianfu.databus.sharing.app.RouterConfig.fromMap(
                bus.streamsAppConfig(Map.of(
                cn.tianfu.databus.sharing.app.RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                cn.tianfu.databus.sharing.app.RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                cn.tianfu.databus.sharing.app.RouterConfig.STATE_DIR_CONFIG, stateDir.resolve("router").toString(),
                cn.tianfu.databus.sharing.app.RouterConfig.DATA_DIR_CONFIG, stateDir.resolve("router-data").toString(),
                cn.tianfu.databus.sharing.app.RouterConfig.APPLICATION_ID_CONFIG, "router-accountability-" + suffix,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000))));
        router.start();
        await().atMost(WAIT).until(() -> governance.state() == KafkaStreams.State.RUNNING
                && router.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close(Duration.ofSeconds(10));
        }
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        if (registry != null) {
            registry.close();
        }
        SharedBus.deleteRecursively(stateDir);
    }

    @Test
    void anErrorIsReportedAnsweredAsCorrectedThenDisputedUpToTheAuthoritysDecision() throws Exception {
        try (GovernanceClient psb = client(providerConfig); GovernanceClient edu = client(consumerConfig);
             GovernanceClient authority = client(bus.busConfig()); GovernanceClient expert = client(expertConfig)) {
            assertThat(ok(psb, psb.register(register(code, SharingClass.UNCONDITIONAL))).getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(ok(edu, edu.submit(request(code, "verify residence for school enrolment"))).getOutcome())
                    .isEqualTo(Outcome.ACCEPTED);
            String key = "510104199001011234";

            // the consumer reports it; a department without a grant cannot
            try (GovernanceClient other = client(otherConfig)) {
                CommandResult refused = other.await(other.reportError(code, key, Optional.of("divisionCode"), "wrong district",
                        Optional.empty()), WAIT);
                assertThat(refused.getOutcome()).isEqualTo(Outcome.REFUSED);
                assertThat(refused.getMessage()).contains("has no grant");
            }
            CommandResult reported = ok(edu, edu.reportError(code, key, Optional.of("divisionCode"),
                    "the person moved to 510107 in 2025", Optional.of(NOW.minus(Duration.ofHours(2)))));
            String reportId = reported.getSubjectId();
            assertThat(reportId).isEqualTo(code + ".E1");

            // only the provider answers
            CommandResult foreign = edu.await(edu.answerReport(reportId, true, Optional.empty(), Optional.empty()), WAIT);
            assertThat(foreign.getOutcome()).isEqualTo(Outcome.REFUSED);
            assertThat(foreign.getMessage()).contains("only its provider may answer");

            // the provider answers, linking the exchange id of the re-delivery of the corrected record it gives
            String exchangeId = "ex-" + reportId;
            CommandResult answered = ok(psb, psb.answerReport(reportId, true, Optional.of("moved to 510107"),
                    Optional.of(exchangeId)));
            assertThat(answered.getMessage()).contains("corrected record '" + key + "'", exchangeId);
            ErrorReport report = latest(Topics.ERROR_REPORTS, ErrorReport.class, reportId,
                    r -> r.getStatus() == ErrorReportStatus.ANSWERED_CORRECTED);
            assertThat(report.getAnswerExchangeId()).isEqualTo(exchangeId);
            assertThat(report.getConsumer()).isEqualTo(consumer);
            assertThat(report.getDueAt()).isAfter(report.getReportedAt());

            // the consumer disputes the answer; negotiation, escalation, referral, opinion, decision
            String disputeId = ok(edu, edu.openDispute(DisputeSubject.REPORT, reportId, "the history of the record is lost"))
                    .getSubjectId();
            ok(psb, psb.disputeStep(disputeId, DisputeAction.MESSAGE, Optional.of("the register keeps no history"), Optional.empty()));
            CommandResult selfDecided = psb.await(psb.disputeStep(disputeId, DisputeAction.DECIDE, Optional.of("psb wins"),
                    Optional.empty()), WAIT);
            assertThat(selfDecided.getOutcome()).isEqualTo(Outcome.REFUSED);
            ok(edu, edu.disputeStep(disputeId, DisputeAction.ESCALATE, Optional.empty(), Optional.empty()));
            ok(authority, authority.disputeStep(disputeId, DisputeAction.REFER, Optional.empty(), Optional.of(expertId)));
            ok(expert, expert.disputeStep(disputeId, DisputeAction.OPINION, Optional.of("keep the history"), Optional.empty()));
            ok(authority, authority.disputeStep(disputeId, DisputeAction.DECIDE, Optional.of("psb keeps a change history"),
                    Optional.empty()));
            Dispute decided = latest(Topics.DISPUTES, Dispute.class, disputeId, d -> d.getStatus() == DisputeStatus.DECIDED);
            assertThat(decided.getOpinion()).isEqualTo("keep the history");
            assertThat(decided.getDecision()).isEqualTo("psb keeps a change history");
            assertThat(decided.getMessages()).extracting(m -> m.getAction().name()).containsExactly(
                    "MESSAGE", "MESSAGE", "ESCALATE", "REFER", "OPINION", "DECIDE");
        }
    }

    @Test
    void aCorrectedRecordIsDeliveredAgainAndTheAnswerLinksThatDelivery() throws Exception {
        String resource = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        String key = "510104199203034567";
        org.apache.avro.Schema schema = new org.apache.avro.Schema.Parser().parse(GovernanceFixtures.schemaJson());
        List<cn.tianfu.databus.sdk.Delivery> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (GovernanceClient psb = client(providerConfig); GovernanceClient edu = client(consumerConfig);
             cn.tianfu.databus.sdk.Subscriber subscriber = cn.tianfu.databus.sdk.Subscriber.builder(consumerConfig, "report-it")
                     .resource(resource).consumerProperty("metadata.max.age.ms", 500).build()) {
            ok(psb, psb.register(register(resource, SharingClass.UNCONDITIONAL)));
            ok(edu, edu.submit(request(resource, "check the district of residence")));
            Thread reader = new Thread(() -> subscriber.run(received::add), "report-it-subscriber");
            reader.setDaemon(true);
            reader.start();
            String reportId;
            try (cn.tianfu.databus.sdk.Publisher publisher = cn.tianfu.databus.sdk.Publisher.create(providerConfig, resource)) {
                publisher.upsert(key, resident(schema, key, "510104")).get(30, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> delivered(received, "510104") != null);

                // the consumer reports the wrong district; the provider publishes the corrected record
                reportId = ok(edu, edu.reportError(resource, key, Optional.of("divisionCode"),
                        "the person lives in 510107", Optional.empty())).getSubjectId();
                publisher.upsert(key, resident(schema, key, "510107")).get(30, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> delivered(received, "510107") != null);
            }
            cn.tianfu.databus.sdk.Delivery redelivered = delivered(received, "510107");
            assertThat(redelivered.exchangeId()).matches("[0-9a-f]{32}");
            assertThat(redelivered.key()).isEqualTo(delivered(received, "510104").key());

            // the answer links the exchange of the re-delivery, which the consumer holds on its delivery topic
            assertThat(reportId).isEqualTo(resource + ".E1");
            ok(psb, psb.answerReport(reportId, true, Optional.of("district corrected"), Optional.of(redelivered.exchangeId())));
            ErrorReport answered = latest(Topics.ERROR_REPORTS, ErrorReport.class, reportId,
                    r -> r.getStatus() == ErrorReportStatus.ANSWERED_CORRECTED);
            assertThat(answered.getAnswerExchangeId()).isEqualTo(redelivered.exchangeId());
            assertThat(answered.getRecordKey()).isEqualTo(key);
            ok(edu, edu.acceptAnswer(reportId));
            assertThat(latest(Topics.ERROR_REPORTS, ErrorReport.class, reportId,
                    r -> r.getStatus() == ErrorReportStatus.ACCEPTED).getClosedAt()).isNotNull();
        }
    }

    private static org.apache.avro.generic.GenericRecord resident(org.apache.avro.Schema schema, String id, String division) {
        org.apache.avro.generic.GenericData.Record r = new org.apache.avro.generic.GenericData.Record(schema);
        r.put("idNumber", id);
        r.put("name", "李四");
        r.put("divisionCode", division);
        return r;
    }

    private static cn.tianfu.databus.sdk.Delivery delivered(List<cn.tianfu.databus.sdk.Delivery> received, String division) {
        return received.stream().filter(d -> d.value() != null && division.equals(String.valueOf(d.value().get("divisionCode"))))
                .findFirst().orElse(null);
    }

    @Test
    void theAuthoritysNoticeToUpdateACatalogueIsClosedByTheDepartmentsNextChange() {
        String otherCode = "10102-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        try (GovernanceClient psb = client(providerConfig); GovernanceClient authority = client(bus.busConfig())) {
            CommandResult byDept = psb.await(psb.noticeCatalogUpdate(provider, "duties changed"), WAIT);
            assertThat(byDept.getOutcome()).isEqualTo(Outcome.REFUSED);
            assertThat(authority.await(authority.noticeCatalogUpdate("zz-unknown", "duties changed"), WAIT).getOutcome())
                    .isEqualTo(Outcome.NOT_FOUND);

            CommandResult given = ok(authority, authority.noticeCatalogUpdate(provider, "a new regulation on registers"));
            String noticeId = given.getSubjectId();
            assertThat(noticeId).startsWith("notice:" + provider + ":");
            assertThat(latest(Topics.CATALOG_NOTICES, cn.tianfu.databus.schemas.CatalogNotice.class, noticeId,
                    n -> true).getStatus()).isEqualTo(cn.tianfu.databus.schemas.NoticeStatus.OPEN);

            assertThat(ok(psb, psb.register(register(otherCode, SharingClass.UNCONDITIONAL))).getOutcome())
                    .isEqualTo(Outcome.ACCEPTED);
            cn.tianfu.databus.schemas.CatalogNotice closed = latest(Topics.CATALOG_NOTICES,
                    cn.tianfu.databus.schemas.CatalogNotice.class, noticeId,
                    n -> n.getStatus() == cn.tianfu.databus.schemas.NoticeStatus.CLOSED);
            assertThat(closed.getClosedBy()).contains(provider + "/", otherCode);
        }
    }

    @Test
    void aDepartmentCannotWriteTheSystemTopicsOfReportsAndDisputesNorTheAuthoritysCommands() {
        for (String topic : List.of(Topics.ERROR_REPORTS, Topics.DISPUTES, Topics.AUTHORITY_COMMANDS, Topics.CATALOG_NOTICES)) {
            Map<String, Object> props = new HashMap<>(consumerConfig.producerProperties());
            props.put("max.block.ms", 5_000);
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                assertThatThrownBy(() -> p.send(new ProducerRecord<>(topic, "x", new byte[] {0})).get(10, TimeUnit.SECONDS))
                        .as(topic).hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
            }
        }
    }

    // ---- helpers ----

    private static GovernanceClient client(DatabusClientConfig config) {
        return GovernanceClient.builder(config).replyTimeout(WAIT).build();
    }

    private static CommandResult ok(GovernanceClient client, java.util.concurrent.CompletableFuture<CommandResult> reply) {
        CommandResult r = client.await(reply, WAIT);
        assertThat(r.getAccepted()).as(r.getMessage()).isTrue();
        return r;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T latest(String topic, Class<T> type, String key,
                                                                              java.util.function.Predicate<T> done) {
        AvroDeserializer<T> values = AvroDeserializer.specific(registry, type);
        List<ConsumerRecord<String, T>> found = bus.awaitRecords(topic, values, r -> key.equals(r.key()) && done.test(r.value()), WAIT);
        return found.get(found.size() - 1).value();
    }
}
