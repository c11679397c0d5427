package cn.tianfu.databus.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import cn.tianfu.databus.audit.ExchangeLogRecords;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.testkit.SharedBus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandIT {

    @TempDir
    Path dataDir;

    private final SharedBus bus = SharedBus.get();
    private final HttpSchemaRegistryClient registry = bus.registryClient();
    private String log;
    private String checkpoints;
    private KeyHasher hasher;
    private List<ExchangeEntry> chain;

    private record Run(int code, String out, String err) {
    }

    @BeforeEach
    void genuineLog() throws Exception {
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.empty());
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        hasher = KeyHasher.loadOrCreate(dataDir);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        log = "it.cli.log." + suffix;
        checkpoints = "it.cli.checkpoints." + suffix;
        bus.admin().createTopics(List.of(new NewTopic(log, 1, (short) 1), new NewTopic(checkpoints, 1, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
        HashChain c = HashChain.genesis();
        chain = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String consumer = i % 2 == 0 ? "hrss" : "amr";
            chain.add(c.append(new ExchangeEntry("id-" + i, 1_735_700_000_000L + i * 86_400_000L,
                    ExchangeEntry.Mode.PUSH, "10101-000001", "psb", consumer, "g-" + consumer, "eligibility",
                    hasher.hash(("citizen-" + (i % 3)).getBytes(StandardCharsets.UTF_8)), ExchangeEntry.Operation.UPSERT,
                    "ab", "src.psb.10101-000001", 0, (long) i, null, null, null, null, null)));
        }
        produce(chain);
        AvroSerde<ExchangeLogCheckpoint> serde = AvroSerde.specific(registry, ExchangeLogCheckpoint.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<Integer, ExchangeLogCheckpoint> p = new KafkaProducer<>(
                bus.kafkaProperties(), new IntegerSerializer(),
                serde.serializer())) {
            for (int at : new int[] {2, 5}) {
                Checkpoint cp = new Checkpoint(0, at, at + 1, chain.get(at).hash(), 1L);
                p.send(new ProducerRecord<>(checkpoints, 0,
                        ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey())));
            }
        }
    }

    private void produce(List<ExchangeEntry> entries) {
        AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(registry, ExchangeLogEntry.class);
        serde.configure(Map.of(), false);
        try (KafkaProducer<String, ExchangeLogEntry> p = new KafkaProducer<>(
                bus.kafkaProperties(), new StringSerializer(),
                serde.serializer())) {
            entries.forEach(e -> p.send(new ProducerRecord<>(log, 0, e.exchangeId(), ExchangeLogRecords.toAvro(e))));
        }
    }

    private Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", dataDir.toString(), "--log-topic", log, "--checkpoint-topic", checkpoints));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DatabusCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void verifyExitsZeroOnAnIntactLogAndOneWithThePositionOnATamperedOne() {
        Run ok = run("audit", "verify");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("OK").contains("6 entries").contains("2 signed checkpoints");

        ExchangeEntry e = chain.get(2);
        produce(List.of(new ExchangeEntry(e.exchangeId(), e.timeMillis(), e.mode(), e.resourceCode(), e.provider(),
                "mca", e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), null, null, null, e.prevHash(), e.hash())));
        Run broken = run("audit", "verify");
        assertThat(broken.code()).isEqualTo(DatabusCli.FAILED);
        assertThat(broken.out()).startsWith("BROKEN").contains("first break at position 6 (log offset 6)");
    }

    @Test
    void traceListsWhoReceivedARecordAndReportCountsPerResourceAndPurpose() {
        Run trace = run("audit", "trace", "--resource", "10101-000001", "--key", "citizen-1");
        assertThat(trace.code()).as(trace.err()).isZero();
        assertThat(trace.out()).contains("id-1").contains("id-4").doesNotContain("id-0 ")
                .contains("2 exchanges of this record");

        Run report = run("audit", "report", "--consumer", "hrss", "--from", "2025-01-02");
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("10101-000001").contains("eligibility").contains("2 exchanges to hrss");
    }

    @Test
    void anExportedArchiveVerifiesOffTheBus(@TempDir Path out) {
        Path archive = out.resolve("log.zip");
        Run export = run("audit", "export", "--to", archive.toString());
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("6 entries");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DatabusCli.run(new String[] {"audit", "verify", "--archive", archive.toString()},
                new PrintWriter(o), new PrintWriter(e));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).startsWith("OK").contains("6 entries");
        assertThat(e.toString()).contains("key stored in the archive");
    }

    @Test
    void aSliceExportedByDateStartsAtTheCheckpointBeforeItAndVerifiesOffTheBus(@TempDir Path out) {
        // entry i is at 2025-01-(1+i) 10:53 Shanghai time; the first of 2025-01-05 is entry 4, the checkpoint before it at 2
        Path archive = out.resolve("slice.zip");
        Run export = run("audit", "export", "--to", archive.toString(), "--from", "2025-01-05");
        assertThat(export.code()).as(export.err()).isZero();
        assertThat(export.out()).contains("3 entries").contains("2 checkpoints")
                .contains("entries from 2025-01-04T16:00:00Z until the end");

        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = DatabusCli.run(new String[] {"audit", "verify", "--archive", archive.toString(),
                "--public-key", dataDir.resolve("keys/exchange-log.pub.pem").toString()},
                new PrintWriter(o), new PrintWriter(e));
        assertThat(code).as(e.toString()).isZero();
        assertThat(o.toString()).startsWith("OK").contains("3 entries, positions 3 to 5 (resumed at the signed "
                + "checkpoint at 2)");

        Run until = run("audit", "export", "--to", out.resolve("early.zip").toString(), "--until",
                "2025-01-02T00:00:00Z");
        assertThat(until.code()).as(until.err()).isZero();
        assertThat(until.out()).as("up to the checkpoint after entry 0").contains("3 entries");
    }
}
