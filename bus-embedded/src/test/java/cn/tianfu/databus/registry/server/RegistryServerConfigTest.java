package cn.tianfu.databus.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.registry.server.internal.CompatibilityLevel;

class RegistryServerConfigTest {

    @Test
    void defaultsMatchAnEmbeddedRegistry() {
        var config = new RegistryServerConfig(Map.of(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092"));

        assertThat(config.listenHost()).isEqualTo("127.0.0.1");
        assertThat(config.listenPort()).isEqualTo(8081);
        assertThat(config.topic()).isEqualTo("_schemas");
        assertThat(config.replicationFactor()).isEqualTo((short) 1);
        assertThat(config.defaultCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(config.timeout().toMillis()).isEqualTo(10_000L);
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> new RegistryServerConfig(Map.of(
                RegistryServerConfig.LISTEN_PORT_CONFIG, "70000",
                RegistryServerConfig.DEFAULT_COMPATIBILITY_CONFIG, "SIDEWAYS")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG)
                .hasMessageContaining(RegistryServerConfig.LISTEN_PORT_CONFIG)
                .hasMessageContaining(RegistryServerConfig.DEFAULT_COMPATIBILITY_CONFIG);
    }

    @Test
    void passesPrefixedKafkaPropertiesToTheClients() {
        var config = new RegistryServerConfig(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, "a:1,b:2",
                "registry.kafka.security.protocol", "SASL_PLAINTEXT"));

        assertThat(config.kafkaClientProps())
                .containsEntry("bootstrap.servers", "a:1,b:2")
                .containsEntry("security.protocol", "SASL_PLAINTEXT");
    }
}
