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
        assertThat(images).hasSize(5).allSatisfy(image -> assertThat(image).matches("[a-z0-9./-]+:[0-9][A-Za-z0-9._-]*"));
        for (String broker : BROKERS) {
            assertThat(service(broker).path("image").asText()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        }
        assertThat(service("databus-init").path("image").asText()).isEqualTo(service("databus").path("image").asText());
    }

    @Test
    void everyFileTheComposeFileMountsOrBuildsFromExists() {
        Set<Path> files = new LinkedHashSet<>();
        compose.path("services").fields().forEachRemaining(e -> {
            for (JsonNode volume : e.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    files.add(DOCKER.resolve(source));
                }
            }
            JsonNode build = e.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = DOCKER.resolve(build.path("context").asText());
                files.add(context.resolve(build.path("dockerfile").asText()));
            }
        });
        assertThat(files).hasSize(6).allSatisfy(f -> assertThat(f).isRegularFile());
        assertThat(files).contains(DOCKER.resolve("./databus/node.properties"), DOCKER.resolve("../docker/Dockerfile"));
    }

    @Test
    void theBusNodesConfigIsAServerConfigAndItsPortsArePublished() throws IOException {
        JsonNode node = service("databus");
        List<String> command = texts(node.path("command"));
        assertThat(command).startsWith("serve", "--config");
        Path file = mounted(node, command.get(2));
        Properties props = load(Files.readString(file));
        assertThat(ServerConfig.configDef().names()).containsAll(props.stringPropertyNames());
        Map<String, Object> map = new HashMap<>();
        props.forEach((k, v) -> map.put((String) k, v));
        ServerConfig config = new ServerConfig(map);
        assertThat(config.externalBootstrapServers()).isPresent();
        assertThat(config.tlsEnabled()).as("a non-loopback listen address speaks TLS").isTrue();
        assertThat(texts(node.path("ports"))).containsExactlyInAnyOrder(
                config.registryPort() + ":" + config.registryPort(), config.httpPort() + ":" + config.httpPort());
        assertThat(config.dataDir().toString()).isEqualTo("/var/lib/databus");
        assertThat(texts(node.path("volumes"))).contains("databus-data:" + config.dataDir());
        // init writes the bus principal's file into the same volume the node reads it from
        List<String> init = texts(service("databus-init").path("command"));
        assertThat(init).containsSequence("--data-dir", config.dataDir().toString());
        assertThat(texts(service("databus-init").path("volumes"))).contains("databus-data:" + config.dataDir());
        assertThat(service("databus").path("depends_on").path("databus-init").path("condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(config.externalBootstrapServers().get()).isEqualTo(brokerListeners());
    }

    @Test
    void theBrokersFormOneQuorumAndTheAdministratorReachesThem() throws IOException {
        Set<String> nodeIds = new LinkedHashSet<>();
        String voters = null;
        for (String broker : BROKERS) {
            Properties p = brokerProperties(broker);
            nodeIds.add(p.getProperty("node.id"));
            assertThat(p.getProperty("advertised.listeners")).isEqualTo("INTERNAL://" + broker + ":9092");
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
