package cn.tianfu.databus.governance.app;

import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * Configuration of the governance app: the keys every streams app shares ({@link StreamsAppConfig}) and the
 * partitions and replication of the topics governance creates. Every problem is reported at once
 * ({@link DatabusConfigException}).
 *
 * <pre>{@code
 * GovernanceConfig config = GovernanceConfig.fromMap(Map.of(
 *         "bootstrap.servers", "localhost:9092",
 *         "schema.registry.url", "http://localhost:8081",
 *         "state.dir", "/var/lib/databus/governance",
 *         "streams.num.stream.threads", "2"));          // any streams.* key goes to Kafka Streams
 * KafkaStreams app = GovernanceApp.create(config);
 * }</pre>
 */
public final class GovernanceConfig extends StreamsAppConfig {

    private static final String STATE_DIR_DOC = "Directory of the app's local state stores (rebuilt from their changelogs"
            + " when missing).";

    public static final String APPLICATION_ID_DEFAULT = "databus-governance";

    public static final String TOPIC_PARTITIONS_CONFIG = "governance.topic.partitions";
    private static final String TOPIC_PARTITIONS_DOC = "Partitions of the src.<dept>.<code> topics governance creates on"
            + " registration, and of its commands-by-resource repartition topic (fixed once the app has run).";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "governance.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics governance creates and"
            + " of its internal topics.";

    private static final ConfigDef CONFIG = baseDef(APPLICATION_ID_DEFAULT, STATE_DIR_DOC)
            .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 2, ConfigDef.Range.atLeast(1), Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    TOPIC_REPLICATION_FACTOR_DOC);

    /**
     * As {@link #fromMap(Map)}.
     *
     * @throws DatabusConfigException listing every problem of {@code props}
     */
    public GovernanceConfig(Map<String, ?> props) {
        super(CONFIG, checked(props));
    }

    /**
     * Validates {@code props}, reporting every problem at once.
     *
     * @throws DatabusConfigException listing every problem
     */
    public static GovernanceConfig fromMap(Map<String, ?> props) {
        return new GovernanceConfig(props);
    }

    private static Map<String, ?> checked(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        checkShared(problems);
        problems.throwIfAny("governance");
        return props;
    }

    /** The declared keys, for documentation. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS_CONFIG);
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
    }
}
