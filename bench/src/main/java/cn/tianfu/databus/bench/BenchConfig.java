package cn.tianfu.databus.bench;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import cn.tianfu.databus.client.ConfigProblems;

/**
 * Settings of one benchmark run. {@link #fromMap} reports every problem at once; {@link #QUICK_CONFIG} replaces the
 * sizes that were not given explicitly by small ones, for a run of about a minute while developing.
 */
public final class BenchConfig extends AbstractConfig {

    /** The scenarios a run can include. */
    public enum Scenario { RAW, BUS, BARE, FANOUT, LATENCY, AUDIT, CDC, QUERY, CLUSTER }

    public static final String RECORDS_CONFIG = "records";
    private static final String RECORDS_DOC = "Records measured per repetition of the raw, bus, bare-engine and cdc scenarios (cdc: rows inserted).";
    public static final String WARMUP_RECORDS_CONFIG = "warmup.records";
    private static final String WARMUP_RECORDS_DOC = "Records sent and awaited before each measured repetition; in cdc, the rows the engine snapshots (-1: a fifth of records, at most 10,000).";
    public static final String WINDOW_SECONDS_CONFIG = "window.seconds";
    private static final String WINDOW_SECONDS_DOC = "Measured window per repetition of raw, bus and the bare engines: the "
            + "repetition measures as many records as the warm-up's rate sustains for this long (at least records); 0: "
            + "exactly records.";
    public static final String WARMUP_SECONDS_CONFIG = "warmup.seconds";
    private static final String WARMUP_SECONDS_DOC = "Warm-up per repetition of raw, bus and the bare engines: records are "
            + "sent in chunks of about two seconds, each awaited, until this long has passed; 0: warmup.records instead.";
    public static final String WARMUP_ROUNDS_CONFIG = "warmup.rounds";
    private static final String WARMUP_ROUNDS_DOC = "Whole rounds of raw, bus and the bare engines run and discarded before "
            + "the measured repetitions, so that the first measured one is not cold (the JIT, the clients, the broker).";
    public static final String COMMIT_INTERVAL_MS_CONFIG = "commit.interval.ms";
    private static final String COMMIT_INTERVAL_MS_DOC = "commit.interval.ms of the bus's streams apps and of the bare "
            + "engines (-1: Kafka Streams' default, 100 ms under exactly-once).";
    public static final String REPEATS_CONFIG = "repeats";
    private static final String REPEATS_DOC = "Repetitions of each scenario; the report gives the median, min and max.";
    public static final String FANOUT_GRANTS_CONFIG = "fanout.grants";
    private static final String FANOUT_GRANTS_DOC = "Numbers of active grants on one resource the fan-out scenario measures.";
    public static final String FANOUT_RECORDS_CONFIG = "fanout.records";
    private static final String FANOUT_RECORDS_DOC = "Source records per fan-out repetition (-1: a quarter of records).";
    public static final String LATENCY_RATES_CONFIG = "latency.rates";
    private static final String LATENCY_RATES_DOC = "Offered rates (records/s) of the open-loop latency scenario.";
    public static final String LATENCY_SECONDS_CONFIG = "latency.seconds";
    private static final String LATENCY_SECONDS_DOC = "Measured seconds per latency repetition (after 2 s of warm-up at the same rate).";
    public static final String AUDIT_ENTRIES_CONFIG = "audit.entries";
    private static final String AUDIT_ENTRIES_DOC = "Entries of the exchange log the audit scenario builds and verifies.";
    public static final String SCENARIOS_CONFIG = "scenarios";
    private static final String SCENARIOS_DOC = "Scenarios to run: raw, bus, bare, fanout, latency, audit, cdc, query, "
            + "cluster (the default leaves query and cluster out; cluster starts a three-broker cluster and serve processes).";
    public static final String RESULTS_DIR_CONFIG = "results.dir";
    private static final String RESULTS_DIR_DOC = "Directory the JSON result file is written to.";
    public static final String DATA_DIR_CONFIG = "data.dir";
    private static final String DATA_DIR_DOC = "Directory for the broker's data and the streams apps' state (empty: a temporary directory, deleted after the run).";
    public static final String TIMEOUT_SECONDS_CONFIG = "timeout.seconds";
    private static final String TIMEOUT_SECONDS_DOC = "How long a repetition may wait for its last record before the run fails.";
    public static final String CDC_PACED_RATE_CONFIG = "cdc.paced.rate";
    private static final String CDC_PACED_RATE_DOC = "Rows/s of the paced cdc variant: many small transactions at this fixed rate (0: no paced variant).";
    public static final String CDC_PACED_TRANSACTION_CONFIG = "cdc.paced.transaction";
    private static final String CDC_PACED_TRANSACTION_DOC = "Rows per transaction of the paced cdc variant.";
    public static final String CDC_PACED_SECONDS_CONFIG = "cdc.paced.seconds";
    private static final String CDC_PACED_SECONDS_DOC = "Seconds of inserts of the paced cdc variant (rows: rate x seconds).";
    public static final String QUICK_CONFIG = "quick";
    private static final String QUICK_DOC = "Small sizes for development: every size not given explicitly is replaced by its quick value.";

