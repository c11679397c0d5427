package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** TLS is on wherever departments reach the bus over a network, and cannot be turned off there. */
class ServerConfigTlsTest {

    @Test
    void tlsFollowsTheListenAddressUnlessForcedOn() {
        assertThat(new ServerConfig(Map.of()).tlsEnabled()).isFalse();
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "0.0.0.0")).tlsEnabled()).isTrue();
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "10.1.2.3")).tlsEnabled()).isTrue();
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "127.0.0.1", ServerConfig.TLS_CONFIG, "on")).tlsEnabled()).isTrue();
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "::1")).tlsEnabled()).isFalse();
    }

    @Test
    void plainListenersAreRefusedOffLoopback() {
        assertThatThrownBy(() -> new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "0.0.0.0", ServerConfig.TLS_CONFIG, "off")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls=off is refused on listen.host 0.0.0.0");
        assertThat(new ServerConfig(Map.of(ServerConfig.TLS_CONFIG, "off")).tlsEnabled()).isFalse();
    }

    @Test
    void theAdvertisedHostDefaultsToTheListenAddress() {
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "10.1.2.3")).advertisedHost()).isEqualTo("10.1.2.3");
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "0.0.0.0")).advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(new ServerConfig(Map.of(ServerConfig.HOST_CONFIG, "0.0.0.0", ServerConfig.ADVERTISED_HOST_CONFIG, "bus.example"))
                .advertisedHost()).isEqualTo("bus.example");
    }

    @Test
    void pemFilesGoTogether() {
        assertThatThrownBy(() -> new ServerConfig(Map.of(ServerConfig.TLS_CERT_FILE_CONFIG, "server.crt")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("go together");
    }
}
