package cn.tianfu.databus.quality.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.quality.QualityThresholds;

class QualityConfigTest {

    private static final Map<String, Object> VALID = Map.of(
            "bootstrap.servers", "b1:9092",
            "schema.registry.url", "http://registry:8081",
            "state.dir", "/tmp/quality");

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> new QualityConfig(Map.of("quality.threshold.validity", "1.5",
                "quality.threshold.timeliness", "-0.1", "state.dir", " ")))
                .isInstanceOf(DatabusConfigException.class)
                .satisfies(e -> assertThat(((DatabusConfigException) e).problems())
                        .anyMatch(p -> p.contains("bootstrap.servers"))
                        .anyMatch(p -> p.contains("schema.registry.url"))
                        .anyMatch(p -> p.contains("state.dir"))
                        .anyMatch(p -> p.contains("quality.threshold.validity"))
                        .anyMatch(p -> p.contains("quality.threshold.timeliness")));
    }

    @Test
    void defaultsThresholdsAndDerivedStreamsConfig() {
        Map<String, Object> props = new HashMap<>(VALID);
        props.put("quality.threshold.completeness", "0.8");
        QualityConfig config = new QualityConfig(props);

        Properties p = QualityApp.streamsConfig(config);

        assertThat(config.applicationId()).isEqualTo("databus-quality");
        assertThat(config.checkInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.thresholds()).isEqualTo(new QualityThresholds(0.6, 0.8, 0.95, 0.5, 0.9));
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.consumerPrefix("auto.offset.reset"))).isEqualTo("earliest");
    }
}