    /** Sizes a quick run uses unless they were given. */
    static final Map<String, Object> QUICK_SIZES = Map.of(
            RECORDS_CONFIG, 5_000,
            REPEATS_CONFIG, 1,
            WINDOW_SECONDS_CONFIG, 0,
            WARMUP_SECONDS_CONFIG, 0,
            WARMUP_ROUNDS_CONFIG, 0,
            FANOUT_RECORDS_CONFIG, 1_000,
            LATENCY_SECONDS_CONFIG, 3,
            AUDIT_ENTRIES_CONFIG, 100_000,
            CDC_PACED_SECONDS_CONFIG, 3);

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(RECORDS_CONFIG, Type.INT, 50_000, Range.atLeast(1), Importance.HIGH, RECORDS_DOC)
            .define(WARMUP_RECORDS_CONFIG, Type.INT, -1, Range.atLeast(-1), Importance.LOW, WARMUP_RECORDS_DOC)
            .define(WINDOW_SECONDS_CONFIG, Type.INT, 20, Range.between(0, 3600), Importance.HIGH, WINDOW_SECONDS_DOC)
            .define(WARMUP_SECONDS_CONFIG, Type.INT, 15, Range.between(0, 3600), Importance.MEDIUM, WARMUP_SECONDS_DOC)
            .define(WARMUP_ROUNDS_CONFIG, Type.INT, 1, Range.between(0, 10), Importance.MEDIUM, WARMUP_ROUNDS_DOC)
            .define(COMMIT_INTERVAL_MS_CONFIG, Type.INT, -1, Range.atLeast(-1), Importance.LOW, COMMIT_INTERVAL_MS_DOC)
            .define(REPEATS_CONFIG, Type.INT, 3, Range.between(1, 100), Importance.HIGH, REPEATS_DOC)
            .define(FANOUT_GRANTS_CONFIG, Type.LIST, List.of("1", "4", "16"), Importance.MEDIUM, FANOUT_GRANTS_DOC)
            .define(FANOUT_RECORDS_CONFIG, Type.INT, -1, Range.atLeast(-1), Importance.MEDIUM, FANOUT_RECORDS_DOC)
            .define(LATENCY_RATES_CONFIG, Type.LIST, List.of("2000", "10000"), Importance.MEDIUM, LATENCY_RATES_DOC)
            .define(LATENCY_SECONDS_CONFIG, Type.INT, 20, Range.between(1, 3600), Importance.MEDIUM, LATENCY_SECONDS_DOC)
            .define(AUDIT_ENTRIES_CONFIG, Type.INT, 1_000_000, Range.atLeast(1), Importance.MEDIUM, AUDIT_ENTRIES_DOC)
            .define(SCENARIOS_CONFIG, Type.LIST, List.of("raw", "bus", "bare", "fanout", "latency", "audit", "cdc"),
                    Importance.MEDIUM, SCENARIOS_DOC)
            .define(RESULTS_DIR_CONFIG, Type.STRING, "bench/results", new ConfigDef.NonEmptyString(), Importance.MEDIUM, RESULTS_DIR_DOC)
            .define(DATA_DIR_CONFIG, Type.STRING, "", Importance.LOW, DATA_DIR_DOC)
            .define(TIMEOUT_SECONDS_CONFIG, Type.INT, 300, Range.atLeast(1), Importance.LOW, TIMEOUT_SECONDS_DOC)
            .define(CDC_PACED_RATE_CONFIG, Type.INT, 2_000, Range.between(0, 100_000), Importance.MEDIUM, CDC_PACED_RATE_DOC)
            .define(CDC_PACED_TRANSACTION_CONFIG, Type.INT, 10, Range.between(1, 10_000), Importance.LOW, CDC_PACED_TRANSACTION_DOC)
            .define(CDC_PACED_SECONDS_CONFIG, Type.INT, 10, Range.between(1, 3600), Importance.LOW, CDC_PACED_SECONDS_DOC)
            .define(QUICK_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, QUICK_DOC);

