package cn.tianfu.databus.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.kafka.TopicReader;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroWireFormatException;

/**
 * What the bus rejected, read as the bus principal (only the authority reads dead letters): {@code bus.deadletter},
 * written by the bus alone, and the dead letters of the departments' CDC runners
 * ({@code src.<dept>._cdc.<runner>.deadletters}), whose component is given as {@code <dept>/<component>}: the
 * department is the topic's, which only it can write, not what the record says. {@code databus deadletters} and the
 * HTTP API's {@code GET /api/v1/deadletters} list them.
 */
public final class DeadLetterReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * The most recent dead letters, oldest first.
     *
     * @param unreadable records of the dead-letter topics that could not be decoded
     */
    public record Listing(List<DeadLetter> letters, int unreadable) {
    }

    private DeadLetterReader() {
    }

    /**
     * Checks a reason code and a limit as a caller gives them.
     *
     * @throws IllegalArgumentException naming the known reason codes, or the limit's bound
     */
    public static void check(Optional<String> reason, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the limit must be at least 1, got " + limit);
        }
        if (reason.isPresent() && Arrays.stream(DeadLetterReason.values()).noneMatch(r -> r.name().equals(reason.get()))) {
            throw new IllegalArgumentException("'" + reason.get() + "' is not a reason code; use one of "
                    + Arrays.stream(DeadLetterReason.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    /**
     * Reads every dead-letter topic to its end and keeps the {@code limit} most recent dead letters (of one reason, when
     * given).
     *
     * @param bus      the bus principal's client config
     * @param clientId the Kafka client id of the reading consumer
     * @throws DatabusException when the topics cannot be read to their end in 30 s (the bus is not running)
     */
    public static Listing read(DatabusClientConfig bus, Optional<String> reason, int limit, String clientId) {
        check(reason, limit);
        Deque<DeadLetter> kept = new ArrayDeque<>();
        int[] skipped = {0};
        try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient();
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bus, clientId),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AvroDeserializer<DeadLetter> reader = AvroDeserializer.specific(registry, DeadLetter.class);
            List<TopicPartition> partitions = new ArrayList<>(consumer.partitionsFor(Topics.DEADLETTER, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            if (partitions.isEmpty()) {
                throw new DatabusException("topic " + Topics.DEADLETTER + " does not exist: is the bus running?");
            }
            consumer.listTopics(TIMEOUT).forEach((topic, infos) -> {
                if (Topics.CDC_DEADLETTERS_PATTERN.matcher(topic).matches()) {
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            });
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            try {
                TopicReader.readToEnd(consumer, partitions, TIMEOUT, r -> {
                    if (r.value() == null) {
                        return;
                    }
                    DeadLetter dl;
                    try {
                        dl = reader.deserialize(r.topic(), r.value());
                    } catch (AvroWireFormatException e) {
                        skipped[0]++;
                        return;
                    }
                    var cdc = Topics.CDC_DEADLETTERS_PATTERN.matcher(r.topic());
                    if (cdc.matches()) {
                        dl.setComponent(cdc.group(1) + "/" + dl.getComponent());
                    }
                    if (reason.isEmpty() || reason.get().equals(dl.getReason())) {
                        kept.addLast(dl);
                        if (kept.size() > limit) {
                            kept.removeFirst();
                        }
                    }
                });
            } catch (TopicReader.NotCaughtUpException e) {
                throw new DatabusException("cannot read the dead letters to their end within 30 s: is the bus running?");
            }
        }
        return new Listing(kept.stream().sorted(Comparator.comparing(DeadLetter::getTime)).toList(), skipped[0]);
    }

    /** Where a dead letter came from: {@code topic/partition@offset}, or {@code -}. */
    public static String position(DeadLetter dl) {
        if (dl.getSourceTopic() == null) {
            return "-";
        }
        return dl.getSourceTopic() + (dl.getSourcePartition() == null ? "" : "/" + dl.getSourcePartition())
                + (dl.getSourceOffset() == null ? "" : "@" + dl.getSourceOffset());
    }

    /** A dead letter as JSON members, without the rejected bytes (their size only). */
    public static Map<String, Object> toMap(DeadLetter dl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", dl.getId());
        m.put("time", dl.getTime() == null ? null : dl.getTime().toString());
        m.put("component", dl.getComponent());
        m.put("reason", dl.getReason());
        m.put("message", dl.getMessage());
        m.put("sourceTopic", dl.getSourceTopic());
        m.put("sourcePartition", dl.getSourcePartition());
        m.put("sourceOffset", dl.getSourceOffset());
        m.put("originalValueBytes", dl.getOriginalValueSize() != null ? dl.getOriginalValueSize()
                : dl.getOriginalValue() == null ? null : dl.getOriginalValue().remaining());
        m.put("truncated", dl.getTruncated());
        return m;
    }

    private static Map<String, Object> consumerProps(DatabusClientConfig bus, String clientId) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }
}
