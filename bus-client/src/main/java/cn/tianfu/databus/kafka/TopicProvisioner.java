package cn.tianfu.databus.kafka;

import cn.tianfu.databus.contract.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import cn.tianfu.databus.DatabusException;

/**
 * Creates the bus's topics from their declarations in {@link Topics}; existing topics are left as they are, except the
 * exchange log's cleanup policy and retention, which are enforced at every start.
 */
public final class TopicProvisioner {

    private final Admin admin;
    private final short replicationFactor;
    private final Map<String, String> replicationConfigs;
    private final long timeoutMs;

    public TopicProvisioner(Admin admin, short replicationFactor, long timeoutMs) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.replicationConfigs = Map.of();
        this.timeoutMs = timeoutMs;
    }

    /** A provisioner creating topics with {@code replication}'s factor and {@code min.insync.replicas}. */
    public TopicProvisioner(Admin admin, Replication replication, long timeoutMs) {
        this.admin = admin;
        this.replicationFactor = replication.factor();
        this.replicationConfigs = replication.topicConfigs();
        this.timeoutMs = timeoutMs;
    }

    /**
     * Creates every system topic that does not exist yet, brings an existing exchange log to its declared cleanup
     * policy and retention ({@link #enforceExchangeLogConfigs}) and an existing {@code bus.violations} to compaction
     * ({@link #enforceCompacted}); returns the names it created.
     */
    public List<String> ensureSystemTopics(int partitions) {
        List<String> created = ensure(Topics.systemTopics(partitions));
        if (!created.contains(Topics.EXCHANGE_LOG)) { // a log created just now has its declared configs already
            enforceExchangeLogConfigs(Topics.EXCHANGE_LOG);
        }
        if (!created.contains(Topics.VIOLATIONS)) {
            enforceCompacted(Topics.VIOLATIONS);
        }
        return created;
    }

    /**
     * Sets {@code cleanup.policy=compact} on an existing topic declared compacted (a bus created before
     * {@code bus.violations} was keyed by violation id had it deleted by age); returns whether anything was changed.
     */
    public boolean enforceCompacted(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry policy = describe(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy != null && TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy.value())) {
                return false;
            }
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT), AlterConfigOp.OpType.SET))))
                    .all().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while checking the configs of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DatabusException("cannot set the cleanup policy of " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets {@code cleanup.policy=delete} on an existing exchange-log topic (a bus created before the log stopped being
     * compacted had {@code compact,delete}), and raises its {@code retention.ms} to five years when it is shorter; a
     * longer retention is kept. Returns whether anything was changed.
     */
    public boolean enforceExchangeLogConfigs(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config current = describe(resource);
            List<AlterConfigOp> ops = new ArrayList<>();
            ConfigEntry policy = current.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !TopicConfig.CLEANUP_POLICY_DELETE.equals(policy.value())) {
                ops.add(new AlterConfigOp(new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_DELETE), AlterConfigOp.OpType.SET));
            }
            long declared = Topics.FIVE_YEARS.toMillis();
            ConfigEntry retention = current.get(TopicConfig.RETENTION_MS_CONFIG);
            long retentionMs = retention == null || retention.value() == null ? 0 : Long.parseLong(retention.value());
            if (retentionMs >= 0 && retentionMs < declared) {
                ops.add(new AlterConfigOp(new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, Long.toString(declared)),
                        AlterConfigOp.OpType.SET));
            }
            if (ops.isEmpty()) {
                return false;
            }
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while checking the configs of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DatabusException("cannot set the cleanup policy and retention of " + topic + ": " + e.getMessage(), e);
        }
    }

    private Config describe(ConfigResource resource) throws InterruptedException, ExecutionException, TimeoutException {
        return NewTopics.describeConfigs(admin, resource.name(), timeoutMs);
    }

    /** Creates the given topics where missing; returns the names it created. */
    public List<String> ensure(Collection<Topics.SystemTopic> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.SystemTopic t : topics) {
                if (!existing.contains(t.name())) {
                    Map<String, String> configs = new java.util.HashMap<>(replicationConfigs);
                    configs.putAll(t.configs());
                    missing.add(new NewTopic(t.name(), t.partitions(), replicationFactor).configs(configs));
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new DatabusException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DatabusException("cannot list or create topics: " + e.getMessage(), e);
        }
    }

    /** Creates one topic where missing, with the given configs; true when it was created now. */
    public boolean ensure(String name, int partitions, Map<String, String> configs) {
        return !ensure(List.of(new Topics.SystemTopic(name, partitions, configs))).isEmpty();
    }
}
