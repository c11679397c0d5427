package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.config.ConfigProblems;
import cn.tianfu.databus.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the ledger streams app ({@link LedgerApp}). Every problem is reported at once as a
 * {@link cn.tianfu.databus.config.DatabusConfigException}. Keys starting with {@value #STREAMS_PREFIX} are passed to
 * Kafka Streams without the prefix (e.g. {@code streams.num.stream.threads=2}).
 */
public final class LedgerConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...].";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "The schema registry the exchange-log records are written with.";

    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String REGISTRY_USER_INFO_DOC = "HTTP basic credentials for the schema registry as user:password"
            + " (on a secured bus, the bus's own principal: it registers schemas); empty for none.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC = "Directory of the app's local state (chain heads); it is rebuilt from"
            + " its changelog when lost.";

    public static final String DATA_DIR_CONFIG = "data.dir";
    private static final String DATA_DIR_DOC = "The bus's data directory; the checkpoint signing key is read from"
            + " (or created in) its keys/ sub-directory.";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id (consumer group, transactional ids,"
            + " changelog topic prefix).";

    public static final String CHECKPOINT_EVERY_ENTRIES_CONFIG = "ledger.checkpoint.every.entries";
    private static final String CHECKPOINT_EVERY_ENTRIES_DOC = "A partition's chain head is signed after this many new"
            + " entries at the latest.";

    public static final String CHECKPOINT_INTERVAL_MS_CONFIG = "ledger.checkpoint.interval.ms";
    private static final String CHECKPOINT_INTERVAL_MS_DOC = "A partition with entries not yet covered by a checkpoint"
            + " gets one after this long (wall-clock time) at the latest.";

    public static final String DEDUP_RETENTION_MS_CONFIG = "ledger.dedup.retention.ms";
    private static final String DEDUP_RETENTION_MS_DOC = "How long exchange ids are remembered (by their entry time) so"
            + " that an id staged twice is chained once. Should cover the staging topic's retention.";

    public static final String STAGING_TOPIC_CONFIG = "ledger.staging.topic";
    public static final String LOG_TOPIC_CONFIG = "ledger.log.topic";
    public static final String CHECKPOINT_TOPIC_CONFIG = "ledger.checkpoint.topic";
    private static final String TOPIC_DOC = "Topic name; change only to run a second ledger on copies of the topics.";

    /** Prefix of keys passed through to Kafka Streams. */
    public static final String STREAMS_PREFIX = "streams.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REGISTRY_USER_INFO_DOC)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyString(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, STATE_DIR_DOC)
            .define(DATA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, DATA_DIR_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, "databus-ledger", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, APPLICATION_ID_DOC)
            .define(CHECKPOINT_EVERY_ENTRIES_CONFIG, Type.LONG, 1000L, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, CHECKPOINT_EVERY_ENTRIES_DOC)
            .define(CHECKPOINT_INTERVAL_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100),
                    Importance.MEDIUM, CHECKPOINT_INTERVAL_MS_DOC)
            .define(DEDUP_RETENTION_MS_CONFIG, Type.LONG, Duration.ofDays(7).toMillis(),
                    ConfigDef.Range.atLeast(60_000), Importance.LOW, DEDUP_RETENTION_MS_DOC)
            .define(STAGING_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG_STAGING, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_DOC)
            .define(LOG_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG, new ConfigDef.NonEmptyString(),
                    Importance.LOW, TOPIC_DOC)
            .define(CHECKPOINT_TOPIC_CONFIG, Type.STRING, Topics.EXCHANGE_LOG_CHECKPOINTS,
                    new ConfigDef.NonEmptyString(), Importance.LOW, TOPIC_DOC);

    private LedgerConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
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
        problems.throwIfAny("ledger");
        return new LedgerConfig(props);
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

    public long checkpointEveryEntries() {
        return getLong(CHECKPOINT_EVERY_ENTRIES_CONFIG);
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(getLong(CHECKPOINT_INTERVAL_MS_CONFIG));
    }

    public Duration dedupRetention() {
        return Duration.ofMillis(getLong(DEDUP_RETENTION_MS_CONFIG));
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

    /** The {@value #STREAMS_PREFIX} keys, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return originalsWithPrefix(STREAMS_PREFIX);
    }

    /** {@code user:password} for the schema registry, if set. */
    public java.util.Optional<String> registryUserInfo() {
        String info = getPassword(REGISTRY_USER_INFO_CONFIG).value();
        return info == null || info.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(info);
    }
}
