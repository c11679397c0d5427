package cn.tianfu.databus.demo;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.governance.client.Approval;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.client.GrantsView;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.ServiceClient;
import cn.tianfu.databus.service.ProofStatement;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;

/**
 * The demo's script, run against a running bus: three providing departments register one resource of each sharing
 * class, publish their records, a using department asks for all three, the regulation's answer comes back for each,
 * deliveries arrive filtered, projected and masked, changes flow (including a retraction and a delete), and the
 * exchange log is verified at the end. Every step checks what the bus did; {@link #run()} says whether all held.
 *
 * <p>Safe to run again on the same data directory: what already exists is reused, not registered twice.
 */
public final class Demo {

    static final String PSB = "psb";
    static final String AMR = "amr";
    static final String MCA = "mca";
    static final String HRSS = "hrss";
    static final String FILTER_DIVISION = "510104";
    private static final DateTimeFormatter DUE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.of("Asia/Shanghai"));
    private static final Duration REPLY = Duration.ofSeconds(60);

    private final BusEndpoints endpoints;
    private final Path dataDir;
    private final Path examples;
    private final PrintWriter out;
    private final int residents;
    private final InstantSource clock;
    private final List<String> failures = new ArrayList<>();

    public Demo(BusEndpoints endpoints, Path dataDir, Path examples, PrintWriter out, int residents) {
        this(endpoints, dataDir, examples, out, residents, InstantSource.system());
    }

    /** As above, the sample records dated by {@code clock}. */
    public Demo(BusEndpoints endpoints, Path dataDir, Path examples, PrintWriter out, int residents, InstantSource clock) {
        this.clock = clock;
        this.endpoints = endpoints;
        this.dataDir = dataDir;
        this.examples = examples;
        this.out = out;
        this.residents = residents;
    }

    /** Runs the script; true when the bus behaved as the regulation says at every step. */
    public boolean run() throws Exception {
        ResourceDefinition population = ResourceDefinitions.parse(examples.resolve("psb-population.yaml"));
        ResourceDefinition entities = ResourceDefinitions.parse(examples.resolve("amr-legal-entity.yaml"));
        ResourceDefinition marriages = ResourceDefinitions.parse(examples.resolve("mca-marriage.yaml"));

        step("1. Departments");
        try (Departments departments = Departments.connect(ClientFiles.bus(dataDir), Duration.ofSeconds(30))) {
            addDepartment(departments, PSB, "成都市公安局");
            addDepartment(departments, AMR, "成都市市场监督管理局");
            addDepartment(departments, MCA, "成都市民政局");
            addDepartment(departments, HRSS, "成都市人力资源和社会保障局");
        }

        step("2. Providers register their resources in the catalog (one data, one source)");
        register(population);
        register(entities);
        register(marriages);

        step("3. Providers publish their records");
        SampleData data = new SampleData(20261127L);
        Instant now = clock.instant();
        Schema populationSchema = AvroSchemas.forResource(population);
        Schema entitySchema = AvroSchemas.forResource(entities);
        List<GenericRecord> people = data.residents(populationSchema, residents, now);
        List<GenericRecord> companies = new ArrayList<>();
        for (int i = 0; i < Math.max(10, residents / 2); i++) {
            companies.add(data.legalEntity(entitySchema));
        }
        try (Publisher psb = Publisher.create(client(PSB), population.code());
             Publisher amr = Publisher.create(client(AMR), entities.code())) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            people.forEach(p -> sends.add(psb.upsert(p.get("idNumber").toString(), p)));
            companies.forEach(c -> sends.add(amr.upsert(c.get("creditCode").toString(), c)));
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        }
        out.printf("   %s published %d residents on %s%n", PSB, people.size(), cn.tianfu.databus.contract.Topics.source(PSB, population.code()));
        out.printf("   %s published %d legal entities on %s%n", AMR, companies.size(), cn.tianfu.databus.contract.Topics.source(AMR, entities.code()));

        step("4. " + HRSS + " asks for each resource, stating its purpose (Art. 25-26, 30)");
        String unconditional = request(entities, "社会保险登记时核验用人单位主体资格", SharingMethod.PUSH, Outcome.ACCEPTED);
        // push deliveries and service queries (Art. 23): the bus answers queries under the same grant
        String conditional = request(population, "社会保险待遇资格认证，核验参保人身份", SharingMethod.BOTH, Outcome.PENDING);
        request(marriages, "核验遗属待遇申领人的婚姻关系", SharingMethod.PUSH, Outcome.REFUSED);

        step("5. " + PSB + " decides the conditional request within 10 working days: approves it, narrowed");
        List<String> fields = List.of("idNumber", "name", "gender", "divisionCode", "updatedAt");
        String filter = "divisionCode == \"" + FILTER_DIVISION + "\"";
        decide(conditional, fields, filter);

        step("6. Deliveries reach " + HRSS + ": backfill of the current state, filtered, projected and masked");
        long expectedPeople = people.stream().filter(p -> FILTER_DIVISION.equals(p.get("divisionCode"))).count();
        Map<String, Long> expected = new TreeMap<>(Map.of(entities.code(), (long) companies.size(), population.code(), expectedPeople));
        try (Subscriber subscriber = Subscriber.builder(client(HRSS), "demo-" + System.currentTimeMillis()).allResources().build()) {
            Map<String, Map<String, Delivery>> latest = awaitDeliveries(subscriber, expected, Duration.ofSeconds(90));
            Delivery sample = latest.getOrDefault(population.code(), Map.of()).values().stream().findFirst().orElse(null);
            if (sample != null) {
                out.printf("   a delivered resident: %s%n", sample.value());
                checkMasked(sample.value(), fields);
            }

            step("7. Changes flow: an update, a resident leaving the filter (retraction), a deletion");
            java.util.Set<String> withdrawnKeys = java.util.Set.of();
            GenericRecord[] inFilter = people.stream().filter(p -> FILTER_DIVISION.equals(p.get("divisionCode")))
                    .limit(3).toArray(GenericRecord[]::new);
            if (inFilter.length < 3) {
                fail("too few residents in " + FILTER_DIVISION + " to show changes");
            } else {
                withdrawnKeys = changes(population, populationSchema, subscriber, inFilter);
            }

            step("8. " + HRSS + " asks the bus instead of the citizen (Art. 21, 23): a query and a verification, with signed proofs");
            String grantId = grantOf(conditional);
            if (inFilter.length > 0 && grantId != null) {
                service(population, inFilter[0]);

                // what hrss holds: the backfill less the records retracted and deleted since (keys as delivered)
                Map<String, Delivery> held = new TreeMap<>(latest.getOrDefault(population.code(), Map.of()));
                held.keySet().removeAll(withdrawnKeys);
                step("9. " + PSB + " narrows the grant: the name is no longer shared; what " + HRSS + " holds is re-delivered without it");
                narrow(grantId, population, subscriber, held.keySet(), fields.stream().filter(f -> !f.equals("name")).toList());

                step("10. " + PSB + " revokes the grant: every record " + HRSS + " received under it is withdrawn");
                revoke(grantId, population, subscriber, held.keySet(), inFilter[0].get("idNumber").toString());
            }
        }

        step("11. The auditor verifies the exchange log (hash chain and signed checkpoints)");
        verifyLog();

        step(failures.isEmpty() ? "Demo complete: every step behaved as the regulation says."
                : "Demo finished with " + failures.size() + " problem(s): " + String.join("; ", failures));
        return failures.isEmpty();
    }

    /** As 'databus dept add' does, keeping the client config in the data dir: the demo's operator plays every sample department. */
    private void addDepartment(Departments departments, String id, String name) {
        boolean existed = departments.find(id).isPresent();
        ClientFiles.ensureDepartment(departments, dataDir, endpoints, id, name, Optional.empty());
        if (existed) {
            out.printf("   %-5s %s (already added)%n", id, name);
            return;
        }
        out.printf("   %-5s %s: topics %s, %s; its own credentials and ACLs; client config %s%n", id, name,
                cn.tianfu.databus.contract.Topics.commands(id), cn.tianfu.databus.contract.Topics.replies(id),
                ClientFiles.file(dataDir, id));
    }

    private void register(ResourceDefinition def) throws Exception {
        DatabusClientConfig provider = client(def.provider());
        try (CatalogView catalog = CatalogView.open(provider)) {
            if (catalog.byCode(def.code()).isPresent()) {
                out.printf("   %s %s [%s] is already in the catalog%n", def.code(), def.name(), def.sharingClass());
                return;
            }
        }
        try (GovernanceClient governance = GovernanceClient.create(provider)) {
            CommandResult r = governance.await(governance.register(def), REPLY);
            out.printf("   %s %s [%s] by %s: %s%n", def.code(), def.name(), def.sharingClass(), def.provider(), r.getOutcome());
            if (r.getOutcome() != Outcome.ACCEPTED) {
                fail("registering " + def.code() + " was " + r.getOutcome() + ": " + r.getMessage());
            }
        }
    }

    /** Files a request unless one is already pending or granted; returns the request id. */
    private String request(ResourceDefinition def, String purpose, SharingMethod method, Outcome expected) throws Exception {
        DatabusClientConfig consumer = client(HRSS);
        try (RequestsView requests = RequestsView.open(consumer); GrantsView grants = GrantsView.open(consumer)) {
            // an approved request counts while its grant is in force (an earlier run revokes the population grant)
            List<String> inForce = grants.asConsumer().stream().filter(g -> g.getStatus() == GrantStatus.ACTIVE)
                    .map(Grant::getRequestId).toList();
            Optional<AccessRequest> existing = requests.mine().stream()
                    .filter(r -> r.getResourceCode().equals(def.code()))
                    .filter(r -> r.getStatus() == RequestStatus.PENDING
                            || r.getStatus() == RequestStatus.APPROVED && inForce.contains(r.getRequestId()))
                    .findFirst();
            if (existing.isPresent()) {
                out.printf("   %s %s: request %s is already %s%n", def.code(), def.name(), existing.get().getRequestId(), existing.get().getStatus());
                return existing.get().getRequestId();
            }
        }
        try (GovernanceClient governance = GovernanceClient.create(consumer)) {
            CommandResult r = governance.await(governance.request(def.code(), purpose, Optional.empty(), method, Optional.empty()), REPLY);
            String detail = switch (r.getOutcome()) {
                case ACCEPTED -> "granted at once (unconditional), grant " + r.getGrantId();
                case PENDING -> "pending the provider's decision, request " + r.getRequestId() + dueText(r.getRequestId());
                default -> r.getMessage();
            };
            out.printf("   %s %s [%s]: %s — %s%n", def.code(), def.name(), def.sharingClass(), r.getOutcome(), detail);
            if (r.getOutcome() != expected) {
                fail(def.code() + ": expected " + expected + " but the bus answered " + r.getOutcome() + " (" + r.getMessage() + ")");
            }
            return r.getRequestId();
        }
    }

    private String dueText(String requestId) {
        try (RequestsView requests = RequestsView.open(client(HRSS))) {
            return requests.byId(requestId).filter(r -> r.getDueAt() != null).map(r -> ", due " + DUE.format(r.getDueAt())
                    + " (10 working days" + (r.getDueProvisional() ? "; provisional calendar: " + r.getDueCalendar() : "") + ")").orElse("");
        }
    }

    private void decide(String requestId, List<String> fields, String filter) throws Exception {
        try (GrantsView grants = GrantsView.open(client(PSB))) {
            Optional<Grant> active = grants.asProvider().stream()
                    .filter(g -> g.getRequestId().equals(requestId) && g.getStatus() == GrantStatus.ACTIVE).findFirst();
            if (active.isPresent()) {
                out.printf("   request %s is already approved: grant %s%n", requestId, active.get().getGrantId());
                return;
            }
        }
        try (GovernanceClient governance = GovernanceClient.create(client(PSB))) {
            CommandResult r = governance.await(governance.approve(requestId,
                    Approval.asRequested().withFields(fields).withFilter(filter)), REPLY);
            out.printf("   approve %s with fields %s and row filter %s: %s (grant %s)%n", requestId, fields, filter, r.getOutcome(), r.getGrantId());
            if (r.getOutcome() != Outcome.ACCEPTED) {
                fail("approval refused: " + r.getMessage());
            }
        }
    }

    /** The grant in force of an approved request, or null. */
    private String grantOf(String requestId) {
        try (GrantsView grants = GrantsView.open(client(HRSS))) {
            return grants.asConsumer().stream().filter(g -> g.getRequestId().equals(requestId) && g.getStatus() == GrantStatus.ACTIVE)
                    .map(Grant::getGrantId).findFirst().orElse(null);
        }
    }

    /** A query with its proof, checked against the bus's published key, and a verification of two claims. */
    private void service(ResourceDefinition population, GenericRecord resident) throws Exception {
        ServiceClient service = ServiceClient.create(client(HRSS));
        String key = resident.get("idNumber").toString();
        Optional<ServiceClient.Answer> answer = Optional.empty();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (answer.isEmpty() && System.nanoTime() < deadline) {
            try {
                answer = service.get(population.code(), key, true);
            } catch (ServiceClient.Refused e) {
                if (e.status() != 503) {
                    fail("the query was refused: " + e.getMessage());
                    return;
                }
            }
            if (answer.isEmpty()) {
                Thread.sleep(300);
            }
        }
        if (answer.isEmpty() || answer.get().proof().isEmpty()) {
            fail("the query for a resident under the grant was not answered with a proof");
            return;
        }
        List<java.security.PublicKey> keys = Proofs.fromJwkSet(service.publicKeys());
        ProofStatement q = Proofs.verify(answer.get().proof().get(), keys);
        out.printf("   query %s/%s: %s%n", population.code(), key.substring(0, 6) + "…", answer.get().record());
        Path proof = dataDir.resolve("demo-query-proof.jws");
        Files.writeString(proof, answer.get().proof().get());
        out.printf("   proof VALID: exchange %s, signed by key %s…, record digest %s…; saved as %s%n", q.exchangeId(),
                Proofs.keyId(keys.get(0)).substring(0, 12), q.recordDigest().substring(0, 12), proof.getFileName());
        out.printf("   check it offline: databus proof verify %s --data-dir %s%n", proof, dataDir);

        String gender = String.valueOf(resident.get("gender"));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("gender", gender);
        claims.put("divisionCode", "510105");
        ServiceClient.Verification v = service.verify(population.code(), key, claims);
        ProofStatement s = Proofs.verify(v.proof(), keys);
        out.printf("   verify gender = %s: %s, divisionCode = 510105: %s (no value disclosed); proof VALID, exchange %s%n",
                gender, v.results().get("gender") ? "TRUE" : "FALSE", v.results().get("divisionCode") ? "TRUE" : "FALSE",
                s.exchangeId());
        if (!Boolean.TRUE.equals(v.results().get("gender")) || !Boolean.FALSE.equals(v.results().get("divisionCode"))) {
            fail("the verification answered " + v.results() + " instead of gender TRUE, divisionCode FALSE");
        }
    }

    /** Narrows the grant to {@code fields}; every record held arrives again without the fields taken away. */
    private void narrow(String grantId, ResourceDefinition population, Subscriber subscriber, java.util.Set<String> held,
                        List<String> fields) throws Exception {
        try (GovernanceClient governance = GovernanceClient.create(client(PSB))) {
            CommandResult r = governance.await(governance.narrow(grantId, Optional.of(fields), Optional.empty(), Optional.empty(),
                    "姓名不再为资格认证所必需"), REPLY);
            out.printf("   narrow %s to fields %s: %s%n", grantId, fields, r.getOutcome());
            if (r.getOutcome() != Outcome.ACCEPTED) {
                fail("narrowing refused: " + r.getMessage());
                return;
            }
        }
        Map<String, Delivery> again = withdrawals(subscriber, population, held, Delivery.WithdrawalReason.NARROWED);
        long withName = again.values().stream().filter(d -> d.value() != null && d.value().getSchema().getField("name") != null).count();
        out.printf("   %s received %d records again (NARROWED), %d of them with a name%n", HRSS, again.size(), withName);
        if (again.size() < held.size() || withName > 0) {
            fail("the narrowing re-delivered " + again.size() + " of " + held.size() + " records, " + withName + " with a name");
        }
    }

    /** Revokes the grant; every record held is withdrawn (a tombstone with the reason) and queries are refused. */
    private void revoke(String grantId, ResourceDefinition population, Subscriber subscriber, java.util.Set<String> held,
                        String asked) throws Exception {
        try (GovernanceClient governance = GovernanceClient.create(client(PSB))) {
            CommandResult r = governance.await(governance.revoke(grantId, "社会保险待遇资格认证专项工作结束"), REPLY);
            out.printf("   revoke %s: %s%n", grantId, r.getOutcome());
            if (r.getOutcome() != Outcome.ACCEPTED) {
                fail("revocation refused: " + r.getMessage());
                return;
            }
        }
        Map<String, Delivery> withdrawn = withdrawals(subscriber, population, held, Delivery.WithdrawalReason.REVOKED);
        long tombstones = withdrawn.values().stream().filter(d -> d.kind() == Delivery.Kind.RETRACT).count();
        out.printf("   %s received %d RETRACT tombstones (REVOKED) for the %d records it held: compaction forgets their values%n",
                HRSS, tombstones, held.size());
        if (tombstones < held.size()) {
            fail("only " + tombstones + " of " + held.size() + " held records were withdrawn");
        }
        try {
            ServiceClient.create(client(HRSS)).get(population.code(), asked);
            fail("a query under the revoked grant was answered");
        } catch (ServiceClient.Refused e) {
            out.printf("   a query under the revoked grant: refused %d%n", e.status());
        }
    }

    /** The deliveries of {@code held} keys marked with {@code reason}, the last per key, until each key has one (60 s). */
    private Map<String, Delivery> withdrawals(Subscriber subscriber, ResourceDefinition population, java.util.Set<String> held,
                                              Delivery.WithdrawalReason reason) {
        Map<String, Delivery> seen = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !seen.keySet().containsAll(held)) {
            for (Delivery d : subscriber.poll(Duration.ofMillis(300))) {
                if (d.resourceCode().equals(population.code()) && d.withdrawal() == reason) {
                    seen.put(d.key(), d);
                }
            }
            subscriber.commit();
        }
        return seen;
    }

    private Map<String, Map<String, Delivery>> awaitDeliveries(Subscriber subscriber, Map<String, Long> expected, Duration timeout) {
        Map<String, Map<String, Delivery>> latest = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            for (Delivery d : subscriber.poll(Duration.ofMillis(300))) {
                Map<String, Delivery> byKey = latest.computeIfAbsent(d.resourceCode(), k -> new LinkedHashMap<>());
                if (d.isTombstone()) {
                    byKey.remove(d.key());
                } else {
                    byKey.put(d.key(), d);
                }
            }
            subscriber.commit();
            boolean complete = expected.entrySet().stream()
                    .allMatch(e -> latest.getOrDefault(e.getKey(), Map.of()).size() >= e.getValue());
            if (complete || System.nanoTime() - lastPrint > 1_000_000_000L) {
                lastPrint = System.nanoTime();
                StringBuilder line = new StringBuilder("   delivered to " + HRSS + ":");
                expected.forEach((code, n) -> line.append(String.format("  %s %d/%d", code, latest.getOrDefault(code, Map.of()).size(), n)));
                out.println(line);
                out.flush();
            }
            if (complete) {
                return latest;
            }
        }
        fail("deliveries did not all arrive within " + timeout.toSeconds() + " s");
        return latest;
    }

    private void checkMasked(GenericRecord value, List<String> fields) {
        List<String> delivered = value.getSchema().getFields().stream().map(Schema.Field::name).toList();
        if (!delivered.equals(fields)) {
            fail("delivered fields " + delivered + " are not the granted " + fields);
        }
        String id = String.valueOf(value.get("idNumber"));
        String name = String.valueOf(value.get("name"));
        if (!id.matches("\\d{6}\\*{8}[0-9X]{4}")) {
            fail("the ID number was not masked: " + id);
        }
        if (!name.contains("*")) {
            fail("the name was not masked: " + name);
        }
        out.printf("   fields withheld by the grant never left the bus; ID number %s and name %s are masked%n", id, name);
    }

    /** Publishes the changes and shows their deliveries; returns the delivery keys that got a tombstone. */
    private java.util.Set<String> changes(ResourceDefinition population, Schema schema, Subscriber subscriber,
                                          GenericRecord[] residents) throws Exception {
        java.util.Set<String> tombstoned = new java.util.HashSet<>();
        GenericRecord updated = new GenericData.Record((GenericData.Record) residents[0], true);
        updated.put("mobile", "13900000000");
        updated.put("updatedAt", clock.instant().toEpochMilli());
        GenericRecord moved = new GenericData.Record((GenericData.Record) residents[1], true);
        moved.put("divisionCode", "510105");
        moved.put("householdAddress", "四川省成都市青羊区羊市街1号");
        moved.put("updatedAt", clock.instant().toEpochMilli());
        String deleted = residents[2].get("idNumber").toString();
        try (Publisher psb = Publisher.create(client(PSB), population.code())) {
            psb.upsert(updated.get("idNumber").toString(), updated).get();
            psb.upsert(moved.get("idNumber").toString(), moved).get();
            psb.delete(deleted).get();
        }
        out.println("   psb: changed a resident's phone, moved a resident to 510105 青羊区, deleted a resident");
        Map<Delivery.Kind, Integer> kinds = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !(kinds.containsKey(Delivery.Kind.RETRACT) && kinds.containsKey(Delivery.Kind.DELETE)
                && kinds.getOrDefault(Delivery.Kind.UPSERT, 0) >= 1)) {
            for (Delivery d : subscriber.poll(Duration.ofMillis(300))) {
                if (d.resourceCode().equals(population.code())) {
                    kinds.merge(d.kind(), 1, Integer::sum);
                    if (d.isTombstone()) {
                        tombstoned.add(d.key());
                    }
                    out.printf("   %s received %s for key %s%n", HRSS, d.kind(), d.key());
                }
            }
            subscriber.commit();
        }
        if (!kinds.containsKey(Delivery.Kind.RETRACT)) {
            fail("no retraction arrived for the resident who left the filter");
        }
        if (!kinds.containsKey(Delivery.Kind.DELETE)) {
            fail("no deletion arrived");
        }
        return tombstoned;
    }

    private void verifyLog() throws Exception {
        Path pem = dataDir.resolve("keys").resolve("exchange-log.pub.pem");
        // the bus's own principal: auditors read the log with theirs ('databus auditor add')
        DatabusClientConfig bus = ClientFiles.bus(dataDir);
        Map<String, Object> kafka = new HashMap<>(bus.kafkaProperties());
        VerificationReport report = null;
        // the ledger chains what the router staged and signs a checkpoint every few seconds: wait until every entry of the
        // demo is covered by a signed checkpoint, so the verification below speaks for all of them
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < deadline) {
            try (AuditReader reader = AuditReader.builder(kafka).registry(
                    cn.tianfu.databus.serde.AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient())
                    .publicKey(PublicKeys.fromPem(Files.readString(pem))).build()) {
                report = reader.verify();
            }
            if (!report.intact() || report.uncoveredEntries() == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        if (report == null) {
            throw new DatabusException("the exchange log could not be read");
        }
        out.println("   " + report.describe().replace("\n", "\n   "));
        if (!report.intact()) {
            fail("the exchange log did not verify");
        }
    }

    private DatabusClientConfig client(String department) {
        return ClientFiles.load(dataDir, department);
    }

    private void step(String title) {
        out.println();
        out.println(title);
        out.flush();
    }

    private void fail(String problem) {
        failures.add(problem);
        out.println("   !! " + problem);
        out.flush();
    }
}
