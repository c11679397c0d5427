package cn.tianfu.databus.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.deadlines.app.DeadlinesApp;
import cn.tianfu.databus.deadlines.app.DeadlinesConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;

class StreamsAppConfigTest {

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "bus-1:9092");
        m.put("schema.registry.url", "http://bus-1:8081");
        m.put("state.dir", "/var/lib/databus/state");
        m.put("data.dir", "/var/lib/databus");
        return m;
    }

    @Test
    void everyMissingSharedKeyIsReportedAtOnceByEachApp() {
        Map<String, Object> empty = Map.of("application.id", "");
        assertThatThrownBy(() -> RouterConfig.fromMap(empty))
                .isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("bootstrap.servers").hasMessageContaining("schema.registry.url")
                .hasMessageContaining("state.dir").hasMessageContaining("data.dir")
                .hasMessageContaining("application.id");
        assertThatThrownBy(() -> DeadlinesConfig.fromMap(empty))
                .isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("bootstrap.servers").hasMessageContaining("schema.registry.url")
                .hasMessageContaining("state.dir").hasMessageContaining("application.id");
    }

    @Test
    void eachAppHasItsOwnApplicationIdAndReadsTheSharedKeys() {
        RouterConfig router = RouterConfig.fromMap(valid());
        DeadlinesConfig deadlines = DeadlinesConfig.fromMap(valid());
        assertThat(router.applicationId()).isEqualTo("databus-sharing-router");
        assertThat(deadlines.applicationId()).isEqualTo("databus-deadlines");
        assertThat(router.dataDir()).isEqualTo(Path.of("/var/lib/databus"));
        assertThat(deadlines.stateDir()).isEqualTo(Path.of("/var/lib/databus/state"));
        assertThat(router.registryUserInfo()).isEmpty();
        Map<String, Object> withAuth = valid();
        withAuth.put("basic.auth.user.info", "bus:secret");
        assertThat(RouterConfig.fromMap(withAuth).registryUserInfo()).contains("bus:secret");
        assertThat(DeadlinesConfig.fromMap(withAuth).registryUserInfo()).contains("bus:secret");
    }

    @Test
    void streamsPropertiesAreExactlyOnceAndThePrefixedKeysWin() {
        Map<String, Object> m = valid();
        m.put("streams.num.stream.threads", "2");
        m.put("streams.main.consumer.metadata.max.age.ms", "500");
        m.put("streams.processing.guarantee", "at_least_once");
        Properties router = SharingRouterApp.streamsConfig(RouterConfig.fromMap(m));
        assertThat(router.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("databus-sharing-router");
        assertThat(router.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/databus/state");
        assertThat(router.get("num.stream.threads")).isEqualTo("2");
        assertThat(router.get("main.consumer.metadata.max.age.ms")).isEqualTo("500");
        assertThat(router.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");

        Properties deadlines = DeadlinesApp.streamsConfig(DeadlinesConfig.fromMap(valid()));
        assertThat(deadlines.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(deadlines.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("bus-1:9092");
        assertThat(deadlines).doesNotContainKey("main.consumer.metadata.max.age.ms");
    }

    @Test
    void everyAppBatchesAndCompressesAndAPrefixedKeyStillWins() {
        Properties deadlines = DeadlinesApp.streamsConfig(DeadlinesConfig.fromMap(valid()));
        assertThat(deadlines.get("producer.compression.type")).isEqualTo("lz4");
        assertThat(deadlines.get("producer.batch.size")).isEqualTo(128 * 1024);
        assertThat(deadlines.get("consumer.fetch.min.bytes")).isEqualTo(32 * 1024);
        assertThat(deadlines.get("consumer.fetch.max.wait.ms")).isEqualTo(50);
        // Kafka Streams hands the prefixed settings to the clients it creates
        StreamsConfig parsed = new StreamsConfig(deadlines);
        assertThat(parsed.getProducerConfigs("c").get("compression.type")).isEqualTo("lz4");
        assertThat(parsed.getMainConsumerConfigs("g", "c", 0).get("fetch.min.bytes")).isEqualTo(32 * 1024);

        Map<String, Object> m = valid();
        m.put("streams.producer.compression.type", "zstd");
        Properties router = SharingRouterApp.streamsConfig(RouterConfig.fromMap(m));
        assertThat(router.get("producer.compression.type")).isEqualTo("zstd");
        assertThat(router.get("consumer.fetch.max.wait.ms")).isEqualTo(50);
    }

    @Test
    void appSpecificKeysAreStillChecked() {
        Map<String, Object> m = valid();
        m.put("router.delivery.topic.replication.factor", "0");
        assertThatThrownBy(() -> RouterConfig.fromMap(m)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("router.delivery.topic.replication.factor");
        Map<String, Object> l = valid();
        l.put("ledger.log.topic", "bus.exchange-log.staging");
        assertThatThrownBy(() -> RouterConfig.fromMap(l)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("must name different topics");
    }

    @Test
    void everyAppReadsTheSameKeysIncludingGovernanceWhichNeedsNoDataDirectory() {
        Map<String, Object> m = valid();
        m.put("bootstrap.servers", "bus-1:9092, bus-2:9092");
        GovernanceConfig governance = GovernanceConfig.fromMap(m);
        RouterConfig router = RouterConfig.fromMap(m);
        DeadlinesConfig deadlines = DeadlinesConfig.fromMap(m);
        for (StreamsAppConfig c : List.<StreamsAppConfig>of(governance, router, deadlines)) {
            assertThat(c.bootstrapServers()).containsExactly("bus-1:9092", "bus-2:9092");
            assertThat(c.schemaRegistryUrls()).containsExactly("http://bus-1:8081");
            assertThat(c.adminProperties()).containsEntry("bootstrap.servers", "bus-1:9092,bus-2:9092");
        }
        Map<String, Object> withoutDataDir = valid();
        withoutDataDir.remove("data.dir");
        assertThat(GovernanceConfig.fromMap(withoutDataDir).applicationId()).isEqualTo("databus-governance");
        assertThatThrownBy(() -> RouterConfig.fromMap(withoutDataDir)).hasMessageContaining("data.dir");
    }

    @Test
    void theSaslPrincipalConfiguresEveryClientAndTheRegistry() {
        Map<String, Object> m = valid();
        m.put("security.protocol", "SASL_PLAINTEXT");
        m.put("sasl.username", "bus");
        m.put("sasl.password", "pa\"ss");
        m.put("streams.num.stream.threads", "2");
        m.put("streams.request.timeout.ms", "5000");
        m.put("streams.acks", "1");
        RouterConfig router = RouterConfig.fromMap(m);

        Map<String, Object> client = router.clientProperties();
        assertThat(client).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("request.timeout.ms", "5000")
                .doesNotContainKeys("num.stream.threads", "acks");
        assertThat(((Password) client.get("sasl.jaas.config")).value())
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bus\" password=\"pa\\\"ss\";");
        assertThat(router.registryUserInfo()).contains("bus:pa\"ss");
        assertThat(router.adminProperties()).containsKey("sasl.jaas.config").doesNotContainKey("acks");
        assertThat(router.producerProperties()).containsEntry("acks", "1").containsEntry("enable.idempotence", true);
        assertThat(router.consumerProperties("router-check")).containsEntry("group.id", "router-check")
                .containsEntry("isolation.level", "read_committed").doesNotContainKey("acks");
        Properties streams = SharingRouterApp.streamsConfig(router);
        assertThat(streams).containsEntry("security.protocol", "SASL_PLAINTEXT").containsKey("sasl.jaas.config")
                .containsEntry("num.stream.threads", "2");

        m.put("basic.auth.user.info", "registry-user:other");
        assertThat(RouterConfig.fromMap(m).registryUserInfo()).contains("registry-user:other");
    }

    @Test
    void aSaslProtocolNeedsAPrincipalAndAnUnknownProtocolIsRefused() {
        Map<String, Object> m = valid();
        m.put("security.protocol", "SASL_PLAINTEXT");
        assertThatThrownBy(() -> GovernanceConfig.fromMap(m)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("sasl.username is required with security.protocol=SASL_PLAINTEXT")
                .hasMessageContaining("sasl.password is required");
        m.put("security.protocol", "KERBEROS");
        assertThatThrownBy(() -> RouterConfig.fromMap(m)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("security.protocol");
        assertThat(RouterConfig.fromMap(valid()).clientProperties()).containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKey("sasl.jaas.config");
    }
}
