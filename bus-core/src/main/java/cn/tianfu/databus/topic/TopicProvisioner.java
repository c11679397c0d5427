package cn.tianfu.databus.topic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import cn.tianfu.databus.DatabusException;

/** Creates the bus's topics from their declarations in {@link Topics}; existing topics are left as they are. */
public final class TopicProvisioner {

    private final Admin admin;
    private final short replicationFactor;
    private final long timeoutMs;

    public TopicProvisioner(Admin admin, short replicationFactor, long timeoutMs) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.timeoutMs = timeoutMs;
    }

    /** Creates every system topic that does not exist yet; returns the names it created. */
    public List<String> ensureSystemTopics(int partitions) {
        return ensure(Topics.systemTopics(partitions));
    }

    /** Creates the given topics where missing; returns the names it created. */
    public List<String> ensure(Collection<Topics.SystemTopic> topics) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.SystemTopic t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(new NewTopic(t.name(), t.partitions(), replicationFactor).configs(t.configs()));
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
