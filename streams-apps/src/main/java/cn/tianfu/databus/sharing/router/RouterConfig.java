package cn.tianfu.databus.sharing.router;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import cn.tianfu.databus.config.ConfigProblems;

/**
 * Configuration of the sharing router. Every problem is reported at once as a
 * {@link cn.tianfu.databus.config.DatabusConfigException}. Keys prefixed {@code streams.} are handed to Kafka Streams
 * (and its clients) without the prefix, e.g. {@code streams.num.stream.threads=2} or {@code streams.security.protocol=SSL}.
 *
 * <pre>{@code
 * RouterConfig config = RouterConfig.fromMap(Map.of(
 *         "bootstrap.servers", "bus-1:9092",
 *         "schema.registry.url", "http://bus-1:8081",
 *         "state.dir", "/var/lib/databus/router",
 *         "data.dir", "/var/lib/databus"));
 * }</pre>
 */
public final class RouterConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "host:port of one or more brokers of the bus, comma-separated.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "URL(s) of the bus's schema registry, comma-separated.";

    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String REGISTRY_USER_INFO_DOC = "HTTP basic credentials for the schema registry as user:password"
            + " (on a secured bus, the bus's own principal: it registers schemas); empty for none.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC = "Directory of the router's local state stores (rebuilt from their changelogs when lost).";

    public static final String DATA_DIR_CONFIG = "data.dir";
    private static final String DATA_DIR_DOC = "The bus's data directory: the key-hash secret is kept under <data.dir>/keys.";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String APPLICATION_ID_DEFAULT = "databus-sharing-router";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: names the consumer group, the"
            + " transactional ids and the internal topics.";

    public static final String BACKFILL_CHECK_INTERVAL_MS_CONFIG = "router.backfill.check.interval.ms";
    private static final String BACKFILL_CHECK_INTERVAL_MS_DOC = "How often (wall clock) each task looks for grants in"
            + " force that it has not backfilled yet (new grants, or grants whose validity has just begun).";

    public static final String DELIVERY_PARTITIONS_CONFIG = "router.delivery.topic.partitions";
    private static final String DELIVERY_PARTITIONS_DOC = "Partitions of a delivery topic the router creates.";

    public static final String DELIVERY_REPLICATION_CONFIG = "router.delivery.topic.replication.factor";
    private static final String DELIVERY_REPLICATION_DOC = "Replication factor of a delivery topic the router creates;"
            + " -1 for the broker's default.";

    public static final String STREAMS_PREFIX = "streams.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REGISTRY_USER_INFO_DOC)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, STATE_DIR_DOC)
            .define(DATA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, DATA_DIR_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, APPLICATION_ID_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM, APPLICATION_ID_DOC)
            .define(BACKFILL_CHECK_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.atLeast(10), Importance.MEDIUM, BACKFILL_CHECK_INTERVAL_MS_DOC)
            .define(DELIVERY_PARTITIONS_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW, DELIVERY_PARTITIONS_DOC)
            .define(DELIVERY_REPLICATION_CONFIG, Type.SHORT, (short) -1, Importance.LOW, DELIVERY_REPLICATION_DOC);

    private RouterConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
    }

    /**
     * Validates {@code props}, reporting every problem at once.
     *
     * @throws cn.tianfu.databus.config.DatabusConfigException listing every problem
     */
    public static RouterConfig fromMap(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        Object replication = problems.parsed(DELIVERY_REPLICATION_CONFIG);
        if (replication instanceof Short s && s != -1 && s < 1) {
            problems.add(DELIVERY_REPLICATION_CONFIG + " must be -1 (broker default) or at least 1, got " + s);
        }
        problems.throwIfAny("sharing-router");
        try {
            return new RouterConfig(props);
        } catch (ConfigException e) {
            throw new cn.tianfu.databus.config.DatabusConfigException("sharing-router", java.util.List.of(e.getMessage()));
        }
    }

    /** The declared keys, with types, defaults and docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS_CONFIG);
    }

    public String schemaRegistryUrl() {
        return getString(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR_CONFIG));
    }

    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG));
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public long backfillCheckIntervalMs() {
        return getLong(BACKFILL_CHECK_INTERVAL_MS_CONFIG);
    }

    public int deliveryPartitions() {
        return getInt(DELIVERY_PARTITIONS_CONFIG);
    }

    public short deliveryReplicationFactor() {
        return getShort(DELIVERY_REPLICATION_CONFIG);
    }

    /** The {@code streams.}-prefixed keys, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return new HashMap<>(originalsWithPrefix(STREAMS_PREFIX, true));
    }

    /** {@code user:password} for the schema registry, if set. */
    public java.util.Optional<String> registryUserInfo() {
        String info = getPassword(REGISTRY_USER_INFO_CONFIG).value();
        return info == null || info.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(info);
    }
}
