package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.ledger.app.internal.ChainProcessor;
import cn.tianfu.databus.ledger.app.internal.ChainState;
import cn.tianfu.databus.ledger.app.internal.LogKey;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router task of a partition the log does not have (a source topic with more partitions than the log): the chain
 * node writes the router's entries to the staging topic, keyed by exchange id, and keeps no chain; the task owning a
 * log partition chains what it is given, and what the staging topic brings it.
 */
class ChainOverflowTest {

    private static final int LOG_PARTITIONS = 3;

    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();

    private MockProcessorContext<Object, Object> task(int partition, ChainProcessor chain) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chain-overflow-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props, new TaskId(0, partition),
                stateDir.resolve("p" + partition).toFile());
        KeyValueStore<Integer, ChainState> heads = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(LedgerApp.HEADS_STORE), Serdes.Integer(), ChainState.serde())
                .withLoggingDisabled().build();
        heads.init(context.getStateStoreContext(), heads);
        context.addStateStore(heads);
        WindowStore<String, String> seen = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(LedgerApp.SEEN_STORE,
                Duration.ofDays(7), Duration.ofMillis(1), false), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        seen.init(context.getStateStoreContext(), seen);
        context.addStateStore(seen);
        chain.init(context);
        return context;
    }

    private ChainProcessor chain() {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        return new ChainProcessor(SigningKeys.generate(), serde.deserializer(), LedgerApp.HEADS_STORE,
                LedgerApp.SEEN_STORE, new ChainProcessor.Sinks(LedgerApp.LOG_SINK, LedgerApp.CHECKPOINT_SINK,
                LedgerApp.DEAD_LETTER_SINK, LedgerApp.STAGING_SINK), LOG_PARTITIONS, 1000, Duration.ofSeconds(10),
                Duration.ofMinutes(1), Duration.ofDays(7));
    }

    @Test
    void aTaskBeyondTheLogsPartitionsStagesTheRoutersEntriesKeyedByExchangeIdAndSignsNothing() {
        ChainProcessor chain = chain();
        MockProcessorContext<Object, Object> context = task(LOG_PARTITIONS, chain);
        ExchangeEntry first = StagedEntries.entry("src.psb.wide", 1);
        ExchangeEntry second = StagedEntries.entry("src.psb.wide", 2);

        chain.process(new Record<>(first.exchangeId(), first, 42L));
        chain.process(new Record<>(second.exchangeId(), second, 43L));

        List<MockProcessorContext.CapturedForward<?, ?>> out = context.forwarded();
        assertThat(out).extracting(f -> f.childName().orElseThrow()).containsOnly(LedgerApp.STAGING_SINK);
        assertThat(out).extracting(f -> (Object) f.record().key()).containsExactly(first.exchangeId(), second.exchangeId());
        assertThat(out).extracting(f -> (Object) f.record().timestamp()).containsExactly(42L, 43L);
        // unchained, exactly as the router made them: the owner of the staging partition chains them
        assertThat(out).extracting(f -> ExchangeLogRecords.toEntry((ExchangeLogEntry) f.record().value()))
                .containsExactly(first, second);
        // no chain of its own: no head kept, no checkpoint or heartbeat scheduled
        assertThat(context.scheduledPunctuators()).isEmpty();
        KeyValueStore<Integer, ChainState> heads = context.getStateStore(LedgerApp.HEADS_STORE);
        assertThat(heads.get(LOG_PARTITIONS)).isNull();
    }

    @Test
    void aTaskOwningALogPartitionChainsTheRoutersEntriesIntoItFromGenesis() {
        ChainProcessor chain = chain();
        MockProcessorContext<Object, Object> context = task(1, chain);
        ExchangeEntry first = StagedEntries.entry("src.psb.wide", 1);
        ExchangeEntry second = StagedEntries.entry("src.psb.wide", 2);

        chain.process(new Record<>(first.exchangeId(), first, 42L));
        chain.process(new Record<>(second.exchangeId(), second, 43L));

        List<MockProcessorContext.CapturedForward<?, ?>> out = context.forwarded();
        assertThat(out).extracting(f -> f.childName().orElseThrow()).containsOnly(LedgerApp.LOG_SINK);
        assertThat(out).extracting(f -> (Object) f.record().key())
                .containsExactly(new LogKey(1, first.exchangeId()), new LogKey(1, second.exchangeId()));
        ExchangeEntry c1 = ExchangeLogRecords.toEntry((ExchangeLogEntry) out.get(0).record().value());
        ExchangeEntry c2 = ExchangeLogRecords.toEntry((ExchangeLogEntry) out.get(1).record().value());
        assertThat(c1.prevHash()).isEqualTo(HashChain.GENESIS);
        assertThat(c2.prevHash()).isEqualTo(c1.hash());
        assertThat(c2.withChain(null, null)).isEqualTo(second);
        assertThat(context.scheduledPunctuators()).hasSize(1);
        KeyValueStore<Integer, ChainState> heads = context.getStateStore(LedgerApp.HEADS_STORE);
        assertThat(heads.get(1)).isEqualTo(new ChainState(c2.hash(), 2, 0));
    }
}
