package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.testkit.KafkaCluster;
import cn.tianfu.databus.tiers.TierConfig;
import cn.tianfu.databus.tiers.TierLink;
import picocli.CommandLine.ExitCode;

/**
 * District tiers (docs/tiers.md): two single-node clusters in this JVM, a district bus on one and the city bus on the
 * other, each with its own departments, catalog, registry and exchange log. The district's market regulator shares a
 * resource upward (a grant to the department {@code city} on the district bus); {@link TierLink} registers it on the
 * city catalog as department {@code jinjiang} and carries its deliveries to the city with MirrorMaker 2 in this JVM
 * (schema ids rewritten for the city's registry). A city department requests it, is granted it and receives it masked;
 * the city's grant is copied back to the district; both logs verify, and the record's trace crosses the tiers: the
 * city's entry names the district's exchange id, found again in the district's log.
 */
class DistrictTierIT {

    private static final Path EXAMPLES = Path.of("..", "examples", "resources");
    private static final String CODE = "10201-100001";
    private static final String NAME = "jinjiang";
    private static final int RECORDS = 3;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aDistrictResourceSharedUpwardIsGrantedAndDeliveredMaskedOnTheCityWithBothHalvesLogged() throws Exception {
        try (KafkaCluster districtCluster = KafkaCluster.start(dir.resolve("district"), 1);
             KafkaCluster cityCluster = KafkaCluster.start(dir.resolve("city"), 1)) {
            Path districtNode = dir.resolve("district-node");
            Path cityNode = dir.resolve("city-node");
            BusRuntime district = null;
            BusRuntime city = null;
            TierLink link = null;
            try {
                district = bus(districtCluster, districtNode, "district-admin.properties", Map.of());
                // the city's router takes the upstream exchange id only on the district's topics
                city = bus(cityCluster, cityNode, "city-admin.properties", Map.of(ServerConfig.TIER_DISTRICTS_CONFIG, NAME));
                BusRuntime d = district;
                BusRuntime c = city;
                await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                    assertThat(d.health().up()).as("district %s", d.health()).isTrue();
                    assertThat(c.health().up()).as("city %s", c.health()).isTrue();
                });

                // the district: its market regulator provides the resource and shares it upward (a grant to 'city')
                Path jjAmrFile = addDepartment(districtNode, "jj-amr", "锦江区市场监督管理局");
                Path cityOnDistrictFile = addDepartment(districtNode, "city", "成都市大数据中心（市级总线）");
                Path definition = dir.resolve("jj-amr-legal-entity.yaml");
                Files.writeString(definition, Files.readString(EXAMPLES.resolve("amr-legal-entity.yaml"))
                        .replace("code: 10201-000001", "code: " + CODE)
                        .replace("provider: amr", "provider: jj-amr"));
                Run registered = run("catalog", "register", definition.toString(), "--config", jjAmrFile.toString());
                assertThat(registered.exit()).as(registered.err()).isEqualTo(ExitCode.OK);
                Run upward = run("request", CODE, "--purpose", "区县数据向市级汇聚共享", "--config", cityOnDistrictFile.toString());
                assertThat(upward.exit()).as(upward.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(run("grants", "--mine", "--config", cityOnDistrictFile.toString()).out()).contains(CODE));

                DatabusClientConfig jjAmr = DatabusClientConfig.load(jjAmrFile);
                Schema schema;
                try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(jjAmr.serdeConfig()).registryClient()) {
                    schema = registry.latest(Subjects.valueSubject(Topics.source("jj-amr", CODE))).schema();
                }
                // a first record: the district's router delivers it to 'city' (and registers the delivery schema)
                try (Publisher publisher = Publisher.create(jjAmr, CODE)) {
                    publisher.upsert(key(0), record(schema, key(0))).get(60, TimeUnit.SECONDS);
                }

                // the city: its authority adds the district as a department; a city department will ask for the resource
                addDepartment(cityNode, NAME, "锦江区数据交换总线");
                Path hrssFile = addDepartment(cityNode, "hrss", "市人力资源和社会保障局");

                link = TierLink.start(DatabusClientConfig.load(districtNode.resolve("clients").resolve("bus.properties")),
                        DatabusClientConfig.load(cityNode.resolve("clients").resolve("bus.properties")), NAME,
                        new TierConfig(Map.of(TierConfig.SYNC_INTERVAL_SECONDS_CONFIG, "1")));
                TierLink l = link;
                // Art. 32: the city catalog shows the district's resource, provided by the district (the round that
                // links it also starts MirrorMaker 2, which loads its plugins first: up to a minute on loaded cores)
                await().atMost(Duration.ofSeconds(240)).untilAsserted(() -> {
                    assertThat(l.lastRound().linked()).as(l.lastRound().describe()).contains(CODE);
                    Run shown = run("catalog", "show", CODE, "--config", hrssFile.toString());
                    assertThat(shown.exit()).as(shown.err()).isEqualTo(ExitCode.OK);
                    assertThat(shown.out()).contains(NAME).contains("区县共享");
                });

