package cn.tianfu.databus.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the embedded single-node KRaft broker. Sized for one laptop-class machine: replication factor 1,
 * a small log-cleaner buffer, no initial rebalance delay.
 *
 * <p>Any key prefixed {@value #KAFKA_OVERRIDE_PREFIX} is passed to Kafka's own broker configuration with the prefix
 * removed, after the bus's defaults, so it wins (for example {@code broker.kafka.log.retention.hours}).
 */
public final class BrokerConfig extends AbstractConfig {

    public static final String DATA_DIR_CONFIG = "broker.data.dir";
    private static final String DATA_DIR_DOC = "Directory holding the broker's logs and metadata. Formatted on first start; "
            + "reused afterwards, so every topic and record survives a restart.";

    public static final String HOST_CONFIG = "broker.host";
    private static final String HOST_DOC = "Address the broker listens on and advertises to clients.";

    public static final String ADVERTISED_HOST_CONFIG = "broker.advertised.host";
    private static final String ADVERTISED_HOST_DOC = "Host name or address clients are told to connect to (the client listener's"
            + " advertised address); empty: " + "broker.host" + ".";

    public static final String INTERNAL_PORT_CONFIG = "broker.internal.port";
    private static final String INTERNAL_PORT_DOC = "With TLS: port of the loopback SASL_PLAINTEXT listener the bus's own services"
            + " and the broker itself use (departments use the TLS listener on broker.port); 0 picks a free port at each start.";

    public static final String CERT_PORT_CONFIG = "broker.cert.port";
    private static final String CERT_PORT_DOC = "With TLS: port of the SSL listener where departments authenticate by client certificate"
            + " (issued by the bus's CA with 'databus dept add --cert'; the subject CN=<dept>,OU=departments is the principal"
            + " User:<dept>). -1: broker.port + 1 (a free port when broker.port is 0); 0: a free port.";

    public static final String PORT_CONFIG = "broker.port";
    private static final String PORT_DOC = "Port of the client listener; 0 picks a free port.";

    public static final String CONTROLLER_PORT_CONFIG = "broker.controller.port";
    private static final String CONTROLLER_PORT_DOC = "Port of the internal KRaft controller listener; 0 picks a free port at each start.";

    public static final String PARTITIONS_CONFIG = "broker.partitions";
    private static final String PARTITIONS_DOC = "Default partition count of new topics and of the bus's partitioned system topics.";

    public static final String CLEANER_BUFFER_CONFIG = "broker.log.cleaner.dedupe.buffer.bytes";
    private static final String CLEANER_BUFFER_DOC = "Heap the log cleaner uses to compact topics (Kafka's default, 128 MiB, is too much for a laptop).";

    public static final String STARTUP_TIMEOUT_MS_CONFIG = "broker.startup.timeout.ms";
    private static final String STARTUP_TIMEOUT_MS_DOC = "How long start() waits for the broker to accept clients before it gives up.";

    public static final String SECURITY_ENABLED_CONFIG = "broker.security.enabled";
    private static final String SECURITY_ENABLED_DOC = "Whether the broker authenticates every client (SASL SCRAM-SHA-512 on the client "
            + "listener, SASL PLAIN on the controller listener) and authorizes with ACLs. On by default; off only for the "
            + "broker's own low-level tests, where every client is anonymous and allowed everything.";

    public static final String REAUTH_MS_CONFIG = "broker.connections.max.reauth.ms";
    private static final String REAUTH_MS_DOC = "Kafka's connections.max.reauth.ms on the client listener: an authenticated connection"
            + " must authenticate again within this time or is closed, so a department whose password was changed or which was"
            + " removed stops reading and writing within it, even on a connection opened before.";

    public static final String KAFKA_OVERRIDE_PREFIX = "broker.kafka.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(DATA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, DATA_DIR_DOC)
            .define(HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HOST_DOC)
            .define(ADVERTISED_HOST_CONFIG, Type.STRING, "", Importance.MEDIUM, ADVERTISED_HOST_DOC)
            .define(INTERNAL_PORT_CONFIG, Type.INT, 0, Range.between(0, 65535), Importance.LOW, INTERNAL_PORT_DOC)
            .define(PORT_CONFIG, Type.INT, 9092, Range.between(0, 65535), Importance.HIGH, PORT_DOC)
            .define(CERT_PORT_CONFIG, Type.INT, -1, Range.between(-1, 65535), Importance.MEDIUM, CERT_PORT_DOC)
            .define(CONTROLLER_PORT_CONFIG, Type.INT, 0, Range.between(0, 65535), Importance.LOW, CONTROLLER_PORT_DOC)
            .define(PARTITIONS_CONFIG, Type.INT, 2, Range.between(1, 1000), Importance.MEDIUM, PARTITIONS_DOC)
            .define(CLEANER_BUFFER_CONFIG, Type.LONG, 8L * 1024 * 1024, Range.atLeast(1024 * 1024), Importance.LOW, CLEANER_BUFFER_DOC)
            .define(STARTUP_TIMEOUT_MS_CONFIG, Type.LONG, 60_000L, Range.atLeast(1000), Importance.LOW, STARTUP_TIMEOUT_MS_DOC)
            .define(SECURITY_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, SECURITY_ENABLED_DOC)
            .define(REAUTH_MS_CONFIG, Type.LONG, 300_000L, Range.atLeast(1000), Importance.MEDIUM, REAUTH_MS_DOC);

    public BrokerConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
        List<String> problems = new ArrayList<>();
        if (getInt(PORT_CONFIG) != 0 && getInt(PORT_CONFIG).equals(getInt(CONTROLLER_PORT_CONFIG))) {
            problems.add(PORT_CONFIG + " and " + CONTROLLER_PORT_CONFIG + " must differ");
        }
        if (getInt(PORT_CONFIG) != 0 && certPort() == getInt(PORT_CONFIG)) {
            problems.add(PORT_CONFIG + " and " + CERT_PORT_CONFIG + " must differ");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
    }

    /** A config for a broker on {@code dataDir} with the given client port and defaults for everything else. */
    public static BrokerConfig of(Path dataDir, int port) {
        return new BrokerConfig(Map.of(DATA_DIR_CONFIG, dataDir.toString(), PORT_CONFIG, port));
    }

    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG));
    }

    public String host() {
        return getString(HOST_CONFIG);
    }

    /** The address clients are told to connect to: {@value #ADVERTISED_HOST_CONFIG}, else the listen host. */
    public String advertisedHost() {
        String a = getString(ADVERTISED_HOST_CONFIG);
        return a == null || a.isBlank() ? host() : a.trim();
    }

    public int internalPort() {
        return getInt(INTERNAL_PORT_CONFIG);
    }

    public int port() {
        return getInt(PORT_CONFIG);
    }

    /** The certificate listener's port: {@value #CERT_PORT_CONFIG}, -1 resolved to {@code port + 1}; 0 a free port. */
    public int certPort() {
        int configured = getInt(CERT_PORT_CONFIG);
        if (configured >= 0) {
            return configured;
        }
        return port() == 0 ? 0 : port() + 1;
    }

    public int controllerPort() {
        return getInt(CONTROLLER_PORT_CONFIG);
    }

    public int partitions() {
        return getInt(PARTITIONS_CONFIG);
    }

    public long cleanerBufferBytes() {
        return getLong(CLEANER_BUFFER_CONFIG);
    }

    public long startupTimeoutMs() {
        return getLong(STARTUP_TIMEOUT_MS_CONFIG);
    }

    public boolean securityEnabled() {
        return getBoolean(SECURITY_ENABLED_CONFIG);
    }

    public long reauthMs() {
        return getLong(REAUTH_MS_CONFIG);
    }

    /** The {@value #KAFKA_OVERRIDE_PREFIX} keys, with the prefix removed. */
    public Map<String, Object> kafkaOverrides() {
        return new HashMap<>(originalsWithPrefix(KAFKA_OVERRIDE_PREFIX));
    }
}
