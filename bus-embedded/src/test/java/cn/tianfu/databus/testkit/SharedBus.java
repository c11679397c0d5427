package cn.tianfu.databus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import cn.tianfu.databus.auth.PrincipalDirectory;
import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.kafka.TopicProvisioner;

/**
 * One embedded bus per test JVM, secured as {@code databus up} runs it: a real in-JVM KRaft broker on a free port
 * (SASL SCRAM, ACLs) with the system topics created, and the project's schema registry over HTTP on another free port,
 * authenticating every call. Test setup acts as the bus's own principal ({@link #clientProperties()},
 * {@link #busConfig()}); a test acting as a department adds one ({@link #addDepartment(String)}) and uses the client
 * config it gets back. Started on first use, stopped when the JVM exits. Tests that must stop or restart a broker start
 * their own.
 */
public final class SharedBus {

    private static SharedBus instance;

    private final Path dataDir;
    private final EmbeddedBroker broker;
    private final BusCredentials credentials;
    private final Admin admin;
    private final SchemaRegistryServer registry;
    private final PrincipalDirectory principals;
    private Departments departments;

    private SharedBus() {
        try {
            dataDir = Files.createTempDirectory("databus-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 0)));
        credentials = broker.credentials().orElseThrow();
        admin = Admin.create(broker.clientProperties());
        new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(2);
        principals = new PrincipalDirectory(credentials.username(), credentials.password(), this::busConfig, Duration.ofSeconds(10));
        registry = new SchemaRegistryServer(new RegistryServerConfig(registryProperties(broker, 0)), principals);
        registry.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shared-bus-stop"));
    }

    /** The JVM's shared bus, started on first call. */
    public static synchronized SharedBus get() {
        if (instance == null) {
            instance = new SharedBus();
        }
        return instance;
    }

    /**
     * Properties of a registry server on {@code broker} (listening on {@code port}), its Kafka clients authenticating
     * as the bus.
     */
    public static Map<String, Object> registryProperties(EmbeddedBroker broker, int port) {
        Map<String, Object> p = new HashMap<>();
        p.put(RegistryServerConfig.LISTEN_PORT_CONFIG, port);
        p.put(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        broker.credentials().ifPresent(c -> c.securityProperties()
                .forEach((k, v) -> p.put(RegistryServerConfig.KAFKA_PREFIX + k, v)));
        return p;
    }

    /** {@code props} plus the {@code registry.kafka.*} security settings of the bus, for a registry server of a test's own. */
    public Map<String, Object> withRegistryKafkaSecurity(Map<String, ?> props) {
        Map<String, Object> p = new HashMap<>(props);
        credentials.securityProperties().forEach((k, v) -> p.put(RegistryServerConfig.KAFKA_PREFIX + k, v));
        return p;
    }

    /** A registry client of the shared registry, authenticating as the bus (it may register). */
    public cn.tianfu.databus.registry.HttpSchemaRegistryClient registryClient() {
        return cn.tianfu.databus.registry.HttpSchemaRegistryClient.builder(registry.url())
                .basicAuth(credentials.username(), credentials.password()).build();
    }

    /** Serde config for the shared registry as the bus: URL and basic credentials. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> p = new HashMap<>();
        p.put("schema.registry.url", registry.url());
        p.put("basic.auth.user.info", registryUserInfo());
        return p;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Base URL of the shared schema registry, e.g. {@code http://127.0.0.1:41234}. */
    public String registryUrl() {
        return registry.url();
    }

    /** An admin client on the shared broker, as the bus; do not close it. */
    public Admin admin() {
        return admin;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Kafka client properties of the bus's own principal (a super user), for test setup and for the bus's services. */
    /**
     * The committed records of {@code topic} (read as the bus, from the beginning) that {@code match}, once there is at
     * least one: waits up to {@code wait} for the topic and for a matching record.
     */
    public <V> List<ConsumerRecord<String, V>> awaitRecords(String topic, Deserializer<V> values,
                                                           Predicate<ConsumerRecord<String, V>> match, Duration wait) {
        org.awaitility.Awaitility.await().atMost(wait).until(() -> admin().listTopics().names().get().contains(topic));
        Properties p = new Properties();
        p.putAll(clientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            org.awaitility.Awaitility.await().atMost(wait).until(() -> {
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                    if (match.test(r)) {
                        found.add(r);
                    }
                }
                return !found.isEmpty();
            });
        }
        return found;
    }

    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(broker.clientProperties());
        return p;
    }

    /** {@link #clientProperties()} as a map. */
    public Map<String, Object> kafkaProperties() {
        return new HashMap<>(broker.clientProperties());
    }

    /**
     * The config of one of the bus's streams apps ({@code props}) plus the bus's credentials, in the streams apps'
     * vocabulary: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.username}, {@code sasl.password} (the
     * registry is called with the same user).
     */
    public Map<String, Object> streamsAppConfig(Map<String, ?> props) {
        Map<String, Object> p = new HashMap<>(props);
        p.put("security.protocol", BusCredentials.PROTOCOL);
        p.put("sasl.mechanism", BusCredentials.MECHANISM);
        p.put("sasl.username", credentials.username());
        p.put("sasl.password", credentials.password());
        return p;
    }

    /** Only the security settings of the bus's principal (protocol, mechanism, JAAS), to add to other properties. */
    public Map<String, Object> securityProperties() {
        return credentials.securityProperties();
    }

    /** {@code username:password} of the bus for the registry (HTTP basic). */
    public String registryUserInfo() {
        return credentials.username() + ":" + credentials.password();
    }

    /** The bus principal's client config (department id {@code bus}). */
    public DatabusClientConfig busConfig() {
        return DatabusClientConfig.fromMap(Map.of(
                DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url(),
                DatabusClientConfig.DEPARTMENT_ID_CONFIG, credentials.username(),
                DatabusClientConfig.SECURITY_PROTOCOL_CONFIG, BusCredentials.PROTOCOL,
                DatabusClientConfig.SASL_MECHANISM_CONFIG, BusCredentials.MECHANISM,
                DatabusClientConfig.SASL_USERNAME_CONFIG, credentials.username(),
                DatabusClientConfig.SASL_PASSWORD_CONFIG, credentials.password()));
    }

    /**
     * Writes the bus principal's client config into {@code dataDir/clients/bus.properties}, as {@code databus up} does, so
     * CLI commands given {@code --data-dir dataDir} administer the shared bus.
     */
    public void writeBusClientConfig(java.nio.file.Path dataDir, Optional<String> httpUrl) {
        Map<String, String> extra = new HashMap<>();
        extra.put(DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
        extra.put(DatabusClientConfig.DEPARTMENT_ID_CONFIG, credentials.username());
        httpUrl.ifPresent(u -> extra.put(DatabusClientConfig.HTTP_URL_CONFIG, u));
        credentials.write(dataDir, broker.bootstrapServers(), extra);
    }

    /** The authenticator of the shared registry (the bus, and every department and auditor added), for an HTTP API of a test's own. */
    public cn.tianfu.databus.auth.Authenticator authenticator() {
        return principals;
    }

    /** The shared bus's department administration, as the bus; do not close it. */
    public synchronized Departments departments() {
        if (departments == null) {
            departments = Departments.connect(busConfig(), Duration.ofSeconds(15));
        }
        return departments;
    }

    /**
     * Adds a department as {@code databus dept add} does (topics, SCRAM credential, ACLs, verifier) and returns its client
     * config; a department that exists already gets a new password. {@code httpUrl} is put in the config when given.
     */
    public DatabusClientConfig addDepartment(String id) {
        return addDepartment(id, Optional.empty());
    }

    /** {@link #addDepartment(String)} with the bus HTTP API's URL in the client config. */
    public synchronized DatabusClientConfig addDepartment(String id, Optional<String> httpUrl) {
        Departments.NewPrincipal<?> added = departments().find(id).isPresent()
                ? departments().rotatePassword(id)
                : departments().add(id, "department " + id, Optional.empty());
        return clientConfig(id, added.principal(), added.password(), httpUrl);
    }

    /** Adds an auditor (principal {@code auditor-<id>}) and returns its client config. */
    public synchronized DatabusClientConfig addAuditor(String id) {
        Departments.NewPrincipal<?> added = departments().addAuditor(id, Optional.empty());
        return clientConfig(added.principal(), added.principal(), added.password(), Optional.empty());
    }

    /** Adds an expert of the expert committee (principal {@code expert-<id>}) and returns its client config. */
    public synchronized DatabusClientConfig addExpert(String id) {
        Departments.NewPrincipal<?> added = departments().addExpert(id, Optional.empty());
        return clientConfig(added.principal(), added.principal(), added.password(), Optional.empty());
    }

    private DatabusClientConfig clientConfig(String departmentId, String user, String password, Optional<String> httpUrl) {
        Properties p = DatabusClientConfig.fileProperties(broker.bootstrapServers(), registry.url(), httpUrl.orElse(null),
                departmentId, user, password);
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return DatabusClientConfig.fromMap(map);
    }

    private void stop() {
        if (departments != null) {
            departments.close();
        }
        registry.close();
        principals.close();
        admin.close();
        broker.close();
        deleteRecursively(dataDir);
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }
}
