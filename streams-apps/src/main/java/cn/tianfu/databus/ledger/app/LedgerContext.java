package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link LedgerApp#addChain} needs besides Kafka: the signing key, the registry, the topics and the log's
 * partition count, the checkpoint cadence, the heartbeat and the id store's retention.
 *
 * @param signingKeys            the exchange log's Ed25519 key pair
 * @param registry               the registry the log's records are written with
 * @param stagingTopic           unchained entries ({@code bus.exchange-log.staging})
 * @param logTopic               the chained log ({@code bus.exchange-log})
 * @param checkpointTopic        signed chain heads ({@code bus.exchange-log.checkpoints})
 * @param logPartitions          the log's partition count: a task of a higher partition has no chain of its own
 * @param checkpointEveryEntries sign a head after this many new entries at the latest
 * @param checkpointInterval     sign a head with new entries after this long (wall clock) at the latest
 * @param dedupRetention         how long exchange ids are remembered to chain an id staged twice only once
 * @param heartbeatInterval      sign every partition's head after this long without a checkpoint, even when idle
 */
public record LedgerContext(SigningKeys signingKeys, SchemaRegistryClient registry, String stagingTopic,
                            String logTopic, String checkpointTopic, int logPartitions, long checkpointEveryEntries,
                            Duration checkpointInterval, Duration dedupRetention, Duration heartbeatInterval) {

    public LedgerContext {
        Objects.requireNonNull(signingKeys, "signingKeys");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(stagingTopic, "stagingTopic");
        Objects.requireNonNull(logTopic, "logTopic");
        Objects.requireNonNull(checkpointTopic, "checkpointTopic");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (logPartitions < 1) {
            throw new IllegalArgumentException("logPartitions must be at least 1, got " + logPartitions);
        }
        if (checkpointEveryEntries < 1) {
            throw new IllegalArgumentException("checkpointEveryEntries must be at least 1, got " + checkpointEveryEntries);
        }
    }
}
