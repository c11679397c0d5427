package cn.tianfu.databus.testing;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.testkit.SharedBus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A test's own copy of the exchange log and its checkpoint topic on the shared bus. A router chains the entries of
 * the records it routes into the log it is configured with; routers of several tests writing the shared bus's real
 * log would fork each other's chains (every application id starts its chains at genesis), so every router a test
 * starts on the shared bus writes a copy, and the real log is left to the tests that write it on purpose.
 *
 * @param logTopic        the copy of {@link Topics#EXCHANGE_LOG}, with as many partitions
 * @param checkpointTopic the copy of {@link Topics#EXCHANGE_LOG_CHECKPOINTS}
 */
public record LogCopy(String logTopic, String checkpointTopic) {

    /** Creates both topics, named {@code <prefix>-log-<random>} and {@code <prefix>-checkpoints-<random>}. */
    public static LogCopy create(SharedBus bus, String prefix) {
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
        LogCopy copy = new LogCopy(prefix + "-log-" + suffix, prefix + "-checkpoints-" + suffix);
        try {
            int partitions = bus.admin().describeTopics(List.of(Topics.EXCHANGE_LOG)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.EXCHANGE_LOG).partitions().size();
            bus.admin().createTopics(List.of(new NewTopic(copy.logTopic, partitions, (short) 1),
                    new NewTopic(copy.checkpointTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + copy, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + copy, e);
        }
        return copy;
    }

    /** {@code props} with the router writing this copy and signing a checkpoint every 300 ms. */
    public Map<String, Object> router(Map<String, ?> props) {
        Map<String, Object> m = new HashMap<>(props);
        m.put(RouterConfig.CHECKPOINT_INTERVAL_MS_CONFIG, 300L);
        m.put(RouterConfig.LOG_TOPIC_CONFIG, logTopic);
        m.put(RouterConfig.CHECKPOINT_TOPIC_CONFIG, checkpointTopic);
        return m;
    }
}
