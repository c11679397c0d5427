package cn.tianfu.databus.dr;

import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;

/**
 * The check before the disaster-recovery cluster takes over: the replicated exchange log verified there with the
 * auditor's verification ({@link AuditReader#verify(VerifyOptions)}), each partition's chain recomputed and every
 * replicated signed checkpoint checked with the bus's published key. Entries after a partition's last replicated
 * checkpoint are counted as unproven: they are reported, never accepted as proven.
 *
 * <p>The log's records are in the registry's framing; before the bus serves on the disaster-recovery cluster, no
 * registry runs there, so the check starts a registry of its own over the replicated {@code _schemas} on a loopback
 * port for the time of the check (it only reads).
 */
public final class Promotion {

    private Promotion() {
    }

    /** The verification of the replicated log, read with the disaster-recovery administrator's client config. */
    public static VerificationReport verify(Map<String, Object> dr, PublicKey publicKey) {
        SchemaRegistryServer registry = loopbackRegistry(dr);
        try (registry;
             SchemaRegistryClient client = HttpSchemaRegistryClient.builder(registry.url()).build();
             AuditReader reader = AuditReader.builder(new HashMap<>(dr)).registry(client).publicKey(publicKey).build()) {
            return reader.verify(VerifyOptions.CHAINS_ONLY.allowUncovered(true));
        }
    }

    /**
     * A started schema registry over the {@code _schemas} topic of the cluster {@code cluster} (an administrator's client
     * config) on a loopback port. It shares the schemas and ids of every other registry on that cluster (their writes
     * are serialized through one transactional id). The caller closes it.
     */
    static SchemaRegistryServer loopbackRegistry(Map<String, Object> cluster) {
        Map<String, Object> registryProps = new HashMap<>();
        registryProps.put(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, String.valueOf(cluster.get("bootstrap.servers")));
        registryProps.put(RegistryServerConfig.LISTEN_HOST_CONFIG, "127.0.0.1");
        registryProps.put(RegistryServerConfig.LISTEN_PORT_CONFIG, 0);
        registryProps.put(RegistryServerConfig.TOPIC_CONFIG, Topics.SCHEMAS);
        registryProps.put(RegistryServerConfig.TIMEOUT_MS_CONFIG, 30_000L);
        cluster.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                registryProps.put(RegistryServerConfig.KAFKA_PREFIX + k, v);
            }
        });
        SchemaRegistryServer registry = new SchemaRegistryServer(new RegistryServerConfig(registryProps));
        try {
            registry.start();
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** One line per partition: what is proven, up to which signed checkpoint, and what is not. */
    public static String describe(VerificationReport report) {
        StringBuilder b = new StringBuilder();
        long proven = 0;
        for (VerificationReport.Partition p : report.partitions()) {
            long covered = p.entries() - p.uncoveredEntries();
            proven += p.intact() ? covered : 0;
            b.append(String.format("  partition %d: %d entries, %s%s%n", p.partition(), p.entries(),
                    p.intact() ? (p.lastCheckpointPosition() < 0 ? "no signed checkpoint replicated"
                            : covered + " proven up to the signed checkpoint at position " + p.lastCheckpointPosition())
                            : "BROKEN at position " + p.firstBreak().position() + ": " + p.firstBreak().message(),
                    p.uncoveredEntries() > 0 ? ", " + p.uncoveredEntries() + " after it UNPROVEN" : ""));
        }
        return String.format("%s: %d entries replicated, %d proven by signed checkpoints, %d unproven%n",
                report.intact() ? "INTACT" : "BROKEN", report.entries(), proven, report.uncoveredEntries()) + b;
    }
}
