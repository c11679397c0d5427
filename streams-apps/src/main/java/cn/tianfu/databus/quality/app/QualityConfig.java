package cn.tianfu.databus.quality.app;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.quality.QualityThresholds;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * Configuration of the quality app: the keys every streams app shares ({@link StreamsAppConfig}), how often the
 * resources are evaluated, and the thresholds below which a resource's quality is a violation (Art. 46(二)). Every
 * problem is reported at once ({@link DatabusConfigException}).
 *
 * <pre>{@code
 * QualityConfig config = QualityConfig.fromMap(Map.of(
 *         "bootstrap.servers", "localhost:9092",
 *         "schema.registry.url", "http://localhost:8081",
 *         "state.dir", "/var/lib/databus/streams",
 *         "quality.threshold.validity", "0.99"));
 * KafkaStreams app = QualityApp.create(config);
 * }</pre>
 */
public final class QualityConfig extends StreamsAppConfig {

    private static final String STATE_DIR_DOC = "Directory of the app's local state stores (rebuilt from their changelogs"
            + " when missing).";

    public static final String APPLICATION_ID_DEFAULT = "databus-quality";

    public static final String CHECK_INTERVAL_CONFIG = "quality.check.interval.ms";
    private static final String CHECK_INTERVAL_DOC = "How often (wall-clock) every resource is evaluated against the"
            + " clock and its scores published on bus.quality when they changed.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "quality.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the app's internal topics (its"
            + " stores' changelogs and its repartition topic).";

    public static final String THRESHOLD_PREFIX = "quality.threshold.";
    public static final String THRESHOLD_OVERALL_CONFIG = THRESHOLD_PREFIX + "overall";
    public static final String THRESHOLD_COMPLETENESS_CONFIG = THRESHOLD_PREFIX + "completeness";
    public static final String THRESHOLD_VALIDITY_CONFIG = THRESHOLD_PREFIX + "validity";
    public static final String THRESHOLD_TIMELINESS_CONFIG = THRESHOLD_PREFIX + "timeliness";
    public static final String THRESHOLD_AVAILABILITY_CONFIG = THRESHOLD_PREFIX + "availability";
    private static final String THRESHOLD_DOC = " score (0 to 1) a resource must keep; below it the resource's"
            + " provider is found in breach of Art. 46(二) (0 never breaches).";

    private static final ConfigDef CONFIG = baseDef(APPLICATION_ID_DEFAULT, STATE_DIR_DOC)
            .define(CHECK_INTERVAL_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.between(100L, 86_400_000L),
                    Importance.MEDIUM, CHECK_INTERVAL_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) 1, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC)
            .define(THRESHOLD_OVERALL_CONFIG, Type.DOUBLE, 0.6, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "The least overall" + THRESHOLD_DOC)
            .define(THRESHOLD_COMPLETENESS_CONFIG, Type.DOUBLE, 0.9, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "The least completeness" + THRESHOLD_DOC)
            .define(THRESHOLD_VALIDITY_CONFIG, Type.DOUBLE, 0.95, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "The least validity" + THRESHOLD_DOC)
            .define(THRESHOLD_TIMELINESS_CONFIG, Type.DOUBLE, 0.5, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "The least timeliness" + THRESHOLD_DOC)
            .define(THRESHOLD_AVAILABILITY_CONFIG, Type.DOUBLE, 0.9, ConfigDef.Range.between(0.0, 1.0), Importance.MEDIUM,
                    "The least availability" + THRESHOLD_DOC);

    /**
     * As {@link #fromMap(Map)}.
     *
     * @throws DatabusConfigException listing every problem of {@code props}
     */
    public QualityConfig(Map<String, ?> props) {
        super(CONFIG, checked(props));
    }

    /**
     * Validates {@code props}, reporting every problem at once.
     *
     * @throws DatabusConfigException listing every problem
     */
    public static QualityConfig fromMap(Map<String, ?> props) {
        return new QualityConfig(props);
    }

    private static Map<String, ?> checked(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        checkShared(problems);
        problems.throwIfAny("quality");
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

    /** The {@code quality.threshold.*} keys. */
    public QualityThresholds thresholds() {
        return new QualityThresholds(getDouble(THRESHOLD_OVERALL_CONFIG), getDouble(THRESHOLD_COMPLETENESS_CONFIG),
                getDouble(THRESHOLD_VALIDITY_CONFIG), getDouble(THRESHOLD_TIMELINESS_CONFIG),
                getDouble(THRESHOLD_AVAILABILITY_CONFIG));
    }
}
