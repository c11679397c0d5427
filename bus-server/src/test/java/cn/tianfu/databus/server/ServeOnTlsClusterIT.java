package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.security.SecretFiles;
import cn.tianfu.databus.testkit.KafkaCluster;
import cn.tianfu.databus.tls.Certificates;
import cn.tianfu.databus.tls.ServerTls;
import picocli.CommandLine.ExitCode;

/**
 * A cluster whose every listener speaks SASL_SSL: {@code databus init} with an administrator's SASL_SSL config writes a
 * bus client file that speaks SASL_SSL and trusts the cluster's CA, and a {@code serve} node configured with
 * {@code kafka.security.protocol=SASL_SSL} and {@code kafka.ssl.truststore.file} runs its registry, streams apps and
 * governance on it: a department is added and its catalogue registration is decided.
 */
class ServeOnTlsClusterIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aServeNodeRunsOnAClusterOfferingOnlyTls() throws Exception {
        ServerTls clusterTls = ServerTls.loadOrCreate(dir.resolve("cluster-ca"), List.of("localhost", "127.0.0.1"),
                java.time.InstantSource.system()); // a TLS handshake checks validity against the real clock
        Path caFile = ServerTls.caFile(dir.resolve("cluster-ca"));
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 1, clusterTls)) {
            // the cluster has no plain listener: a SASL_PLAINTEXT client gets nowhere
            Map<String, Object> plain = new HashMap<>(cluster.adminProperties());
            plain.put("security.protocol", "SASL_PLAINTEXT");
            plain.keySet().removeIf(k -> k.startsWith("ssl."));
            assertRefused(plain);

            Path node = dir.resolve("node1");
            Run init = run("init", "--config", cluster.writeAdminFile(dir.resolve("admin.properties")).toString(),
                    "--data-dir", node.toString());
            assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
            Properties busFile = SecretFiles.read(BusCredentials.file(node));
            assertThat(busFile).containsEntry("security.protocol", "SASL_SSL").containsEntry("ssl.truststore.type", "PEM");
            assertThat(Certificates.readCertificates(busFile.getProperty("ssl.truststore.certificates")).get(0))
                    .isEqualTo(clusterTls.authority().orElseThrow().certificate());

            // the node's config says how its clients connect (here from the cluster's CA file, not from init's file)
            BusCredentials file = new BusCredentials(BusCredentials.USERNAME, busFile.getProperty("sasl.password"));
            file.write(node, cluster.bootstrapServers(), Map.of());
            assertThat(SecretFiles.read(BusCredentials.file(node))).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .doesNotContainKey("ssl.truststore.certificates");
            try (BusRuntime runtime = BusRuntime.start(new ServerConfig(Map.of(
                    ServerConfig.DATA_DIR_CONFIG, node.toString(),
                    ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ServerConfig.KAFKA_SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                    ServerConfig.KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, caFile.toString(),
                    // departments reach the same TLS-only cluster: their client files carry its CA
                    ServerConfig.TLS_CONFIG, "on",
                    ServerConfig.TLS_CERT_FILE_CONFIG, dir.resolve("cluster-ca/tls/server.crt").toString(),
                    ServerConfig.TLS_KEY_FILE_CONFIG, dir.resolve("cluster-ca/tls/server.key").toString(),
                    ServerConfig.TLS_CA_FILE_CONFIG, caFile.toString(),
                    ServerConfig.REGISTRY_PORT_CONFIG, 0,
                    ServerConfig.HTTP_PORT_CONFIG, 0)))) {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                        assertThat(runtime.health().up()).as("%s", runtime.health()).isTrue());
                assertThat(runtime.busConfig().kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");

                Path amrFile = node.resolve("amr-handover.properties");
                Run added = run("dept", "add", "amr", "--name", "市市场监督管理局", "--data-dir", node.toString(),
                        "--out", amrFile.toString());
                assertThat(added.exit()).as(added.err()).isEqualTo(ExitCode.OK);
                // governance (a streams app) decides the registration over SASL_SSL
                Run registered = run("catalog", "register", EXAMPLES.resolve("amr-legal-entity.yaml").toString(),
                        "--config", amrFile.toString());
                assertThat(registered.exit()).as(registered.out() + registered.err()).isEqualTo(ExitCode.OK);
            }
        }
    }

    private static void assertRefused(Map<String, Object> props) {
        props.put("request.timeout.ms", 3000);
        props.put("default.api.timeout.ms", 6000);
        try (Admin admin = Admin.create(props)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
