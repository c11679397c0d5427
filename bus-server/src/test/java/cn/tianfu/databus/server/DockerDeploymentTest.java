package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.tls.Certificates;

/**
 * {@code docker/compose.yaml} agrees with the project, checked without Docker: it parses; every image is pinned, the
 * brokers' to the Kafka release the bus is built on; every file it mounts or builds from exists; the bus node's config
 * holds only keys {@link ServerConfig} knows and is valid for it, its ports are the ones published; the brokers form
 * one three-voter quorum whose listeners are the bootstrap servers of the node and of {@code init}'s administrator; the
 * image runs the command line of the distribution {@code ./databus} builds.
 */
class DockerDeploymentTest {

    private static final Path DOCKER = Path.of("..", "docker");
    private static final List<String> BROKERS = List.of("kafka-1", "kafka-2", "kafka-3");
    private static final List<String> NODES = List.of("databus-1", "databus-2");
    private static JsonNode compose;

    @BeforeAll
    static void parse() throws IOException {
        compose = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile());
    }

    private static JsonNode service(String name) {
        JsonNode s = compose.path("services").path(name);
        assertThat(s.isMissingNode()).as("service %s", name).isFalse();
        return s;
    }

    @Test
    void everyImageIsPinnedAndTheBrokersRunTheKafkaReleaseOfTheBuild() {
        List<String> images = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(e -> images.add(e.getValue().path("image").asText()));
        assertThat(images).hasSize(9).allSatisfy(image -> assertThat(image).matches("[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*"));
        for (String broker : BROKERS) {
            assertThat(service(broker).path("image").asText()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        }
        for (String bus : List.of("tls-init", "databus-init", "databus-2")) {
            assertThat(service(bus).path("image").asText()).isEqualTo(service("databus-1").path("image").asText());
        }
        assertThat(service("hukou-db").path("image").asText()).startsWith("postgres:");
        // the worker's Debezium is the release the bus's transform is built against (mixing versions fails)
        assertThat(service("connect").path("image").asText())
                .isEqualTo("quay.io/debezium/connect:" + io.debezium.connector.postgresql.Module.version());
    }

    @Test
    void everyFileTheComposeFileMountsOrBuildsFromExists() {
        Set<Path> files = new LinkedHashSet<>();
        compose.path("services").fields().forEachRemaining(e -> {
            for (JsonNode volume : e.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                // the build's output (bus-server/target/lib) exists once the distribution is built
                if (source.startsWith(".") && !source.contains("/target/")) {
                    files.add(DOCKER.resolve(source));
                }
            }
            JsonNode build = e.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = DOCKER.resolve(build.path("context").asText());
                files.add(context.resolve(build.path("dockerfile").asText()));
            }
        });
        assertThat(files).hasSize(12).allSatisfy(f -> assertThat(f).exists());
        assertThat(files).contains(DOCKER.resolve("./databus/start-node.sh"), DOCKER.resolve("../docker/Dockerfile"),
                DOCKER.resolve("./connect/hukou-db.sql"), DOCKER.resolve("../examples/resources"));
    }

    @Test
    void eachBusNodesConfigIsAServerConfigAndItsPortsAndListenersAgreeWithTheBrokers() throws IOException {
        Set<String> published = new LinkedHashSet<>();
        for (String name : NODES) {
            JsonNode node = service(name);
            assertThat(texts(node.path("entrypoint"))).contains("/etc/databus/start-node.sh");
            assertThat(Files.readString(mounted(node, "/etc/databus/start-node.sh"))).contains("serve --config /etc/databus/node.properties")
                    .contains("/var/lib/databus-init/clients/bus.properties");
            Properties props = nodeConfig(node, "/etc/databus/node.properties");
            assertThat(ServerConfig.configDef().names()).containsAll(props.stringPropertyNames());
            Map<String, Object> map = new HashMap<>();
            props.forEach((k, v) -> map.put((String) k, v));
            ServerConfig config = new ServerConfig(map);
            assertThat(config.externalBootstrapServers()).contains(brokerListeners());
            assertThat(config.tlsEnabled()).as("a non-loopback listen address speaks TLS").isTrue();
            // the node is reached by its service name (the router forwards service queries to it)
            assertThat(config.advertisedHost()).isEqualTo(node.path("hostname").asText()).isEqualTo(name);
            List<String> ports = texts(node.path("ports"));
            assertThat(ports).hasSize(2).anySatisfy(p -> assertThat(p).endsWith(":" + config.registryPort()))
                    .anySatisfy(p -> assertThat(p).endsWith(":" + config.httpPort()));
            ports.forEach(p -> assertThat(published.add(p.split(":")[0])).as("host port %s published once", p).isTrue());
            assertThat(config.dataDir().toString()).isEqualTo("/var/lib/databus");
            assertThat(texts(node.path("volumes"))).contains(name + "-data:" + config.dataDir(), "databus-init-data:/var/lib/databus-init:ro");
            // the shared CA and server certificate of tls-init
            List<Path> tlsFiles = config.tlsFiles().orElseThrow();
            assertThat(tlsFiles).allSatisfy(f -> assertThat(f.toString()).startsWith("/etc/databus/certs/tls/"));
            assertThat(texts(node.path("volumes"))).contains("bus-certs:/etc/databus/certs:ro");
            // departments: the brokers' SASL_SSL and certificate listeners, as the brokers advertise and publish them
            assertThat(props.getProperty(ServerConfig.KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_CONFIG)).isEqualTo(advertised("EXTERNAL"));
            assertThat(props.getProperty(ServerConfig.KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG)).isEqualTo(advertised("CERT"));
            assertThat(node.path("depends_on").path("databus-init").path("condition").asText()).isEqualTo("service_completed_successfully");
        }
        // init writes the bus principal's file into the volume the nodes copy it from
        List<String> init = texts(service("databus-init").path("command"));
        assertThat(init).containsSequence("--data-dir", "/var/lib/databus");
        assertThat(texts(service("databus-init").path("volumes"))).contains("databus-init-data:/var/lib/databus");
    }

    @Test
    void theBrokersOfferDepartmentsSaslSslAndCertificateListenersOnTheBusCa() throws IOException {
        String tlsInit = Files.readString(mounted(service("tls-init"), "/etc/databus/tls-init.sh"));
        assertThat(tlsInit).contains("tls init");
        for (String broker : BROKERS) {
            Properties p = brokerProperties(broker);
            assertThat(p.getProperty("listener.security.protocol.map")).contains("EXTERNAL:SASL_SSL", "CERT:SSL", "INTERNAL:SASL_PLAINTEXT");
            assertThat(p.getProperty("listener.name.cert.ssl.client.auth")).isEqualTo("required");
            assertThat(p.getProperty("listener.name.cert.ssl.principal.mapping.rules")).isEqualTo(Certificates.PRINCIPAL_MAPPING_RULES);
            assertThat(p.getProperty("listener.name.external.sasl.enabled.mechanisms")).isEqualTo(BusCredentials.MECHANISM);
            assertThat(p.getProperty("ssl.truststore.location")).isEqualTo("/etc/databus/certs/tls/ca.crt");
            assertThat(texts(service(broker).path("volumes"))).contains("kafka-certs:/etc/databus/certs:ro");
            // each advertised department listener is published on the port it advertises
            for (String listener : List.of("EXTERNAL", "CERT")) {
                String advertisedPort = listener(p.getProperty("advertised.listeners"), listener).replaceAll(".*:", "");
                String containerPort = listener(p.getProperty("listeners"), listener).replaceAll(".*:", "");
                assertThat(texts(service(broker).path("ports"))).contains(advertisedPort + ":" + containerPort);
            }
            // the server certificate names every broker and the public host
            for (String name : List.of(broker, "$PUBLIC_HOST")) {
                assertThat(tlsInit).contains("--name " + (name.startsWith("$") ? "\"" + name + "\"" : name));
            }
        }
        assertThat(Files.readString(DOCKER.resolve("kafka/start-broker.sh"))).contains("@PUBLIC_HOST@").contains("/tmp/kafka-keystore.pem");
    }

    @Test
    void connectRunsDebeziumWithTheBusTransformNextToADepartmentDatabase() throws Exception {
        JsonNode connect = service("connect");
        String start = Files.readString(mounted(connect, "/etc/databus/start-connect.sh"));
        assertThat(start).contains("connectors", "bus-core", "schemas", "avro", "snakeyaml", "SCRAM-SHA-512");
        assertThat(texts(connect.path("volumes"))).contains("../bus-server/target/lib:/opt/databus/lib:ro");
        assertThat(Class.forName("cn.tianfu.databus.cdc.connect.ResourceMappingTransform")).isNotNull();
        JsonNode db = service("hukou-db");
        assertThat(texts(db.path("command"))).contains("wal_level=logical");
        String sql = Files.readString(mounted(db, "/docker-entrypoint-initdb.d/hukou-db.sql"));
        // the table the example mapping reads, with every column it maps or excludes
        String mapping = Files.readString(mounted(connect, "/etc/databus/psb-population-postgres.yaml"));
        assertThat(mapping).contains("table: public.resident");
        assertThat(sql).contains("CREATE TABLE public.resident").contains("id_number", "full_name", "mobile_phone",
                "gender_code", "birth_date", "household_address", "division_code", "last_changed", "operator_id", "internal_remark");
    }

    @Test
    void theBrokersFormOneQuorumAndTheAdministratorReachesThem() throws IOException {
        Set<String> nodeIds = new LinkedHashSet<>();
        String voters = null;
        for (String broker : BROKERS) {
            Properties p = brokerProperties(broker);
            nodeIds.add(p.getProperty("node.id"));
            assertThat(listener(p.getProperty("advertised.listeners"), "INTERNAL")).isEqualTo(broker + ":9092");
            assertThat(p.getProperty("process.roles")).isEqualTo("broker,controller");
            assertThat(p.getProperty("min.insync.replicas")).isEqualTo("2");
            assertThat(p.getProperty("allow.everyone.if.no.acl.found")).isEqualTo("false");
            assertThat(p.getProperty("listener.name.internal.sasl.enabled.mechanisms")).isEqualTo(BusCredentials.MECHANISM);
            if (voters == null) {
                voters = p.getProperty("controller.quorum.voters");
            }
            assertThat(p.getProperty("controller.quorum.voters")).isEqualTo(voters);
            assertThat(service(broker).path("hostname").asText()).isEqualTo(broker);
        }
        assertThat(nodeIds).containsExactly("1", "2", "3");
        assertThat(voters).isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");

        JsonNode init = service("databus-init");
        List<String> command = texts(init.path("command"));
        assertThat(command).startsWith("init", "--config");
        JsonNode config = init.path("configs").get(0);
        assertThat(config.path("target").asText()).isEqualTo(command.get(2));
        Properties admin = load(compose.path("configs").path(config.path("source").asText()).path("content").asText());
        assertThat(admin.getProperty("bootstrap.servers")).isEqualTo(brokerListeners());
        assertThat(admin.getProperty("sasl.mechanism")).isEqualTo(BusCredentials.MECHANISM);
        assertThat(admin.getProperty("sasl.jaas.config")).contains("username=\"admin\"");
        // the administrator is the brokers' super user, whose credential the start script puts in the metadata
        assertThat(brokerProperties("kafka-1").getProperty("super.users")).contains("User:admin");
        assertThat(Files.readString(DOCKER.resolve("kafka/start-broker.sh"))).contains("--add-scram")
                .contains("SCRAM-SHA-512=[name=admin,");
    }

    @Test
    void theImageRunsTheDistributionTheLauncherBuilds() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        String launcher = Files.readString(Path.of("..", "databus"));
        assertThat(launcher).contains("bus-server/target/databus.jar").contains("bus-server/target/lib")
                .contains("cn.tianfu.databus.cli.DatabusCli");
        assertThat(dockerfile).contains("COPY bus-server/target/databus.jar").contains("COPY bus-server/target/lib/")
                .contains("\"cn.tianfu.databus.cli.DatabusCli\"");
        assertThat(Class.forName("cn.tianfu.databus.cli.DatabusCli")).isNotNull();
        assertThat(dockerfile).containsPattern("(?m)^FROM [a-z0-9./-]+:[0-9][A-Za-z0-9._-]*$");
    }

    /** {@code host:port} of {@code name} in a listener list ({@code NAME://host:port,...}). */
    private static String listener(String list, String name) {
        for (String l : list.split(",")) {
            if (l.startsWith(name + "://")) {
                return l.substring(name.length() + 3);
            }
        }
        throw new AssertionError("no listener " + name + " in " + list);
    }

    /** The advertised {@code name} listeners of the three brokers, the public host at its compose default. */
    private static String advertised(String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (String broker : BROKERS) {
            out.add(listener(brokerProperties(broker).getProperty("advertised.listeners"), name)
                    .replace("@PUBLIC_HOST@", defaultOf("PUBLIC_HOST")));
        }
        return String.join(",", out);
    }

    /** The default the compose file gives {@code variable} ({@code ${VAR:-default}}), the same everywhere it is used. */
    private static String defaultOf(String variable) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{" + variable + ":-([^}]*)}")
                .matcher(Files.readString(DOCKER.resolve("compose.yaml")));
        Set<String> defaults = new LinkedHashSet<>();
        while (m.find()) {
            defaults.add(m.group(1));
        }
        assertThat(defaults).as("defaults of %s", variable).hasSize(1);
        return defaults.iterator().next();
    }

    /** The compose config mounted at {@code target} in {@code service}, its variables at their defaults. */
    private static Properties nodeConfig(JsonNode service, String target) throws IOException {
        for (JsonNode c : service.path("configs")) {
            if (c.path("target").asText().equals(target)) {
                String content = compose.path("configs").path(c.path("source").asText()).path("content").asText();
                return load(content.replace("${PUBLIC_HOST:-" + defaultOf("PUBLIC_HOST") + "}", defaultOf("PUBLIC_HOST")));
            }
        }
        throw new AssertionError("no config at " + target);
    }

    private static String brokerListeners() {
        return String.join(",", BROKERS.stream().map(b -> b + ":9092").toList());
    }

    private static Properties brokerProperties(String broker) throws IOException {
        return load(Files.readString(mounted(service(broker), "/etc/kafka/databus/server.properties")));
    }

    /** The file of the project mounted at {@code target} in {@code service}. */
    private static Path mounted(JsonNode service, String target) {
        for (String volume : texts(service.path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                return DOCKER.resolve(parts[0]);
            }
        }
        throw new AssertionError("nothing is mounted at " + target);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Properties load(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }
}
