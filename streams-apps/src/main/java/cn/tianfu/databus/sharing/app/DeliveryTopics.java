package cn.tianfu.databus.sharing.app;

import cn.tianfu.databus.kafka.NewTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.kafka.TopicProvisioner;
import cn.tianfu.databus.contract.Topics;

/**
 * Makes sure a delivery topic exists before the router writes to it, and tells its partition count (the router picks
 * the partition of every delivery itself, so that the exchange log can name it).
 */
@FunctionalInterface
public interface DeliveryTopics {

    /**
     * Creates {@code topic} (with {@link Topics#resourceTopicConfigs()}) if it does not exist and returns its number of
     * partitions.
     *
     * @throws DatabusException when the topic can neither be found nor created
     */
    int ensure(String topic);

    /**
     * Delivery topics through an admin client: existing topics are described, missing ones created with
     * {@code partitions} partitions; answers are cached.
     */
    static DeliveryTopics admin(Admin admin, int partitions, short replicationFactor, Duration timeout) {
        Map<String, Integer> known = new ConcurrentHashMap<>();
        TopicProvisioner provisioner = new TopicProvisioner(admin, replicationFactor, timeout.toMillis());
        return topic -> known.computeIfAbsent(topic, t -> {
            provisioner.ensure(List.of(new Topics.SystemTopic(t, partitions, Topics.resourceTopicConfigs())));
            try {
                return NewTopics.describe(admin, t, timeout.toMillis()).partitions().size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabusException("interrupted while describing " + t, e);
            } catch (ExecutionException e) {
                throw new DatabusException("cannot describe delivery topic " + t + ": " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new DatabusException("timed out describing delivery topic " + t + " after " + timeout, e);
            }
        });
    }
}
