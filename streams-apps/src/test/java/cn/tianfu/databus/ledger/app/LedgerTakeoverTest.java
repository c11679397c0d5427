package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.app.internal.ChainProcessor;
import cn.tianfu.databus.ledger.app.internal.ChainState;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import cn.tianfu.databus.sharing.app.RouterConfig;
import org.junit.jupiter.api.Test;

/**
 * The changelog records a promotion appends so that the router's chain nodes continue the copied chains: the ledger's
 * stores are the router's, their changelogs named after its application id (docs/dr.md).
 */
class LedgerTakeoverTest {

    @Test
    void aChainHeadIsTheRecordTheLedgersHeadStoreRestores() {
        String head = HashChain.genesis().append(StagedEntries.entry("src.amr.10201-000001", 7)).hash();
        ProducerRecord<byte[], byte[]> r = LedgerTakeover.chainHead(RouterConfig.APPLICATION_ID_DEFAULT, 1, head, 42, 40);

        assertThat(r.topic()).isEqualTo("databus-sharing-router-ledger-chain-heads-changelog");
        assertThat(r.partition()).as("the changelog partition of the chain's task").isEqualTo(1);
        try (IntegerDeserializer keys = new IntegerDeserializer()) {
            assertThat(keys.deserialize(r.topic(), r.key())).isEqualTo(1);
        }
        assertThat(ChainState.serde().deserializer().deserialize(r.topic(), r.value()))
                .isEqualTo(new ChainState(head, 42, 40));
    }

    @Test
    void moreSignedThanChainedIsRefused() {
        assertThatThrownBy(() -> LedgerTakeover.chainHead("databus-sharing-router", 0, HashChain.GENESIS, 3, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExchangeIdIsKeyedAsTheLedgersIdStoreKeysItWithTheDigestTheLedgerCompares() {
        ExchangeEntry chained = HashChain.genesis().append(StagedEntries.entry("src.amr.10201-000001", 7));
        ExchangeLogEntry logged = ExchangeLogRecords.toAvro(chained);
        ProducerRecord<byte[], byte[]> r = LedgerTakeover.exchangeId(RouterConfig.APPLICATION_ID_DEFAULT, 0, logged);

        assertThat(r.topic()).isEqualTo("databus-sharing-router-ledger-exchange-ids-changelog");
        assertThat(r.partition()).isZero();
        // a window store's changelog key: the record key's bytes, the time (8 bytes), the sequence number (4 bytes)
        byte[] id = chained.exchangeId().getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.wrap(r.key());
        assertThat(r.key()).hasSize(id.length + 12);
        assertThat(Arrays.copyOf(r.key(), id.length)).isEqualTo(id);
        assertThat(key.getLong(id.length)).isEqualTo(chained.timeMillis());
        assertThat(key.getInt(id.length + 8)).isZero();
        assertThat(r.timestamp()).isEqualTo(chained.timeMillis());
        // what the ledger stores for the same entry as it arrives on the staging topic (no chain fields yet)
        assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .isEqualTo(ChainProcessor.digest(chained.withChain(null, null)))
                .isNotEqualTo(ChainProcessor.digest(StagedEntries.entry("src.amr.10201-000001", 8)));
    }
}
