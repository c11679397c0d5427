package cn.tianfu.databus.server.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.JavalinConfig;

/** A compacted topic of the bus read with the bus's own principal for the API's views, closed when the server stops. */
final class CompactedViews {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private CompactedViews() {
    }

    static <T extends SpecificRecord> CompactedTopicReader<T> open(JavalinConfig config, DatabusClientConfig bus, String topic,
            Class<T> type, Function<T, String> id, String clientId) {
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        AvroSerde<T> serde = AvroSerde.specific(type);
        serde.configure(bus.serdeConfig(), false);
        CompactedTopicReader<T> reader = new CompactedTopicReader<>(topic, consumer, serde.deserializer(), id, TIMEOUT);
        config.events.serverStopped(reader::close);
        return reader;
    }
}
