package cn.tianfu.databus.governance.app;

import java.util.Map;

import org.apache.kafka.clients.admin.Admin;

import cn.tianfu.databus.kafka.TopicProvisioner;

/**
 * Creates a topic governance needs (a resource's {@code src.<dept>.<code>} on registration, a department's
 * {@code reply.<dept>} when it is missing). Creating a topic that exists does nothing, so a replayed command is harmless.
 */
@FunctionalInterface
public interface TopicCreator {

    /**
     * Creates {@code topic} with {@code partitions} partitions and {@code configs} unless it exists.
     *
     * @throws cn.tianfu.databus.DatabusException when the topic cannot be created
     */
    void ensure(String topic, int partitions, Map<String, String> configs);

    /** A creator on a Kafka {@link Admin} client, with the given replication factor. */
    static TopicCreator admin(Admin admin, short replicationFactor) {
        TopicProvisioner provisioner = new TopicProvisioner(admin, replicationFactor, 30_000);
        return (topic, partitions, configs) -> provisioner.ensure(topic, partitions, configs);
    }
}
