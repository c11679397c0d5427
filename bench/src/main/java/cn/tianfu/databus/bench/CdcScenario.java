package cn.tianfu.databus.bench;

/**
 * Hook for the CDC benchmark: change rows in a department's database → the CDC connector → {@code src.<dept>.<resource>}
 * → the bus pipeline → Subscriber, measured like the bus scenario of {@link ThroughputScenarios} (records/s and ratio to the
 * SDK-published pipeline in the same run). Until the connector exists it reports itself as not measured, so the
 * result file and {@code docs/benchmarks.md} keep a place for it and never show an invented number.
 *
 * <p>To fill it in: start the database and the connector's embedded engine here on {@code bus} (a fresh resource from
 * {@link BenchBus#newResource()} and a grant from {@link BenchBus#grant}), insert {@code config.records()} rows of
 * {@link RecordPool}'s records after a warm-up, count deliveries with a Subscriber, and return the metrics through
 * {@link ScenarioResult#of} with the same metric names as the bus scenario.
 */
final class CdcScenario {

    static final String DESCRIPTION = "database rows -> CDC connector -> src topic -> router -> Subscriber";

    private final BenchBus bus;
    private final BenchConfig config;
    private final RecordPool pool;

    CdcScenario(BenchBus bus, BenchConfig config, RecordPool pool) {
        this.bus = bus;
        this.config = config;
        this.pool = pool;
    }

    ScenarioResult run() {
        return ScenarioResult.notMeasured("cdc", DESCRIPTION, "the CDC connector is not part of this build yet");
    }
}
