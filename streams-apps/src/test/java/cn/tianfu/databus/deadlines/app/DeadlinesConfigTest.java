package cn.tianfu.databus.deadlines.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;

class DeadlinesConfigTest {

    private static final Map<String, Object> VALID = Map.of(
            "bootstrap.servers", "b1:9092,b2:9092",
            "schema.registry.url", "http://registry:8081",
            "state.dir", "/tmp/deadlines");

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> new DeadlinesConfig(Map.of("deadlines.check.interval.ms", "10", "state.dir", " ")))
                .isInstanceOf(DatabusConfigException.class)
                .satisfies(e -> assertThat(((DatabusConfigException) e).problems()).hasSize(4)
                        .anyMatch(p -> p.contains("bootstrap.servers"))
                        .anyMatch(p -> p.contains("schema.registry.url"))
                        .anyMatch(p -> p.contains("state.dir"))
                        .anyMatch(p -> p.contains("deadlines.check.interval.ms")));
    }

    @Test
    void defaultsAndDerivedStreamsConfig() {
        DeadlinesConfig config = new DeadlinesConfig(VALID);

        Properties p = DeadlinesApp.streamsConfig(config);

        assertThat(config.applicationId()).isEqualTo("databus-deadlines");
        assertThat(config.checkInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("databus-deadlines");
        assertThat(p.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/deadlines");
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.consumerPrefix("auto.offset.reset"))).isEqualTo("earliest");
    }

    @Test
    void streamsPrefixedKeysReachKafkaStreams() {
        Map<String, Object> props = new HashMap<>(VALID);
        props.put("streams.num.stream.threads", "2");
        props.put("deadlines.check.interval.ms", "500");

        DeadlinesConfig config = new DeadlinesConfig(props);

        assertThat(config.checkInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(DeadlinesApp.streamsConfig(config).get("num.stream.threads")).isEqualTo("2");
    }
}
