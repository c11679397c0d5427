package cn.tianfu.databus.dr;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import cn.tianfu.databus.contract.Topics;

/**
 * Configuration of the disaster-recovery replication ({@code databus dr start}): which topics and consumer groups
 * MirrorMaker 2 copies from the primary cluster to the disaster-recovery cluster, and how often it syncs. Keys
 * prefixed {@value #MM2_PREFIX} are passed, without the prefix, to MirrorMaker 2 itself (its own keys win over
 * nothing the bus sets: the bus's settings are applied last only where they are what the bus depends on).
 */
public final class DrConfig extends AbstractConfig {

    public static final String SOURCE_ALIAS_CONFIG = "dr.source.alias";
    private static final String SOURCE_ALIAS_DOC = "MirrorMaker 2's name of the primary cluster: it names MirrorMaker's"
            + " internal topics on the disaster-recovery cluster (mm2-offsets.<alias>.internal, <alias>.checkpoints.internal).";
    public static final String TARGET_ALIAS_CONFIG = "dr.target.alias";
    private static final String TARGET_ALIAS_DOC = "MirrorMaker 2's name of the disaster-recovery cluster.";
    public static final String TOPICS_CONFIG = "dr.topics";
    private static final String TOPICS_DOC = "Regular expressions of the topics replicated, under the same names"
            + " (identity replication policy): every bus topic, the registry's, and the streams apps' state changelogs.";
    public static final String GROUPS_CONFIG = "dr.groups";
    private static final String GROUPS_DOC = "Regular expressions of the consumer groups whose committed offsets are"
            + " translated and written on the disaster-recovery cluster (departments' subscribers, the streams apps).";
    public static final String SYNC_INTERVAL_SECONDS_CONFIG = "dr.sync.interval.seconds";
    private static final String SYNC_INTERVAL_SECONDS_DOC = "How often consumer-group offsets are checkpointed and"
            + " synced, new topics and groups picked up, and MirrorMaker's own progress committed.";
    public static final String OFFSET_LAG_MAX_CONFIG = "dr.offset.lag.max";
    private static final String OFFSET_LAG_MAX_DOC = "An offset sync is written at least every this many records of"
            + " a partition: a synced consumer group on the disaster-recovery cluster resumes at most this many records"
            + " (plus those since the last group sync) before where it stopped on the primary.";
    public static final String REPLICATION_FACTOR_CONFIG = "dr.replication.factor";
    private static final String REPLICATION_FACTOR_DOC = "Replication factor of the topics MirrorMaker creates on the"
            + " disaster-recovery cluster and of its internal topics; -1: decided from that cluster's size as 'databus init' decides.";
    public static final String TASKS_MAX_CONFIG = "dr.tasks.max";
    private static final String TASKS_MAX_DOC = "MirrorMaker tasks of each connector (more spread partitions over threads).";
    public static final String STATUS_TIMEOUT_MS_CONFIG = "dr.status.timeout.ms";
    private static final String STATUS_TIMEOUT_MS_DOC = "How long 'dr status' waits for a cluster before reporting it unreachable.";
    public static final String BACKUP_LAG_MAX_CONFIG = "dr.backup.lag.max";
    private static final String BACKUP_LAG_MAX_DOC = "The backup duty (Art. 46(八)): a shared resource whose replication"
            + " lag (records of its source, delivery and open-data topics not yet on the disaster-recovery cluster) stays"
            + " above this many records for dr.backup.lag.grace.seconds raises a violation on bus.violations.";
    public static final String BACKUP_LAG_GRACE_SECONDS_CONFIG = "dr.backup.lag.grace.seconds";
    private static final String BACKUP_LAG_GRACE_SECONDS_DOC = "How long a resource's replication lag may stay above"
            + " dr.backup.lag.max before the backup duty is violated.";
    public static final String BACKUP_CHECK_SECONDS_CONFIG = "dr.backup.check.seconds";
    private static final String BACKUP_CHECK_SECONDS_DOC = "How often 'dr start' checks the backup duty of every shared"
            + " resource on the primary (its topics replicated, its lag within dr.backup.lag.max); 0: not checked.";
    /** Prefix of keys handed to MirrorMaker 2 unchanged. */
    public static final String MM2_PREFIX = "mm2.";

