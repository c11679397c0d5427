package cn.tianfu.databus.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import cn.tianfu.databus.client.DatabusClientConfig;

/**
 * Client properties for a tool that must answer within a bound: every request, connection and send of its admin
 * client, producer and readers gives up after the same timeout, so a command never hangs on a bus that is down.
 */
public final class BoundedClients {

    private final Map<String, Object> common;
    private final int timeoutMs;

    private BoundedClients(Map<String, Object> common, int timeoutMs) {
        this.common = common;
        this.timeoutMs = timeoutMs;
    }

    /** The client properties of {@code config}, every timeout bounded by {@code timeout}. */
    public static BoundedClients of(DatabusClientConfig config, Duration timeout) {
        int ms = (int) timeout.toMillis();
        Map<String, Object> common = new HashMap<>(config.kafkaProperties());
        common.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, ms);
        common.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        common.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms);
        common.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        return new BoundedClients(common, ms);
    }

    /** For an admin client. */
    public Map<String, Object> admin() {
        return new HashMap<>(common);
    }

    /** For an idempotent producer that sends at once and waits for every replica. */
    public Map<String, Object> producer() {
        Map<String, Object> p = new HashMap<>(common);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return p;
    }

    /** For a consumer that reads by assignment, with no group, committing nothing and creating no topic. */
    public Map<String, Object> reader() {
        Map<String, Object> p = new HashMap<>(common);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return p;
    }
}
