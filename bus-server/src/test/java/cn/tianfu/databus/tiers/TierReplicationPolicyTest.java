package cn.tianfu.databus.tiers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;

/** The district tiers' topic mapping, as MirrorMaker 2 asks it, and the link's configuration. */
class TierReplicationPolicyTest {

    private static TierReplicationPolicy policy(String cityDepartment) {
        TierReplicationPolicy p = new TierReplicationPolicy();
        p.configure(Map.of(TierReplicationPolicy.CITY_DEPARTMENT_CONFIG, cityDepartment));
        return p;
    }

    @Test
    void theCitysDeliveriesOnTheDistrictBecomeTheDistrictsSourceTopicsOnTheCity() {
        TierReplicationPolicy p = policy("city");
        assertThat(p.formatRemoteTopic("jinjiang", "dlv.city.10201-100001")).isEqualTo("src.jinjiang.10201-100001");
        assertThat(p.topicSource("src.jinjiang.10201-100001")).isEqualTo("jinjiang");
        assertThat(p.upstreamTopic("src.jinjiang.10201-100001")).isEqualTo("dlv.city.10201-100001");
        assertThat(p.originalTopic("src.jinjiang.10201-100001")).isEqualTo("dlv.city.10201-100001");
    }

    @Test
    void aDeliveryOnTheDistrictIsNeverTakenForACycle() {
        TierReplicationPolicy p = policy("city");
        // the default policy would read "dlv" as a cluster alias and "city.<resource>" as a topic from cluster "city"
        assertThat(p.topicSource("dlv.city.10201-100001")).isNull();
        assertThat(p.upstreamTopic("dlv.city.10201-100001")).isNull();
        assertThat(p.topicSource("bus.exchange-log")).isNull();
    }

    @Test
    void theCitysDepartmentIdIsConfigurable() {
        TierReplicationPolicy p = policy("chengdu");
        assertThat(p.formatRemoteTopic("jinjiang", "dlv.chengdu.10201-100001")).isEqualTo("src.jinjiang.10201-100001");
        assertThat(Topics.tierUpward("chengdu", "jinjiang", "dlv.hrss.10201-100001")).isEmpty();
        assertThatThrownBy(() -> policy("Not A Department")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLinksConfigurationIsCheckedAndItsMirrorMakerKeysPassedOn() {
        TierConfig config = new TierConfig(Map.of(TierConfig.SYNC_INTERVAL_SECONDS_CONFIG, "2",
                "mm2.jinjiang->city.producer.compression.type", "zstd"));
        assertThat(config.cityDepartment()).isEqualTo("city");
        assertThat(config.syncIntervalSeconds()).isEqualTo(2);
        assertThat(config.mirrorMakerOverrides()).containsEntry("jinjiang->city.producer.compression.type", "zstd");
        assertThatThrownBy(() -> new TierConfig(Map.of(TierConfig.CITY_DEPARTMENT_CONFIG, "no.dots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(TierConfig.CITY_DEPARTMENT_CONFIG);
    }
}
