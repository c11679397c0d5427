package cn.tianfu.databus.department;

import cn.tianfu.databus.kafka.BoundedClients;
import cn.tianfu.databus.contract.Principals;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceException;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Auditor;
import cn.tianfu.databus.schemas.Expert;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.contract.Topics;

/**
 * Adds, removes and lists the departments and auditors of a bus, with the bus's own connection (its super-user
 * principal, from {@code <data-dir>/clients/bus.properties}). Each department or auditor gets a SCRAM-SHA-512 credential
 * with a generated password and exactly the ACLs of {@link AccessPolicy}; the bus keeps only a salted verifier of the
 * password (on {@code bus.departments} / {@code bus.auditors}) for its registry and HTTP API.
 *
 * <pre>{@code
 * try (Departments departments = Departments.connect(DatabusClientConfig.load(Path.of("data/clients/bus.properties")),
 *         Duration.ofSeconds(5))) {
 *     Departments.NewPrincipal<Department> psb = departments.add("psb", "市公安局", Optional.of("11510100MB0F31224T"));
 *     String password = psb.password();   // shown once: write it into psb's client config
 *     departments.list().forEach(d -> System.out.println(d.getId() + " " + d.getName()));
 * }
 * }</pre>
 */
public final class Departments implements AutoCloseable {

    /** SCRAM iterations of department and auditor credentials. */
    static final int SCRAM_ITERATIONS = 8192;
    /** The broker's quota key for partition creations and deletions per second. */
    private static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

    private final Admin admin;
    private final Producer<String, Object> producer;
    private final CompactedTopicReader<Department> departments;
    private final CompactedTopicReader<Auditor> auditors;
    private final CompactedTopicReader<Expert> experts;
    private final Duration timeout;
    private final cn.tianfu.databus.registry.SchemaRegistryClient registry;

    /** A department or auditor just created (or whose password was just changed), with its password in clear. */
    public record NewPrincipal<T>(T record, String principal, String password) {
        @Override
        public String toString() {
            return "NewPrincipal[" + principal + "]";
        }
    }

    private Departments(DatabusClientConfig bus, Duration timeout) {
        this.timeout = timeout;
        BoundedClients clients = BoundedClients.of(bus, timeout);
        int ms = (int) timeout.toMillis();
        Map<String, Object> serdeConfig = new HashMap<>(bus.serdeConfig());
        serdeConfig.put(AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, (long) ms);
        serdeConfig.put(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, (long) ms);
        this.registry = AvroSerdeConfig.fromMap(serdeConfig).registryClient();
        AvroSerde<Department> departmentSerde = AvroSerde.specific(Department.class);
        departmentSerde.configure(serdeConfig, false);
        AvroSerde<Auditor> auditorSerde = AvroSerde.specific(Auditor.class);
        auditorSerde.configure(serdeConfig, false);
        this.admin = Admin.create(clients.admin());
        var departmentSerializer = departmentSerde.serializer();
        var auditorSerializer = auditorSerde.serializer();
        AvroSerde<Expert> expertValues = AvroSerde.specific(Expert.class);
        expertValues.configure(serdeConfig, false);
        var expertSerializer = expertValues.serializer();
        this.producer = new KafkaProducer<>(clients.producer(), new StringSerializer(), (topic, value) -> value == null ? null
                : value instanceof Department d ? departmentSerializer.serialize(topic, d)
                : value instanceof Expert e ? expertSerializer.serialize(topic, e) : auditorSerializer.serialize(topic, (Auditor) value));
        Map<String, Object> consumerProps = clients.reader();
        this.departments = new CompactedTopicReader<>(Topics.DEPARTMENTS, consumerProps, departmentSerde.deserializer(), Department::getId, timeout);
        this.auditors = new CompactedTopicReader<>(Topics.AUDITORS, consumerProps, auditorSerde.deserializer(), Auditor::getId, timeout);
        AvroSerde<Expert> expertSerde = AvroSerde.specific(Expert.class);
        expertSerde.configure(serdeConfig, false);
        this.experts = new CompactedTopicReader<>(Topics.EXPERTS, consumerProps, expertSerde.deserializer(), Expert::getId, timeout);
    }

