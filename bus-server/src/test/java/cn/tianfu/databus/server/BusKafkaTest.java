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
    void theBusClientsSpeakTheProtocolAndTrustOfTheFileOrOfTheNodesConfig() throws IOException {
        new BusCredentials("bus", "s3cret", "SASL_SSL", Map.of("ssl.truststore.type", "PEM",
                "ssl.truststore.certificates", "FROM-INIT")).write(dataDir, "k1:9093", Map.of());
        ServerConfig asInitWrote = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9093"));
        try (BusKafka kafka = BusKafka.of(asInitWrote)) {
            assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("ssl.truststore.certificates", "FROM-INIT");
        }

        Path ca = dataDir.resolve("cluster-ca.crt");
        Files.writeString(ca, "FROM-THE-NODE\n");
        ServerConfig nodeSays = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9093",
                ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                ServerConfig.KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, ca.toString()));
        try (BusKafka kafka = BusKafka.of(nodeSays)) {
            assertThat(kafka.credentials().protocol()).isEqualTo("SASL_SSL");
            assertThat(kafka.clientProperties()).containsEntry("ssl.truststore.type", "PEM")
                    .containsEntry("ssl.truststore.certificates", "FROM-THE-NODE");
        }

        ServerConfig plain = new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092",
                ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT"));
        try (BusKafka kafka = BusKafka.of(plain)) {
            assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .doesNotContainKey("ssl.truststore.certificates");
        }
    }

    @Test
    void theBusClientsTransportKeysAreCheckedTogether() {
        assertThatThrownBy(() -> new ServerConfig(Map.of(ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "SASL_SSL")))
                .hasMessageContaining("kafka.security.protocol applies to an existing cluster only");
        assertThatThrownBy(() -> new ServerConfig(Map.of(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092",
                ServerConfig.KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, "ca.crt")))
                .hasMessageContaining("kafka.ssl.truststore.file needs kafka.security.protocol=SASL_SSL");
        assertThatThrownBy(() -> new ServerConfig(Map.of(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, "k1:9092",
                ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")))
                .hasMessageContaining("kafka.security.protocol");
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
