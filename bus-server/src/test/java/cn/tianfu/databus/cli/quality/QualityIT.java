package cn.tianfu.databus.cli.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.quality.IdentityCodes;
import cn.tianfu.databus.quality.app.QualityApp;
import cn.tianfu.databus.quality.app.QualityConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The real quality app on the shared secured bus and registry: a DAILY resource catalogued as governance writes it,
 * four records published on its source topic on 2026-01-01 (two with a wrong ID-number check character), evaluated on
 * a clock pinned ten days later: validity 0.5, timeliness 0, a violation under Art. 46(二); {@code databus quality
 * --json} shows the scores.
 */
class QualityIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Instant PUBLISHED = Instant.parse("2026-01-01T02:00:00Z");
    private static final InstantSource CLOCK = InstantSource.fixed(PUBLISHED.plus(Duration.ofDays(10)));

    private static final Schema RESIDENT = new Schema.Parser().parse("""
            {"type": "record", "name": "QualityItResident", "namespace": "cn.tianfu.databus.resources.test",
             "fields": [
               {"name": "idNumber", "type": "string"},
               {"name": "name", "type": ["null", "string"], "default": null}
             ]}""");

    @TempDir
    Path dataDir;

    private static String idNumber(int n, boolean valid) {
        String first17 = "510107" + "19900101" + String.format("%03d", n);
        char check = IdentityCodes.idNumberCheck(first17);
        return first17 + (valid ? check : (check == '1' ? '2' : '1'));
    }

    private static CatalogEntry entry(String code, String provider, int schemaId) {
        List<DataItem> items = List.of(
                DataItem.newBuilder().setName("idNumber").setDisplayName("公民身份号码").setType(FieldType.STRING)
                        .setSensitivity(Sensitivity.PERSONAL).setMask(MaskKind.ID_NUMBER).setKey(true).build(),
                DataItem.newBuilder().setName("name").setDisplayName("姓名").setType(FieldType.STRING)
                        .setSensitivity(Sensitivity.PERSONAL).setMask(MaskKind.NAME).build());
        return CatalogEntry.newBuilder().setCode(code).setClassification("101").setName("户籍人口 " + code)
                .setCategory(Category.BASIC).setProvider(provider).setProviderCode("11510100MB0000000X")
                .setSummary("registered residents").setFormat("avro").setDataItems(items)
                .setSharingClass(SharingClass.UNCONDITIONAL).setSharingMethod(SharingMethod.BOTH)
                .setUpdateFrequency(UpdateFrequency.DAILY).setPublishDate(LocalDate.of(2025, 12, 1))
                .setSchemaSubject(Topics.source(provider, code) + "-value").setSchemaId(schemaId).setSchemaVersion(1)
                .setCatalogVersion(1).setStatus(ResourceStatus.ACTIVE).setLastChanged(PUBLISHED).build();
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void aResourceWithBadIdNumbersAndStaleUpdatesIsScoredAndInBreachOfArt46Item2() throws Exception {
        SharedBus bus = SharedBus.get();
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String provider = "psb-" + suffix;
        String code = "101-Q" + suffix;
        String topic = Topics.source(provider, code);
        bus.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Topics.resourceTopicConfigs())))
                .all().get(30, TimeUnit.SECONDS);

        Path stateDir = Files.createTempDirectory("quality-it-");
        OwningKafkaStreams app = QualityApp.create(new QualityConfig(bus.streamsAppConfig(Map.of(
                QualityConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                QualityConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                QualityConfig.STATE_DIR_CONFIG, stateDir.toString(),
                QualityConfig.APPLICATION_ID_CONFIG, "quality-it-" + suffix,
                QualityConfig.CHECK_INTERVAL_CONFIG, "500"))), CLOCK);
        try (SchemaRegistryClient registry = bus.registryClient();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(bus.kafkaProperties(),
                     new StringSerializer(), new ByteArraySerializer())) {
            app.start();
            await().atMost(WAIT).until(() -> app.state() == KafkaStreams.State.RUNNING);

            AvroSerializer<Object> values = new AvroSerializer<>(registry);
            byte[] first = values.serialize(topic, resident(idNumber(1, true), "张三"));
            int schemaId = cn.tianfu.databus.contract.WireFormat.readSchemaId(first);
            AvroSerializer<CatalogEntry> entries = new AvroSerializer<>(registry);
            producer.send(new ProducerRecord<>(Topics.CATALOG, code, entries.serialize(Topics.CATALOG,
                    entry(code, provider, schemaId)))).get(30, TimeUnit.SECONDS);
            AvroDeserializer<QualityScore> scores = AvroDeserializer.specific(registry, QualityScore.class);
            // the app has the entry once it scores the resource (no record yet): only then are its records counted
            bus.awaitRecords(Topics.QUALITY, scores, r -> code.equals(r.key()), WAIT);
            List<byte[]> records = List.of(first, values.serialize(topic, resident(idNumber(2, true), "李四")),
                    values.serialize(topic, resident(idNumber(3, false), "王五")),
                    values.serialize(topic, resident(idNumber(4, false), "赵六")));
            for (int i = 0; i < records.size(); i++) {
                producer.send(new ProducerRecord<>(topic, null, PUBLISHED.toEpochMilli(), "K" + i, records.get(i)))
                        .get(30, TimeUnit.SECONDS);
            }

            List<ConsumerRecord<String, QualityScore>> found = bus.awaitRecords(Topics.QUALITY, scores,
                    r -> code.equals(r.key()) && r.value().getRecords() == 4 && r.value().getViolationId() != null, WAIT);
            QualityScore s = found.get(found.size() - 1).value();
            assertThat(s.getProvider()).isEqualTo(provider);
            assertThat(s.getIdNumbersChecked()).isEqualTo(4);
            assertThat(s.getIdNumbersInvalid()).isEqualTo(2);
            assertThat(s.getValidity()).isEqualTo(0.5);
            assertThat(s.getCompleteness()).isEqualTo(1.0);
            assertThat(s.getAvailability()).isEqualTo(1.0);
            assertThat(s.getTimeliness()).isEqualTo(0.0);
            assertThat(s.getOverall()).isEqualTo(0.625);
            assertThat(s.getLastChangeAt()).isEqualTo(PUBLISHED);
            assertThat(s.getEvaluatedAt()).isEqualTo(CLOCK.instant());
            assertThat(s.getBreaches()).containsExactly("validity 0.500 < 0.950", "timeliness 0.000 < 0.500");

            Violation v = bus.awaitRecords(Topics.VIOLATIONS, AvroDeserializer.specific(registry, Violation.class),
                    r -> s.getViolationId().equals(r.key()), WAIT).get(0).value();
            assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_2);
            assertThat(v.getDuty()).isEqualTo(DutyKind.KEEP_DATA_QUALITY);
            assertThat(v.getDepartment()).isEqualTo(provider);
            assertThat(v.getResourceCode()).isEqualTo(code);
            assertThat(v.getDetectedAt()).isEqualTo(CLOCK.instant());

            new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), "http://127.0.0.1:1").write(dataDir);
            bus.writeBusClientConfig(dataDir, Optional.empty());
            String json = run("quality", "--data-dir", dataDir.toString(), "--resource", code, "--json").replace(" ", "");
            assertThat(json).contains("\"resourceCode\":\"" + code + "\"").contains("\"validity\":0.5")
                    .contains("\"timeliness\":0.0").contains("\"idNumbersInvalid\":2")
                    .contains("\"violationId\":\"" + v.getId() + "\"");
            assertThat(run("quality", "--data-dir", dataDir.toString(), "--dept", provider))
                    .contains(code).contains("0.625").contains("validity 0.500 < 0.950")
                    .contains("46-2:quality:" + code + ":"); // the table cuts long cells
        } finally {
            app.close(Duration.ofSeconds(30));
            SharedBus.deleteRecursively(stateDir);
        }
    }

    private static GenericRecord resident(String id, String name) {
        GenericRecord r = new GenericData.Record(RESIDENT);
        r.put("idNumber", id);
        r.put("name", name);
        return r;
    }
}
