package cn.tianfu.databus.cdc;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import cn.tianfu.databus.client.ConfigProblems;

/**
 * Tuning of a {@link CdcRunner}; every key has a default fit for a department database.
 *
 * <pre>{@code
 * CdcConfig config = CdcConfig.fromMap(Map.of(CdcConfig.POLL_INTERVAL_MS_CONFIG, 100));
 * }</pre>
 */
public final class CdcConfig extends AbstractConfig {

    public static final String POLL_INTERVAL_MS_CONFIG = "cdc.poll.interval.ms";
    private static final String POLL_INTERVAL_MS_DOC = "How long the capture waits for new changes when it has none;"
            + " bounds the latency of an idle stream.";

    public static final String OFFSET_FLUSH_INTERVAL_MS_CONFIG = "cdc.offset.flush.interval.ms";
    private static final String OFFSET_FLUSH_INTERVAL_MS_DOC = "How often the runner records how far it has published;"
            + " after a hard stop at most this much is captured again (and dropped by the bus as replays).";

    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "cdc.heartbeat.interval.ms";
    private static final String HEARTBEAT_INTERVAL_MS_DOC = "How often an idle capture records its position, so a"
            + " PostgreSQL slot lets go of WAL while the mapped tables do not change. 0 disables.";

    public static final String SNAPSHOT_MODE_CONFIG = "cdc.snapshot.mode";
    private static final String SNAPSHOT_MODE_DOC = "initial: read the tables' current rows once, then stream changes"
            + " (the default); no_data: stream changes only, from now.";

    public static final String MAX_BATCH_SIZE_CONFIG = "cdc.max.batch.size";
    private static final String MAX_BATCH_SIZE_DOC = "At most this many changes are published per batch.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "cdc.topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the runner's offset and schema"
            + " history topics; -1 takes the brokers' default.";

    public static final String METRICS_PORT_CONFIG = "cdc.metrics.port";
    private static final String METRICS_PORT_DOC = "Port of the runner's /metrics (Prometheus text format: per table the"
            + " changes captured, published and dead-lettered, and the lag from the database commit to the bus's"
            + " acknowledgement); -1 serves none, 0 any free port.";

    public static final String METRICS_HOST_CONFIG = "cdc.metrics.host";
    private static final String METRICS_HOST_DOC = "Address the runner's /metrics listens on (when cdc.metrics.port is"
            + " set): loopback by default, since it has no authentication; 0.0.0.0 for every interface.";

    public static final List<String> SNAPSHOT_MODES = List.of("initial", "no_data");

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(POLL_INTERVAL_MS_CONFIG, Type.LONG, 100L, ConfigDef.Range.between(10, 60_000), Importance.MEDIUM, POLL_INTERVAL_MS_DOC)
            .define(OFFSET_FLUSH_INTERVAL_MS_CONFIG, Type.LONG, 1_000L, ConfigDef.Range.between(100, 600_000), Importance.MEDIUM,
                    OFFSET_FLUSH_INTERVAL_MS_DOC)
            .define(HEARTBEAT_INTERVAL_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW, HEARTBEAT_INTERVAL_MS_DOC)
            .define(SNAPSHOT_MODE_CONFIG, Type.STRING, "initial", ConfigDef.ValidString.in(SNAPSHOT_MODES.toArray(String[]::new)),
                    Importance.MEDIUM, SNAPSHOT_MODE_DOC)
            .define(MAX_BATCH_SIZE_CONFIG, Type.INT, 2048, ConfigDef.Range.between(1, 100_000), Importance.LOW, MAX_BATCH_SIZE_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.INT, -1, ConfigDef.Range.between(-1, Short.MAX_VALUE), Importance.LOW, TOPIC_REPLICATION_FACTOR_DOC)
            .define(METRICS_PORT_CONFIG, Type.INT, -1, ConfigDef.Range.between(-1, 65_535), Importance.MEDIUM, METRICS_PORT_DOC)
            .define(METRICS_HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW, METRICS_HOST_DOC);

    private CdcConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
    }

    /** A config from {@code props}, every problem reported at once. */
    public static CdcConfig fromMap(Map<String, ?> props) {
        ConfigProblems.check(CONFIG, props).throwIfAny("cdc");
        return new CdcConfig(props);
    }

    /** All defaults. */
    public static CdcConfig defaults() {
        return fromMap(Map.of());
    }

    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public long pollIntervalMs() {
        return getLong(POLL_INTERVAL_MS_CONFIG);
    }

    public long offsetFlushIntervalMs() {
        return getLong(OFFSET_FLUSH_INTERVAL_MS_CONFIG);
    }

    public long heartbeatIntervalMs() {
        return getLong(HEARTBEAT_INTERVAL_MS_CONFIG);
    }

    public String snapshotMode() {
        return getString(SNAPSHOT_MODE_CONFIG);
    }

    public int maxBatchSize() {
        return getInt(MAX_BATCH_SIZE_CONFIG);
    }

    public short topicReplicationFactor() {
        return getInt(TOPIC_REPLICATION_FACTOR_CONFIG).shortValue();
    }

    /** The port of the runner's /metrics; -1 when it serves none, 0 for any free port. */
    public int metricsPort() {
        return getInt(METRICS_PORT_CONFIG);
    }

    public String metricsHost() {
        return getString(METRICS_HOST_CONFIG);
    }
}
