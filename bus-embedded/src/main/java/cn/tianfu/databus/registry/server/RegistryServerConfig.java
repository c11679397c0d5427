package cn.tianfu.databus.registry.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

import cn.tianfu.databus.registry.server.internal.CompatibilityLevel;
import cn.tianfu.databus.contract.Topics;

/**
 * Configuration of the embedded {@link SchemaRegistryServer}. Every problem in the given properties is reported at once.
 *
 * <pre>{@code
 * var config = new RegistryServerConfig(Map.of(
 *         RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092",
 *         RegistryServerConfig.LISTEN_PORT_CONFIG, 8081));
 * }</pre>
 *
 * <p>Properties starting with {@value #KAFKA_PREFIX} are passed, without the prefix, to the registry's Kafka clients
 * (e.g. {@code registry.kafka.security.protocol=SASL_SSL}).
 */
public final class RegistryServerConfig extends AbstractConfig {

    public static final String LISTEN_HOST_CONFIG = "registry.listen.host";
    private static final String LISTEN_HOST_DOC = "Address the registry's HTTP server binds to.";
    public static final String LISTEN_PORT_CONFIG = "registry.listen.port";
    private static final String LISTEN_PORT_DOC = "Port of the registry's HTTP server; 0 picks any free port.";
    public static final String BOOTSTRAP_SERVERS_CONFIG = "registry.bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka bootstrap servers of the cluster that holds the registry's topic.";
    public static final String TOPIC_CONFIG = "registry.topic";
    private static final String TOPIC_DOC = "Compacted single-partition topic the registry keeps its state in.";
    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "registry.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor used when the registry creates its topic (1 in embedded mode).";
    public static final String DEFAULT_COMPATIBILITY_CONFIG = "registry.default.compatibility";
    private static final String DEFAULT_COMPATIBILITY_DOC = "Global compatibility level until one is set with PUT /config.";
    public static final String TIMEOUT_MS_CONFIG = "registry.timeout.ms";
    private static final String TIMEOUT_MS_DOC = "How long a start-up replay or a write may wait for Kafka before it fails (50002).";
    /** Prefix of Kafka client properties (security, timeouts) passed to the registry's admin, producer and consumer. */
    public static final String KAFKA_PREFIX = "registry.kafka.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(LISTEN_HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, LISTEN_HOST_DOC)
            .define(LISTEN_PORT_CONFIG, Type.INT, 8081, Range.between(0, 65535), Importance.HIGH, LISTEN_PORT_DOC)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || ((List<?>) value).isEmpty()) {
                    throw new ConfigException(name, value, "set it to the Kafka bootstrap servers, e.g. 127.0.0.1:9092");
                }
            }, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(TOPIC_CONFIG, Type.STRING, Topics.SCHEMAS, new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                    TOPIC_REPLICATION_FACTOR_DOC)
            .define(DEFAULT_COMPATIBILITY_CONFIG, Type.STRING, CompatibilityLevel.BACKWARD.name(), new CompatibilityValidator(),
                    Importance.MEDIUM, DEFAULT_COMPATIBILITY_DOC)
            .define(TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW, TIMEOUT_MS_DOC);

    /**
     * @throws ConfigException listing every invalid or missing property
     */
    public RegistryServerConfig(Map<?, ?> props) {
        super(CONFIG, validated(props));
    }

    private static Map<?, ?> validated(Map<?, ?> props) {
        Map<String, String> asStrings = new HashMap<>();
        props.forEach((k, v) -> asStrings.put(String.valueOf(k), v == null ? null : v.toString()));
        List<String> problems = new ArrayList<>();
        for (ConfigValue value : CONFIG.validate(asStrings)) {
            for (String message : value.errorMessages()) {
                problems.add(value.name() + ": " + message);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid schema registry configuration: " + String.join("; ", problems));
        }
        return props;
    }

    /** The key table, for generated docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public String listenHost() {
        return getString(LISTEN_HOST_CONFIG);
    }

    public int listenPort() {
        return getInt(LISTEN_PORT_CONFIG);
    }

    public String topic() {
        return getString(TOPIC_CONFIG);
    }

    public short replicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
    }

    public CompatibilityLevel defaultCompatibility() {
        return CompatibilityLevel.valueOf(getString(DEFAULT_COMPATIBILITY_CONFIG).trim().toUpperCase(Locale.ROOT));
    }

    public Duration timeout() {
        return Duration.ofMillis(getLong(TIMEOUT_MS_CONFIG));
    }

    /** Properties for the registry's Kafka clients: bootstrap servers plus every {@value #KAFKA_PREFIX} property. */
    public Map<String, Object> kafkaClientProps() {
        Map<String, Object> props = new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
        return props;
    }

    private static final class CompatibilityValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                CompatibilityLevel.valueOf(String.valueOf(value).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "use one of " + java.util.Arrays.toString(CompatibilityLevel.values()));
            }
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(CompatibilityLevel.values());
        }
    }
}
