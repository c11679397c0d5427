package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * Configuration of the sharing router, and of the exchange log it chains ({@code ledger.*} keys: checkpoints,
 * heartbeat, id store, topics; the signing key is kept under {@code data.dir}/keys). Every problem is reported at once as a
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
public final class RouterConfig extends StreamsAppConfig {

    public static final String APPLICATION_ID_DEFAULT = "databus-sharing-router";
    private static final String STATE_DIR_DOC = "Directory of the router's local state stores, chain heads included"
            + " (rebuilt from their changelogs when lost).";
    private static final String DATA_DIR_DOC = "The bus's data directory: the key-hash secret and the exchange log's"
            + " checkpoint signing key are kept under <data.dir>/keys.";

    public static final String BACKFILL_CHECK_INTERVAL_MS_CONFIG = "router.backfill.check.interval.ms";
    private static final String BACKFILL_CHECK_INTERVAL_MS_DOC = "How often (wall clock) each task looks for grants in"
            + " force that it has not backfilled yet (new grants, or grants whose validity has just begun).";

    public static final String BACKFILL_STEP_INTERVAL_MS_CONFIG = "router.backfill.step.interval.ms";
    private static final String BACKFILL_STEP_INTERVAL_MS_DOC = "How often (wall clock) each task backfills one chunk"
            + " of the grants it is backfilling; each chunk is followed by a commit, so it is one transaction.";

    public static final String BACKFILL_CHUNK_RECORDS_CONFIG = "router.backfill.chunk.records";
    private static final String BACKFILL_CHUNK_RECORDS_DOC = "At most this many records are read per backfill or"
            + " withdrawal chunk (per task, all grants together); bounds the memory and the size of the chunk's transaction.";

    public static final String BACKFILL_CHUNK_MAX_MS_CONFIG = "router.backfill.chunk.max.ms";
    private static final String BACKFILL_CHUNK_MAX_MS_DOC = "A backfill chunk stops after this much time even if it has"
            + " read fewer than " + BACKFILL_CHUNK_RECORDS_CONFIG + " records; keep it well under"
            + " transaction.timeout.ms.";

    public static final String DELIVERY_PARTITIONS_CONFIG = "router.delivery.topic.partitions";
    private static final String DELIVERY_PARTITIONS_DOC = "Partitions of a delivery topic the router creates.";

    public static final String DELIVERY_REPLICATION_CONFIG = "router.delivery.topic.replication.factor";
    private static final String DELIVERY_REPLICATION_DOC = "Replication factor of a delivery topic the router creates;"
            + " -1 for the broker's default.";

    public static final String TIER_DISTRICTS_CONFIG = "router.tier.districts";
    private static final String TIER_DISTRICTS_DOC = "Department ids that are district buses linked to this bus"
            + " ('databus tier link', docs/tiers.md). Only on their source topics is a record's databus.exchange-id"
            + " header taken as the district's exchange id (the entry's upstreamExchangeId); on any other department's"
            + " topic the header is ignored, counted and logged.";

    public static final String CHECKPOINT_EVERY_ENTRIES_CONFIG = "ledger.checkpoint.every.entries";
    private static final String CHECKPOINT_EVERY_ENTRIES_DOC = "A partition's chain head is signed after this many new"
            + " entries at the latest.";

    public static final String CHECKPOINT_INTERVAL_MS_CONFIG = "ledger.checkpoint.interval.ms";
    private static final String CHECKPOINT_INTERVAL_MS_DOC = "A partition with entries not yet covered by a checkpoint"
            + " gets one after this long (wall-clock time) at the latest.";

    public static final String DEDUP_RETENTION_MS_CONFIG = "ledger.dedup.retention.ms";
    private static final String DEDUP_RETENTION_MS_DOC = "How long exchange ids of staged entries are remembered (by"
            + " their entry time) so that an id staged twice is chained once. Should cover the staging topic's retention.";

    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "ledger.heartbeat.interval.ms";
    private static final String HEARTBEAT_INTERVAL_MS_DOC = "Every partition's chain head is signed again after this"
            + " long (wall-clock time) without a checkpoint, even with no new entries: the heartbeat an auditor checks"
            + " to tell an idle log from one whose tail was cut ('audit verify --heartbeat' must not be shorter).";

    public static final String STAGING_TOPIC_CONFIG = "ledger.staging.topic";
    public static final String LOG_TOPIC_CONFIG = "ledger.log.topic";
    public static final String CHECKPOINT_TOPIC_CONFIG = "ledger.checkpoint.topic";
    private static final String TOPIC_DOC = "Topic name; change only to run a second bus's exchange log on copies of"
            + " the topics.";
    private static final String[] TOPIC_KEYS = {STAGING_TOPIC_CONFIG, LOG_TOPIC_CONFIG, CHECKPOINT_TOPIC_CONFIG};

    private static final ConfigDef CONFIG = baseDef(APPLICATION_ID_DEFAULT, STATE_DIR_DOC, DATA_DIR_DOC)
            .define(BACKFILL_CHECK_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.atLeast(10), Importance.MEDIUM, BACKFILL_CHECK_INTERVAL_MS_DOC)
            .define(BACKFILL_STEP_INTERVAL_MS_CONFIG, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW, BACKFILL_STEP_INTERVAL_MS_DOC)
            .define(BACKFILL_CHUNK_RECORDS_CONFIG, Type.INT, 2_000, ConfigDef.Range.atLeast(1), Importance.LOW, BACKFILL_CHUNK_RECORDS_DOC)
            .define(BACKFILL_CHUNK_MAX_MS_CONFIG, Type.LONG, 1_000L, ConfigDef.Range.atLeast(1), Importance.LOW, BACKFILL_CHUNK_MAX_MS_DOC)
            .define(DELIVERY_PARTITIONS_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(1), Importance.LOW, DELIVERY_PARTITIONS_DOC)
            .define(DELIVERY_REPLICATION_CONFIG, Type.SHORT, (short) -1, Importance.LOW, DELIVERY_REPLICATION_DOC)
            .define(TIER_DISTRICTS_CONFIG, Type.LIST, List.of(), Importance.MEDIUM, TIER_DISTRICTS_DOC)
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

    private RouterConfig(Map<String, ?> props) {
        super(CONFIG, props);
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
        for (String topicKey : TOPIC_KEYS) {
            for (String other : TOPIC_KEYS) {
                if (topicKey.compareTo(other) < 0 && problems.isValid(topicKey) && problems.isValid(other)
                        && problems.parsed(topicKey).equals(problems.parsed(other))) {
                    problems.add(topicKey + " and " + other + " must name different topics");
                }
            }
        }
        checkShared(problems);
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

    public long backfillCheckIntervalMs() {
        return getLong(BACKFILL_CHECK_INTERVAL_MS_CONFIG);
    }

    public long backfillStepIntervalMs() {
        return getLong(BACKFILL_STEP_INTERVAL_MS_CONFIG);
    }

    public int backfillChunkRecords() {
        return getInt(BACKFILL_CHUNK_RECORDS_CONFIG);
    }

    public long backfillChunkMaxMs() {
        return getLong(BACKFILL_CHUNK_MAX_MS_CONFIG);
    }

    public int deliveryPartitions() {
        return getInt(DELIVERY_PARTITIONS_CONFIG);
    }

    public short deliveryReplicationFactor() {
        return getShort(DELIVERY_REPLICATION_CONFIG);
    }

    public Set<String> tierDistricts() {
        return Set.copyOf(getList(TIER_DISTRICTS_CONFIG));
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
