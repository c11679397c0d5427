package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.kafka.NewTopics;
import cn.tianfu.databus.ledger.app.internal.ChainProcessor;
import cn.tianfu.databus.ledger.app.internal.ChainState;
import cn.tianfu.databus.ledger.app.internal.LogKey;

import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.contract.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The ledger's nodes in a topology: they chain exchange-log entries into {@code bus.exchange-log}, one hash chain per
 * partition, and sign the chain heads to {@code bus.exchange-log.checkpoints}. The sharing router adds them to its own
 * topology ({@code SharingRouterApp}), so that an entry is chained in the transaction that writes its delivery: one
 * exactly-once hop.
 *
 * <pre>{@code
 * int logPartitions = LedgerApp.logPartitions(admin, Topics.EXCHANGE_LOG_STAGING, Topics.EXCHANGE_LOG);
 * LedgerApp.addChain(topology, ledgerContext, "chain", "router");   // "router" forwards ExchangeEntry objects
 * }</pre>
 *
 * <p>The chain node takes from its parent, in the parent's task, two kinds of record: the entries the parent made
 * ({@link cn.tianfu.databus.ledger.ExchangeEntry} values, not serialized) and the records of the staging topic as read
 * (Avro bytes: the entries written outside the router's transactions, i.e. service answers), which the parent reads
 * through its own source pattern (one pattern source per sub-topology: a named source beside a pattern source in one
 * sub-topology makes Kafka Streams fail when a new topic matching the pattern appears). Task
 * p owns chain p and writes log partition p (staging and log topics have the same partition count; {@link
 * #logPartitions} checks). A task of a partition the log does not have (a source topic with more partitions than
 * the log) writes its entries to the staging topic instead, keyed by exchange id; the task owning that staging
 * partition chains them. Staged entries are chained once per exchange id (the id store); forwarded ones commit with
 * the output that caused them. Details in DESIGN.md in bus-core's {@code ledger} package.
 */
public final class LedgerApp {

    /** Chain head, count and checkpoint mark per partition. */
    public static final String HEADS_STORE = "ledger-chain-heads";
    /** Exchange ids recently chained, with the digest of their content. */
    public static final String SEEN_STORE = "ledger-exchange-ids";

    static final String LOG_SINK = "log";
    static final String CHECKPOINT_SINK = "checkpoints";
    static final String DEAD_LETTER_SINK = "deadletter";
    static final String STAGING_SINK = "staging-overflow";

    private LedgerApp() {
    }

    /**
     * Adds the ledger's nodes to {@code topology}: the chain processor {@code chainName} fed by {@code parents} (which
     * forward {@link cn.tianfu.databus.ledger.ExchangeEntry} values and the staging topic's records), its two stores
     * and its sinks (log, checkpoints, dead letters, and the staging topic for entries of a partition with no chain).
     */
    public static void addChain(Topology topology, LedgerContext ctx, String chainName, String... parents) {
        AvroSerde<ExchangeLogEntry> entrySerde = AvroSerde.specific(ctx.registry(), ExchangeLogEntry.class);
        AvroSerde<ExchangeLogCheckpoint> checkpointSerde = AvroSerde.specific(ctx.registry(), ExchangeLogCheckpoint.class);
        AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.specific(ctx.registry(), DeadLetter.class);
        entrySerde.configure(Map.of(), false);
        checkpointSerde.configure(Map.of(), false);
        deadLetterSerde.configure(Map.of(), false);

        ChainProcessor.Sinks sinks = new ChainProcessor.Sinks(LOG_SINK, CHECKPOINT_SINK, DEAD_LETTER_SINK, STAGING_SINK);
        topology.addProcessor(chainName, GuardedProcessor.wrap(() -> new ChainProcessor(ctx.signingKeys(),
                entrySerde.deserializer(), HEADS_STORE, SEEN_STORE, sinks, ctx.logPartitions(),
                ctx.checkpointEveryEntries(), ctx.checkpointInterval(), ctx.heartbeatInterval(), ctx.dedupRetention()),
                new PoisonPillGuard()), parents);
        // cached: the head is rewritten after every entry, but only its value at commit needs to reach the
        // changelog (the cache is flushed into the same transaction), one record per commit instead of per entry
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HEADS_STORE),
                Serdes.Integer(), ChainState.serde()).withCachingEnabled(), chainName);
        // ids by entry time, in segments dropped whole once older than the retention: bounded without a scan; looked
        // up over +-retention around an entry's time, so an id re-staged with another time is still found
        Duration retention = ctx.dedupRetention();
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SEEN_STORE, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.String()), chainName);
        topology.addSink(LOG_SINK, ctx.logTopic(), LogKey.serializer(), entrySerde.serializer(),
                LogKey.partitioner(), chainName);
        topology.addSink(CHECKPOINT_SINK, ctx.checkpointTopic(), new IntegerSerializer(),
                checkpointSerde.serializer(), chainName);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEADLETTER, new StringSerializer(), deadLetterSerde.serializer(),
                chainName);
        topology.addSink(STAGING_SINK, ctx.stagingTopic(), new StringSerializer(), entrySerde.serializer(), chainName);
    }

    /**
     * The log's partition count, after checking that the staging topic has as many (staging partition p is chained
     * into log partition p). The topics may have been created a moment ago: asks again while the broker does not
     * know them yet, for up to 30 s.
     *
     * @throws LedgerAppException when the topics are missing or differ in partition count
     */
    public static int logPartitions(Admin admin, String stagingTopic, String logTopic) {
        try {
            int staging = NewTopics.describe(admin, stagingTopic, 30_000).partitions().size();
            int log = NewTopics.describe(admin, logTopic, 30_000).partitions().size();
            if (staging != log) {
                throw new LedgerAppException("The staging topic " + stagingTopic + " has " + staging
                        + " partitions but the log topic " + logTopic + " has " + log + ": each staging "
                        + "partition is chained into the log partition of the same number, so they must be equal; "
                        + "add partitions to the smaller one before the router writes to it");
            }
            return log;
        } catch (ExecutionException e) {
            throw new LedgerAppException("Cannot describe " + stagingTopic + " and " + logTopic
                    + ": " + e.getCause().getMessage() + "; create the bus's system topics first", e.getCause());
        } catch (TimeoutException e) {
            throw new LedgerAppException("The brokers did not describe " + List.of(stagingTopic, logTopic)
                    + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerAppException("Interrupted while checking the ledger's topics", e);
        }
    }
}
