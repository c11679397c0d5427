package cn.tianfu.databus.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.security.SecretFiles;
import cn.tianfu.databus.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A single-node Kafka broker in KRaft mode, running inside this JVM from Kafka's production server classes.
 *
 * <p>The storage under {@link BrokerConfig#dataDir()} is formatted on first start and reused afterwards, so topics,
 * records and committed offsets survive a restart. A fatal broker error, which Kafka answers by halting the JVM, is
 * caught and reported through {@link #fatalError()} instead.
 *
 * <p>Secured by default ({@link BrokerConfig#SECURITY_ENABLED_CONFIG}): every client authenticates with SCRAM-SHA-512
 * and is authorized by ACLs; the bus's own principal ({@link BusCredentials}, a super user) is generated on the first
 * start and kept in {@code <data-dir>/clients/bus.properties}. See docs/security.md.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.of(Path.of("data"), 9092));
 *      Admin admin = Admin.create(broker.clientProperties())) {   // as User:bus
 *     String bootstrap = broker.bootstrapServers();   // "127.0.0.1:9092"
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String CLIENT_LISTENER = "CLIENT";
    /** With TLS: the departments' SASL_SSL listener; CLIENT then stays on loopback for the bus itself. */
    private static final String EXTERNAL_LISTENER = "EXTERNAL";
    /** With TLS: the departments' SSL listener, where a client certificate of the bus's CA is the identity. */
    private static final String CERT_LISTENER = "CERT";
    private static final String LOOPBACK = "127.0.0.1";
    private static final AtomicReference<String> FATAL = new AtomicReference<>();

    /** The controller listener's principal ({@code User:controller}), a super user known only inside this JVM. */
    static final String CONTROLLER_USER = "controller";

    private final BrokerConfig config;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String externalBootstrapServers;
    private final String certificateBootstrapServers;
    private final int port;
    private final BusCredentials credentials;
    private volatile boolean closed;

    private EmbeddedBroker(BrokerConfig config, KafkaRaftServer server, String bootstrapServers, String externalBootstrapServers,
            String certificateBootstrapServers, int port, BusCredentials credentials) {
        this.config = config;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.externalBootstrapServers = externalBootstrapServers;
        this.certificateBootstrapServers = certificateBootstrapServers;
        this.port = port;
        this.credentials = credentials;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until it answers clients.
     *
     * @throws BrokerException when a port is taken, the data dir is unusable, or the broker does not become ready in time
     */
    public static EmbeddedBroker start(BrokerConfig config) {
        return start(config, null);
    }

    /**
     * As {@link #start(BrokerConfig)}; with {@code tls}, departments connect to a SASL_SSL listener on
     * {@link BrokerConfig#host()}:{@link BrokerConfig#port()} (advertised as {@link BrokerConfig#advertisedHost()}),
     * while the bus itself, inter-broker traffic and the controller use plain SASL listeners bound to loopback only.
     */
    public static EmbeddedBroker start(BrokerConfig config, ServerTls tls) {
        if (tls != null && !config.securityEnabled()) {
            throw new BrokerException("TLS needs the broker's security (" + BrokerConfig.SECURITY_ENABLED_CONFIG + "=true)");
        }
        interceptExitAndHalt();
        Path logDir = config.dataDir().resolve("kafka").toAbsolutePath();
        // Kafka writes its segments with the process's umask (often 644): only the directories keep other users out
        for (Path dir : List.of(config.dataDir().toAbsolutePath(), logDir)) {
            try {
                if (SecretFiles.privateDirectory(dir)) {
                    LOG.warn("{} was readable by other users; it is now mode 700 (owner only). Check who may have read it.", dir);
                }
            } catch (RuntimeException e) {
                throw new BrokerException("cannot create the broker's data directory " + dir + ": " + e.getMessage(), e);
            }
        }
        int port = config.port() == 0 ? freePort(config.host()) : checkPortFree(config.host(), config.port(), "Kafka");
        String innerHost = tls == null ? config.host() : LOOPBACK;
        int controllerPort = config.controllerPort() == 0 ? freePortOtherThan(innerHost, port)
                : checkPortFree(innerHost, config.controllerPort(), "the broker's controller");
        int internalPort = -1;
        int certPort = -1;
        if (tls != null) {
            internalPort = config.internalPort() == 0 ? freePortOtherThan(LOOPBACK, port, controllerPort)
                    : checkPortFree(LOOPBACK, config.internalPort(), "the broker's internal listener");
            certPort = config.certPort() == 0 ? freePortOtherThan(config.host(), port, controllerPort, internalPort)
                    : checkPortFree(config.host(), config.certPort(), "the broker's certificate listener");
        }

        BusCredentials credentials = null;
        if (config.securityEnabled()) {
            boolean formatted = Files.exists(logDir.resolve("meta.properties"));
            if (formatted && !Files.exists(BusCredentials.file(config.dataDir()))) {
                throw new BrokerException("the broker's storage in " + logDir + " was formatted without the bus's credentials ("
                        + BusCredentials.file(config.dataDir()) + " is missing), so no client could authenticate: restore that"
                        + " file, or start on a new data directory");
            }
            credentials = BusCredentials.loadOrCreate(config.dataDir());
        }
        Map<String, Object> props = brokerProperties(config, logDir, port, controllerPort, credentials, Passwords.generate(),
                tls, internalPort, certPort);
        KafkaConfig kafkaConfig;
        try {
            kafkaConfig = new KafkaConfig(props, false);
        } catch (RuntimeException e) {
            throw new BrokerException("invalid broker configuration: " + e.getMessage(), e);
        }
        formatIfNeeded(logDir, credentials);

        KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        String bootstrap = tls == null ? config.host() + ":" + port : LOOPBACK + ":" + internalPort;
        String external = bracketed(config.advertisedHost()) + ":" + port;
        String certificate = tls == null ? null : bracketed(config.advertisedHost()) + ":" + certPort;
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw new BrokerException("the broker failed to start: " + rootMessage(e), e);
        }
        if (credentials != null) {
            credentials.write(config.dataDir(), bootstrap, Map.of());
        }
        EmbeddedBroker broker = new EmbeddedBroker(config, server, bootstrap, external, certificate, port, credentials);
        try {
            broker.awaitReady(Duration.ofMillis(config.startupTimeoutMs()));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("Embedded broker ready on {} (data in {})", bootstrap, logDir);
        return broker;
    }

    /**
     * Kafka's broker properties. With security ({@code credentials} not null): the client listener is SASL_PLAINTEXT with
     * SCRAM-SHA-512 (the bus's inter-broker principal is {@code User:bus}); the controller listener is SASL_PLAINTEXT with
     * PLAIN and one static user, {@code controller}, whose password is new at each start and never leaves this JVM;
     * {@code StandardAuthorizer} denies whatever no ACL allows; the bus and the controller are super users.
     */
    static Map<String, Object> brokerProperties(BrokerConfig config, Path logDir, int port, int controllerPort,
            BusCredentials credentials, String controllerPassword) {
        return brokerProperties(config, logDir, port, controllerPort, credentials, controllerPassword, null, -1, -1);
    }

    static Map<String, Object> brokerProperties(BrokerConfig config, Path logDir, int port, int controllerPort,
            BusCredentials credentials, String controllerPassword, ServerTls tls, int internalPort, int certPort) {
        String host = config.host();
        String advertised = bracketed(config.advertisedHost());
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", NODE_ID);
        if (tls == null) {
            p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
            p.put("listeners", CLIENT_LISTENER + "://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
            p.put("advertised.listeners", CLIENT_LISTENER + "://" + advertised + ":" + port);
        } else {
            // departments: SASL_SSL and SSL (client certificates) on the listen address; the bus, the broker and its
            // controller: loopback only
            p.put("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
            p.put("listeners", EXTERNAL_LISTENER + "://" + host + ":" + port + "," + CERT_LISTENER + "://" + host + ":" + certPort
                    + "," + CLIENT_LISTENER + "://" + LOOPBACK + ":" + internalPort + "," + CONTROLLER_LISTENER + "://" + LOOPBACK
                    + ":" + controllerPort);
            p.put("advertised.listeners", EXTERNAL_LISTENER + "://" + advertised + ":" + port + "," + CERT_LISTENER + "://"
                    + advertised + ":" + certPort + "," + CLIENT_LISTENER + "://" + LOOPBACK + ":" + internalPort);
        }
        if (credentials == null) {
            p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        } else {
            String client = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
            String controller = "listener.name." + CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
            p.put("listener.security.protocol.map", CLIENT_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":SASL_PLAINTEXT"
                    + (tls == null ? "" : "," + EXTERNAL_LISTENER + ":SASL_SSL," + CERT_LISTENER + ":SSL"));
            if (tls != null) {
                // a client certificate is required here and must chain to the CA departments trust (the bus's own CA,
                // or tls.ca.file); its subject CN=<dept>,OU=departments is the principal User:<dept>
                String cert = "listener.name." + CERT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
                tls.kafkaListenerSsl().forEach((k, v) -> p.put(cert + k, v));
                p.put(cert + "ssl.client.auth", "required");
                p.put(cert + "ssl.principal.mapping.rules", cn.tianfu.databus.tls.Certificates.PRINCIPAL_MAPPING_RULES);
                String external = "listener.name." + EXTERNAL_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
                p.put(external + "sasl.enabled.mechanisms", BusCredentials.MECHANISM);
                p.put(external + "scram-sha-512.connections.max.reauth.ms", config.reauthMs());
                p.put(external + "scram-sha-512.sasl.jaas.config", BusCredentials.scramJaas(credentials.username(), credentials.password()));
                tls.kafkaListenerSsl().forEach((k, v) -> p.put(external + k, v));
            }
            p.put(client + "sasl.enabled.mechanisms", BusCredentials.MECHANISM);
            // a changed or deleted credential ends the sessions opened with it within this time
            p.put(client + "scram-sha-512.connections.max.reauth.ms", config.reauthMs());
            p.put(client + "scram-sha-512.sasl.jaas.config", BusCredentials.scramJaas(credentials.username(), credentials.password()));
            p.put("sasl.mechanism.inter.broker.protocol", BusCredentials.MECHANISM);
            p.put(controller + "sasl.enabled.mechanisms", "PLAIN");
            p.put("sasl.mechanism.controller.protocol", "PLAIN");
            p.put(controller + "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"" + CONTROLLER_USER + "\" password=\"" + controllerPassword + "\""
                    + " user_" + CONTROLLER_USER + "=\"" + controllerPassword + "\";");
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("allow.everyone.if.no.acl.found", false);
            p.put("super.users", "User:" + credentials.username() + ";User:" + CONTROLLER_USER);
        }
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        p.put("num.partitions", config.partitions());
        p.put("default.replication.factor", 1);
        p.put("min.insync.replicas", 1);
        p.put("offsets.topic.replication.factor", 1);
        p.put("offsets.topic.num.partitions", 10);
        p.put("transaction.state.log.replication.factor", 1);
        p.put("transaction.state.log.min.isr", 1);
        p.put("transaction.state.log.num.partitions", 10);
        p.put("share.coordinator.state.topic.replication.factor", 1);
        p.put("share.coordinator.state.topic.min.isr", 1);
        p.put("group.initial.rebalance.delay.ms", 0);
        p.put("auto.create.topics.enable", false);
        p.put("log.cleaner.dedupe.buffer.size", config.cleanerBufferBytes());
        p.put("log.cleaner.threads", 1);
        p.put("num.network.threads", 2);
        p.put("num.io.threads", 4);
        p.put("background.threads", 4);
        p.put("num.recovery.threads.per.data.dir", 1);
        // a clean stop writes no unflushed state; a hard stop is recovered from the log on the next start
        p.put("controlled.shutdown.enable", true);
        p.putAll(config.kafkaOverrides());
        // Kafka parses strings for every type; typed values would have to match each key's exact Java type
        Map<String, Object> asStrings = new HashMap<>();
        p.forEach((k, v) -> asStrings.put(k, String.valueOf(v)));
        return asStrings;
    }

    private static void formatIfNeeded(Path logDir, BusCredentials credentials) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setIgnoreFormatted(true);
        if (credentials != null) {
            // the bus's SCRAM credential is in the metadata from the first record on, before any client can connect
            formatter.setScramArguments(List.of(BusCredentials.MECHANISM + "=[name=" + credentials.username()
                    + ",password=" + credentials.password() + "]"));
        }
        try {
            formatter.run();
        } catch (Exception e) {
            throw new BrokerException("cannot format the broker's storage in " + logDir + ": " + rootMessage(e), e);
        }
        LOG.info("Formatted new broker storage in {}", logDir);
    }

    private void awaitReady(Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                checkNotFailed();
                try {
                    // the broker is ready when it has registered with the controller and answers metadata requests
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = new BrokerException("broker not ready: " + rootMessage(e), e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException("interrupted while waiting for the broker to start");
                }
            }
        }
        throw new BrokerException("the broker did not become ready within " + timeout.toSeconds() + " s"
                + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    /**
     * {@code host:port} of the listener the bus's own services use: the client listener, or with TLS the loopback
     * SASL_PLAINTEXT listener.
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code advertised-host:port} departments connect to: the TLS listener when TLS is on, else the client listener. */
    public String externalBootstrapServers() {
        return externalBootstrapServers;
    }

    /**
     * {@code advertised-host:port} of the SSL listener where departments authenticate by client certificate; empty
     * without TLS.
     */
    public java.util.Optional<String> certificateBootstrapServers() {
        return java.util.Optional.ofNullable(certificateBootstrapServers);
    }

    public int port() {
        return port;
    }

    /** Whether clients must authenticate (and are authorized by ACLs). */
    public boolean secured() {
        return credentials != null;
    }

    /** The bus principal's credentials; empty when the broker runs without security. */
    public java.util.Optional<BusCredentials> credentials() {
        return java.util.Optional.ofNullable(credentials);
    }

    /**
     * Kafka client properties of the bus's own principal ({@code User:bus}, a super user): bootstrap servers and, when
     * secured, the SASL settings. For the bus's services and administration only; departments get their own.
     */
    public Map<String, Object> clientProperties() {
        if (credentials == null) {
            Map<String, Object> p = new HashMap<>();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            return p;
        }
        return credentials.clientProperties(bootstrapServers);
    }

    public Path dataDir() {
        return config.dataDir();
    }

    /** The message of a fatal broker error that would have halted the JVM, if one happened. */
    public static java.util.Optional<String> fatalError() {
        return java.util.Optional.ofNullable(FATAL.get());
    }

    private static void checkNotFailed() {
        String fatal = FATAL.get();
        if (fatal != null) {
            throw new BrokerException("the broker failed fatally: " + fatal);
        }
    }

    /** Stops the broker cleanly and waits for it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
        LOG.info("Embedded broker on {} stopped", bootstrapServers);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping the broker: {}", e.toString());
        }
    }

    /**
     * Kafka halts the JVM on a fatal broker error. In an embedded broker that would make the whole bus vanish without
     * a word; record the error instead, and let the bus report it and stop in order.
     */
    private static synchronized void interceptExitAndHalt() {
        Exit.Procedure record = (statusCode, message) -> {
            String text = "exit code " + statusCode + (message == null ? "" : ": " + message);
            FATAL.compareAndSet(null, text);
            LOG.error("Kafka requested the JVM to stop ({}); the bus reports it instead", text);
            throw new BrokerException("the broker failed fatally: " + text);
        };
        Exit.setHaltProcedure(record);
        Exit.setExitProcedure(record);
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** A free port that is none of {@code taken}: the system may hand out a just-released port again. */
    private static int freePortOtherThan(String host, int... taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int candidate = freePort(host);
            if (java.util.Arrays.stream(taken).noneMatch(t -> t == candidate)) {
                return candidate;
            }
        }
        throw new BrokerException("cannot find a second free port on " + host);
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(host))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BrokerException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    private static int checkPortFree(String host, int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return port;
        } catch (IOException e) {
            throw new BrokerException("port " + port + " on " + host + " for " + what + " is already in use"
                    + " (is another bus running? choose another with --kafka-port)");
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
