package cn.tianfu.databus.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.ledger.app.LedgerApp;
import cn.tianfu.databus.ledger.app.LedgerConfig;
import cn.tianfu.databus.sharing.router.RouterConfig;
import cn.tianfu.databus.sharing.router.SharingRouterApp;

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
        assertThatThrownBy(() -> LedgerConfig.fromMap(empty))
                .isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("bootstrap.servers").hasMessageContaining("schema.registry.url")
                .hasMessageContaining("state.dir").hasMessageContaining("data.dir")
                .hasMessageContaining("application.id");
    }

    @Test
    void eachAppHasItsOwnApplicationIdAndReadsTheSharedKeys() {
        RouterConfig router = RouterConfig.fromMap(valid());
        LedgerConfig ledger = LedgerConfig.fromMap(valid());
        assertThat(router.applicationId()).isEqualTo("databus-sharing-router");
        assertThat(ledger.applicationId()).isEqualTo("databus-ledger");
        assertThat(router.dataDir()).isEqualTo(Path.of("/var/lib/databus"));
        assertThat(ledger.stateDir()).isEqualTo(Path.of("/var/lib/databus/state"));
        assertThat(router.registryUserInfo()).isEmpty();
        Map<String, Object> withAuth = valid();
        withAuth.put("basic.auth.user.info", "bus:secret");
        assertThat(LedgerConfig.fromMap(withAuth).registryUserInfo()).contains("bus:secret");
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

        Properties ledger = LedgerApp.streamsConfig(LedgerConfig.fromMap(valid()));
        assertThat(ledger.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(ledger.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("bus-1:9092");
        assertThat(ledger).doesNotContainKey("main.consumer.metadata.max.age.ms");
    }

    @Test
    void appSpecificKeysAreStillChecked() {
        Map<String, Object> m = valid();
        m.put("router.delivery.topic.replication.factor", "0");
        assertThatThrownBy(() -> RouterConfig.fromMap(m)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("router.delivery.topic.replication.factor");
        Map<String, Object> l = valid();
        l.put("ledger.log.topic", "bus.exchange-log.staging");
        assertThatThrownBy(() -> LedgerConfig.fromMap(l)).isInstanceOf(DatabusConfigException.class)
                .hasMessageContaining("must name different topics");
    }
}
