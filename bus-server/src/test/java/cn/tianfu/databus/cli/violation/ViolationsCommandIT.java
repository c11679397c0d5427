package cn.tianfu.databus.cli.violation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.testkit.SharedBus;

class ViolationsCommandIT {

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

    private static Violation violation(String id, String dept, ViolationStatus status) {
        Instant due = Instant.parse("2026-10-09T15:59:59.999Z");
        return Violation.newBuilder().setId(id).setClause(ViolationClause.ART46_5).setDepartment(dept)
                .setDuty(DutyKind.DECIDE_REQUEST).setSubjectId(id.substring(5)).setDueAt(due).setDetectedAt(due)
                .setDescription("not decided").setEvidence(List.of(id.substring(5))).setStatus(status)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(due).setStatus(ViolationStatus.OPEN)
                        .setBy("deadlines").build()))
                .build();
    }

    @Test
    void theAuthorityListsTheLatestStateOfEachViolationByDepartmentAndStatus() throws Exception {
        SharedBus bus = SharedBus.get();
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
        bus.writeBusClientConfig(dataDir, Optional.empty());
        String dept = "vi" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String first = "46-5:R-" + UUID.randomUUID().toString().substring(0, 8);
        String second = "46-5:R-" + UUID.randomUUID().toString().substring(0, 8);
        try (SchemaRegistryClient registry = bus.registryClient();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(bus.kafkaProperties(),
                     new StringSerializer(), new ByteArraySerializer())) {
            AvroSerializer<Violation> serializer = new AvroSerializer<>(registry);
            for (Violation v : List.of(violation(first, dept, ViolationStatus.OPEN),
                    violation(second, dept, ViolationStatus.OPEN),
                    violation(second, dept, ViolationStatus.RECTIFICATION_ORDERED))) { // a later state of the same one
                producer.send(new ProducerRecord<>(Topics.VIOLATIONS, v.getId(), serializer.serialize(Topics.VIOLATIONS, v)))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        Run all = run("violations", "--data-dir", dataDir.toString(), "--dept", dept);
        assertThat(all.exit()).as(all.err()).isEqualTo(0);
        assertThat(all.out()).contains(first).contains(second).contains("46(五)").contains("DECIDE_REQUEST");
        assertThat(all.out().lines().filter(l -> l.contains(second))).singleElement().asString()
                .contains("RECTIFICATION_ORDERED");

        Run open = run("violations", "--data-dir", dataDir.toString(), "--dept", dept, "--status", "OPEN", "--json");
        assertThat(open.exit()).as(open.err()).isEqualTo(0);
        assertThat(open.out().replace(" ", "")).contains("\"id\":\"" + first + "\"").contains("\"clause\":\"46(五)\"")
                .doesNotContain(second);

        Run wrong = run("violations", "--data-dir", dataDir.toString(), "--status", "CLOSED");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("CLOSED").contains("RECTIFICATION_ORDERED");
    }
}
