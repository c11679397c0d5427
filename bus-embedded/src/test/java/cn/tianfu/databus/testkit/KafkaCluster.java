package cn.tianfu.databus.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.kafka.SaslLogin;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.tls.ServerTls;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A Kafka cluster the bus did not start: {@code size} KRaft nodes in this JVM, each broker and controller at once
 * (a {@code size}-voter controller quorum), from Kafka's production server classes. Secured as a city's cluster would
 * be: SCRAM-SHA-512 on SASL_PLAINTEXT loopback listeners, {@code StandardAuthorizer} denying what no ACL allows, one
 * administrator ({@code User:admin}, a super user, its credential bootstrapped into the metadata). The internal topics
 * (offsets, transactions) are replicated three ways with two in sync, as on a production cluster.
 *
 * <p>A node can be stopped ({@link #stop(int)}) and started again on its data and ports ({@link #restart(int)}), to
 * show that the bus keeps working while one broker is down.
 */
public final class KafkaCluster implements AutoCloseable {

    /** The cluster administrator's principal name. */
    public static final String ADMIN = "admin";
    private static final String CLIENT = "CLIENT";
    private static final String CONTROLLER = "CONTROLLER";
    private static final String LOOPBACK = "127.0.0.1";

    private final Path dir;
    private final int size;
    private final String adminPassword = Passwords.generate();
    private final String controllerPassword = Passwords.generate();
    private final int[] clientPorts;
    private final int[] controllerPorts;
    private final KafkaRaftServer[] servers;
    private final ServerTls tls;

    private KafkaCluster(Path dir, int size, ServerTls tls) {
        this.dir = dir;
        this.tls = tls;
        this.size = size;
        this.clientPorts = new int[size];
        this.controllerPorts = new int[size];
        this.servers = new KafkaRaftServer[size];
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < size; i++) {
            clientPorts[i] = freePort(taken);
            controllerPorts[i] = freePort(taken);
        }
    }

    /** Formats and starts {@code size} nodes with their data under {@code dir}, and waits until all are brokers. */
    public static KafkaCluster start(Path dir, int size) {
        return start(dir, size, null);
    }

    /**
     * As {@link #start(Path, int)}; with {@code tls} every client listener, the brokers' own traffic included, speaks
     * SASL_SSL with that certificate: a cluster offering no plain listener at all.
     */
    public static KafkaCluster start(Path dir, int size, ServerTls tls) {
        // Kafka halts the JVM on a fatal node error: fail the test instead
        Exit.Procedure fail = (code, message) -> {
            throw new IllegalStateException("a Kafka node requested the JVM to stop: " + code + " " + message);
        };
        Exit.setHaltProcedure(fail);
        Exit.setExitProcedure(fail);
        KafkaCluster cluster = new KafkaCluster(dir, size, tls);
        String clusterId = Uuid.randomUuid().toString();
        try {
            for (int i = 0; i < size; i++) {
                cluster.format(i, clusterId);
            }
            // the quorum needs a majority of voters before any node finishes starting: start them side by side
            List<Thread> starters = new ArrayList<>();
            List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < size; i++) {
                int node = i;
                Thread t = new Thread(() -> {
                    try {
                        cluster.startNode(node);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }, "kafka-cluster-start-" + node);
                starters.add(t);
                t.start();
            }
            for (Thread t : starters) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            cluster.awaitBrokers(size, Duration.ofSeconds(60));
            return cluster;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw new IllegalStateException("interrupted while starting the cluster", e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code host:port,...} of every node's client listener. */
    public String bootstrapServers() {
        List<String> all = new ArrayList<>();
        for (int port : clientPorts) {
            all.add(LOOPBACK + ":" + port);
        }
        return String.join(",", all);
    }

    /** The administrator's client properties (a super user): what {@code databus init --config} is given. */
    public Map<String, Object> adminProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, tls == null ? "SASL_PLAINTEXT" : "SASL_SSL");
        if (tls != null) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.certificates", tls.caPem());
        }
        p.put("sasl.mechanism", BusCredentials.MECHANISM);
        p.put("sasl.jaas.config", SaslLogin.jaas(BusCredentials.MECHANISM, ADMIN, adminPassword).value());
        return p;
    }

    /** {@link #adminProperties()} as a client file. */
    public Path writeAdminFile(Path file) {
        Properties p = new Properties();
        adminProperties().forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, "the cluster's administrator");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The node id ({@code 1..size}) of the broker leading partition {@code partition} of {@code topic}. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = Admin.create(adminProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            Node leader = d.partitions().get(partition).leader();
            if (leader == null) {
                throw new IllegalStateException(topic + "-" + partition + " has no leader");
            }
            return leader.id();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
        }
    }

    /** The in-sync replicas (node ids) of every partition of {@code topic}. */
    public List<Set<Integer>> inSyncReplicas(String topic) {
        try (Admin admin = Admin.create(adminProperties())) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            List<Set<Integer>> isr = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                isr.add(p.isr().stream().map(Node::id).collect(Collectors.toSet()));
            }
            return isr;
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Stops node {@code nodeId} (1..size) and waits until it is down; its data and ports stay. */
    public void stop(int nodeId) {
        KafkaRaftServer server = servers[nodeId - 1];
        servers[nodeId - 1] = null;
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    /** Starts node {@code nodeId} again on its data and ports, and waits until the cluster counts it again. */
    public void restart(int nodeId) {
        if (servers[nodeId - 1] != null) {
            throw new IllegalStateException("node " + nodeId + " is running");
        }
        startNode(nodeId - 1);
        awaitBrokers(size, Duration.ofSeconds(60));
    }

    /** Stops every node at once: one after the other, the last ones would wait for a quorum that is gone. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (int i = 1; i <= servers.length; i++) {
            int node = i;
            Thread t = new Thread(() -> {
                try {
                    stop(node);
                } catch (RuntimeException e) {
                    // the others still stop
                }
            }, "kafka-cluster-stop-" + node);
            stopping.add(t);
            t.start();
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void format(int index, String clusterId) {
        Path logDir = logDir(index);
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(index + 1)
                .setClusterId(clusterId)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setControllerListenerName(CONTROLLER)
                .setScramArguments(List.of(BusCredentials.MECHANISM + "=[name=" + ADMIN + ",password=" + adminPassword + "]"));
        try {
            Files.createDirectories(logDir);
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format node " + (index + 1) + ": " + e.getMessage(), e);
        }
    }

    private void startNode(int index) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties(index), false), Time.SYSTEM);
        server.startup();
        servers[index] = server;
    }

    private Map<String, Object> properties(int index) {
        String voters = java.util.stream.IntStream.range(0, size)
                .mapToObj(i -> (i + 1) + "@" + LOOPBACK + ":" + controllerPorts[i]).collect(Collectors.joining(","));
        String client = "listener.name." + CLIENT.toLowerCase(java.util.Locale.ROOT) + ".";
        String controller = "listener.name." + CONTROLLER.toLowerCase(java.util.Locale.ROOT) + ".";
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", index + 1);
        p.put("controller.quorum.voters", voters);
        p.put("listeners", CLIENT + "://" + LOOPBACK + ":" + clientPorts[index] + "," + CONTROLLER + "://" + LOOPBACK + ":"
                + controllerPorts[index]);
        p.put("advertised.listeners", CLIENT + "://" + LOOPBACK + ":" + clientPorts[index]);
        p.put("listener.security.protocol.map", CLIENT + (tls == null ? ":SASL_PLAINTEXT," : ":SASL_SSL,") + CONTROLLER + ":SASL_PLAINTEXT");
        if (tls != null) {
            tls.kafkaListenerSsl().forEach((k, v) -> p.put(client + k, v));
        }
        p.put("controller.listener.names", CONTROLLER);
        p.put("inter.broker.listener.name", CLIENT);
        p.put(client + "sasl.enabled.mechanisms", BusCredentials.MECHANISM);
        p.put(client + "scram-sha-512.sasl.jaas.config", SaslLogin.jaas(BusCredentials.MECHANISM, ADMIN, adminPassword).value());
        p.put("sasl.mechanism.inter.broker.protocol", BusCredentials.MECHANISM);
        p.put(controller + "sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put(controller + "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"controller\" password=\"" + controllerPassword + "\" user_controller=\"" + controllerPassword + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + ADMIN + ";User:controller");
        p.put("log.dirs", logDir(index).toString());
        p.put("metadata.log.dir", logDir(index).toString());
        p.put("num.partitions", 2);
        p.put("default.replication.factor", Math.min(3, size));
        p.put("min.insync.replicas", Math.min(2, size));
        p.put("offsets.topic.replication.factor", Math.min(3, size));
        p.put("offsets.topic.num.partitions", 4);
        p.put("transaction.state.log.replication.factor", Math.min(3, size));
        p.put("transaction.state.log.min.isr", Math.min(2, size));
        p.put("transaction.state.log.num.partitions", 4);
        p.put("share.coordinator.state.topic.replication.factor", Math.min(3, size));
        p.put("share.coordinator.state.topic.min.isr", Math.min(2, size));
        p.put("group.initial.rebalance.delay.ms", 0);
        p.put("auto.create.topics.enable", false);
        p.put("log.cleaner.dedupe.buffer.size", 2 * 1024 * 1024);
        p.put("log.cleaner.threads", 1);
        p.put("num.network.threads", 1);
        p.put("num.io.threads", 2);
        p.put("background.threads", 2);
        p.put("num.recovery.threads.per.data.dir", 1);
        p.put("replica.lag.time.max.ms", 5000);
        p.put("controlled.shutdown.enable", true);
        Map<String, Object> asStrings = new HashMap<>();
        p.forEach((k, v) -> asStrings.put(k, String.valueOf(v)));
        return asStrings;
    }

    private void awaitBrokers(int expected, Duration timeout) {
        Map<String, Object> props = adminProperties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    int brokers = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (brokers >= expected) {
                        return;
                    }
                    last = brokers + " brokers";
                } catch (Exception e) {
                    last = e.toString();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the cluster", e);
                }
            }
        }
        throw new IllegalStateException("the cluster did not have " + expected + " brokers within " + timeout.toSeconds()
                + " s (" + last + ")");
    }

    private Path logDir(int index) {
        return dir.resolve("node-" + (index + 1)).toAbsolutePath();
    }

    private static int freePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK))) {
                int port = socket.getLocalPort();
                if (taken.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port");
    }
}
