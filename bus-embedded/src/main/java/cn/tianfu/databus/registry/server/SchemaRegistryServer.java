package cn.tianfu.databus.registry.server;

import java.net.BindException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.registry.server.internal.KafkaStoreLog;
import cn.tianfu.databus.registry.server.internal.RegistryError;
import cn.tianfu.databus.registry.server.internal.RegistryHttpApi;
import cn.tianfu.databus.registry.server.internal.SchemaStore;
import cn.tianfu.databus.tls.HttpsListeners;
import cn.tianfu.databus.tls.ServerTls;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;

/**
 * A schema registry speaking the Confluent Schema Registry REST API (the subset producers and consumers use), keeping
 * its state in the compacted {@code _schemas} topic of the bus's Kafka cluster. Several instances on the same cluster
 * see the same schemas and ids: each answers reads from its own copy, and their writes are serialized through one
 * transactional id (see {@code KafkaStoreLog}). Only Avro schemas are accepted.
 *
 * <pre>{@code
 * try (var registry = new SchemaRegistryServer(new RegistryServerConfig(Map.of(
 *         RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092",
 *         RegistryServerConfig.LISTEN_PORT_CONFIG, 0)))) {
 *     registry.start();                 // replays _schemas, then listens
 *     String url = registry.url();      // e.g. "http://127.0.0.1:40123"
 * }
 * }</pre>
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

    private final RegistryServerConfig config;
    private final Authenticator authenticator;
    private final ServerTls tls;
    private final String advertisedHost;
    private HttpsListeners listeners;
    private KafkaStoreLog log;
    private Javalin http;
    private volatile boolean ready;
    private volatile boolean started;
    private volatile int port = -1;

    /** An open registry: every caller may read and register (for tests and trusted networks). */
    public SchemaRegistryServer(RegistryServerConfig config) {
        this(config, null);
    }

    /**
     * A registry that authenticates every call with HTTP basic credentials checked by {@code authenticator}: any known
     * caller reads; only an {@linkplain Authenticator.Caller#admin() admin} registers, deletes or changes compatibility.
     * Unauthenticated calls get 401, non-admin writes 403, both with a Confluent-style error body.
     */
    public SchemaRegistryServer(RegistryServerConfig config, Authenticator authenticator) {
        this(config, authenticator, null, null);
    }

    /**
     * As {@link #SchemaRegistryServer(RegistryServerConfig, Authenticator)}, serving HTTPS with {@code tls} on the listen
     * address ({@link #url()}, named by {@code advertisedHost}) and plain HTTP on a loopback port for the bus's own
     * services ({@link #internalUrl()}). {@code tls} null: plain HTTP only, as without it.
     */
    public SchemaRegistryServer(RegistryServerConfig config, Authenticator authenticator, ServerTls tls, String advertisedHost) {
        this.config = config;
        this.authenticator = authenticator;
        this.tls = tls;
        this.advertisedHost = advertisedHost == null || advertisedHost.isBlank() ? config.listenHost() : advertisedHost;
    }

    /**
     * Replays the registry topic (creating it if missing), then binds the HTTP port. Returns once the server is ready.
     *
     * @throws RegistryPortInUseException if the port is taken
     * @throws RegistryServerException    if Kafka cannot be reached or the topic cannot be used
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("The schema registry server was already started; create a new instance to start again");
        }
        started = true;
        SchemaStore store = new SchemaStore(config.defaultCompatibility());
        log = new KafkaStoreLog(config.kafkaClientProps(), config.topic(), config.replicationFactor(), config.timeout(), store::apply);
        store.attach(log);
        try {
            log.start();
        } catch (RegistryError e) {
            close();
            throw new RegistryServerException("The schema registry could not load its state from topic " + config.topic()
                    + " on " + config.kafkaClientProps().get("bootstrap.servers") + ": " + e.getMessage(), e, true);
        } catch (RuntimeException e) {
            close();
            throw new RegistryServerException("The schema registry could not connect to Kafka at "
                    + config.kafkaClientProps().get("bootstrap.servers") + ": " + e.getMessage(), e, true);
        }
        RegistryHttpApi api = new RegistryHttpApi(store, log::clusterId, authenticator);
        String host = config.listenHost();
        try {
            http = Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.startup.showOldJavalinVersionWarning = false;
                api.configure(cfg);
                if (tls != null) {
                    listeners = HttpsListeners.configure(cfg, host, config.listenPort(), tls);
                }
            });
            if (tls != null) {
                http.start();
            } else {
                http.start(host, config.listenPort());
            }
        } catch (JavalinBindException e) {
            close();
            throw new RegistryPortInUseException(host, config.listenPort(), e);
        } catch (RuntimeException e) {
            close();
            if (hasCause(e, BindException.class)) {
                throw new RegistryPortInUseException(host, config.listenPort(), e);
            }
            throw new RegistryServerException("The schema registry could not start its HTTP server on " + host + ":"
                    + config.listenPort() + ": " + e.getMessage(), e, false);
        }
        port = http.port();
        ready = true;
        LOG.info("schema registry listening on {} (topic {})", url(), config.topic());
    }

    /**
     * Base URL of the REST API, e.g. {@code http://127.0.0.1:8081}: with the bound port once started, with the configured
     * port before.
     */
    public String url() {
        int shown = port >= 0 ? port : config.listenPort();
        if (tls != null) {
            return "https://" + bracketed(advertisedHost) + ":" + shown;
        }
        String host = advertisedHost;
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + shown;
    }

    /**
     * The URL the bus's own services on this machine call: with TLS the loopback plain listener, else {@link #url()}.
     */
    public String internalUrl() {
        return tls != null && listeners != null && port >= 0 ? listeners.loopbackUrl() : url();
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The bound port (the chosen one when configured with 0); -1 before {@link #start()}. */
    public int port() {
        return port;
    }

    /** Whether the server has replayed its topic, listens, and still follows the topic. */
    public boolean isReady() {
        KafkaStoreLog current = log;
        return ready && current != null && current.healthy();
    }

    /** Stops listening and closes the Kafka clients. */
    @Override
    public synchronized void close() {
        ready = false;
        if (http != null) {
            try {
                http.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping the schema registry HTTP server failed", e);
            }
            http = null;
        }
        if (log != null) {
            log.close();
            log = null;
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
