package cn.tianfu.databus.governance.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;

class GovernanceConfigTest {

    private static final Map<String, Object> VALID = Map.of(
            "bootstrap.servers", "b1:9092,b2:9092",
            "schema.registry.url", "http://registry:8081",
            "state.dir", "/tmp/governance");

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> new GovernanceConfig(Map.of("governance.topic.partitions", "0", "state.dir", " ")))
                .isInstanceOf(DatabusConfigException.class)
                .satisfies(e -> assertThat(((DatabusConfigException) e).problems()).hasSize(4)
                        .anyMatch(p -> p.contains("bootstrap.servers"))
                        .anyMatch(p -> p.contains("schema.registry.url"))
                        .anyMatch(p -> p.contains("state.dir"))
                        .anyMatch(p -> p.contains("governance.topic.partitions")));
    }

    @Test
    void defaultsAndDerivedStreamsConfig() {
        GovernanceConfig config = new GovernanceConfig(VALID);

        Properties p = GovernanceApp.streamsConfig(config);

        assertThat(config.applicationId()).isEqualTo("databus-governance");
        assertThat(config.topicPartitions()).isEqualTo(2);
        assertThat(config.topicReplicationFactor()).isEqualTo((short) 1);
        assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("databus-governance");
        assertThat(p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("b1:9092,b2:9092");
        assertThat(p.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/governance");
        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100L);
    }

    @Test
    void streamsPrefixedKeysReachKafkaStreamsAndOverride() {
        var props = new java.util.HashMap<>(VALID);
        props.put("streams.num.stream.threads", "3");
        props.put("streams.commit.interval.ms", "250");
        props.put("application.id", "gov-2");

        Properties p = GovernanceApp.streamsConfig(new GovernanceConfig(props));

        assertThat(p.get("num.stream.threads")).isEqualTo("3");
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("250");
        assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("gov-2");
        assertThat(p).doesNotContainKey("streams.num.stream.threads");
    }
}
