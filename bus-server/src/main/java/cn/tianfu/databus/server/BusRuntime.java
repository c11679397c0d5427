package cn.tianfu.databus.server;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.governance.GovernanceApp;
import cn.tianfu.databus.governance.GovernanceConfig;
import cn.tianfu.databus.ledger.app.LedgerApp;
import cn.tianfu.databus.ledger.app.LedgerConfig;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.sharing.router.RouterConfig;
import cn.tianfu.databus.sharing.router.SharingRouterApp;
import cn.tianfu.databus.topic.TopicProvisioner;

/**
 * The whole bus on one machine: the in-JVM broker, the system topics, the schema registry, the streams apps
 * (governance, ledger, sharing-router) and the HTTP API.
 * Components start in dependency order and stop in reverse; a failure while starting stops what had started.
 */
public final class BusRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BusRuntime.class);

    /** Department id of the public data authority that runs the bus. */
    public static final String AUTHORITY_DEPARTMENT = "authority";

    private final ServerConfig config;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedBroker broker;
    private Admin admin;
    private SchemaRegistryServer registry;
    private final List<ManagedStreams> apps = new ArrayList<>();
    private HttpApi http;
    private BusEndpoints endpoints;
    private long startMillis;

    private BusRuntime(ServerConfig config) {
        this.config = config;
    }

    /** Starts every component and returns once the bus is ready. */
    public static BusRuntime start(ServerConfig config) {
        BusRuntime runtime = new BusRuntime(config);
        try {
            runtime.doStart();
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    private void doStart() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new DatabusException("cannot create the data directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        broker = track(EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, config.dataDir().toString(),
                BrokerConfig.HOST_CONFIG, config.host(),
                BrokerConfig.PORT_CONFIG, config.kafkaPort(),
                BrokerConfig.PARTITIONS_CONFIG, config.partitions()))));
        admin = track(Admin.create(adminProperties(broker.bootstrapServers())));
        var created = new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(config.partitions());
        if (!created.isEmpty()) {
            LOG.info("Created system topics {}", created);
        }
        registry = track(new SchemaRegistryServer(new RegistryServerConfig(Map.of(
                RegistryServerConfig.LISTEN_HOST_CONFIG, config.host(),
                RegistryServerConfig.LISTEN_PORT_CONFIG, config.registryPort(),
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))));
        registry.start();
        ensureAuthorityDepartment(broker.bootstrapServers(), registry.url());
        startStreamsApps(broker.bootstrapServers(), registry.url());
        http = track(HttpApi.start(config.host(), config.httpPort(), this::health));
        endpoints = new BusEndpoints(broker.bootstrapServers(), registry.url(), http.url());
        endpoints.write(config.dataDir());
        startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /**
     * The public data authority (公共数据主管部门) is a department of its own bus. Its command topic also means the
     * governance app never starts with a command pattern that matches nothing: Kafka Streams 4.3 builds a task's topology
     * with a placeholder then, and fails the stream thread when the first department's topic appears.
     */
    private void ensureAuthorityDepartment(String bootstrap, String registryUrl) {
        try (Departments departments = Departments.connect(bootstrap, registryUrl, Duration.ofSeconds(30))) {
            if (departments.find(AUTHORITY_DEPARTMENT).isEmpty()) {
                departments.add(AUTHORITY_DEPARTMENT, "公共数据主管部门", java.util.Optional.empty());
                LOG.info("Added the department of the public data authority, '{}'", AUTHORITY_DEPARTMENT);
            }
        }
    }

    private void startStreamsApps(String bootstrap, String registryUrl) {
        Map<String, Object> common = Map.of(
                "bootstrap.servers", bootstrap,
                "schema.registry.url", registryUrl,
                "state.dir", config.dataDir().resolve("streams").toString(),
                "data.dir", config.dataDir().toString());
        Map<String, Object> governance = new LinkedHashMap<>(common);
        governance.remove("data.dir");
        apps.add(track(new ManagedStreams("governance", GovernanceApp.create(new GovernanceConfig(governance)))));
        // the ledger before the router: the router's staged entries are chained as soon as they arrive
        apps.add(track(new ManagedStreams("ledger", LedgerApp.create(LedgerConfig.fromMap(common)))));
        apps.add(track(new ManagedStreams("sharing-router", SharingRouterApp.create(RouterConfig.fromMap(common)))));
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
        if (this.broker != null && admin != null) {
            broker.put("bootstrapServers", this.broker.bootstrapServers());
            try {
                int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
                brokerUp = nodes > 0 && EmbeddedBroker.fatalError().isEmpty();
                broker.put("nodes", nodes);
            } catch (Exception e) {
                broker.put("error", e.getMessage());
            }
            EmbeddedBroker.fatalError().ifPresent(f -> broker.put("fatalError", f));
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
        return new Health(brokerUp && registryUp && streamsUp, components);
    }

    public BusEndpoints endpoints() {
        return endpoints;
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

    private static Properties adminProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "databus-runtime");
        return p;
    }

    /** Whether the bus is ready, and each component's details. */
    public record Health(boolean up, Map<String, Object> components) {
    }
}
