package cn.tianfu.databus.governance.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.DepartmentExistsException;
import cn.tianfu.databus.security.BusAuthenticationException;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/** The governance client's protocol against a fake governance, and the views over real compacted topics, on the shared bus. */
class GovernanceClientIT {

    private static SharedBus bus;
    private static HttpApi http;
    private final Map<String, DatabusClientConfig> configs = new java.util.HashMap<>();
    private String dept;
    private FakeGovernance governance;

    @BeforeAll
    static void startBus() {
        bus = SharedBus.get();
        // the bus's HTTP API serves the requests and grants views, authenticating departments as the registry does
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
    }

    @AfterAll
    static void stopHttp() {
        http.close();
    }

    @BeforeEach
    void addDepartment() {
        dept = "gc" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        config(dept);
        governance = new FakeGovernance(bus, dept);
    }

    @AfterEach
    void stopFake() throws InterruptedException {
        governance.close();
    }

    /** The department's own client config (added on first use, with credentials and ACLs). */
    private DatabusClientConfig config(String department) {
        return configs.computeIfAbsent(department, d -> bus.addDepartment(d, Optional.of(http.url())));
    }

    @Test
    void a_command_is_answered_by_its_id() {
        try (GovernanceClient client = GovernanceClient.create(config(dept))) {
            CommandResult ok = client.await(client.retire("10101-000001", "职能调整"), Duration.ofSeconds(20));
            assertThat(ok.getOutcome()).isEqualTo(Outcome.ACCEPTED);
            assertThat(ok.getResourceCode()).isEqualTo("10101-000001");
            assertThat(ok.getMessage()).isEqualTo("done by " + dept);

            CommandResult refused = client.await(client.request("ns-31301", "核验婚姻状况", Optional.of(List.of("a")),
                    SharingMethod.SERVICE, Optional.empty()), Duration.ofSeconds(20));
            assertThat(refused.getAccepted()).isFalse();
            assertThat(refused.getOutcome()).isEqualTo(Outcome.REFUSED);
            assertThat(refused.getMessage()).isEqualTo("not shared: 核验婚姻状况");
        }
    }

    @Test
    void replies_written_before_the_client_started_are_not_taken_for_its_own() throws Exception {
        try (GovernanceClient first = GovernanceClient.create(config(dept))) {
            first.await(first.retire("10101-000002", "x"), Duration.ofSeconds(20));
        }
        try (GovernanceClient second = GovernanceClient.create(config(dept))) {
            CompletableFuture<CommandResult> f = second.retire("10101-000003", "y");
            assertThat(second.await(f, Duration.ofSeconds(20)).getResourceCode()).isEqualTo("10101-000003");
        }
    }

    @Test
    void concurrent_submissions_from_many_threads_each_get_their_own_reply() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (GovernanceClient client = GovernanceClient.create(config(dept))) {
            List<Future<CommandResult>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String code = "c-" + i;
                results.add(pool.submit(() -> client.await(client.retire(code, "r"), Duration.ofSeconds(30))));
            }
            for (int i = 0; i < 40; i++) {
                assertThat(results.get(i).get(40, TimeUnit.SECONDS).getResourceCode()).isEqualTo("c-" + i);
            }
            assertThat(governance.received()).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void no_reply_fails_the_future_with_a_retriable_timeout_naming_governance() {
        try (GovernanceClient client = GovernanceClient.builder(config(dept)).replyTimeout(Duration.ofSeconds(2)).build()) {
            CompletableFuture<CommandResult> slow = client.retire("slow-1", "r");
            CompletableFuture<CommandResult> fast = client.retire("fast-1", "r");
            assertThat(client.await(fast, Duration.ofSeconds(20)).getResourceCode()).isEqualTo("fast-1");
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(GovernanceTimeoutException.class)
                    .hasMessageContaining("governance may be down")
                    .satisfies(e -> assertThat(((GovernanceTimeoutException) e).isRetriable()).isTrue());
        }
    }

