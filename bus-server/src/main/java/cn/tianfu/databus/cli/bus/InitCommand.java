package cn.tianfu.databus.cli.bus;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.kafka.Replication;
import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.security.SecretFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus init}: prepares a Kafka cluster the bus did not start, with an administrator's client config: the
 * system topics (replicated by {@link Replication}), the bus principal's SCRAM credential and its ACLs, the registry's
 * topic; writes the bus principal's client file {@code <data-dir>/clients/bus.properties} that {@code databus serve}
 * runs as. Run again, it changes nothing but what is missing (the bus's password is kept).
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        header = "Prepare an existing Kafka cluster for the bus: system topics, the bus principal and its ACLs.")
public final class InitCommand extends ClockedCommand {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Kafka client config of an administrator of the cluster (bootstrap.servers, security.protocol, sasl.jaas.config, ...).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Where the bus principal's client file is written (clients/bus.properties) (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "2",
            description = "Partitions of the bus's partitioned system topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Properties adminProps = read(config);
        String bootstrap = adminProps.getProperty("bootstrap.servers", "").trim();
        if (bootstrap.isEmpty()) {
            throw new DatabusException(config + " has no bootstrap.servers");
        }
        SecretFiles.privateDirectory(dataDir.toAbsolutePath());
        Path busFile = BusCredentials.file(dataDir.toAbsolutePath());
        String password = Files.exists(busFile) ? SecretFiles.read(busFile).getProperty("sasl.password", "").trim() : "";
        if (password.isEmpty()) {
            password = Passwords.generate();
        }
        try (Admin admin = Admin.create(adminProps)) {
            Replication replication = Replication.of(admin, 30_000);
            out.println(replication.note());
            List<String> created = new TopicProvisioner(admin, replication, 30_000).ensureSystemTopics(partitions);
            out.println(created.isEmpty() ? "System topics: all present" : "Created system topics: " + String.join(", ", created));
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(BusCredentials.USERNAME,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(busAcls()).all().get(30, TimeUnit.SECONDS);
            out.println("Bus principal User:" + BusCredentials.USERNAME + ": SCRAM-SHA-512 credential and ACLs (every topic, group,"
                    + " transactional id, the cluster) set");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while preparing the cluster", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new DatabusException("cannot prepare the cluster at " + bootstrap + ": " + e.getMessage(), e);
        }
        // the bus's clients reach the cluster as its administrator does: the same protocol and trusted certificates
        // (the bus principal authenticates with SCRAM: an administrator on SSL or PLAINTEXT means SASL_SSL or SASL_PLAINTEXT)
        String protocol = adminProps.getProperty("security.protocol", BusCredentials.PROTOCOL).trim().endsWith("SSL")
                ? "SASL_SSL" : BusCredentials.PROTOCOL;
        Map<String, String> ssl = new java.util.HashMap<>();
        adminProps.stringPropertyNames().stream()
                .filter(k -> k.startsWith("ssl.truststore.") || k.equals("ssl.endpoint.identification.algorithm"))
                .forEach(k -> ssl.put(k, adminProps.getProperty(k)));
        BusCredentials bus;
        try {
            bus = new BusCredentials(BusCredentials.USERNAME, password, protocol, "SASL_SSL".equals(protocol) ? ssl : Map.of());
        } catch (IllegalArgumentException e) {
            throw new DatabusException(config + ": " + e.getMessage(), e);
        }
        awaitAuthenticates(bus, bootstrap);
        Path written = bus.write(dataDir.toAbsolutePath(), bootstrap, Map.of());
        out.println("Wrote the bus principal's client file " + written + " (600): 'databus serve' runs as it");
        out.flush();
        return ExitCode.OK;
    }

    /**
     * Waits until the bus principal authenticates: the controller has committed its new credential when the upsert
     * returns, but each broker learns it from the metadata log a moment later, and a {@code serve} started at once must
     * not be refused.
     */
    private static void awaitAuthenticates(BusCredentials bus, String bootstrap) {
        Map<String, Object> props = new java.util.HashMap<>(bus.clientProperties(bootstrap));
        props.put("request.timeout.ms", 5000);
        props.put("default.api.timeout.ms", 10_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabusException("interrupted while waiting for the bus principal's credential", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new DatabusException("the bus principal User:" + bus.username() + " cannot connect to " + bootstrap
                            + " with its new credential: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabusException("interrupted while waiting for the bus principal's credential", e);
            }
        }
    }

    /** What the bus principal may do on a cluster where it is not a super user: everything the bus runs needs. */
    static List<AclBinding> busAcls() {
        String principal = "User:" + BusCredentials.USERNAME;
        List<AclBinding> acls = new ArrayList<>();
        for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
            acls.add(new AclBinding(new ResourcePattern(type, ResourcePattern.WILDCARD_RESOURCE, PatternType.LITERAL),
                    new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
        }
        acls.add(new AclBinding(new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW)));
        return acls;
    }

    static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return p;
    }
}
