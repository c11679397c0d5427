package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BusCredentials;

class BusKafkaTest {

    @TempDir
    Path dataDir;

    @Test
    void withoutAnExternalClusterTheEmbeddedBrokerIsUsed() {
        ServerConfig config = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString()));
        assertThat(config.externalBootstrapServers()).isEmpty();
        assertThat(new ServerConfig(Map.of(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, " ")).externalBootstrapServers())
                .isEmpty();
    }

    @Test
    void anExternalClusterIsUsedWithTheBusPrincipalOfTheDataDirectory() {
        new BusCredentials("bus", "s3cret").write(dataDir, null, Map.of());
        ServerConfig config = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092,k2:9092"));

        try (BusKafka kafka = BusKafka.of(config)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
            assertThat(kafka.credentials()).isEqualTo(new BusCredentials("bus", "s3cret"));
            assertThat(kafka.clientProperties()).containsEntry("bootstrap.servers", "k1:9092,k2:9092")
                    .containsEntry("security.protocol", BusCredentials.PROTOCOL);
            assertThat(kafka.fatalError()).isEmpty();
        }
    }

    @Test
    void anExternalClusterNeedsTheBusPrincipalsCredentials() throws IOException {
        ServerConfig config = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092"));
        assertThatThrownBy(() -> BusKafka.of(config)).isInstanceOf(DatabusException.class)
                .hasMessageContaining("bus.properties").hasMessageContaining("sasl.username");
        Files.createDirectories(BusCredentials.file(dataDir).getParent());
        Files.writeString(BusCredentials.file(dataDir), "bootstrap.servers=k1:9092\n");
        assertThatThrownBy(() -> BusKafka.of(config)).isInstanceOf(DatabusException.class)
                .hasMessageContaining("has no sasl.username");
    }

    @Test
    void theKafkaPortMayEqualAnotherPortWhenNoBrokerIsStarted() {
        ServerConfig config = new ServerConfig(Map.of(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092",
                ServerConfig.KAFKA_PORT_CONFIG, 8080, ServerConfig.HTTP_PORT_CONFIG, 8080));
        assertThat(config.externalBootstrapServers()).contains("k1:9092");
    }
}
