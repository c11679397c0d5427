package cn.tianfu.databus.dr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.mirror.DefaultGroupFilter;
import org.apache.kafka.connect.mirror.DefaultTopicFilter;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorMakerConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;

/** The MirrorMaker 2 configuration the bus builds, read back by MirrorMaker's own config classes and filters. */
class DrConfigTest {

    private static final Map<String, Object> PRIMARY = Map.of("bootstrap.servers", "primary-1:9092",
            "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512");
    private static final Map<String, Object> DR = Map.of("bootstrap.servers", "dr-1:9092",
            "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512");

    /** One configuration for every check: building MirrorMaker's config loads its plugins, which takes a while. */
    private static final DrConfig CONFIG = new DrConfig(Map.of(DrConfig.SYNC_INTERVAL_SECONDS_CONFIG, "7",
            "mm2.primary->dr.producer.compression.type", "zstd"));
    private static final MirrorMakerConfig MM = new MirrorMakerConfig(MirrorReplication.properties(PRIMARY, DR, CONFIG, (short) 1));
    private static final SourceAndTarget FLOW = new SourceAndTarget("primary", "dr");

    private static Map<String, String> connector(Class<?> connector) {
        return MM.connectorBaseConfig(FLOW, connector);
    }

    @Test
    void one_flow_from_the_primary_with_the_same_topic_names() {
        Map<String, String> source = connector(MirrorSourceConnector.class);
        new MirrorSourceConfig(source);
        assertThat(source).containsEntry("replication.policy.class", IdentityReplicationPolicy.class.getName())
                .containsEntry("offset-syncs.topic.location", "target")
                .containsEntry("consumer.isolation.level", "read_committed")
                .containsEntry("source.cluster.bootstrap.servers", "primary-1:9092")
                .containsEntry("source.cluster.security.protocol", "SASL_SSL")
                .containsEntry("target.cluster.bootstrap.servers", "dr-1:9092")
                .containsEntry("sync.topic.acls.enabled", "false")
                .containsEntry("replication.factor", "1");
        assertThat(MM.clusters()).containsExactlyInAnyOrder("primary", "dr");
        assertThat(new IdentityReplicationPolicy().formatRemoteTopic("primary", "src.amr.10101-000001"))
                .isEqualTo("src.amr.10101-000001");
    }

    @Test
    void the_bus_topics_are_replicated_and_nothing_else() {
        DefaultTopicFilter filter = new DefaultTopicFilter();
        filter.configure(connector(MirrorSourceConnector.class));
        for (String topic : List.of(Topics.source("amr", "10101-000001"), Topics.delivery("hrss", "10101-000001"),
                Topics.commands("amr"), Topics.replies("amr"), Topics.open("10101-000001"), Topics.EXCHANGE_LOG,
                Topics.EXCHANGE_LOG_CHECKPOINTS, Topics.DEPARTMENTS, Topics.SCHEMAS,
                "databus-sharing-router-ledger-chain-heads-changelog")) {
            assertThat(filter.shouldReplicateTopic(topic)).as(topic).isTrue();
        }
        for (String topic : List.of("mm2-offsets.primary.internal", "__consumer_offsets", "heartbeats", "orders",
                "databus-governance-commands-by-resource-repartition")) {
            assertThat(filter.shouldReplicateTopic(topic)).as(topic).isFalse();
        }
    }

    @Test
    void consumer_group_offsets_are_checkpointed_and_synced() {
        Map<String, String> checkpoint = connector(MirrorCheckpointConnector.class);
        assertThat(checkpoint).containsEntry("sync.group.offsets.enabled", "true")
                .containsEntry("sync.group.offsets.interval.seconds", "7")
                .containsEntry("emit.checkpoints.interval.seconds", "7");
        DefaultGroupFilter groups = new DefaultGroupFilter();
        groups.configure(checkpoint);
        assertThat(groups.shouldReplicateGroup("hrss.deliveries")).isTrue();
        assertThat(groups.shouldReplicateGroup("databus-sharing-router")).isTrue();
    }

    @Test
    void the_worker_commits_its_progress_every_sync_interval() {
        // the worker's own setting (a top-level key would be ignored and the 60 s default apply)
        assertThat(MM.workerConfig(FLOW)).containsEntry("offset.flush.interval.ms", "7000")
                .containsEntry("offset.storage.topic", "mm2-offsets.primary.internal");
        assertThat(DrStatus.offsetSyncsTopic(CONFIG)).isEqualTo("mm2-offset-syncs.primary.internal");
    }

