package cn.tianfu.databus.deadlines.app;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * Configuration of the deadlines app: the keys every streams app shares ({@link StreamsAppConfig}) and how often the
 * open duties are checked against the clock. Every problem is reported at once ({@link DatabusConfigException}).
 *
 * <pre>{@code
 * DeadlinesConfig config = DeadlinesConfig.fromMap(Map.of(
 *         "bootstrap.servers", "localhost:9092",
 *         "schema.registry.url", "http://localhost:8081",
 *         "state.dir", "/var/lib/databus/streams"));
 * KafkaStreams app = DeadlinesApp.create(config);
 * }</pre>
 */
public final class DeadlinesConfig extends StreamsAppConfig {

    private static final String STATE_DIR_DOC = "Directory of the app's local state stores (rebuilt from their changelogs"
            + " and from bus.violations when missing).";

    public static final String APPLICATION_ID_DEFAULT = "databus-deadlines";

    public static final String CHECK_INTERVAL_CONFIG = "deadlines.check.interval.ms";
    private static final String CHECK_INTERVAL_DOC = "How often (wall-clock) every open duty is checked against the"
            + " clock; a reminder or violation is raised at most this late.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "deadlines.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the app's internal topics (its"
            + " duties store's changelog).";

    private static final ConfigDef CONFIG = baseDef(APPLICATION_ID_DEFAULT, STATE_DIR_DOC)
            .define(CHECK_INTERVAL_CONFIG, Type.LONG, 30_000L, ConfigDef.Range.between(100L, 3_600_000L),
                    Importance.MEDIUM, CHECK_INTERVAL_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC);

    /**
     * As {@link #fromMap(Map)}.
     *
     * @throws DatabusConfigException listing every problem of {@code props}
     */
    public DeadlinesConfig(Map<String, ?> props) {
        super(CONFIG, checked(props));
    }

    /**
     * Validates {@code props}, reporting every problem at once.
     *
     * @throws DatabusConfigException listing every problem
     */
    public static DeadlinesConfig fromMap(Map<String, ?> props) {
        return new DeadlinesConfig(props);
    }

    private static Map<String, ?> checked(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        checkShared(problems);
        problems.throwIfAny("deadlines");
        return props;
    }

    /** The declared keys, for documentation. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public Duration checkInterval() {
        return Duration.ofMillis(getLong(CHECK_INTERVAL_CONFIG));
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR_CONFIG);
    }
}
