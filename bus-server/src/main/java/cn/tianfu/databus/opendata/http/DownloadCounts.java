package cn.tianfu.databus.opendata.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.TopicReader;

/**
 * Downloads served per open resource, kept on the compacted {@code bus.open.downloads} (key: resource code, value:
 * the count as decimal text), so the counts survive a restart: read to its end when the HTTP API starts, each download
 * counted in memory and its new count written. With several HTTP API instances each would write its own count: the
 * embedded bus runs one.
 */
final class DownloadCounts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadCounts.class);

    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final KafkaProducer<String, String> producer;

    DownloadCounts(DatabusClientConfig bus, Duration timeout) {
        Map<String, Object> c = new HashMap<>(bus.kafkaProperties());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-open-downloads");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            var infos = consumer.partitionsFor(Topics.OPEN_DOWNLOADS, timeout);
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                TopicReader.readToEnd(consumer, parts, timeout, r -> {
                    if (r.key() != null && r.value() != null) {
                        try {
                            counts.put(r.key(), Long.parseLong(r.value()));
                        } catch (NumberFormatException e) {
                            LOG.warn("Skipping a download count that is not a number for {}: {}", r.key(), r.value());
                        }
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot read the download counts from {}; counting from zero: {}", Topics.OPEN_DOWNLOADS, e.getMessage());
        }
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "databus-http-open-downloads");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Counts one download of {@code code} and writes the new count. */
    long count(String code) {
        long n = counts.merge(code, 1L, Long::sum);
        producer.send(new ProducerRecord<>(Topics.OPEN_DOWNLOADS, code, Long.toString(n)), (md, e) -> {
            if (e != null) {
                LOG.warn("Cannot record download count {} of {}: {}", n, code, e.getMessage());
            }
        });
        return n;
    }

    /** Downloads of {@code code} served so far. */
    long of(String code) {
        return counts.getOrDefault(code, 0L);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