    @Test
    void await_gives_up_after_its_own_timeout() {
        try (GovernanceClient client = GovernanceClient.create(config(dept))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> client.await(client.retire("slow-2", "r"), Duration.ofMillis(800)))
                    .isInstanceOf(GovernanceTimeoutException.class)
                    .hasMessageContaining(Topics.replies(dept));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void closing_fails_the_commands_still_waiting() {
        GovernanceClient client = GovernanceClient.create(config(dept));
        CompletableFuture<CommandResult> waiting = client.retire("slow-3", "r");
        client.close();
        assertThat(waiting).isCompletedExceptionally();
        assertThatThrownBy(() -> client.retire("x", "r")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void a_department_the_bus_does_not_know_is_refused_at_once_with_a_clear_error() {
        Map<String, Object> props = new java.util.HashMap<>();
        config(dept).originals().forEach(props::put);
        props.put(DatabusClientConfig.DEPARTMENT_ID_CONFIG, "nosuchdept");
        props.put(DatabusClientConfig.SASL_USERNAME_CONFIG, "nosuchdept");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> GovernanceClient.create(DatabusClientConfig.fromMap(props)))
                .isInstanceOf(BusAuthenticationException.class)
                .hasMessageContaining("the bus refused the credentials of 'nosuchdept'")
                .hasMessageContaining("sasl.password");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void an_unreachable_bus_fails_within_the_connect_timeout() {
        DatabusClientConfig nowhere = DatabusClientConfig.fromMap(Map.of(
                DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:1",
                DatabusClientConfig.DEPARTMENT_ID_CONFIG, "psb"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> GovernanceClient.builder(nowhere).connectTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(GovernanceException.class)
                .hasMessageContaining("cannot reach the bus")
                .satisfies(e -> assertThat(((GovernanceException) e).isRetriable()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void registering_a_definition_of_another_provider_is_refused_before_sending() {
        try (GovernanceClient client = GovernanceClient.create(config(dept))) {
            var def = cn.tianfu.databus.catalog.ResourceDefinitions.parse(java.nio.file.Path.of("../examples/resources/psb-population.yaml"));
            assertThatThrownBy(() -> client.register(def)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("provided by psb");
            assertThat(governance.received()).isZero();
        }
    }

    @Test
    void departments_are_recorded_once() {
        var departments = bus.departments();
        assertThat(departments.find(dept)).hasValueSatisfying(d -> {
            assertThat(d.getName()).isEqualTo("department " + dept);
            assertThat(d.getPasswordVerifier()).startsWith("pbkdf2-sha256$");
        });
        assertThat(departments.list()).extracting(d -> d.getId()).contains(dept);
        assertThatThrownBy(() -> departments.add(dept, "again", Optional.empty())).isInstanceOf(DepartmentExistsException.class);
        assertThat(departments.acls(dept)).hasSize(cn.tianfu.databus.department.AccessPolicy.department(dept).size());
        assertThat(bus.admin().listTopics().names()).succeedsWithin(Duration.ofSeconds(10))
                .satisfies(names -> assertThat(names).contains(Topics.commands(dept), Topics.replies(dept)));
    }

    // ---- views ----

    @Test
    void catalog_view_reads_the_latest_entry_per_code_and_searches_name_and_summary() throws Exception {
        String a = dept + "-1";
        String b = dept + "-2";
        String c = dept + "-3";
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.CATALOG, a, entry(a, "人口基础信息", "户籍人口", Category.BASIC, 1))).get();
            producer.send(new ProducerRecord<>(Topics.CATALOG, b, entry(b, "法人信息", "企业 Registration 登记", Category.BASIC, 1))).get();
            producer.send(new ProducerRecord<>(Topics.CATALOG, c, entry(c, "婚姻登记", "结婚离婚", Category.DEPARTMENTAL, 1))).get();
            producer.send(new ProducerRecord<>(Topics.CATALOG, a, entry(a, "人口基础信息（新）", "户籍人口", Category.BASIC, 2))).get();
        }
        try (CatalogView catalog = CatalogView.open(config(dept))) {
            assertThat(catalog.byCode(a)).hasValueSatisfying(e -> assertThat(e.getCatalogVersion()).isEqualTo(2));
            assertThat(catalog.byProvider(dept)).extracting(CatalogEntry::getCode).containsExactly(a, b, c);
            assertThat(catalog.byCategory(Category.DEPARTMENTAL)).extracting(CatalogEntry::getCode).contains(c).doesNotContain(a, b);
            assertThat(mine(catalog.search("人口"))).containsExactly(a);
            assertThat(mine(catalog.search("registration"))).containsExactly(b);      // summary, case-insensitive
            assertThat(mine(catalog.search("ＲＥＧＩＳＴＲＡＴＩＯＮ"))).containsExactly(b); // full-width
            assertThat(mine(catalog.search("登记"))).containsExactly(b, c);
            assertThat(mine(catalog.all())).containsExactly(a, b, c);

            try (var producer = producer()) {
                producer.send(new ProducerRecord<>(Topics.CATALOG, c, null)).get();
            }
            assertThat(catalog.byCode(c)).isPresent(); // until refreshed
            catalog.refresh();
            assertThat(catalog.byCode(c)).isEmpty();
        }
    }

    @Test
    void requests_and_grants_views_show_only_what_concerns_the_department() throws Exception {
        String other = dept + "-x";
        String third = dept + "-y";
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, dept + "-r1", request(dept + "-r1", dept, other))).get();   // mine
            producer.send(new ProducerRecord<>(Topics.REQUESTS, dept + "-r2", request(dept + "-r2", other, dept))).get();   // incoming
            producer.send(new ProducerRecord<>(Topics.REQUESTS, dept + "-r3", request(dept + "-r3", other, third))).get();  // not ours
            producer.send(new ProducerRecord<>(Topics.GRANTS, dept + "-g1", grant(dept + "-g1", dept, other))).get();
            producer.send(new ProducerRecord<>(Topics.GRANTS, dept + "-g2", grant(dept + "-g2", other, dept))).get();
            producer.send(new ProducerRecord<>(Topics.GRANTS, dept + "-g3", grant(dept + "-g3", other, third))).get();
        }
        try (RequestsView requests = RequestsView.open(config(dept)); GrantsView grants = GrantsView.open(config(dept))) {
            assertThat(requests.mine()).extracting(AccessRequest::getRequestId).containsExactly(dept + "-r1");
            assertThat(requests.incoming()).extracting(AccessRequest::getRequestId).containsExactly(dept + "-r2");
            assertThat(requests.byId(dept + "-r3")).isEmpty();
            assertThat(requests.byId(dept + "-r2")).isPresent();
            assertThat(grants.asConsumer()).extracting(Grant::getGrantId).containsExactly(dept + "-g1");
            assertThat(grants.asProvider()).extracting(Grant::getGrantId).containsExactly(dept + "-g2");
            assertThat(grants.byId(dept + "-g3")).isEmpty();

            try (var producer = producer()) {
                producer.send(new ProducerRecord<>(Topics.REQUESTS, dept + "-r4", request(dept + "-r4", dept, third))).get();
            }
            requests.refresh();
            assertThat(requests.mine()).extracting(AccessRequest::getRequestId).containsExactly(dept + "-r1", dept + "-r4");
        }
        // the departments other and third see their own side of the same records
        try (RequestsView theirs = RequestsView.open(config(other))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(theirs.incoming())
                    .extracting(AccessRequest::getRequestId).containsExactly(dept + "-r1"));
        }
    }

    private List<String> mine(List<CatalogEntry> entries) {
        return entries.stream().filter(e -> e.getProvider().equals(dept)).map(CatalogEntry::getCode).toList();
    }

    private static KafkaProducer<String, SpecificRecord> producer() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        AvroSerde<SpecificRecord> serde = (AvroSerde) AvroSerde.generic();
        serde.configure(bus.serdeConfig(), false);
        return new KafkaProducer<>(bus.kafkaProperties(), new StringSerializer(),
                serde.serializer());
    }

    private CatalogEntry entry(String code, String name, String summary, Category category, int version) {
        return CatalogEntry.newBuilder().setCode(code).setClassification("101").setName(name).setCategory(category)
                .setProvider(dept).setProviderCode("11510100MB0F31224T").setSummary(summary).setFormat("Avro")
                .setDataItems(List.of()).setSharingClass(SharingClass.UNCONDITIONAL).setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.DAILY).setPublishDate(LocalDate.of(2026, 3, 1))
                .setSchemaSubject(Subjects.valueSubject(Topics.source(dept, code))).setSchemaId(1).setSchemaVersion(1)
                .setCatalogVersion(version).setStatus(ResourceStatus.ACTIVE).setLastChanged(Instant.now()).build();
    }

    private static AccessRequest request(String id, String consumer, String provider) {
        return AccessRequest.newBuilder().setRequestId(id).setResourceCode("10101-000001").setProvider(provider).setConsumer(consumer)
                .setPurpose("核验").setMethod(SharingMethod.SERVICE).setStatus(RequestStatus.PENDING).setFiledAt(Instant.now()).build();
    }

    private static Grant grant(String id, String consumer, String provider) {
        return Grant.newBuilder().setGrantId(id).setRequestId("r").setResourceCode("10101-000001").setProvider(provider)
                .setConsumer(consumer).setPurpose("核验").setMethod(SharingMethod.PUSH).setValidFrom(Instant.now())
                .setStatus(GrantStatus.ACTIVE).setCreatedAt(Instant.now()).build();
    }
}
