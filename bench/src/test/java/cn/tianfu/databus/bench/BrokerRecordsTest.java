package cn.tianfu.databus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerRecordsTest {

    @Test
    void topicsAreGroupedByKindSoThatFreshTopicsPerRepetitionAddUp() {
        assertThat(BrokerRecords.group("src.psb.10101-000007")).isEqualTo("src");
        assertThat(BrokerRecords.group("dlv.bc12.10101-000007")).isEqualTo("dlv");
        assertThat(BrokerRecords.group("databus-sharing-router-router-latest-changelog"))
                .isEqualTo("changelog.router-latest");
        // the ledger's stores are the router's
        assertThat(BrokerRecords.group("databus-sharing-router-ledger-exchange-ids-changelog"))
                .isEqualTo("changelog.ledger-exchange-ids");
        assertThat(BrokerRecords.group("databus-sharing-router-ledger-chain-heads-changelog"))
                .isEqualTo("changelog.ledger-chain-heads");
        assertThat(BrokerRecords.group("pipeline-ledger-x-router-latest-changelog"))
                .isEqualTo("changelog.router-latest");
        assertThat(BrokerRecords.group("bench.bare.12.staging")).isEqualTo("bench.staging");
        assertThat(BrokerRecords.group("bus.exchange-log.staging")).isEqualTo("bus.exchange-log.staging");
        assertThat(BrokerRecords.group("__transaction_state")).isEqualTo("internal__transaction_state");
    }

    @Test
    void recordsPerSourceRecordAreTheDeltasByGroupAndTheirSumWithoutInternalTopics() {
        Map<String, Long> before = Map.of("src.a.r1", 100L, "dlv.c.r1", 90L, "__consumer_offsets", 5L);
        Map<String, Long> after = Map.of("src.a.r1", 1100L, "src.a.r2", 1000L, "dlv.c.r1", 1090L,
                "x-router-latest-changelog", 500L, "__consumer_offsets", 55L);

        Map<String, Double> per = BrokerRecords.perSourceRecord(before, after, 1000);

        assertThat(per.get("brokerRecordsPerSource.src")).isCloseTo(2.0, within(1e-9));
        assertThat(per.get("brokerRecordsPerSource.dlv")).isCloseTo(1.0, within(1e-9));
        assertThat(per.get("brokerRecordsPerSource.changelog.router-latest")).isCloseTo(0.5, within(1e-9));
        assertThat(per.get("brokerRecordsPerSource.internal__consumer_offsets")).isCloseTo(0.05, within(1e-9));
        assertThat(per.get("brokerRecordsPerSource")).isCloseTo(3.5, within(1e-9));
    }

    @Test
    void bytesPerSourceRecordAreGroupedAndSummedTheSameWay() {
        Map<String, Long> before = Map.of("src.a.r1", 0L);
        Map<String, Long> after = Map.of("src.a.r1", 1_000_000L, "dlv.c.r1", 600_000L,
                "x-router-latest-changelog", 50_000L, "__transaction_state", 9_000L);

        Map<String, Double> per = BrokerRecords.bytesPerSourceRecord(before, after, 1000);

        assertThat(per.get("brokerBytesPerSource.src")).isCloseTo(1000.0, within(1e-9));
        assertThat(per.get("brokerBytesPerSource.changelog.router-latest")).isCloseTo(50.0, within(1e-9));
        assertThat(per.get("brokerBytesPerSource.internal__transaction_state")).isCloseTo(9.0, within(1e-9));
        assertThat(per.get("brokerBytesPerSource")).isCloseTo(1650.0, within(1e-9));
        assertThat(per).doesNotContainKey("brokerRecordsPerSource");
    }
}