    /** The bus's topics, by the prefixes and names of {@link Topics}, and the streams apps' state changelogs. */
    public static final List<String> DEFAULT_TOPICS = List.of(
            Pattern.quote(Topics.SOURCE_PREFIX) + ".*",
            Pattern.quote(Topics.DELIVERY_PREFIX) + ".*",
            Pattern.quote(Topics.COMMAND_PREFIX) + ".*",
            Pattern.quote(Topics.REPLY_PREFIX) + ".*",
            Pattern.quote(Topics.OPEN_PREFIX) + ".*",
            "bus\\..*",
            Pattern.quote(Topics.SCHEMAS),
            "databus-.*-changelog");

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(SOURCE_ALIAS_CONFIG, Type.STRING, "primary", aliasValidator(), Importance.LOW, SOURCE_ALIAS_DOC)
            .define(TARGET_ALIAS_CONFIG, Type.STRING, "dr", aliasValidator(), Importance.LOW, TARGET_ALIAS_DOC)
            .define(TOPICS_CONFIG, Type.LIST, DEFAULT_TOPICS, regexValidator(), Importance.MEDIUM, TOPICS_DOC)
            .define(GROUPS_CONFIG, Type.LIST, List.of(".*"), regexValidator(), Importance.MEDIUM, GROUPS_DOC)
            .define(SYNC_INTERVAL_SECONDS_CONFIG, Type.INT, 5, Range.between(1, 3600), Importance.MEDIUM, SYNC_INTERVAL_SECONDS_DOC)
            .define(OFFSET_LAG_MAX_CONFIG, Type.LONG, 10L, Range.atLeast(0), Importance.LOW, OFFSET_LAG_MAX_DOC)
            .define(REPLICATION_FACTOR_CONFIG, Type.INT, -1, Range.between(-1, Short.MAX_VALUE), Importance.MEDIUM,
                    REPLICATION_FACTOR_DOC)
            .define(TASKS_MAX_CONFIG, Type.INT, 1, Range.between(1, 64), Importance.LOW, TASKS_MAX_DOC)
            .define(STATUS_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW, STATUS_TIMEOUT_MS_DOC)
            .define(BACKUP_LAG_MAX_CONFIG, Type.LONG, 10_000L, Range.atLeast(0), Importance.MEDIUM, BACKUP_LAG_MAX_DOC)
            .define(BACKUP_LAG_GRACE_SECONDS_CONFIG, Type.INT, 300, Range.between(0, 86_400), Importance.MEDIUM,
                    BACKUP_LAG_GRACE_SECONDS_DOC)
            .define(BACKUP_CHECK_SECONDS_CONFIG, Type.INT, 60, Range.between(0, 86_400), Importance.LOW,
                    BACKUP_CHECK_SECONDS_DOC);

    /**
     * @throws ConfigException naming the first invalid key
     */
    public DrConfig(Map<?, ?> props) {
        super(CONFIG, props);
        if (sourceAlias().equals(targetAlias())) {
            throw new ConfigException(TARGET_ALIAS_CONFIG, targetAlias(), "must differ from " + SOURCE_ALIAS_CONFIG);
        }
    }

    /** The key table, for generated docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public String sourceAlias() {
        return getString(SOURCE_ALIAS_CONFIG);
    }

    public String targetAlias() {
        return getString(TARGET_ALIAS_CONFIG);
    }

    public List<String> topics() {
        return getList(TOPICS_CONFIG);
    }

    /** One pattern matching every replicated topic name. */
    public Pattern topicPattern() {
        return Pattern.compile(String.join("|", topics()));
    }

    public List<String> groups() {
        return getList(GROUPS_CONFIG);
    }

    public int syncIntervalSeconds() {
        return getInt(SYNC_INTERVAL_SECONDS_CONFIG);
    }

    public long offsetLagMax() {
        return getLong(OFFSET_LAG_MAX_CONFIG);
    }

    /** The configured replication factor, or -1 to decide it from the cluster. */
    public int replicationFactor() {
        return getInt(REPLICATION_FACTOR_CONFIG);
    }

    public int tasksMax() {
        return getInt(TASKS_MAX_CONFIG);
    }

    public long statusTimeoutMs() {
        return getLong(STATUS_TIMEOUT_MS_CONFIG);
    }

    public long backupLagMax() {
        return getLong(BACKUP_LAG_MAX_CONFIG);
    }

    public int backupLagGraceSeconds() {
        return getInt(BACKUP_LAG_GRACE_SECONDS_CONFIG);
    }

    /** Seconds between checks of the backup duty, 0 when not checked. */
    public int backupCheckSeconds() {
        return getInt(BACKUP_CHECK_SECONDS_CONFIG);
    }

    /**
     * The configuration of the way back (failback): the same keys with the aliases swapped, so MirrorMaker's internal
     * topics on the primary are named after the disaster-recovery cluster and nothing of the outward flow is reused.
     */
    public DrConfig reversed() {
        Map<String, Object> m = new HashMap<>(originals());
        m.put(SOURCE_ALIAS_CONFIG, targetAlias());
        m.put(TARGET_ALIAS_CONFIG, sourceAlias());
        // mm2.<source>->... keys name the flow: turned round with it
        String outward = sourceAlias() + "->" + targetAlias() + ".";
        String back = targetAlias() + "->" + sourceAlias() + ".";
        for (String k : new java.util.ArrayList<>(m.keySet())) {
            if (k.startsWith(MM2_PREFIX + outward)) {
                m.put(MM2_PREFIX + back + k.substring(MM2_PREFIX.length() + outward.length()), m.remove(k));
            }
        }
        return new DrConfig(m);
    }

    /** The {@value #MM2_PREFIX} keys without their prefix. */
    public Map<String, String> mirrorMakerOverrides() {
        Map<String, String> m = new HashMap<>();
        originalsWithPrefix(MM2_PREFIX).forEach((k, v) -> m.put(k, String.valueOf(v)));
        return m;
    }

    private static ConfigDef.Validator aliasValidator() {
        return (name, value) -> {
            if (value == null || !String.valueOf(value).matches("[a-z][a-z0-9-]{0,31}")) {
                throw new ConfigException(name, value, "a cluster alias: lower-case letters, digits and '-', e.g. primary");
            }
        };
    }

    private static ConfigDef.Validator regexValidator() {
        return (name, value) -> {
            List<?> list = (List<?>) value;
            if (list == null || list.isEmpty()) {
                throw new ConfigException(name, value, "give at least one regular expression");
            }
            for (Object o : list) {
                try {
                    Pattern.compile(String.valueOf(o));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(name, o, "not a regular expression: " + e.getDescription());
                }
            }
        };
    }
}
