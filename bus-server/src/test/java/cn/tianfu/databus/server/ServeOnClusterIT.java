package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.ExitCode;

/**
 * {@code databus init} prepares a cluster the bus did not start, and two bus nodes ({@code serve}'s runtime, no
 * embedded broker) run on it side by side, both healthy, sharing the streams apps' work.
 */
class ServeOnClusterIT {

    @TempDir
    Path dir;

    @Test
    void initPreparesAnExistingClusterAndTwoNodesServeOnIt() throws Exception {
        Path clusterDir = dir.resolve("cluster");
        try (EmbeddedBroker cluster = EmbeddedBroker.start(BrokerConfig.of(clusterDir, 0))) {
            // the cluster's administrator: here the cluster's own super user
            Path adminFile = dir.resolve("admin.properties");
            Properties admin = new Properties();
            cluster.clientProperties().forEach((k, v) -> admin.setProperty(k, String.valueOf(v)));
            try (Writer w = Files.newBufferedWriter(adminFile)) {
                admin.store(w, null);
            }
            Path node1 = dir.resolve("node1");
            Path node2 = dir.resolve("node2");
            // the bus principal is the cluster's super user 'bus': keep its password (init keeps an existing one)
            Files.createDirectories(node1.resolve("clients"));
            Files.copy(BusCredentials.file(clusterDir), BusCredentials.file(node1));

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = DatabusCli.run(new String[] {"init", "--config", adminFile.toString(), "--data-dir", node1.toString()},
                    new PrintWriter(out), new PrintWriter(err));
            assertThat(exit).as(err.toString()).isEqualTo(ExitCode.OK);
            assertThat(out.toString()).contains("1 broker: system topics with replication factor 1, min.insync.replicas 1")
                    .contains("fewer than three brokers").contains("Created system topics").contains(Topics.SCHEMAS)
                    .contains("Bus principal User:bus");
            try (Admin a = Admin.create(cluster.clientProperties())) {
                TopicDescription log = a.describeTopics(java.util.List.of(Topics.EXCHANGE_LOG)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(Topics.EXCHANGE_LOG);
                assertThat(log.partitions().get(0).replicas()).hasSize(1);
            }
            // a second node: the same principal's client file
            Files.createDirectories(node2.resolve("clients"));
            Files.copy(BusCredentials.file(node1), BusCredentials.file(node2));

            try (BusRuntime first = BusRuntime.start(nodeConfig(cluster, node1));
                 BusRuntime second = BusRuntime.start(nodeConfig(cluster, node2))) {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    assertThat(first.health().up()).as("%s", first.health()).isTrue();
                    assertThat(second.health().up()).as("%s", second.health()).isTrue();
                });
                // both nodes run on the cluster, none started a broker of its own
                assertThat(first.endpoints().bootstrapServers()).isEqualTo(cluster.bootstrapServers());
                assertThat(second.endpoints().bootstrapServers()).isEqualTo(cluster.bootstrapServers());
                assertThat(second.endpoints().registryUrl()).isNotEqualTo(first.endpoints().registryUrl());
            }
        }
    }

    private static ServerConfig nodeConfig(EmbeddedBroker cluster, Path dataDir) {
        return new ServerConfig(Map.of(
                ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ServerConfig.REGISTRY_PORT_CONFIG, 0,
                ServerConfig.HTTP_PORT_CONFIG, 0));
    }
}