    /**
     * Connects with the bus's own client config; nothing is contacted until the first call.
     *
     * @param bus the bus principal's client config ({@code <data-dir>/clients/bus.properties})
     */
    public static Departments connect(DatabusClientConfig bus, Duration timeout) {
        return new Departments(Objects.requireNonNull(bus, "bus"), Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Adds a department: creates {@code cmd.<id>} and {@code reply.<id>} (one partition each), its SCRAM credential with a
     * new password and its ACLs, and records it (with the password's verifier) on {@code bus.departments}.
     *
     * @throws IllegalArgumentException   when the id is malformed or reserved, or the name is blank
     * @throws DepartmentExistsException  when a department with this id exists
     * @throws GovernanceException        when the bus cannot be reached
     */
    public NewPrincipal<Department> add(String id, String name, Optional<String> code) {
        Principals.checkDepartmentId(id);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the department's name is required, e.g. --name 市公安局");
        }
        Optional<Department> existing = find(id);
        if (existing.isPresent()) {
            throw new DepartmentExistsException(id, existing.get().getName());
        }
        String password = Passwords.generate();
        return call("add department " + id, () -> {
            TopicProvisioner provisioner = new TopicProvisioner(admin,
                    cn.tianfu.databus.kafka.Replication.of(admin, timeout.toMillis()), timeout.toMillis());
            provisioner.ensure(Topics.commands(id), 1, Topics.commandTopicConfigs());
            provisioner.ensure(Topics.replies(id), 1, Map.of());
            upsertCredential(id, password);
            applyPolicy(id);
            registerCommandSchema(id);
            Department department = Department.newBuilder()
                    .setId(id)
                    .setName(name.strip())
                    .setCode(code.map(String::strip).filter(c -> !c.isEmpty()).orElse(null))
                    .setCreated(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                    .setPasswordVerifier(Passwords.verifier(password))
                    .build();
            send(Topics.DEPARTMENTS, id, department);
            return new NewPrincipal<>(department, id, password);
        });
    }

    /**
     * Makes department {@code id} exist with {@code password}: adds it when the bus does not know it, else sets its
     * credential, ACLs, quota and command schema again and records a new verifier only when the recorded one does not
     * match. Idempotent, and safe when several processes run it at the same time with the same password (bus nodes
     * starting together on one cluster): each step is an upsert, so they all end with the same working credential.
     *
     * @throws IllegalArgumentException when the id is malformed or reserved, or the name is blank
     * @throws GovernanceException      when the bus cannot be reached
     */
    public NewPrincipal<Department> ensure(String id, String name, Optional<String> code, String password) {
        Principals.checkDepartmentId(id);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the department's name is required");
        }
        Optional<Department> existing = find(id);
        return call("set up department " + id, () -> {
            TopicProvisioner provisioner = new TopicProvisioner(admin,
                    cn.tianfu.databus.kafka.Replication.of(admin, timeout.toMillis()), timeout.toMillis());
            provisioner.ensure(Topics.commands(id), 1, Topics.commandTopicConfigs());
            provisioner.ensure(Topics.replies(id), 1, Map.of());
            upsertCredential(id, password);
            applyPolicy(id);
            registerCommandSchema(id);
            if (existing.isPresent() && Passwords.matches(password, existing.get().getPasswordVerifier())) {
                return new NewPrincipal<>(existing.get(), id, password);
            }
            Department department = existing.map(Department::newBuilder).orElseGet(() -> Department.newBuilder()
                            .setId(id)
                            .setName(name.strip())
                            .setCode(code.map(String::strip).filter(c -> !c.isEmpty()).orElse(null))
                            .setCreated(Instant.now().truncatedTo(ChronoUnit.MILLIS)))
                    .setPasswordVerifier(Passwords.verifier(password))
                    .build();
            send(Topics.DEPARTMENTS, id, department);
            return new NewPrincipal<>(department, id, password);
        });
    }

    /**
     * Gives a department a new password: its SCRAM credential and its verifier change; the old password stops working
     * for new connections at once, and open connections lose their session at their next re-authentication (the broker's
     * {@code connections.max.reauth.ms}). Its ACLs and quota are set to the current policy too.
     *
     * @throws DatabusException when no such department exists
     */
    public NewPrincipal<Department> rotatePassword(String id) {
        Department current = find(id).orElseThrow(() -> unknown(id));
        String password = Passwords.generate();
        return call("change the password of " + id, () -> {
            upsertCredential(id, password);
            applyPolicy(id);
            registerCommandSchema(id);
            Department changed = Department.newBuilder(current).setPasswordVerifier(Passwords.verifier(password)).build();
            send(Topics.DEPARTMENTS, id, changed);
            return new NewPrincipal<>(changed, id, password);
        });
    }

    /**
     * Sets every department's ACLs and quota to the current {@link AccessPolicy}: ACLs the policy no longer grants (such
     * as CREATE on all of {@code src.<dept>.}, or WRITE on {@code bus.deadletter}, of earlier versions) are deleted. Run
     * by the bus at each start; returns the number of departments.
     */
    public int applyPolicies() {
        List<Department> all = list();
        call("apply the access policy", () -> {
            for (Department d : all) {
                applyPolicy(d.getId());
            }
            return null;
        });
        return all.size();
    }

    /** Exactly the policy's ACLs for department {@code id}, and its controller mutation quota. */
    private void applyPolicy(String id) throws Exception {
        List<AclBinding> wanted = AccessPolicy.department(id);
        List<AclBindingFilter> stale = admin.describeAcls(filter(id)).values().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .stream().filter(acl -> !wanted.contains(acl)).map(AclBinding::toFilter).toList();
        if (!stale.isEmpty()) {
            admin.deleteAcls(stale).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        admin.createAcls(wanted).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        setQuota(id, AccessPolicy.CONTROLLER_MUTATION_RATE);
    }

    /** The department's controller mutation quota; {@code null} removes it. */
    private void setQuota(String id, Double rate) throws Exception {
        ClientQuotaEntity user = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, id));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(user,
                List.of(new ClientQuotaAlteration.Op(CONTROLLER_MUTATION_RATE, rate)))))
                .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The controller mutation quota the broker holds for department {@code id}, if any. */
    public Optional<Double> controllerMutationQuota(String id) {
        return call("describe the quota of " + id, () -> {
            var quotas = admin.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(
                    ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, id)))).entities().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return quotas.values().stream().map(q -> q.get(CONTROLLER_MUTATION_RATE))
                    .filter(Objects::nonNull).findFirst();
        });
    }

    /**
     * Removes a department's ACLs and credential and its entry on {@code bus.departments}; its topics and everything on
     * them (catalog entries, grants, the exchange log) stay as history.
     *
     * @throws DatabusException when no such department exists
     */
    public Department remove(String id) {
        Department current = find(id).orElseThrow(() -> unknown(id));
        return call("remove department " + id, () -> {
            deletePrincipal(id);
            setQuota(id, null);
            send(Topics.DEPARTMENTS, id, null);
            return current;
        });
    }

    /** The ACLs the broker holds for {@code principalName} (e.g. {@code psb} or {@code auditor-city}). */
    public List<AclBinding> acls(String principalName) {
        return call("describe the ACLs of " + principalName, () -> new ArrayList<>(admin.describeAcls(filter(principalName)).values()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /** The department with this id, if it was added. */
    public Optional<Department> find(String id) {
        return Optional.ofNullable(departments.refresh().get(id));
    }

    /** Every department, ordered by id. */
    public List<Department> list() {
        return departments.refresh().values().stream().sorted(Comparator.comparing(Department::getId)).toList();
    }

    /**
     * Adds an auditor: principal {@code auditor-<id>} with a new password, reading only the exchange log and its
     * checkpoints.
     *
     * @throws IllegalArgumentException when the id is malformed
     * @throws DatabusException         when the auditor exists
     */
    public NewPrincipal<Auditor> addAuditor(String id, Optional<String> name) {
        String principal = Principals.auditorPrincipal(id);
        if (findAuditor(id).isPresent()) {
            throw new DatabusException("auditor " + id + " already exists; 'databus auditor list' shows every auditor");
        }
        String password = Passwords.generate();
        return call("add auditor " + id, () -> {
            upsertCredential(principal, password);
            admin.createAcls(AccessPolicy.auditor(id)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Auditor auditor = Auditor.newBuilder()
                    .setId(id)
                    .setName(name.map(String::strip).filter(n -> !n.isEmpty()).orElse(null))
                    .setCreated(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                    .setPasswordVerifier(Passwords.verifier(password))
                    .build();
            send(Topics.AUDITORS, id, auditor);
            return new NewPrincipal<>(auditor, principal, password);
        });
    }

    /** Removes an auditor's ACLs, credential and entry. */
    public Auditor removeAuditor(String id) {
        Auditor current = findAuditor(id).orElseThrow(() -> new DatabusException("no auditor '" + id
                + "' on this bus; 'databus auditor list' shows every auditor"));
        return call("remove auditor " + id, () -> {
            deletePrincipal(Principals.auditorPrincipal(id));
            send(Topics.AUDITORS, id, null);
            return current;
        });
    }

    /**
     * Adds an expert of the expert committee: principal {@code expert-<id>} with a new password, its command and reply
     * topics, and ACLs to write the one and read the other.
     *
     * @throws IllegalArgumentException when the id is malformed
     * @throws DatabusException         when the expert exists
     */
    public NewPrincipal<Expert> addExpert(String id, Optional<String> name) {
        String principal = Principals.expertPrincipal(id);
        if (findExpert(id).isPresent()) {
            throw new DatabusException("expert " + id + " already exists; 'databus expert list' shows every expert");
        }
        String password = Passwords.generate();
        return call("add expert " + id, () -> {
            TopicProvisioner provisioner = new TopicProvisioner(admin, (short) 1, timeout.toMillis());
            provisioner.ensure(Topics.expertCommands(id), 1, Topics.commandTopicConfigs());
            provisioner.ensure(Topics.expertReplies(id), 1, Map.of());
            upsertCredential(principal, password);
            admin.createAcls(AccessPolicy.expert(id)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            registerCommandSchema(principal);
            Expert expert = Expert.newBuilder()
                    .setId(id)
                    .setName(name.map(String::strip).filter(n -> !n.isEmpty()).orElse(null))
                    .setCreated(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                    .setPasswordVerifier(Passwords.verifier(password))
                    .build();
            send(Topics.EXPERTS, id, expert);
            return new NewPrincipal<>(expert, principal, password);
        });
    }

    public Optional<Expert> findExpert(String id) {
        return Optional.ofNullable(experts.refresh().get(id));
    }

    /** Every expert, ordered by id. */
    public List<Expert> experts() {
        return experts.refresh().values().stream().sorted(Comparator.comparing(Expert::getId)).toList();
    }

    public Optional<Auditor> findAuditor(String id) {
        return Optional.ofNullable(auditors.refresh().get(id));
    }

    /** Every auditor, ordered by id. */
    public List<Auditor> auditors() {
        return auditors.refresh().values().stream().sorted(Comparator.comparing(Auditor::getId)).toList();
    }

    /**
     * Registers, as the bus, the schemas of what a department writes besides its resources: governance commands under
     * {@code cmd.<id>-value}, and dead letters (its CDC runner reports there) under {@code bus.deadletter-value}.
     * Departments may not register schemas; their clients then find these registered.
     */
    private void registerCommandSchema(String id) {
        registry.register(Subjects.valueSubject(Topics.commands(id)), cn.tianfu.databus.schemas.GovernanceCommand.getClassSchema());
        registry.register(Subjects.valueSubject(Topics.DEADLETTER), cn.tianfu.databus.schemas.DeadLetter.getClassSchema());
    }

    private void upsertCredential(String user, String password) throws Exception {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password)))
                .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void deletePrincipal(String user) throws Exception {
        admin.deleteAcls(List.of(filter(user))).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ResourceNotFoundException)) {
                throw e;
            }
        }
    }

    private static AclBindingFilter filter(String principalName) {
        return new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(Principals.principal(principalName),
                null, AclOperation.ANY, AclPermissionType.ANY));
    }

    private void send(String topic, String key, Object value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static DatabusException unknown(String id) {
        return new DatabusException("no department '" + id + "' on this bus; 'databus dept list' shows every department");
    }

    private <T> T call(String action, Callable<T> step) {
        return GovernanceException.call(Principals.BUS_PRINCIPAL, action, step);
    }

    @Override
    public void close() {
        departments.close();
        auditors.close();
        experts.close();
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
        registry.close();
    }
}
