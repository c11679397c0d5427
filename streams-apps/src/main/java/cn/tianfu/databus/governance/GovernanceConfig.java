package cn.tianfu.databus.governance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.serde.AvroSerdeConfig;

/**
 * Configuration of the governance app. Every problem is reported at once ({@link DatabusConfigException}).
 *
 * <pre>{@code
 * GovernanceConfig config = new GovernanceConfig(Map.of(
 *         "bootstrap.servers", "localhost:9092",
 *         "schema.registry.url", "http://localhost:8081",
 *         "state.dir", "/var/lib/databus/governance",
 *         "streams.num.stream.threads", "2"));          // any streams.* key goes to Kafka Streams
 * KafkaStreams app = GovernanceApp.create(config);
 * }</pre>
 */
public final class GovernanceConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;
    private static final String BOOTSTRAP_SERVERS_DOC = "host:port of one or more brokers of the bus, comma-separated.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG;
    private static final String SCHEMA_REGISTRY_URL_DOC = "URL(s) of the bus's schema registry, comma-separated.";

    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String REGISTRY_USER_INFO_DOC = "HTTP basic credentials for the schema registry as user:password"
            + " (on a secured bus, the bus's own principal: it registers schemas); empty for none.";

    public static final String STATE_DIR_CONFIG = StreamsConfig.STATE_DIR_CONFIG;
    private static final String STATE_DIR_DOC = "Directory of the app's local state stores (rebuilt from their changelogs"
            + " when missing).";

    public static final String APPLICATION_ID_CONFIG = StreamsConfig.APPLICATION_ID_CONFIG;
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: names the consumer group, the"
            + " transactional ids and the internal topics. Every instance of the governance app shares it.";
    public static final String APPLICATION_ID_DEFAULT = "databus-governance";

    public static final String TOPIC_PARTITIONS_CONFIG = "governance.topic.partitions";
    private static final String TOPIC_PARTITIONS_DOC = "Partitions of the src.<dept>.<code> topics governance creates on"
            + " registration, and of its commands-by-resource repartition topic (fixed once the app has run).";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "governance.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics governance creates and"
            + " of its internal topics.";

    /** Keys with this prefix are passed, without it, to Kafka Streams (and override the app's defaults). */
    public static final String STREAMS_PREFIX = "streams.";

    private static final ConfigDef.Validator NOT_EMPTY_LIST = (name, value) -> {
        if (value instanceof List<?> l && (l.isEmpty() || l.stream().anyMatch(s -> s.toString().isBlank()))) {
            throw new ConfigException(name + " is required");
        }
    };

    private static final ConfigDef.Validator NOT_BLANK = (name, value) -> {
        if (value instanceof String s && s.isBlank()) {
            throw new ConfigException(name + " must not be blank");
        }
    };

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REGISTRY_USER_INFO_DOC)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST, Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, NOT_BLANK, Importance.HIGH, STATE_DIR_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, APPLICATION_ID_DEFAULT, NOT_BLANK, Importance.MEDIUM, APPLICATION_ID_DOC)
            .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 2, ConfigDef.Range.atLeast(1), Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    TOPIC_REPLICATION_FACTOR_DOC);

    /**
     * @throws DatabusConfigException listing every problem of {@code props}
     */
    public GovernanceConfig(Map<String, ?> props) {
        super(CONFIG, checked(props), false);
    }

    private static Map<String, ?> checked(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        problems.throwIfAny("governance");
        return props;
    }

    /** The declared keys, for documentation. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public List<String> bootstrapServers() {
        return getList(BOOTSTRAP_SERVERS_CONFIG);
    }

    public List<String> registryUrls() {
        return getList(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public String stateDir() {
        return getString(STATE_DIR_CONFIG);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS_CONFIG);
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
    }

    /** Every {@code streams.}-prefixed key, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return new HashMap<>(originalsWithPrefix(STREAMS_PREFIX, true));
    }

    /** {@code user:password} for the schema registry, if set. */
    public java.util.Optional<String> registryUserInfo() {
        String info = getPassword(REGISTRY_USER_INFO_CONFIG).value();
        return info == null || info.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(info);
    }
}
