package cn.tianfu.databus.cdc.internal;

import cn.tianfu.databus.kafka.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The tables a runner has stopped, kept in the runner's offsets topic next to Debezium's offsets, so a stop outlives
 * the process. Each entry is a Connect offset of its own source partition, {@code ["<runner>",
 * {"databus.stopped-table": "<schema.table>"}]} → {@code {"position": …, "reason": …, "since": …}}, a key Debezium never
 * reads; a tombstone removes it when the table has been recovered. The topic is compacted, so the latest entry of each
 * table is what stays.
 *
 * <p>An entry is written, and acknowledged by the bus, before the offsets move past the change that stopped the table.
 */
public final class TableStops {

    /** The source-partition key naming a stopped table. */
    public static final String PARTITION_KEY = "databus.stopped-table";

    /**
     * One stopped table.
     *
     * @param table    {@code schema.table} / {@code database.table}
     * @param position source position of the change that stopped it
     * @param reason   why, naming the column and what to do
     * @param since    when it stopped
     */
    public record Stop(String table, String position, String reason, Instant since) {
    }

    /**
     * What a runner's offsets topic holds.
     *
     * @param captured whether Debezium has recorded offsets there (the runner has captured before)
     * @param stops    the tables it stopped and has not recovered, by table
     */
    public record Ledger(boolean captured, Map<String, Stop> stops) {
        public Ledger {
            stops = Map.copyOf(stops);
        }
    }

    private TableStops() {
    }

    /**
     * Reads the runner's offsets topic from its beginning to its end; an empty ledger when the topic does not exist yet.
     *
     * @param kafka the bus connection's client properties (brokers, security)
     */
    public static Ledger read(Map<String, Object> kafka, String topic, String runner, Duration timeout) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        JsonConverter keys = converter(true);
        JsonConverter values = converter(false);
        boolean captured = false;
        Map<String, Stop> stops = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return new Ledger(false, Map.of());
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            boolean[] capture = {false};
            try {
                TopicReader.readToEnd(consumer, partitions, timeout, r -> {
                    Object key = decode(keys, topic, r.key());
                    if (!(key instanceof List<?> parts) || parts.size() != 2 || !runner.equals(parts.get(0))
                            || !(parts.get(1) instanceof Map<?, ?> partition)) {
                        return;
                    }
                    Object table = partition.get(PARTITION_KEY);
                    if (table == null) {
                        capture[0] |= r.value() != null;
                    } else if (r.value() == null) {
                        stops.remove(table.toString());
                    } else if (decode(values, topic, r.value()) instanceof Map<?, ?> v) {
                        Object since = v.get("since");
                        stops.put(table.toString(), new Stop(table.toString(), text(v.get("position")), text(v.get("reason")),
                                since instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.EPOCH));
                    }
                });
            } catch (TopicReader.NotCaughtUpException e) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading " + topic + " took longer than " + timeout);
            }
            captured = capture[0];
        }
        return new Ledger(captured, stops);
    }

    /** The entry recording {@code stop}, for the runner's offsets topic. */
    public static ProducerRecord<String, byte[]> stopped(String topic, String runner, Stop stop) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("position", stop.position());
        value.put("reason", stop.reason());
        value.put("since", stop.since().toEpochMilli());
        return new ProducerRecord<>(topic, key(topic, runner, stop.table()), converter(false).fromConnectData(topic, null, value));
    }

    /** The tombstone removing {@code table}'s entry once it is recovered. */
    public static ProducerRecord<String, byte[]> recovered(String topic, String runner, String table) {
        return new ProducerRecord<>(topic, key(topic, runner, table), null);
    }

    /** The key as Connect writes offset keys: {@code ["<runner>",{"databus.stopped-table":"<table>"}]}. */
    static String key(String topic, String runner, String table) {
        byte[] bytes = converter(true).fromConnectData(topic, null, List.of(runner, Map.of(PARTITION_KEY, table)));
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonConverter converter(boolean key) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", false), key);
        return c;
    }

    private static Object decode(JsonConverter converter, String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return converter.toConnectData(topic, bytes).value();
        } catch (DataException e) {
            return null;   // not a JSON entry: neither Debezium's nor the runner's
        }
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }
}