                // the first record reached the city and its router before any city grant: hrss gets it by backfill
                await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                        assertThat(routerConsumed(cityCluster.adminProperties(), Topics.source(NAME, CODE))).isPositive());

                // a city department requests it and receives it under the city's rules: masked
                Run requested = run("request", CODE, "--purpose", "社保待遇资格认证", "--config", hrssFile.toString());
                assertThat(requested.exit()).as(requested.err()).isEqualTo(ExitCode.OK);
                DatabusClientConfig hrss = DatabusClientConfig.load(hrssFile);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(run("grants", "--mine", "--config", hrssFile.toString()).out()).contains(CODE));
                // more records once the city's grant is in force: routed live on the city
                try (Publisher publisher = Publisher.create(jjAmr, CODE)) {
                    for (int i = 1; i <= RECORDS; i++) {
                        publisher.upsert(key(i), record(schema, key(i))).get(60, TimeUnit.SECONDS);
                    }
                }
                Map<String, Delivery> received = new ConcurrentHashMap<>();
                try (Subscriber subscriber = Subscriber.builder(hrss, "tier-it").resource(CODE).fromBeginning(true).build()) {
                    await().atMost(Duration.ofSeconds(180)).until(() -> {
                        subscriber.poll(Duration.ofMillis(200)).forEach(dl -> received.put(dl.key(), dl));
                        return received.size() >= RECORDS + 1;
                    });
                }
                for (int i = 0; i <= RECORDS; i++) {
                    GenericRecord v = received.get(key(i)).value();
                    assertThat(String.valueOf(v.get("entityName"))).isEqualTo("锦江样例企业" + i);
                    assertThat(String.valueOf(v.get("legalRepresentative"))).as("masked").isNotEqualTo("欧阳振华").startsWith("欧");
                }

                // the copies on the city carry the city registry's schema id, not the district's
                int districtId = schemaIds(districtCluster.adminProperties(), Topics.delivery("city", CODE)).get(0);
                int cityId = schemaIds(cityCluster.adminProperties(), Topics.source(NAME, CODE)).get(0);
                // read as each bus's principal: a department reads only the schemas of its own subjects
                try (SchemaRegistryClient cityRegistry = AvroSerdeConfig.fromMap(DatabusClientConfig.load(
                             cityNode.resolve("clients").resolve("bus.properties")).serdeConfig()).registryClient();
                     SchemaRegistryClient districtRegistry = AvroSerdeConfig.fromMap(DatabusClientConfig.load(
                             districtNode.resolve("clients").resolve("bus.properties")).serdeConfig()).registryClient()) {
                    assertThat(cityRegistry.schemaById(cityId)).isEqualTo(districtRegistry.schemaById(districtId));
                    assertThat(cityRegistry.lookup(Subjects.valueSubject(Topics.source(NAME, CODE)),
                            districtRegistry.schemaById(districtId))).get().extracting(r -> r.id()).isEqualTo(cityId);
                }

                // the city's grant is recorded on the district too
                String cityGrant = run("grants", "--mine", "--config", hrssFile.toString()).out();
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(keys(districtCluster.adminProperties(), Topics.TIER_GRANTS))
                                .anySatisfy(grantId -> assertThat(cityGrant).contains(grantId)));

                // both logs verify, each recording its own half
                for (Path node : List.of(districtNode, cityNode)) {
                    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                        Run verify = run("audit", "verify", "--data-dir", node.toString());
                        assertThat(verify.exit()).as(verify.out() + verify.err()).isEqualTo(ExitCode.OK);
                    });
                }
                // the trace crosses the tiers: the city's exchange names the district's, which the district's log holds
                Run cityTrace = run("audit", "trace", "--resource", CODE, "--key", key(RECORDS), "--data-dir", cityNode.toString());
                assertThat(cityTrace.exit()).as(cityTrace.err()).isEqualTo(ExitCode.OK);
                assertThat(cityTrace.out()).contains("hrss");
                Matcher upstream = Pattern.compile("upstream exchange (\\S+) of " + NAME).matcher(cityTrace.out());
                assertThat(upstream.find()).as(cityTrace.out()).isTrue();
                Run districtTrace = run("audit", "trace", "--resource", CODE, "--key", key(RECORDS), "--data-dir", districtNode.toString());
                assertThat(districtTrace.exit()).as(districtTrace.err()).isEqualTo(ExitCode.OK);
                assertThat(districtTrace.out()).contains("city").contains("exchange " + upstream.group(1) + ",");

                // both halves in one trace, for the live record and for the backfilled one alike
                Path districtBusFile = districtNode.resolve("clients").resolve("bus.properties");
                for (int i : List.of(0, RECORDS)) {
                    Run both = run("audit", "trace", "--resource", CODE, "--key", key(i), "--data-dir", cityNode.toString(),
                            "--district", districtBusFile.toString());
                    assertThat(both.exit()).as(both.err()).isEqualTo(ExitCode.OK);
                    Matcher up = Pattern.compile("upstream exchange (\\S+) of " + NAME).matcher(both.out());
                    assertThat(up.find()).as("record %d: %s", i, both.out()).isTrue();
                    assertThat(both.out()).as("record %d", i)
                            .contains(NAME + " -> hrss")
                            .contains("<- district exchange " + up.group(1) + ": resource " + CODE + ", jj-amr -> city")
                            .contains("delivered to " + Topics.delivery("city", CODE))
                            .doesNotContain("NOT FOUND");
                }
                // a log that does not hold the upstream exchange (here the city's own) is said so
                Run wrongLog = run("audit", "trace", "--resource", CODE, "--key", key(0), "--data-dir", cityNode.toString(),
                        "--district", cityNode.resolve("clients").resolve("bus.properties").toString());
                assertThat(wrongLog.exit()).as(wrongLog.err()).isEqualTo(ExitCode.OK);
                assertThat(wrongLog.out()).contains("NOT FOUND in the district's log");
                // the district's provider retires the resource: the link retires the city's entry too
                Run retired = run("catalog", "retire", CODE, "--reason", "并入新版资源目录", "--config", jjAmrFile.toString());
                assertThat(retired.exit()).as(retired.err()).isEqualTo(ExitCode.OK);
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    Run shown = run("catalog", "show", CODE, "--json", "--config", hrssFile.toString());
                    assertThat(shown.exit()).as(shown.err()).isEqualTo(ExitCode.OK);
                    assertThat(shown.out()).contains("RETIRED")
                            .contains("retired on the district bus " + NAME + " by jj-amr: 并入新版资源目录");
                });
            } finally {
                if (link != null) {
                    link.close();
                }
                if (city != null) {
                    city.close();
                }
                if (district != null) {
                    district.close();
                }
            }
        }
    }

    private BusRuntime bus(KafkaCluster cluster, Path node, String adminFile, Map<String, Object> more) {
        Path admin = cluster.writeAdminFile(dir.resolve(adminFile));
        Run init = run("init", "--config", admin.toString(), "--data-dir", node.toString());
        assertThat(init.exit()).as(init.err()).isEqualTo(ExitCode.OK);
        Map<String, Object> props = new HashMap<>(more);
        props.put(ServerConfig.DATA_DIR_CONFIG, node.toString());
        props.put(ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ServerConfig.REGISTRY_PORT_CONFIG, 0);
        props.put(ServerConfig.HTTP_PORT_CONFIG, 0);
        return BusRuntime.start(new ServerConfig(props));
    }

    /** How many records of {@code topic} the router has consumed and committed (its group's committed offsets). */
    private static long routerConsumed(Map<String, Object> props, String topic) throws Exception {
        try (Admin admin = Admin.create(props)) {
            return admin.listConsumerGroupOffsets(RouterConfig.APPLICATION_ID_DEFAULT).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private static GenericRecord record(Schema schema, String key) {
        GenericData.Record r = TlsBusIT.sample(schema, key);
        r.put("entityName", "锦江样例企业" + Integer.parseInt(key.substring(key.length() - 1)));
        r.put("legalRepresentative", "欧阳振华");
        return r;
    }

    /** The schema ids in the registry headers of a topic's values. */
    private static List<Integer> schemaIds(Map<String, Object> props, String topic) {
        return values(props, topic).stream().map(v -> java.nio.ByteBuffer.wrap(v, 1, 4).getInt()).distinct().toList();
    }

    private static List<byte[]> values(Map<String, Object> props, String topic) {
        List<byte[]> values = new java.util.ArrayList<>();
        read(props, topic, r -> {
            if (r.value() != null) {
                values.add(r.value());
            }
        });
        return values;
    }

    private static List<String> keys(Map<String, Object> props, String topic) {
        List<String> keys = new java.util.ArrayList<>();
        read(props, topic, r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys;
    }

    private static void read(Map<String, Object> props, String topic,
                             java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> p = new HashMap<>(props);
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static Path addDepartment(Path dataDir, String id, String name) {
        Path file = dataDir.resolve(id + "-handover.properties");
        Run r = run("dept", "add", id, "--name", name, "--data-dir", dataDir.toString(), "--out", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        return file;
    }

    private static String key(int i) {
        return String.format("91510104MA%08d", i);
    }
}
