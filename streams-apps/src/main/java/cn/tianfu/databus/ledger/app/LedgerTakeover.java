package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.app.internal.ChainProcessor;
import cn.tianfu.databus.ledger.app.internal.ChainState;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.internals.WindowKeySchema;

/**
 * The ledger's state as a cluster holding a copy of the exchange log must have it before the router's chain nodes
 * continue the chains there (disaster recovery, docs/dr.md). The stores are the router's: their changelogs are named
 * after the router's application id. The ledger keeps each partition's chain head in the store
 * {@link LedgerApp#HEADS_STORE}, restored on start from its changelog topic; a copy of that changelog made
 * independently of the log's copy may stand behind (or ahead of) the copied log's last entry. A record of
 * {@link #chainHead} appended to the changelog before the ledger starts there is the last value restored, so the
 * ledger continues each chain from the copied log's last entry. Likewise a record of {@link #exchangeId} appended to
 * the changelog of {@link LedgerApp#SEEN_STORE} makes the ledger know an entry of the copied log as chained, whatever
 * the copied id store held: an entry staged again for the same id is then not chained a second time.
 *
 * <pre>{@code
 * producer.send(LedgerTakeover.chainHead(RouterConfig.APPLICATION_ID_DEFAULT, 0, lastEntryHash, entries, proven));
 * }</pre>
 */
public final class LedgerTakeover {

    private LedgerTakeover() {
    }

    /** The changelog topic of the chain-head store of the router with Kafka Streams application id {@code applicationId}. */
    public static String headsChangelog(String applicationId) {
        // Kafka Streams names a store's changelog <application.id>-<store>-changelog
        return applicationId + "-" + LedgerApp.HEADS_STORE + "-changelog";
    }

    /** The changelog topic of the store of recently chained exchange ids of the router {@code applicationId}. */
    public static String exchangeIdsChangelog(String applicationId) {
        return applicationId + "-" + LedgerApp.SEEN_STORE + "-changelog";
    }

    /**
     * The changelog record of the id store saying that {@code entry}, an entry of log partition {@code partition},
     * was chained: its exchange id at its time, with the digest the ledger compares a re-staged entry with. Kafka
     * Streams' own key layout of a window store's changelog (the id, the time, sequence number 0: the store keeps
     * no duplicates).
     */
    public static ProducerRecord<byte[], byte[]> exchangeId(String applicationId, int partition, ExchangeLogEntry entry) {
        String topic = exchangeIdsChangelog(applicationId);
        long time = entry.getTime().toEpochMilli();
        byte[] key = WindowKeySchema.toStoreKeyBinary(Bytes.wrap(entry.getExchangeId().getBytes(StandardCharsets.UTF_8)),
                time, 0).get();
        byte[] value = ChainProcessor.digest(ExchangeLogRecords.toEntry(entry)).getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, partition, time, key, value);
    }

    /**
     * The changelog record setting log partition {@code partition}'s chain head: the hash of its last entry
     * ({@code HashChain.GENESIS} for none), the entries chained so far, and how many of them the last signed
     * checkpoint covers (the ledger signs a checkpoint at its first punctuation after start in any case). It goes to
     * the changelog's partition of the same number, the partition of the ledger's task for that chain.
     */
    public static ProducerRecord<byte[], byte[]> chainHead(String applicationId, int partition, String headHash,
                                                           long entryCount, long checkpointedCount) {
        if (entryCount < 0 || checkpointedCount < 0 || checkpointedCount > entryCount) {
            throw new IllegalArgumentException("a chain of " + entryCount + " entries cannot have " + checkpointedCount
                    + " of them signed");
        }
        String topic = headsChangelog(applicationId);
        byte[] key;
        byte[] value;
        try (IntegerSerializer keys = new IntegerSerializer()) {
            key = keys.serialize(topic, partition);
        }
        try (var values = ChainState.serde().serializer()) {
            value = values.serialize(topic, new ChainState(headHash, entryCount, checkpointedCount));
        }
        return new ProducerRecord<>(topic, partition, key, value);
    }
}
