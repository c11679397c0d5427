package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.ledger.app.internal.ChainState;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;

/**
 * The ledger's state as a cluster holding a copy of the exchange log must have it before a ledger continues the
 * chains there (disaster recovery, docs/dr.md). The ledger keeps each partition's chain head in the store
 * {@link LedgerApp#HEADS_STORE}, restored on start from its changelog topic; a copy of that changelog made
 * independently of the log's copy may stand behind (or ahead of) the copied log's last entry. A record of
 * {@link #chainHead} appended to the changelog before the ledger starts there is the last value restored, so the
 * ledger continues each chain from the copied log's last entry.
 *
 * <pre>{@code
 * producer.send(LedgerTakeover.chainHead(LedgerConfig.DEFAULT_APPLICATION_ID, 0, lastEntryHash, entries, proven));
 * }</pre>
 */
public final class LedgerTakeover {

    private LedgerTakeover() {
    }

    /** The changelog topic of the chain-head store of the ledger with Kafka Streams application id {@code applicationId}. */
    public static String headsChangelog(String applicationId) {
        // Kafka Streams names a store's changelog <application.id>-<store>-changelog
        return applicationId + "-" + LedgerApp.HEADS_STORE + "-changelog";
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
