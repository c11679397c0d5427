package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.sharing.app.internal.RouterProcessor;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.contract.RecordLimits;

/** One bad staged record never stops the router's chain: it is dead-lettered and the next entry is chained. */
class LedgerFailuresTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private TopologyTestDriver driver;

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aStagedRecordTooLargeUncompressedIsADeadLetterAndTheNextEntryIsChained() {
        LedgerContext ctx = new LedgerContext(SigningKeys.loadOrCreate(dataDir), registry, Topics.EXCHANGE_LOG_STAGING,
                Topics.EXCHANGE_LOG, Topics.EXCHANGE_LOG_CHECKPOINTS, 1, 3, Duration.ofSeconds(10), Duration.ofDays(7),
                Duration.ofMinutes(1));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ledger-failures-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putAll(StreamsAppConfig.failureHandling(RouterProcessor.COMPONENT, registry));
        driver = new TopologyTestDriver(RouterTopology.of(ctx), props);
        AvroSerde<ExchangeLogEntry> entrySerde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        entrySerde.configure(Map.of(), false);
        AvroSerde<DeadLetter> dlSerde = AvroSerde.specific(registry, DeadLetter.class);
        dlSerde.configure(Map.of(), false);
        TestOutputTopic<String, ExchangeLogEntry> log = driver.createOutputTopic(Topics.EXCHANGE_LOG,
                new StringDeserializer(), entrySerde.deserializer());
        TestOutputTopic<String, DeadLetter> deadLetters = driver.createOutputTopic(Topics.DEADLETTER,
                new StringDeserializer(), dlSerde.deserializer());

        driver.createInputTopic(Topics.EXCHANGE_LOG_STAGING, new StringSerializer(), new ByteArraySerializer())
                .pipeInput("big", new byte[RecordLimits.MAX_RECORD_BYTES + 1]);
        ExchangeEntry good = StagedEntries.entry("src.psb.a", 1);
        driver.createInputTopic(Topics.EXCHANGE_LOG_STAGING, new StringSerializer(), entrySerde.serializer())
                .pipeInput(good.exchangeId(), ExchangeLogRecords.toAvro(good));

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).hasSize(1);
        // the chain runs in the router's app: the app's failure handling names the router
        assertThat(letters.get(0).getComponent()).isEqualTo(RouterProcessor.COMPONENT);
        assertThat(letters.get(0).getReason()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE.name());
        assertThat(letters.get(0).getOriginalValueSize()).isEqualTo(RecordLimits.MAX_RECORD_BYTES + 1);
        assertThat(log.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(good.exchangeId());
    }
}
