package cn.tianfu.databus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicationTest {

    @Test
    void threeOrMoreBrokersGetThreeReplicasTwoInSync() {
        assertThat(Replication.forBrokers(3)).isEqualTo(new Replication((short) 3, 2, 3));
        assertThat(Replication.forBrokers(7).factor()).isEqualTo((short) 3);
        assertThat(Replication.forBrokers(3).topicConfigs()).containsEntry("min.insync.replicas", "2");
        assertThat(Replication.forBrokers(5).note()).isEqualTo("5 brokers: system topics with replication factor 3, min.insync.replicas 2");
    }

    @Test
    void fewerBrokersGetFewerReplicasAndTheNoteSaysSo() {
        assertThat(Replication.forBrokers(1)).isEqualTo(new Replication((short) 1, 1, 1));
        assertThat(Replication.forBrokers(2)).isEqualTo(new Replication((short) 2, 1, 2));
        assertThat(Replication.forBrokers(2).note()).startsWith("2 brokers: system topics with replication factor 2, min.insync.replicas 1")
                .contains("fewer than three brokers");
        assertThatThrownBy(() -> Replication.forBrokers(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
