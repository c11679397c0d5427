package cn.tianfu.databus.cdc;

import java.util.Map;
import java.util.Properties;

import cn.tianfu.databus.cdc.internal.EngineProperties;
import cn.tianfu.databus.cdc.internal.StreamingMetrics;

/**
 * The Debezium engine a {@link CdcRunner} runs, for those who run one beside it (the benchmarks compare the runner with a
 * bare engine of the same configuration).
 */
public final class CdcEngines {

    private CdcEngines() {
    }

    /** The engine properties the runner uses for {@code mapping}; {@code busClient} is the bus connection's client map. */
    public static Properties engineProperties(CdcMapping mapping, CdcConfig config, Map<String, Object> busClient) {
        return EngineProperties.of(mapping, config, busClient);
    }

    /** Whether Debezium's streaming metrics of the engine named {@code server} say it is connected to the database's log. */
    public static boolean streaming(String server) {
        return StreamingMetrics.connected(server);
    }
}
