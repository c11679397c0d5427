package cn.tianfu.databus.ledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Fresh copies of the exchange-log topics per test on the shared bus (the real names are shared by every test). */
record LogTopics(String staging, String log, String checkpoints) {

    static LogTopics create(int stagingPartitions, int logPartitions) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        LogTopics t = new LogTopics("it.staging." + suffix, "it.log." + suffix, "it.checkpoints." + suffix);
        try {
            SharedBus.get().admin().createTopics(List.of(
                    new NewTopic(t.staging, stagingPartitions, (short) 1),
                    new NewTopic(t.log, logPartitions, (short) 1).configs(Topics.exchangeLogConfigs()),
                    new NewTopic(t.checkpoints, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    /** Deletes the log and checkpoint topics and creates them again, empty, as {@link #create} does. */
    static void recreate(LogTopics t) {
        Admin admin = SharedBus.get().admin();
        int partitions;
        try {
            partitions = admin.describeTopics(List.of(t.log)).allTopicNames().get(30, TimeUnit.SECONDS).get(t.log)
                    .partitions().size();
            admin.deleteTopics(List.of(t.log, t.checkpoints)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // deletion completes in the background: create again once the names are free
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(t.log, t.checkpoints);
            admin.createTopics(List.of(
                    new NewTopic(t.log, partitions, (short) 1).configs(Topics.exchangeLogConfigs()),
                    new NewTopic(t.checkpoints, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        });
    }

    /** Writes records as they were (partition, key, value bytes) to a topic. */
    static void write(String topic, List<ConsumerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(SharedBus.get().kafkaProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                p.send(new ProducerRecord<>(topic, r.partition(), r.key(), r.value())).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every committed record of a topic, read from the beginning to the current end. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.putAll(SharedBus.get().kafkaProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
