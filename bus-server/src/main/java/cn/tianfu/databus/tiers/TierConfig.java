package cn.tianfu.databus.tiers;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import cn.tianfu.databus.contract.Topics;

/**
 * Configuration of the link between a district bus and the city bus ({@code databus tier link}, docs/tiers.md): the
 * department id the city has on the district bus, the alias MirrorMaker 2 gives the city cluster, and how often the
 * link looks for new shared resources and grants. Keys prefixed {@value #MM2_PREFIX} are handed to MirrorMaker 2
 * without the prefix, after the link's own settings.
 */
public final class TierConfig extends AbstractConfig {

    public static final String CITY_DEPARTMENT_CONFIG = "tier.city.department";
    private static final String CITY_DEPARTMENT_DOC = "The department id of the city bus on the district bus: sharing a"
            + " resource upward is granting it to this department there, and the district's router delivers it to"
            + " dlv.<this id>.<resource>.";
    public static final String CITY_ALIAS_CONFIG = "tier.city.alias";
    private static final String CITY_ALIAS_DOC = "MirrorMaker 2's name of the city cluster (the district's is the"
            + " district name): it names MirrorMaker's internal topics on the city cluster.";
    public static final String SYNC_INTERVAL_SECONDS_CONFIG = "tier.sync.interval.seconds";
    private static final String SYNC_INTERVAL_SECONDS_DOC = "How often the link looks for resources newly shared"
            + " upward (and registers them on the city catalog), copies the city's grants on them back to the district,"
            + " and MirrorMaker 2 commits its progress.";
    public static final String REPLICATION_FACTOR_CONFIG = "tier.replication.factor";
    private static final String REPLICATION_FACTOR_DOC = "Replication factor of MirrorMaker's internal topics on the"
            + " city cluster and of bus.tier.grants on the district cluster; -1: decided from each cluster's size as"
            + " 'databus init' decides.";
    public static final String TIMEOUT_MS_CONFIG = "tier.timeout.ms";
    private static final String TIMEOUT_MS_DOC = "How long the link waits for either bus (a catalog read, a governance"
            + " reply) before it reports the bus unreachable and tries again at the next round.";
    /** Prefix of keys handed to MirrorMaker 2 unchanged. */
    public static final String MM2_PREFIX = "mm2.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(CITY_DEPARTMENT_CONFIG, Type.STRING, "city", departmentValidator(), Importance.HIGH, CITY_DEPARTMENT_DOC)
            .define(CITY_ALIAS_CONFIG, Type.STRING, "city", departmentValidator(), Importance.LOW, CITY_ALIAS_DOC)
            .define(SYNC_INTERVAL_SECONDS_CONFIG, Type.INT, 5, Range.between(1, 3600), Importance.MEDIUM,
                    SYNC_INTERVAL_SECONDS_DOC)
            .define(REPLICATION_FACTOR_CONFIG, Type.INT, -1, Range.between(-1, Short.MAX_VALUE), Importance.MEDIUM,
                    REPLICATION_FACTOR_DOC)
            .define(TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(100), Importance.LOW, TIMEOUT_MS_DOC);

    /**
     * @throws ConfigException naming the first invalid key
     */
    public TierConfig(Map<?, ?> props) {
        super(CONFIG, props);
    }

    /** The key table, for generated docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public String cityDepartment() {
        return getString(CITY_DEPARTMENT_CONFIG);
    }

    public String cityAlias() {
        return getString(CITY_ALIAS_CONFIG);
    }

    public int syncIntervalSeconds() {
        return getInt(SYNC_INTERVAL_SECONDS_CONFIG);
    }

    /** The configured replication factor, or -1 to decide it from the cluster. */
    public int replicationFactor() {
        return getInt(REPLICATION_FACTOR_CONFIG);
    }

    public long timeoutMs() {
        return getLong(TIMEOUT_MS_CONFIG);
    }

    /** The {@value #MM2_PREFIX} keys without their prefix. */
    public Map<String, String> mirrorMakerOverrides() {
        Map<String, String> m = new HashMap<>();
        originalsWithPrefix(MM2_PREFIX).forEach((k, v) -> m.put(k, String.valueOf(v)));
        return m;
    }

    private static ConfigDef.Validator departmentValidator() {
        return (name, value) -> {
            try {
                Topics.checkDepartment(value == null ? null : String.valueOf(value));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }
}