    @Test
    void the_lag_is_counted_from_the_newest_offset_sync() {
        // primary record 40 copied to offset 30; 5 records on the copy after it, 8 committed on the primary after 40
        assertThat(DrStatus.lagFromAnchor(8, 36, 30)).isEqualTo(3);
        assertThat(DrStatus.lagFromAnchor(5, 36, 30)).isZero();
        // no offset sync yet: every committed record against the copy's end offset
        assertThat(DrStatus.lagFromAnchor(12, 0, -1)).isEqualTo(12);
        assertThat(DrStatus.lagFromAnchor(12, 12, -1)).isZero();
        // a record copied twice never turns the lag negative
        assertThat(DrStatus.lagFromAnchor(2, 40, 30)).isZero();
    }

    @Test
    void mm2_keys_are_handed_over_unchanged() {
        assertThat(connector(MirrorSourceConnector.class)).containsEntry("producer.compression.type", "zstd");
    }

    @Test
    void the_way_back_turns_the_flow_round_with_the_aliases_swapped() {
        DrConfig back = CONFIG.reversed();
        assertThat(back.sourceAlias()).isEqualTo("dr");
        assertThat(back.targetAlias()).isEqualTo("primary");
        assertThat(back.topics()).isEqualTo(CONFIG.topics());
        assertThat(back.syncIntervalSeconds()).isEqualTo(7);
        assertThat(back.reversed().sourceAlias()).isEqualTo("primary");
        MirrorMakerConfig mm = new MirrorMakerConfig(MirrorReplication.properties(DR, PRIMARY, back, (short) 1));
        SourceAndTarget flow = new SourceAndTarget("dr", "primary");
        Map<String, String> source = mm.connectorBaseConfig(flow, MirrorSourceConnector.class);
        new MirrorSourceConfig(source);
        assertThat(source).containsEntry("source.cluster.bootstrap.servers", "dr-1:9092")
                .containsEntry("target.cluster.bootstrap.servers", "primary-1:9092")
                .containsEntry("offset-syncs.topic.location", "target")
                // the flow's own MirrorMaker keys are turned round with it
                .containsEntry("producer.compression.type", "zstd");
        // MirrorMaker's internal topics on the primary are named after the disaster-recovery cluster: the outward
        // flow's progress (on the disaster-recovery cluster) is neither read nor overwritten
        assertThat(mm.workerConfig(flow)).containsEntry("offset.storage.topic", "mm2-offsets.dr.internal")
                .containsEntry("offset.flush.interval.ms", "7000");
        assertThat(DrStatus.offsetSyncsTopic(back)).isEqualTo("mm2-offset-syncs.dr.internal");
        assertThat(Failback.steps(PRIMARY, DR, CONFIG)).hasSize(5)
                .anySatisfy(s -> assertThat(s).contains("dr -> primary").contains("mm2-offsets.dr.internal"));
    }

    @Test
    void the_primary_has_caught_up_when_every_partition_is_there_without_lag() {
        DrStatus.PartitionLag copied = new DrStatus.PartitionLag(Topics.EXCHANGE_LOG, 0, 40, 52, 51, 0);
        DrStatus.PartitionLag behind = new DrStatus.PartitionLag(Topics.EXCHANGE_LOG, 1, 40, 52, 30, 4);
        DrStatus.PartitionLag missing = new DrStatus.PartitionLag(Topics.SCHEMAS, 0, -1, 3, -1, 0);
        assertThat(Failback.caughtUp(report(null, List.of(copied)))).isTrue();
        assertThat(Failback.caughtUp(report(null, List.of(copied, behind)))).isFalse();
        assertThat(Failback.caughtUp(report(null, List.of(copied, missing)))).as("a topic not created yet").isFalse();
        assertThat(Failback.caughtUp(report("TimeoutException", List.of(copied)))).isFalse();
    }

    private static DrStatus.Report report(String sourceError, List<DrStatus.PartitionLag> partitions) {
        return new DrStatus.Report("dr-1:9092", "primary-1:9092", sourceError, partitions, List.of());
    }

    @Test
    void bad_settings_are_refused_with_the_key() {
        assertThatThrownBy(() -> new DrConfig(Map.of(DrConfig.TARGET_ALIAS_CONFIG, "primary")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(DrConfig.TARGET_ALIAS_CONFIG);
        assertThatThrownBy(() -> new DrConfig(Map.of(DrConfig.TOPICS_CONFIG, "src\\.(")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(DrConfig.TOPICS_CONFIG);
        assertThatThrownBy(() -> new DrConfig(Map.of(DrConfig.SOURCE_ALIAS_CONFIG, "Primary Site")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(DrConfig.SOURCE_ALIAS_CONFIG);
    }
}
