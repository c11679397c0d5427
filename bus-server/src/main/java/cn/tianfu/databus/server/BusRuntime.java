package cn.tianfu.databus.server;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.auth.PrincipalDirectory;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.transparency.TransparencyRoutes;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.security.SecretFiles;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.tls.Certificates;
import cn.tianfu.databus.tls.ServerTls;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.server.service.ExchangeLogStager;
import cn.tianfu.databus.server.service.ServiceExchange;
import cn.tianfu.databus.service.RateLimiter;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.RouterQueries;
import cn.tianfu.databus.sharing.app.SourceLogReader;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The whole bus on one machine: the Kafka cluster ({@link BusKafka}: the in-JVM broker, or an existing cluster named
 * by {@value ServerConfig#KAFKA_BOOTSTRAP_SERVERS_CONFIG}), the system topics, the schema registry, the streams apps
 * ({@link StreamsApps}: governance, sharing-router (which chains the exchange log), deadlines, quality, each created from the same keys) and the HTTP API.
 * Secured: the broker authenticates every client (SCRAM) and authorizes by ACL; the bus's own services run as
 * {@code User:bus}, whose client config is {@code <data-dir>/clients/bus.properties}; the registry and the HTTP API
 * authenticate callers with HTTP basic.
 * Components start in dependency order and stop in reverse; a failure while starting stops what had started.
 */
public final class BusRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BusRuntime.class);

    /** Department id of the public data authority that runs the bus. */
    public static final String AUTHORITY_DEPARTMENT = "authority";

    private final ServerConfig config;
    private final InstantSource clock;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private BusKafka kafka;
    private ServerTls tls;
    private cn.tianfu.databus.kafka.Replication replication;
    private Admin admin;
    private SchemaRegistryServer registry;
    private final List<ManagedStreams> apps = new ArrayList<>();
    private HttpApi http;
    private ServiceExchange service;
    /** The proofs' public key as a JWK set, under {@code <data-dir>/keys/}. */
    public static final String SERVICE_JWKS_FILE = "service-proofs.jwks.json";
    private PrincipalDirectory principals;
    private DatabusClientConfig busConfig;
    private BusEndpoints endpoints;
    private long startMillis;
    /** Set once every file a client needs is written and the start was announced: until then /health says 503. */
    private volatile boolean ready;

    private BusRuntime(ServerConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Starts every component and returns once the bus is ready. */
    public static BusRuntime start(ServerConfig config) {
        return start(config, InstantSource.system(), runtime -> {
        });
    }

    /** As {@link #start(ServerConfig)}, governance's decisions and the calendars' load times dated by {@code clock}. */
    public static BusRuntime start(ServerConfig config, InstantSource clock) {
        return start(config, clock, runtime -> {
        });
    }

    /**
     * Starts every component, writes every file a client connects with ({@code bus.properties}, the client configs),
     * runs {@code announce} (e.g. prints the ready line), and only then lets {@code GET /health} answer 200: whoever
     * waits for the health check can connect with the files the bus wrote. Governance's decisions and the calendars'
     * load times are dated by {@code clock}.
     */
    public static BusRuntime start(ServerConfig config, InstantSource clock, Consumer<BusRuntime> announce) {
        BusRuntime runtime = new BusRuntime(config, clock);
        try {
            runtime.doStart();
            announce.accept(runtime);
            runtime.ready = true;
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private void doStart() {
        long t0 = System.nanoTime();
        if (SecretFiles.privateDirectory(config.dataDir())) {
            LOG.warn("{} was readable by other users; it is now mode 700 (owner only). Check who may have read it.", config.dataDir());
        }
        // the department listeners' TLS identity: the bus's own CA and certificate, or the operator's PEM files
        tls = !config.tlsEnabled() ? null : config.tlsFiles()
                .map(f -> ServerTls.fromFiles(f.get(0), f.get(1), f.get(2)))
                .orElseGet(() -> ServerTls.loadOrCreate(config.dataDir(), Certificates.serverNames(config.advertisedHost(), config.host()),
                        clock));
        // the embedded broker, or the existing cluster the config names: the rest is the same on either
        kafka = track(BusKafka.of(config, tls));
        BusCredentials credentials = kafka.credentials();
        admin = track(Admin.create(adminProperties(kafka)));
        // one replication policy for every topic the bus creates, from the cluster's size (Replication)
        replication = cn.tianfu.databus.kafka.Replication.of(admin, 30_000);
        LOG.info("Kafka cluster of {}", replication.note());
        var created = new TopicProvisioner(admin, replication, 30_000).ensureSystemTopics(config.partitions());
        if (!created.isEmpty()) {
            LOG.info("Created system topics {}", created);
        }
        // the bus's services authenticate as User:bus; HTTP callers are checked against the bus's verifiers
        principals = track(new PrincipalDirectory(credentials.username(), credentials.password(),
                () -> ClientFiles.bus(config.dataDir()), Duration.ofSeconds(10)));
        Map<String, Object> registryProps = new LinkedHashMap<>();
        registryProps.put(RegistryServerConfig.LISTEN_HOST_CONFIG, config.host());
        registryProps.put(RegistryServerConfig.LISTEN_PORT_CONFIG, config.registryPort());
        registryProps.put(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        registryProps.put(RegistryServerConfig.TOPIC_REPLICATION_FACTOR_CONFIG, replication.factor());
        credentials.securityProperties().forEach((k, v) -> registryProps.put(RegistryServerConfig.KAFKA_PREFIX + k, v));
        registry = track(new SchemaRegistryServer(new RegistryServerConfig(registryProps), principals, tls, config.advertisedHost()));
        registry.start();
        // the bus's own file: the loopback endpoints (plain with TLS on, never leaving the host)
        credentials.write(config.dataDir(), kafka.bootstrapServers(), Map.of(
                DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.internalUrl(),
                DatabusClientConfig.DEPARTMENT_ID_CONFIG, credentials.username()));
        busConfig = ClientFiles.bus(config.dataDir());
        service = startServiceExchange();
        http = track(HttpApi.start(config.host(), config.httpPort(), this::health, principals, busConfig,
                new HttpApi.Options(tls, config.advertisedHost(), service,
                        config.transparencyJwksFile().map(jwks -> track(TransparencyRoutes.start(config.dataDir(), jwks,
                                ClientFiles.bus(config.dataDir()), clock))).orElse(null))
                        .withConsole(new cn.tianfu.databus.server.console.Console.Settings(config.consoleIdleTimeout(), clock))
                        .withAudit(cn.tianfu.databus.server.api.AuditRoutes.Settings.of(config.dataDir(), clock))
                        .withEndpoints(this::endpoints)));
        endpoints = new BusEndpoints(kafka.externalBootstrapServers(), registry.url(), http.url(), tls == null ? null : tls.caPem(),
                tls == null ? null : kafka.certificateBootstrapServers().orElse(null));
        credentials.write(config.dataDir(), kafka.bootstrapServers(), Map.of(DatabusClientConfig.HTTP_URL_CONFIG, http.internalUrl()));
        busConfig = ClientFiles.bus(config.dataDir());
        ClientFiles.refreshEndpoints(config.dataDir(), endpoints);
        ensureAuthorityDepartment();
        seedCalendars();
        // the router announces the port other nodes reach: with TLS the HTTPS listener, not the loopback one
        startStreamsApps(kafka.bootstrapServers(), registry.internalUrl(), credentials, java.net.URI.create(http.url()).getPort());
        endpoints.write(config.dataDir());
        startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /**
     * The public data authority (公共数据主管部门) is a department of its own bus. Its command topic also means the
     * governance app never starts with a command pattern that matches nothing: Kafka Streams 4.3 builds a task's topology
     * with a placeholder then, and fails the stream thread when the first department's topic appears.
     */
    private void ensureAuthorityDepartment() {
        try (Departments departments = Departments.connect(busConfig, Duration.ofSeconds(30))) {
            boolean existed = departments.find(AUTHORITY_DEPARTMENT).isPresent();
            // every node derives the same password from the bus principal's: nodes starting together on one cluster
            // set up one authority, and each node's authority file works
            String password = cn.tianfu.databus.security.Passwords.derived(kafka.credentials().password(), AUTHORITY_DEPARTMENT);
            ClientFiles.write(config.dataDir(), endpoints, AUTHORITY_DEPARTMENT,
                    departments.ensure(AUTHORITY_DEPARTMENT, "公共数据主管部门", java.util.Optional.empty(), password));
            if (!existed) {
                LOG.info("Added the department of the public data authority, '{}'", AUTHORITY_DEPARTMENT);
            }
            // a bus upgraded from an earlier policy drops the ACLs it no longer grants (docs/security.md)
            departments.applyPolicies();
        }
    }

    /** The bundled calendar years seed {@code bus.calendars} on first start; a year already there is left as it is. */
    private void seedCalendars() {
        try (Calendars calendars = Calendars.connect(busConfig, Duration.ofSeconds(30))) {
            List<Integer> seeded = calendars.seed(WorkingDayCalendar.bundled(), clock.instant());
            if (!seeded.isEmpty()) {
                LOG.info("Loaded the bundled calendars of {} onto {}", seeded, cn.tianfu.databus.contract.Topics.CALENDARS);
            }
        }
    }

    /**
     * Every app of {@link StreamsApps}, from the same keys: the bus's endpoints, its principal's credentials, one state
     * directory; started in order, then awaited.
     */
    /**
     * The service exchange (query, verify): signs its proofs with the exchange log's key, publishes that key as a JWK
     * set in {@code <data-dir>/keys/}, stages its answers as the bus; it answers once the router runs.
     */
    private ServiceExchange startServiceExchange() {
        SigningKeys keys = SigningKeys.loadOrCreate(config.dataDir());
        try {
            java.nio.file.Path jwks = config.dataDir().resolve("keys").resolve(SERVICE_JWKS_FILE);
            java.nio.file.Files.writeString(jwks, cn.tianfu.databus.service.Proofs.jwkSet(keys.publicKey()));
        } catch (java.io.IOException e) {
            throw new DatabusException("cannot publish the proofs' public key in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        ExchangeLogStager stager = track(new ExchangeLogStager(busConfig, Duration.ofSeconds(10)));
        return new ServiceExchange(KeyHasher.loadOrCreate(config.dataDir()), keys, stager,
                new RateLimiter(clock, java.time.ZoneId.of("Asia/Shanghai")), clock,
                new ServiceExchange.Settings(cn.tianfu.databus.service.Proofs.ISSUER, config.serviceLimits()));
    }

    private void startStreamsApps(String bootstrap, String registryUrl, BusCredentials credentials, int httpPort) {
        Map<String, Object> common = new LinkedHashMap<>();
        common.put(StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        common.put(StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
        common.put(StreamsAppConfig.STATE_DIR_CONFIG, config.dataDir().resolve("streams").toString());
        common.put(StreamsAppConfig.DATA_DIR_CONFIG, config.dataDir().toString());
        // every app's Kafka clients and registry calls authenticate as the bus
        common.put(StreamsAppConfig.SECURITY_PROTOCOL_CONFIG, credentials.protocol());
        credentials.ssl().forEach((k, v) -> common.put(StreamsAppConfig.STREAMS_PREFIX + k, v));
        common.put(StreamsAppConfig.SASL_MECHANISM_CONFIG, BusCredentials.MECHANISM);
        common.put(StreamsAppConfig.SASL_USERNAME_CONFIG, credentials.username());
        common.put(StreamsAppConfig.SASL_PASSWORD_CONFIG, credentials.password());
        // the apps' own topics (resource, delivery, internal) replicated as the system topics are
        common.put("governance.topic.replication.factor", replication.factor());
        common.put("deadlines.topic.replication.factor", replication.factor());
        common.put("quality.topic.replication.factor", replication.factor());
        common.put("router.delivery.topic.replication.factor", replication.factor());
        common.put(cn.tianfu.databus.quality.app.QualityConfig.CHECK_INTERVAL_CONFIG, config.qualityCheckInterval().toMillis());
        common.put(StreamsAppConfig.STREAMS_PREFIX + "replication.factor", (int) replication.factor());
        common.put(StreamsAppConfig.STREAMS_PREFIX + "topic.min.insync.replicas", replication.minInsyncReplicas());
        for (StreamsApps app : StreamsApps.values()) {
            Map<String, Object> props = common;
            if (app == StreamsApps.ROUTER) {
                // the router's interactive queries: each instance announces the HTTP API that answers for its keys
                props = new LinkedHashMap<>(common);
                props.put(StreamsAppConfig.STREAMS_PREFIX + StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + httpPort);
                props.put(RouterConfig.TIER_DISTRICTS_CONFIG, config.tierDistricts());
            }
            ManagedStreams managed = track(new ManagedStreams(app.component(), app.create(props, clock)));
            http.metrics().ifPresent(m -> m.bind(app.component(), managed.streams()));
            apps.add(managed);
            if (app == StreamsApps.ROUTER) {
                SchemaRegistryClient registryClient = track(AvroSerdeConfig.fromMap(busConfig.serdeConfig()).registryClient());
                // keys whose value the router does not keep are read from the source topic at their stored offset
                RouterQueries queries = track(new RouterQueries(managed.streams(), registryClient,
                        SourceLogReader.kafka(RouterConfig.fromMap(props).clientProperties())));
                service.attach(queries, new HostInfo(config.advertisedHost(), httpPort));
            }
        }
        apps.forEach(ManagedStreams::start);
        for (ManagedStreams app : apps) {
            app.awaitRunning(Duration.ofSeconds(60));
        }
        LOG.info("Streams apps running: {}", apps.stream().map(ManagedStreams::name).toList());
    }

    private <T extends AutoCloseable> T track(T component) {
        started.push(component);
        return component;
    }

    /** State of each component, as {@code GET /health} reports it. */
    public Health health() {
        Map<String, Object> broker = new LinkedHashMap<>();
        boolean brokerUp = false;
        if (kafka != null && admin != null) {
            broker.put("bootstrapServers", kafka.bootstrapServers());
            try {
                int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
                brokerUp = nodes > 0 && kafka.fatalError().isEmpty();
                broker.put("nodes", nodes);
            } catch (Exception e) {
                broker.put("error", e.getMessage());
            }
            kafka.fatalError().ifPresent(f -> broker.put("fatalError", f));
        }
        broker.put("status", brokerUp ? "UP" : "DOWN");
        Map<String, Object> registry = new LinkedHashMap<>();
        boolean registryUp = this.registry != null && this.registry.isReady();
        if (this.registry != null) {
            registry.put("url", this.registry.url());
        }
        registry.put("status", registryUp ? "UP" : "DOWN");
        Map<String, Object> streams = new LinkedHashMap<>();
        boolean streamsUp = !apps.isEmpty();
        for (ManagedStreams app : apps) {
            streams.put(app.name(), app.describe());
            streamsUp &= app.healthy();
        }
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("broker", broker);
        components.put("registry", registry);
        components.put("streams", streams);
        components.put("started", ready);
        return new Health(ready && brokerUp && registryUp && streamsUp, components);
    }

    public BusEndpoints endpoints() {
        return endpoints;
    }

    /** The department listeners' TLS identity; empty when they are plain (loopback only). */
    public java.util.Optional<ServerTls> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    public ServerConfig config() {
        return config;
    }

    /** Milliseconds from start() to ready. */
    public long startMillis() {
        return startMillis;
    }

    public Admin admin() {
        return admin;
    }

    /** The bus principal's client config ({@code <data-dir>/clients/bus.properties}), for administration. */
    public DatabusClientConfig busConfig() {
        return busConfig;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static Properties adminProperties(BusKafka kafka) {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "databus-runtime");
        return p;
    }

    /** Whether the bus is ready, and each component's details. */
    public record Health(boolean up, Map<String, Object> components) {
    }
}
