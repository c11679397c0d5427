package cn.tianfu.databus.governance.client.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.serde.AvroSerdeConfig;

/** Kafka and serde properties of the governance client and views, bounded by one connect timeout. */
public final class ClientProperties {

    private ClientProperties() {
    }

    /** A consumer that reads by assignment (no group, no commits), committed records only. */
    public static Map<String, Object> assignedConsumer(DatabusClientConfig config, Duration timeout) {
        Map<String, Object> p = bounded(config.kafkaProperties(), timeout);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    /** The department's idempotent producer; gives up after {@code timeout} instead of retrying for minutes. */
    public static Map<String, Object> producer(DatabusClientConfig config, Duration timeout) {
        Map<String, Object> p = bounded(config.producerProperties(), timeout);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 1));
        return p;
    }

    /** The serde configuration, registry calls bounded by {@code timeout}. */
    public static Map<String, Object> serde(DatabusClientConfig config, Duration timeout) {
        Map<String, Object> p = new HashMap<>(config.serdeConfig());
        p.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, timeout.toMillis());
        p.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, timeout.toMillis());
        return p;
    }

    private static Map<String, Object> bounded(Map<String, Object> base, Duration timeout) {
        Map<String, Object> p = new HashMap<>(base);
        int ms = (int) Math.max(timeout.toMillis(), 1);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, ms);
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        return p;
    }
}
