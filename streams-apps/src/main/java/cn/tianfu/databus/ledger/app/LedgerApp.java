package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.kafka.NewTopics;
import cn.tianfu.databus.ledger.app.internal.ChainProcessor;
import cn.tianfu.databus.ledger.app.internal.ChainState;
import cn.tianfu.databus.ledger.app.internal.LogKey;

import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.streams.GuardedProcessor;
import cn.tianfu.databus.streams.PoisonPillGuard;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.streams.StreamsAppRunner;
import cn.tianfu.databus.contract.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The ledger: chains the entries staged on {@code bus.exchange-log.staging} into {@code bus.exchange-log}, one hash
 * chain per partition, and signs the chain heads to {@code bus.exchange-log.checkpoints}.
 *
 * <pre>{@code
 * LedgerConfig config = LedgerConfig.fromMap(Map.of("bootstrap.servers", "localhost:9092",
 *         "schema.registry.url", "http://localhost:8081", "state.dir", "/var/lib/databus/streams",
 *         "data.dir", "/var/lib/databus"));
 * KafkaStreams ledger = LedgerApp.create(config);   // checks partition counts, not started
 * ledger.start();
 * }</pre>
 *
 * <p>Staging partition p is chained into log partition p (the two topics must have the same partition count;
 * {@link #create} checks). Exactly-once ({@code exactly_once_v2}): the chain head in the state store, the log entries
 * and the checkpoints commit in one transaction, so a crash leaves neither a gap nor a duplicate in any chain.
 * Details in DESIGN.md beside this class.
 */
public final class LedgerApp {

    /** Chain head, count and checkpoint mark per partition. */
    public static final String HEADS_STORE = "ledger-chain-heads";
    /** Exchange ids recently chained, with the digest of their content. */
    public static final String SEEN_STORE = "ledger-exchange-ids";

    /** The component named in the ledger's dead letters. */
    public static final String COMPONENT = "ledger";

    static final String SOURCE = "staging";
    static final String CHAIN = "chain";
    static final String LOG_SINK = "log";
    static final String CHECKPOINT_SINK = "checkpoints";
    static final String DEAD_LETTER_SINK = "deadletter";

    private LedgerApp() {
    }

    /** The ledger's topology: one processor per staging partition, writing the log, checkpoints and dead letters. */
    public static Topology buildTopology(LedgerContext ctx) {
        AvroSerde<ExchangeLogEntry> entrySerde = AvroSerde.specific(ctx.registry(), ExchangeLogEntry.class);
        AvroSerde<ExchangeLogCheckpoint> checkpointSerde = AvroSerde.specific(ctx.registry(), ExchangeLogCheckpoint.class);
        AvroSerde<DeadLetter> deadLetterSerde = AvroSerde.specific(ctx.registry(), DeadLetter.class);
        entrySerde.configure(Map.of(), false);
        checkpointSerde.configure(Map.of(), false);
        deadLetterSerde.configure(Map.of(), false);

        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), ctx.stagingTopic());
        topology.addProcessor(CHAIN, GuardedProcessor.wrap(() -> new ChainProcessor(ctx.signingKeys(),
                entrySerde.deserializer(), HEADS_STORE, SEEN_STORE, LOG_SINK, CHECKPOINT_SINK, DEAD_LETTER_SINK,
                ctx.checkpointEveryEntries(), ctx.checkpointInterval(), ctx.heartbeatInterval(), ctx.dedupRetention()),
                new PoisonPillGuard()), SOURCE);
        // cached: the head is rewritten after every entry, but only its value at commit needs to reach the
        // changelog (the cache is flushed into the same transaction), one record per commit instead of per entry
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HEADS_STORE),
                Serdes.Integer(), ChainState.serde()).withCachingEnabled(), CHAIN);
        // ids by entry time, in segments dropped whole once older than the retention: bounded without a scan; looked
        // up over +-retention around an entry's time, so an id re-staged with another time is still found
        Duration retention = ctx.dedupRetention();
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SEEN_STORE, retention, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.String()), CHAIN);
        topology.addSink(LOG_SINK, ctx.logTopic(), LogKey.serializer(), entrySerde.serializer(),
                LogKey.partitioner(), CHAIN);
        topology.addSink(CHECKPOINT_SINK, ctx.checkpointTopic(), new IntegerSerializer(),
                checkpointSerde.serializer(), CHAIN);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEADLETTER, new StringSerializer(), deadLetterSerde.serializer(),
                CHAIN);
        return topology;
    }

    /** Kafka Streams properties: exactly-once v2, the app's id and state directory, then the {@code streams.} keys. */
    public static Properties streamsConfig(LedgerConfig config) {
        return config.streamsProperties(Map.of());
    }

    /**
     * The ledger, ready to start: loads (or creates) the signing key under {@code data.dir}/keys and checks that the
     * staging and log topics exist with the same partition count. Its registry client is closed when the returned
     * {@link OwningKafkaStreams} has stopped.
     *
     * @throws LedgerAppException when the topics are missing or differ in partition count
     */
    public static OwningKafkaStreams create(LedgerConfig config) {
        checkPartitions(config);
        SchemaRegistryClient registry = config.registryClient();
        try {
            Topology topology = buildTopology(LedgerContext.from(config, registry));
            Properties props = streamsConfig(config);
            StreamsAppConfig.failureHandling(COMPONENT, registry).forEach(props::putIfAbsent);
            return new OwningKafkaStreams(topology, props, registry);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** Runs the ledger as its own process: {@code --config FILE} with the {@link LedgerConfig} keys. */
    public static void main(String[] args) {
        StreamsAppRunner.main(args, "ledger", props -> create(LedgerConfig.fromMap(props)));
    }

    static void checkPartitions(LedgerConfig config) {
        try (Admin admin = Admin.create(config.adminProperties())) {
            // the topics may have been created a moment ago: NewTopics asks again while the broker does not know them yet
            int staging = NewTopics.describe(admin, config.stagingTopic(), 30_000).partitions().size();
            int log = NewTopics.describe(admin, config.logTopic(), 30_000).partitions().size();
            if (staging != log) {
                throw new LedgerAppException("The staging topic " + config.stagingTopic() + " has " + staging
                        + " partitions but the log topic " + config.logTopic() + " has " + log + ": each staging "
                        + "partition is chained into the log partition of the same number, so they must be equal; "
                        + "add partitions to the smaller one before the ledger writes to it");
            }
        } catch (ExecutionException e) {
            throw new LedgerAppException("Cannot describe " + config.stagingTopic() + " and " + config.logTopic()
                    + ": " + e.getCause().getMessage() + "; create the bus's system topics first", e.getCause());
        } catch (TimeoutException e) {
            throw new LedgerAppException("The brokers at " + String.join(",", config.bootstrapServers()) + " did not answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LedgerAppException("Interrupted while checking the ledger's topics", e);
        }
    }
}
