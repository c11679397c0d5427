package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.contract.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the ledger streams app ({@link LedgerApp}). Every problem is reported at once as a
 * {@link cn.tianfu.databus.config.DatabusConfigException}. Keys starting with {@code streams.} are passed to
 * Kafka Streams without the prefix (e.g. {@code streams.num.stream.threads=2}).
 */
public final class LedgerConfig extends StreamsAppConfig {

    private static final String STATE_DIR_DOC = "Directory of the app's local state (chain heads); it is rebuilt from"
            + " its changelog when lost.";
    private static final String DATA_DIR_DOC = "The bus's data directory; the checkpoint signing key is read from"
            + " (or created in) its keys/ sub-directory.";

    public static final String CHECKPOINT_EVERY_ENTRIES_CONFIG = "ledger.checkpoint.every.entries";
    private static final String CHECKPOINT_EVERY_ENTRIES_DOC = "A partition's chain head is signed after this many new"
            + " entries at the latest.";

    public static final String CHECKPOINT_INTERVAL_MS_CONFIG = "ledger.checkpoint.interval.ms";
    private static final String CHECKPOINT_INTERVAL_MS_DOC = "A partition with entries not yet covered by a checkpoint"
            + " gets one after this long (wall-clock time) at the latest.";

    public static final String DEDUP_RETENTION_MS_CONFIG = "ledger.dedup.retention.ms";
    private static final String DEDUP_RETENTION_MS_DOC = "How long exchange ids are remembered (by their entry time) so"
            + " that an id staged twice is chained once. Should cover the staging topic's retention.";

    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "ledger.heartbeat.interval.ms";
    private static final String HEARTBEAT_INTERVAL_MS_DOC = "Every partition's chain head is signed again after this"
            + " long (wall-clock time) without a checkpoint, even with no new entries: the heartbeat an auditor checks"
            + " to tell an idle log from one whose tail was cut ('audit verify --heartbeat' must not be shorter).";

    public static final String STAGING_TOPIC_CONFIG = "ledger.staging.topic";
    public static final String LOG_TOPIC_CONFIG = "ledger.log.topic";
    public static final String CHECKPOINT_TOPIC_CONFIG = "ledger.checkpoint.topic";
    private static final String TOPIC_DOC = "Topic name; change only to run a second ledger on copies of the topics.";

    /** The ledger's Kafka Streams application id unless {@code application.id} says otherwise. */
    public static final String DEFAULT_APPLICATION_ID = "databus-ledger";

    private static final ConfigDef CONFIG = baseDef(DEFAULT_APPLICATION_ID, STATE_DIR_DOC, DATA_DIR_DOC)
            .define(CHECKPOINT_EVERY_ENTRIES_CONFIG, Type.LONG, 1000L, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, CHECKPOINT_EVERY_ENTRIES_DOC)
            .define(CHECKPOINT_INTERVAL_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100),
                    Importance.MEDIUM, CHECKPOINT_INTERVAL_MS_DOC)
            .define(DEDUP_RETENTION_MS_CONFIG, Type.LONG, Duration.ofDays(7).toMillis(),
                    ConfigDef.Range.atLeast(60_000), Importance.LOW, DEDUP_RETENTION_MS_DOC)
            .define(HEARTBEAT_INTERVAL_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(100),
                    Importance.MEDIUM, HEARTBEAT_INTERVAL_MS_DOC)
            .define(STAGING_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG_STAGING, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_DOC)
            .define(LOG_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_DOC)
            .define(CHECKPOINT_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG_CHECKPOINTS,
                    new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_DOC);

    private LedgerConfig(Map<String, ?> props) {
        super(CONFIG, props);
    }

    /**
     * Validates and parses {@code props}.
     *
     * @throws cn.tianfu.databus.config.DatabusConfigException listing every problem
     */
    public static LedgerConfig fromMap(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        for (String topicKey : new String[] {STAGING_TOPIC_CONFIG, LOG_TOPIC_CONFIG, CHECKPOINT_TOPIC_CONFIG}) {
            for (String other : new String[] {STAGING_TOPIC_CONFIG, LOG_TOPIC_CONFIG, CHECKPOINT_TOPIC_CONFIG}) {
                if (topicKey.compareTo(other) < 0 && problems.isValid(topicKey) && problems.isValid(other)
                        && problems.parsed(topicKey).equals(problems.parsed(other))) {
                    problems.add(topicKey + " and " + other + " must name different topics");
                }
            }
        }
        checkShared(problems);
        problems.throwIfAny("ledger");
        return new LedgerConfig(props);
    }

    /** The declared keys, with types, defaults and docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public long checkpointEveryEntries() {
        return getLong(CHECKPOINT_EVERY_ENTRIES_CONFIG);
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(getLong(CHECKPOINT_INTERVAL_MS_CONFIG));
    }

    public Duration dedupRetention() {
        return Duration.ofMillis(getLong(DEDUP_RETENTION_MS_CONFIG));
    }

    public Duration heartbeatInterval() {
        return Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    public String stagingTopic() {
        return getString(STAGING_TOPIC_CONFIG);
    }

    public String logTopic() {
        return getString(LOG_TOPIC_CONFIG);
    }

    public String checkpointTopic() {
        return getString(CHECKPOINT_TOPIC_CONFIG);
    }
}
