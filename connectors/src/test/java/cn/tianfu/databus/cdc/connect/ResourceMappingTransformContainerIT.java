package cn.tianfu.databus.cdc.connect;

import cn.tianfu.databus.kafka.KafkaHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.contract.Topics;

/**
 * {@link ResourceMappingTransform} in Debezium's Kafka Connect image, installed as {@code docker/connect/README.md}
 * says (the transform's jar and its dependencies in a directory of the worker's {@code plugin.path}), with the connector
 * of {@code docker/connect/hukou-postgres-connector.json}, against a Kafka broker and a PostgreSQL in containers and a
 * registry server in this JVM. Runs only where a Docker engine is reachable; skipped elsewhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class ResourceMappingTransformContainerIT {

    private static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.3.1");
    private static final DockerImageName CONNECT_IMAGE = DockerImageName.parse("quay.io/debezium/connect:3.5.0.Final");
    private static final DockerImageName POSTGRES_IMAGE = DockerImageName.parse("postgres:16");
    private static final Path CONNECTOR_EXAMPLE = Path.of("..", "docker", "connect", "hukou-postgres-connector.json");
    private static final Path MAPPING_EXAMPLE = Path.of("..", "examples", "cdc", "psb-population-postgres.yaml");
    private static final Path RESOURCE_EXAMPLE = Path.of("..", "examples", "resources", "psb-population.yaml");
    /** What the transform needs besides Kafka and SLF4J, which the worker provides. */
    private static final List<String> PLUGIN_JARS = List.of("connectors", "bus-core", "schemas", "avro-", "commons-compress",
            "jackson-core", "jackson-databind", "jackson-annotations", "jackson-dataformat-yaml", "snakeyaml");
    private static final String PASSWORD = "cdc-secret";

    private static Network network;
    private static KafkaContainer kafka;
    private static PostgreSQLContainer postgres;
    private static GenericContainer<?> connect;
    private static SchemaRegistryServer registry;
    private static HttpSchemaRegistryClient registryClient;
    private static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        workDir = Files.createTempDirectory("connect-container-it-");
        network = Network.newNetwork();
        kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withListener("kafka:19092");
        kafka.start();
        postgres = new PostgreSQLContainer(POSTGRES_IMAGE).withNetwork(network).withNetworkAliases("hukou-db")
                .withDatabaseName("hukou").withUsername("databus_cdc").withPassword(PASSWORD)
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "fsync=off");
        postgres.start();
        // the registry the worker reaches on the Docker host
        registry = new SchemaRegistryServer(new RegistryServerConfig(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers(),
                RegistryServerConfig.LISTEN_HOST_CONFIG, "0.0.0.0",
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0)));
        registry.start();
        int registryPort = URI.create(registry.url()).getPort();
        registryClient = HttpSchemaRegistryClient.builder("http://127.0.0.1:" + registryPort).build();
        org.testcontainers.Testcontainers.exposeHostPorts(registryPort);

        Path secrets = workDir.resolve("psb-cdc.properties");
        Files.writeString(secrets, "password=" + PASSWORD + "\nregistry=psb:unused-by-an-open-registry\n");
        connect = new GenericContainer<>(CONNECT_IMAGE).withNetwork(network).withExposedPorts(8083)
                .withEnv("BOOTSTRAP_SERVERS", "kafka:19092")
                .withEnv("GROUP_ID", "databus-connect-it")
                .withEnv("CONFIG_STORAGE_TOPIC", "connect-it-configs")
                .withEnv("OFFSET_STORAGE_TOPIC", "connect-it-offsets")
                .withEnv("STATUS_STORAGE_TOPIC", "connect-it-status")
                .withEnv("CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_STATUS_STORAGE_REPLICATION_FACTOR", "1")
                .withEnv("CONNECT_CONFIG_PROVIDERS", "file")
                .withEnv("CONNECT_CONFIG_PROVIDERS_FILE_CLASS", "org.apache.kafka.common.config.provider.FileConfigProvider")
                .withCopyFileToContainer(MountableFile.forHostPath(pluginDir()), "/kafka/connect/databus-transform/")
                .withCopyFileToContainer(MountableFile.forHostPath(secrets), "/opt/kafka/secrets/psb-cdc.properties")
                .withCopyFileToContainer(MountableFile.forHostPath(MAPPING_EXAMPLE),
                        "/etc/databus/psb-population-postgres.yaml")
                .waitingFor(Wait.forHttp("/connectors").forPort(8083).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
        connect.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {connect, registryClient, registry, postgres, kafka, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort: the containers are removed by Testcontainers' reaper anyway
            }
        }
        if (workDir != null) {
            cn.tianfu.databus.testkit.SharedBus.deleteRecursively(workDir);
        }
    }

    /** The transform's jar and its dependencies, from this test's class path (a classes directory is jarred). */
    private static Path pluginDir() throws IOException {
        Path dir = Files.createDirectories(workDir.resolve("databus-transform"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean classesOfAModule = Files.isDirectory(p) && p.getFileName().toString().equals("classes")
                    && PLUGIN_JARS.contains(p.getParent().getParent().getFileName().toString());
            if (classesOfAModule) {
                jar(p, dir.resolve(p.getParent().getParent().getFileName() + ".jar"));
            } else if (Files.isRegularFile(p) && PLUGIN_JARS.stream().anyMatch(n -> p.getFileName().toString().startsWith(n))
                    && !p.getFileName().toString().contains("tests")) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith("connectors")).anyMatch(n -> n.startsWith("bus-core"));
        }
        return dir;
    }

    private static void jar(Path classes, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Test
    void theExampleConnectorWithTheTransformPublishesTheMappedResourceInTheBusWireFormat() throws Exception {
        String mapping = Files.readString(MAPPING_EXAMPLE);
        String department = mapping.lines().filter(l -> l.startsWith("department:")).findFirst().orElseThrow()
                .substring("department:".length()).trim();
        String topic = Topics.source(department, "10101-000001");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        registryClient.register(Subjects.valueSubject(topic), AvroSchemas.forResource(ResourceDefinitions.parse(RESOURCE_EXAMPLE)));
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), PASSWORD);
             Statement s = c.createStatement()) {
            // the table of examples/cdc/psb-population-postgres.yaml
            s.execute("CREATE TABLE resident (id_number varchar(18) PRIMARY KEY, full_name text, mobile_phone text,"
                    + " gender_code text, birth_date date, household_address text, division_code text,"
                    + " last_changed timestamptz, operator_id text, internal_remark text)");
            s.execute("ALTER TABLE resident REPLICA IDENTITY FULL");
            s.execute("INSERT INTO resident VALUES ('510104199001011234', '张三', NULL, '1', '1990-01-01', NULL, '510104',"
                    + " '2026-03-01 09:30:00+08', 'op-1', 'note')");
        }

        ObjectNode connector = (ObjectNode) new ObjectMapper().readTree(CONNECTOR_EXAMPLE.toFile());
        ObjectNode config = (ObjectNode) connector.get("config");
        config.put("database.hostname", "hukou-db");
        config.put("database.port", "5432");
        config.put("transforms.bus.schema.registry.url", "http://host.testcontainers.internal:"
                + URI.create(registry.url()).getPort());
        String url = "http://" + connect.getHost() + ":" + connect.getMappedPort(8083);
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/connectors"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(connector.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(120)).until(() -> readAll(topic).size() == 1);
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(), postgres.getUsername(), PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("UPDATE resident SET division_code = '510105' WHERE id_number = '510104199001011234'");
            s.execute("DELETE FROM resident WHERE id_number = '510104199001011234'");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> readAll(topic).size() == 3);
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic);
        assertThat(records).allSatisfy(r -> {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("510104199001011234");
            assertThat(r.headers()).extracting(h -> h.key()).containsExactlyInAnyOrder(EventHeaders.EVENT_ID,
                    EventHeaders.OP, EventHeaders.SOURCE_TIME, EventHeaders.SOURCE_POSITION);
        });
        assertThat(records).extracting(r -> KafkaHeaders.text(r.headers(), EventHeaders.OP).orElseThrow())
                .containsExactly("UPSERT", "UPSERT", "DELETE");
        AvroDeserializer<Object> decoder = new AvroDeserializer<>(registryClient);
        GenericRecord snapshot = (GenericRecord) decoder.deserialize(topic, records.get(0).value());
        assertThat(snapshot.get("name").toString()).isEqualTo("张三");
        assertThat(((GenericRecord) decoder.deserialize(topic, records.get(1).value())).get("divisionCode").toString())
                .isEqualTo("510105");
        assertThat(records.get(2).value()).isNull();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.getBootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        out.sort(Comparator.comparing(r -> KafkaHeaders.text(r.headers(), EventHeaders.SOURCE_POSITION).orElse("")));
        return out;
    }
}
