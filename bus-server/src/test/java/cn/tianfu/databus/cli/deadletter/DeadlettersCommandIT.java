package cn.tianfu.databus.cli.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

class DeadlettersCommandIT {

    @TempDir
    Path dataDir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void listsDeadLettersFilteredByReasonAsTableAndJson() throws Exception {
        SharedBus bus = SharedBus.get();
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
        bus.writeBusClientConfig(dataDir, java.util.Optional.empty());
        String marker = UUID.randomUUID().toString();
        try (SchemaRegistryClient registry = bus.registryClient();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(bus.kafkaProperties(),
                     new StringSerializer(), new ByteArraySerializer())) {
            AvroSerializer<DeadLetter> serializer = new AvroSerializer<>(registry);
            DeadLetter[] letters = {
                DeadLetters.builder("sharing-router", DeadLetterReason.MALFORMED_BYTES, "bad bytes " + marker)
                        .source("src.psb.10101-000001", 1, 42L).original(new byte[] {1}, new byte[] {0x7f}, null).build(),
                DeadLetters.builder("sharing-router", DeadLetterReason.NOT_THE_PROVIDER, "wrong provider " + marker)
                        .source("src.amr.10101-000001", 0, 7L).build(),
                DeadLetters.builder("governance", DeadLetterReason.MALFORMED_BYTES, "bad command " + marker).build()};
            for (DeadLetter dl : letters) {
                producer.send(new ProducerRecord<>(Topics.DEADLETTER, dl.getId(), serializer.serialize(Topics.DEADLETTER, dl)))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        Run table = run("deadletters", "--data-dir", dataDir.toString(), "--reason", "MALFORMED_BYTES", "--limit", "1000");
        assertThat(table.exit()).as(table.err()).isEqualTo(0);
        assertThat(table.out()).contains("bad bytes " + marker).contains("src.psb.10101-000001/1@42")
                .contains("bad command " + marker).contains("governance").doesNotContain("wrong provider " + marker);

        Run json = run("deadletters", "--data-dir", dataDir.toString(), "--json", "--limit", "1");
        assertThat(json.exit()).as(json.err()).isEqualTo(0);
        assertThat(json.out().strip().lines()).hasSize(1);
        assertThat(json.out()).contains("\"reason\":\"MALFORMED_BYTES\"").contains("bad command " + marker);

        // a department's CDC runner writes its own dead-letter topic (it may create it, under its CDC prefix); whatever
        // component the record claims, the listing names the department the topic belongs to
        String dept = "dl" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        var deptConfig = bus.addDepartment(dept);
        String cdcTopic = Topics.cdcDeadLetters(dept, "hukou");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(deptConfig.kafkaProperties());
             SchemaRegistryClient registry = bus.registryClient();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(deptConfig.producerProperties(),
                     new StringSerializer(), new ByteArraySerializer())) {
            admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(cdcTopic, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            DeadLetter claimed = DeadLetters.builder("governance", DeadLetterReason.MALFORMED_BYTES, "from cdc " + marker).build();
            producer.send(new ProducerRecord<>(cdcTopic, claimed.getId(),
                    new AvroSerializer<DeadLetter>(registry).serialize(Topics.DEADLETTER, claimed))).get(30, TimeUnit.SECONDS);
        }
        Run cdc = run("deadletters", "--data-dir", dataDir.toString(), "--json", "--limit", "1000");
        assertThat(cdc.exit()).as(cdc.err()).isEqualTo(0);
        assertThat(cdc.out().lines().filter(l -> l.contains("from cdc " + marker)))
                .singleElement().asString().contains("\"component\":\"" + dept + "/governance\"");

        Run wrong = run("deadletters", "--data-dir", dataDir.toString(), "--reason", "NO_SUCH_REASON");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("NO_SUCH_REASON").contains("NOT_THE_PROVIDER");

        Run noBus = run("deadletters", "--data-dir", dataDir.resolve("missing").toString());
        assertThat(noBus.exit()).isEqualTo(1);
        assertThat(noBus.err()).contains("no running bus found");
    }
}
