package cn.tianfu.databus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.topic.TopicProvisioner;

/**
 * One embedded bus per test JVM: a real in-JVM KRaft broker on a free port with the system topics created, and the
 * project's schema registry over HTTP on another free port.
 * Started on first use, stopped when the JVM exits. Tests that must stop or restart a broker start their own.
 */
public final class SharedBus {

    private static SharedBus instance;

    private final Path dataDir;
    private final EmbeddedBroker broker;
    private final Admin admin;
    private final SchemaRegistryServer registry;

    private SharedBus() {
        try {
            dataDir = Files.createTempDirectory("databus-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                BrokerConfig.PORT_CONFIG, 0)));
        admin = Admin.create(adminProperties(broker.bootstrapServers()));
        new TopicProvisioner(admin, (short) 1, 30_000).ensureSystemTopics(2);
        registry = new SchemaRegistryServer(new RegistryServerConfig(Map.of(
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0,
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers())));
        registry.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shared-bus-stop"));
    }

    /** The JVM's shared bus, started on first call. */
    public static synchronized SharedBus get() {
        if (instance == null) {
            instance = new SharedBus();
        }
        return instance;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Base URL of the shared schema registry, e.g. {@code http://127.0.0.1:41234}. */
    public String registryUrl() {
        return registry.url();
    }

    /** An admin client on the shared broker; do not close it. */
    public Admin admin() {
        return admin;
    }

    public Path dataDir() {
        return dataDir;
    }

    public static Properties adminProperties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    private void stop() {
        registry.close();
        admin.close();
        broker.close();
        deleteRecursively(dataDir);
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }
}