    private BenchConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
    }

    /**
     * Validates and parses the settings, quick sizes applied.
     *
     * @throws cn.tianfu.databus.config.DatabusConfigException listing every problem
     */
    public static BenchConfig fromMap(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        if (problems.parsed(SCENARIOS_CONFIG) instanceof List<?> names) {
            for (Object name : names) {
                if (parseScenario(name.toString()) == null) {
                    problems.add(SCENARIOS_CONFIG + ": unknown scenario '" + name + "'; choose from raw, bus, bare, "
                            + "fanout, latency, audit, cdc, query, cluster");
                }
            }
        }
        checkPositiveInts(problems, FANOUT_GRANTS_CONFIG);
        checkPositiveInts(problems, LATENCY_RATES_CONFIG);
        problems.throwIfAny("benchmark");
        Map<String, Object> effective = new HashMap<>(props);
        if (Boolean.TRUE.equals(problems.parsed(QUICK_CONFIG))) {
            QUICK_SIZES.forEach(effective::putIfAbsent);
        }
        return new BenchConfig(effective);
    }

    /** The declared settings. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    private static void checkPositiveInts(ConfigProblems problems, String key) {
        if (problems.parsed(key) instanceof List<?> values) {
            for (Object v : values) {
                try {
                    if (Integer.parseInt(v.toString().trim()) < 1) {
                        problems.add(key + ": " + v + " must be at least 1");
                    }
                } catch (NumberFormatException e) {
                    problems.add(key + ": '" + v + "' is not a whole number");
                }
            }
        }
    }

    private static Scenario parseScenario(String name) {
        try {
            return Scenario.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Rows/s of the paced cdc variant; 0 when it is not run. */
    public int cdcPacedRate() {
        return getInt(CDC_PACED_RATE_CONFIG);
    }

    public int cdcPacedTransaction() {
        return getInt(CDC_PACED_TRANSACTION_CONFIG);
    }

    public int cdcPacedSeconds() {
        return getInt(CDC_PACED_SECONDS_CONFIG);
    }

    public int records() {
        return getInt(RECORDS_CONFIG);
    }

    /** Warm-up records before each measured repetition. */
    public int warmupRecords() {
        int w = getInt(WARMUP_RECORDS_CONFIG);
        return w >= 0 ? w : Math.max(1, Math.min(10_000, records() / 5));
    }

    /** Seconds of measurement per throughput repetition; 0 for exactly {@link #records()} records. */
    public int windowSeconds() {
        return getInt(WINDOW_SECONDS_CONFIG);
    }

    /** Seconds of warm-up per throughput repetition; 0 for exactly {@link #warmupRecords()} records. */
    public int warmupSeconds() {
        return getInt(WARMUP_SECONDS_CONFIG);
    }

    /** Discarded rounds of the throughput scenarios before the measured ones. */
    public int warmupRounds() {
        return getInt(WARMUP_ROUNDS_CONFIG);
    }

    /** The streams apps' commit interval, or -1 for Kafka Streams' default. */
    public int commitIntervalMs() {
        return getInt(COMMIT_INTERVAL_MS_CONFIG);
    }

    public int repeats() {
        return getInt(REPEATS_CONFIG);
    }

    public List<Integer> fanoutGrants() {
        return getList(FANOUT_GRANTS_CONFIG).stream().map(s -> Integer.parseInt(s.trim())).toList();
    }

    public int fanoutRecords() {
        int n = getInt(FANOUT_RECORDS_CONFIG);
        return n >= 0 ? n : Math.max(1, records() / 4);
    }

    public List<Integer> latencyRates() {
        return getList(LATENCY_RATES_CONFIG).stream().map(s -> Integer.parseInt(s.trim())).toList();
    }

    public int latencySeconds() {
        return getInt(LATENCY_SECONDS_CONFIG);
    }

    public int auditEntries() {
        return getInt(AUDIT_ENTRIES_CONFIG);
    }

    public Set<Scenario> scenarios() {
        Set<Scenario> out = EnumSet.noneOf(Scenario.class);
        getList(SCENARIOS_CONFIG).forEach(s -> out.add(parseScenario(s)));
        return out;
    }

    public Path resultsDir() {
        return Path.of(getString(RESULTS_DIR_CONFIG));
    }

    /** The data directory, or null for a temporary one. */
    public Path dataDir() {
        String d = getString(DATA_DIR_CONFIG);
        return d.isBlank() ? null : Path.of(d);
    }

    public int timeoutSeconds() {
        return getInt(TIMEOUT_SECONDS_CONFIG);
    }

    public boolean quick() {
        return getBoolean(QUICK_CONFIG);
    }

    /** The settings as the result file records them. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("records", records());
        m.put("warmupRecords", warmupRecords());
        m.put("windowSeconds", windowSeconds());
        m.put("warmupSeconds", warmupSeconds());
        m.put("warmupRounds", warmupRounds());
        m.put("repeats", repeats());
        m.put("commitIntervalMs", commitIntervalMs());
        m.put("fanoutGrants", fanoutGrants());
        m.put("fanoutRecords", fanoutRecords());
        m.put("latencyRates", latencyRates());
        m.put("latencySeconds", latencySeconds());
        m.put("auditEntries", auditEntries());
        m.put("scenarios", scenarios().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
        m.put("quick", quick());
        return m;
    }
}
