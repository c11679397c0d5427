package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import cn.tianfu.databus.ledger.ChainVerifier;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerAppTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path stateDir;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private SigningKeys keys;
    private TopologyTestDriver driver;
    private TestInputTopic<String, ExchangeLogEntry> staging;
    private TestOutputTopic<String, ExchangeLogEntry> log;
    private TestOutputTopic<Integer, ExchangeLogCheckpoint> checkpoints;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void start() {
        keys = SigningKeys.loadOrCreate(dataDir);
        LedgerContext ctx = new LedgerContext(keys, registry, Topics.EXCHANGE_LOG_STAGING, Topics.EXCHANGE_LOG,
                Topics.EXCHANGE_LOG_CHECKPOINTS, 1, 3, Duration.ofSeconds(10), Duration.ofDays(7), Duration.ofSeconds(60));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ledger-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(RouterTopology.of(ctx), props);
        AvroSerde<ExchangeLogEntry> entrySerde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        entrySerde.configure(Map.of(), false);
        AvroSerde<ExchangeLogCheckpoint> cpSerde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
        cpSerde.configure(Map.of(), false);
        AvroSerde<DeadLetter> dlSerde = AvroSerde.specific(registry, DeadLetter.class);
        dlSerde.configure(Map.of(), false);
        staging = driver.createInputTopic(Topics.EXCHANGE_LOG_STAGING, new StringSerializer(), entrySerde.serializer());
        log = driver.createOutputTopic(Topics.EXCHANGE_LOG, new StringDeserializer(), entrySerde.deserializer());
        checkpoints = driver.createOutputTopic(Topics.EXCHANGE_LOG_CHECKPOINTS, new IntegerDeserializer(),
                cpSerde.deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEADLETTER, new StringDeserializer(), dlSerde.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void stage(ExchangeEntry e) {
        staging.pipeInput(e.exchangeId(), ExchangeLogRecords.toAvro(e));
    }

    @Test
    void chainsStagedEntriesInOrderKeyedByExchangeId() {
        List<ExchangeEntry> staged = List.of(StagedEntries.entry("src.psb.a", 1), StagedEntries.entry("src.psb.a", 2),
                StagedEntries.entry("src.psb.a", 3), StagedEntries.entry("src.psb.a", 4));
        staged.forEach(this::stage);

        List<KeyValue<String, ExchangeLogEntry>> out = log.readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.key).containsExactlyElementsOf(
                staged.stream().map(ExchangeEntry::exchangeId).toList());
        ChainVerifier verifier = ChainVerifier.fromGenesis();
        String prev = HashChain.GENESIS;
        for (int i = 0; i < out.size(); i++) {
            ExchangeEntry chained = ExchangeLogRecords.toEntry(out.get(i).value);
            assertThat(chained.prevHash()).isEqualTo(prev);
            assertThat(chained.withChain(null, null)).isEqualTo(staged.get(i));
            assertThat(verifier.accept(i, chained)).isTrue();
            prev = chained.hash();
        }
        assertThat(verifier.firstBreak()).isEmpty();
    }

    @Test
    void withdrawalEntriesKeepTheirReasonThroughTheChainAndVerifyUnderTheCheckpoint() {
        ExchangeEntry delivery = StagedEntries.entry("src.psb.a", 1);
        ExchangeEntry withdrawal = cn.tianfu.databus.ledger.ExchangeEntries.forWithdrawal(
                cn.tianfu.databus.ledger.KeyHasher.withSecret(new byte[32]), delivery.timeMillis() + 1,
                new cn.tianfu.databus.ledger.ExchangeEntries.Terms(delivery.resourceCode(), delivery.provider(),
                        delivery.consumer(), delivery.grantId(), delivery.purpose()),
                new cn.tianfu.databus.ledger.ExchangeEntries.Source("src.psb.a", 0, 1L, new byte[] {'k'}),
                ExchangeEntry.Operation.RETRACT, delivery.deliveryTopic(), 0, null,
                ExchangeEntry.RetractReason.REVOKED, "t");
        stage(delivery);
        stage(withdrawal);
        stage(StagedEntries.entry("src.psb.a", 2));

        List<ExchangeLogEntry> out = log.readValuesToList();
        assertThat(out).hasSize(3);
        assertThat(out.get(1).getRetractReason()).isEqualTo("REVOKED");
        ChainVerifier verifier = ChainVerifier.fromGenesis();
        for (int i = 0; i < out.size(); i++) {
            assertThat(verifier.accept(i, ExchangeLogRecords.toEntry(out.get(i)))).isTrue();
        }
        assertThat(ExchangeLogRecords.toEntry(out.get(1)).withChain(null, null)).isEqualTo(withdrawal);
        ExchangeLogCheckpoint cp = checkpoints.readValuesToList().get(0);
        assertThat(verifier.checkpoint(ExchangeLogRecords.toCheckpoint(cp), ExchangeLogRecords.signature(cp),
                keys.publicKey())).isEmpty();
        assertThat(verifier.firstBreak()).isEmpty();
    }

    @Test
    void signsACheckpointEveryNEntriesAndAfterTheIntervalOnlyWhenThereIsSomethingNew() {
        for (int i = 0; i < 5; i++) {
            stage(StagedEntries.entry("src.psb.a", i));
        }
        List<ExchangeLogEntry> entries = log.readValuesToList();
        List<KeyValue<Integer, ExchangeLogCheckpoint>> first = checkpoints.readKeyValuesToList();
        assertThat(first).hasSize(1);
        Checkpoint cp = ExchangeLogRecords.toCheckpoint(first.get(0).value);
        assertThat(first.get(0).key).isEqualTo(0);
        assertThat(cp.offset()).isEqualTo(2);
        assertThat(cp.entryCount()).isEqualTo(3);
        assertThat(cp.headHash()).isEqualTo(entries.get(2).getHash());
        assertThat(SigningKeys.verify(cp, ExchangeLogRecords.signature(first.get(0).value), keys.publicKey())).isTrue();
        assertThat(first.get(0).value.getPublicKeyId()).isEqualTo(ExchangeLogRecords.publicKeyId(keys.publicKey()));

        driver.advanceWallClockTime(Duration.ofSeconds(11));
        List<ExchangeLogCheckpoint> second = checkpoints.readValuesToList();
        assertThat(second).hasSize(1);
        Checkpoint tail = ExchangeLogRecords.toCheckpoint(second.get(0));
        assertThat(tail.offset()).isEqualTo(4);
        assertThat(tail.entryCount()).isEqualTo(5);
        assertThat(tail.headHash()).isEqualTo(entries.get(4).getHash());
        assertThat(SigningKeys.verify(tail, ExchangeLogRecords.signature(second.get(0)), keys.publicKey())).isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(11));
        assertThat(checkpoints.isEmpty()).as("no checkpoint without new entries before the heartbeat is due").isTrue();
    }

    @Test
    void anIdleLedgerSignsItsHeadAgainAtLeastEveryHeartbeatAndAnEmptyPartitionToo() {
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        List<ExchangeLogCheckpoint> empty = checkpoints.readValuesToList();
        assertThat(empty).as("a heartbeat at the first tick, before any entry").hasSize(1);
        Checkpoint genesis = ExchangeLogRecords.toCheckpoint(empty.get(0));
        assertThat(genesis.offset()).isEqualTo(-1);
        assertThat(genesis.entryCount()).isZero();
        assertThat(genesis.headHash()).isEqualTo(HashChain.GENESIS);
        assertThat(SigningKeys.verify(genesis, ExchangeLogRecords.signature(empty.get(0)), keys.publicKey())).isTrue();

        stage(StagedEntries.entry("src.psb.a", 1));
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        Checkpoint covering = ExchangeLogRecords.toCheckpoint(checkpoints.readValue());
        assertThat(covering.entryCount()).isEqualTo(1);
        assertThat(checkpoints.isEmpty()).isTrue();

        // idle from here: between two heartbeats never more than the 60 s heartbeat (ticks every 10 s)
        long last = covering.timeMillis();
        for (int tick = 0; tick < 30; tick++) {
            driver.advanceWallClockTime(Duration.ofSeconds(10));
            for (ExchangeLogCheckpoint avro : checkpoints.readValuesToList()) {
                Checkpoint beat = ExchangeLogRecords.toCheckpoint(avro);
                assertThat(beat.timeMillis() - last).isLessThanOrEqualTo(60_000L);
                assertThat(beat.offset()).isZero();
                assertThat(beat.entryCount()).isEqualTo(1);
                assertThat(beat.headHash()).isEqualTo(covering.headHash());
                assertThat(SigningKeys.verify(beat, ExchangeLogRecords.signature(avro), keys.publicKey())).isTrue();
                last = beat.timeMillis();
            }
        }
        assertThat(last).as("heartbeats were written while idle").isGreaterThan(covering.timeMillis() + 240_000L);
    }

    @Test
    void anIdReStagedWithAnotherTimeIsChainedOnce() {
        ExchangeEntry a = StagedEntries.entry("src.psb.a", 1);
        stage(a);
        for (long later : new long[] {1, 60_000, Duration.ofDays(3).toMillis()}) {
            stage(atTime(a, a.timeMillis() + later));
        }
        stage(atTime(a, a.timeMillis() - 5_000));
        stage(StagedEntries.entry("src.psb.a", 2));

        List<ExchangeLogEntry> out = log.readValuesToList();
        assertThat(out).extracting(ExchangeLogEntry::getExchangeId)
                .containsExactly(a.exchangeId(), StagedEntries.entry("src.psb.a", 2).exchangeId());
        assertThat(ExchangeLogRecords.toEntry(out.get(0)).timeMillis()).isEqualTo(a.timeMillis());
        assertThat(deadLetters.isEmpty()).as("same content at another time is a replay, not a conflict").isTrue();
    }

    private static ExchangeEntry atTime(ExchangeEntry a, long time) {
        return new ExchangeEntry(a.exchangeId(), time, a.mode(), a.resourceCode(), a.provider(), a.consumer(),
                a.grantId(), a.purpose(), a.keyHash(), a.operation(), a.valueDigest(), a.sourceTopic(),
                a.sourcePartition(), a.sourceOffset(), a.deliveryTopic(), a.deliveryPartition(), a.deliveryOffset(),
                null, null);
    }

    @Test
    void anIdenticalDuplicateIsChainedOnceAndAConflictingOneIsDeadLettered() {
        ExchangeEntry a = StagedEntries.entry("src.psb.a", 1);
        stage(a);
        stage(a);
        ExchangeEntry conflicting = new ExchangeEntry(a.exchangeId(), a.timeMillis(), a.mode(), a.resourceCode(),
                a.provider(), "amr", a.grantId(), a.purpose(), a.keyHash(), a.operation(), a.valueDigest(),
                a.sourceTopic(), a.sourcePartition(), a.sourceOffset(), a.deliveryTopic(), a.deliveryPartition(),
                a.deliveryOffset(), null, null);
        stage(conflicting);
        stage(StagedEntries.entry("src.psb.a", 2));

        List<ExchangeLogEntry> out = log.readValuesToList();
        assertThat(out).extracting(ExchangeLogEntry::getExchangeId)
                .containsExactly(a.exchangeId(), StagedEntries.entry("src.psb.a", 2).exchangeId());
        assertThat(out.get(1).getPrevHash()).isEqualTo(out.get(0).getHash());
        List<DeadLetter> dls = deadLetters.readValuesToList();
        assertThat(dls).hasSize(1);
        assertThat(dls.get(0).getReason()).isEqualTo("PROCESSING_ERROR");
        assertThat(dls.get(0).getMessage()).contains(a.exchangeId()).contains("different content");
    }

    @Test
    void bytesThatAreNotAnEntryGoToTheDeadLetterTopicAndTheChainGoesOn() {
        TestInputTopic<String, String> raw = driver.createInputTopic(Topics.EXCHANGE_LOG_STAGING,
                new StringSerializer(), new StringSerializer());
        raw.pipeInput("x", "not avro");
        stage(StagedEntries.entry("src.psb.a", 7));

        assertThat(log.readValuesToList()).hasSize(1).first()
                .satisfies(e -> assertThat(e.getPrevHash()).isEqualTo(HashChain.GENESIS));
        DeadLetter dl = deadLetters.readValue();
        assertThat(dl.getReason()).isEqualTo("MALFORMED_BYTES");
        assertThat(StandardCharsets.UTF_8.decode(dl.getOriginalValue()).toString()).isEqualTo("not avro");
    }

    @Test
    void theAvroMappingRoundTripsEveryFieldTheHashCovers() {
        ExchangeEntry e = HashChain.genesis().append(StagedEntries.entry("src.psb.a", 9));
        ExchangeEntry back = ExchangeLogRecords.toEntry(ExchangeLogRecords.toAvro(e));
        assertThat(back).isEqualTo(e);
        assertThat(HashChain.computeHash(back.prevHash(), back)).isEqualTo(e.hash());

        ExchangeEntry sparse = new ExchangeEntry("id-1", 5L, ExchangeEntry.Mode.OPEN, "r", "p", "public", null, null,
                "k", ExchangeEntry.Operation.DELETE, null, null, null, null, null, null, null, null, null);
        assertThat(ExchangeLogRecords.toEntry(ExchangeLogRecords.toAvro(sparse))).isEqualTo(sparse);
    }
}
