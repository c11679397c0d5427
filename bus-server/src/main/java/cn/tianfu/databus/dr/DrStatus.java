package cn.tianfu.databus.dr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.OffsetSync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.contract.Topics;

/**
 * How far the disaster-recovery cluster is behind the primary, read from both clusters: per replicated partition the
 * end offsets on each side, the last primary offset known copied, and the lag in records.
 *
 * <p>The lag is counted from an <em>anchor</em>, a pair (primary offset U, disaster-recovery offset D) saying that the
 * primary's record U was copied to offset D: MirrorMaker 2's newest offset sync of the partition, kept on the
 * disaster-recovery cluster ({@code mm2-offset-syncs.<source alias>.internal}, written as records are copied, at least
 * every {@code dr.offset.lag.max} records). The copy is written without transactions and by MirrorMaker alone, so
 * the records after D on the disaster-recovery side are copies of the primary's next committed records after U, in
 * order: the lag is the primary's committed records after U (counted {@code read_committed}: transaction markers and
 * aborted records are not lag) minus the records after D on the disaster-recovery side. A partition without an offset
 * sync yet is anchored before its first record (U = D = -1), i.e. its committed records on the primary against its
 * end offset on the disaster-recovery side. The lag therefore never waits for MirrorMaker's committed progress
 * ({@code mm2-offsets.<source alias>.internal}, flushed every {@code dr.sync.interval.seconds}), which is shown for
 * information only: a partition first written after MirrorMaker started has none until the next flush.
 *
 * <p>A primary that cannot be reached is reported as such; the disaster-recovery side is still reported.
 */
public final class DrStatus {

    /** Records counted one by one at most per partition; beyond, the lag is given by offsets (an upper bound). */
    static final long COUNT_LIMIT = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One replicated partition: {@code lag} -1 when the primary is unreachable. */
    public record PartitionLag(String topic, int partition, long drEnd, long primaryEnd, long replicatedUpTo, long lag) {
    }

    /** The newest record of a partition of the exchange log or its checkpoints on the disaster-recovery cluster. */
    public record LogPosition(String topic, int partition, long end, Instant lastRecordTime) {
    }

    /** The whole report; {@code primaryError} null when the primary answered. */
    public record Report(String primaryBootstrap, String drBootstrap, String primaryError, List<PartitionLag> partitions,
                         List<LogPosition> exchangeLog) {
        public boolean primaryReachable() {
            return primaryError == null;
        }

        /** Records on the primary not yet on the disaster-recovery cluster, -1 when the primary is unreachable. */
        public long totalLag() {
            return primaryReachable() ? partitions.stream().mapToLong(p -> Math.max(0, p.lag())).sum() : -1;
        }

        /** The lag per topic, for the table. */
        public Map<String, Long> lagByTopic() {
            return partitions.stream().collect(Collectors.groupingBy(PartitionLag::topic, TreeMap::new,
                    Collectors.summingLong(p -> Math.max(0, p.lag()))));
        }
    }

    private DrStatus() {
    }

    /** Reads the status; throws only when the disaster-recovery cluster itself cannot be reached. */
    public static Report read(Map<String, Object> primary, Map<String, Object> dr, DrConfig config) {
        Map<String, Object> drProps = bounded(dr, config.statusTimeoutMs());
        Map<TopicPartition, Long> drEnds;
        Map<TopicPartition, Long> replicated;
        try (Admin admin = Admin.create(drProps)) {
            Set<String> topics = admin.listTopics().names().get(config.statusTimeoutMs(), TimeUnit.MILLISECONDS).stream()
                    .filter(t -> config.topicPattern().matcher(t).matches()).collect(Collectors.toSet());
            drEnds = endOffsets(admin, topics, config.statusTimeoutMs());
        } catch (Exception e) {
            throw new cn.tianfu.databus.DatabusException("cannot reach the disaster-recovery cluster at "
                    + dr.get("bootstrap.servers") + ": " + rootMessage(e), e);
        }
        replicated = replicatedOffsets(drProps, "mm2-offsets." + config.sourceAlias() + ".internal", config.sourceAlias());
        Map<TopicPartition, long[]> anchors = offsetSyncs(drProps, offsetSyncsTopic(config));
        anchors.forEach((tp, a) -> replicated.merge(tp, a[0], Math::max));

        Map<TopicPartition, Long> primaryEnds = Map.of();
        Map<TopicPartition, Long> lags = new HashMap<>();
        String primaryError = null;
        Map<String, Object> primaryProps = bounded(primary, config.statusTimeoutMs());
        try (Admin admin = Admin.create(primaryProps)) {
            Set<String> topics = admin.listTopics().names().get(config.statusTimeoutMs(), TimeUnit.MILLISECONDS).stream()
                    .filter(t -> config.topicPattern().matcher(t).matches()).collect(Collectors.toSet());
            primaryEnds = endOffsets(admin, topics, config.statusTimeoutMs());
            lags = count(primaryProps, primaryEnds, drEnds, anchors);
        } catch (Exception e) {
            primaryError = rootMessage(e);
        }

        List<PartitionLag> partitions = new ArrayList<>();
        Set<TopicPartition> all = new java.util.TreeSet<>(java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        all.addAll(drEnds.keySet());
        all.addAll(primaryEnds.keySet());
        for (TopicPartition tp : all) {
            partitions.add(new PartitionLag(tp.topic(), tp.partition(), drEnds.getOrDefault(tp, -1L),
                    primaryError == null ? primaryEnds.getOrDefault(tp, -1L) : -1L, replicated.getOrDefault(tp, -1L),
                    primaryError == null ? lags.getOrDefault(tp, 0L) : -1L));
        }
        List<LogPosition> log = logPositions(drProps, drEnds);
        return new Report(String.valueOf(primary.get("bootstrap.servers")), String.valueOf(dr.get("bootstrap.servers")),
                primaryError, partitions, log);
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, Set<String> topics, long timeoutMs) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(timeoutMs, TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /**
     * The last primary offset MirrorMaker 2's source task committed per partition, from its Connect offsets topic:
     * key {@code ["MirrorSourceConnector",{"cluster":..,"partition":..,"topic":..}]}, value {@code {"offset":N}}.
     */
    static Map<TopicPartition, Long> replicatedOffsets(Map<String, Object> drProps, String offsetsTopic, String sourceAlias) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(drProps, offsetsTopic)) {
            try {
                JsonNode key = JSON.readTree(r.key());
                if (!key.isArray() || key.size() != 2 || !"MirrorSourceConnector".equals(key.get(0).asText())) {
                    continue;
                }
                JsonNode part = key.get(1);
                if (!sourceAlias.equals(part.path("cluster").asText())) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(part.path("topic").asText(), part.path("partition").asInt());
                if (r.value() == null) {
                    offsets.remove(tp);
                } else {
                    offsets.put(tp, JSON.readTree(r.value()).path("offset").asLong());
                }
            } catch (java.io.IOException e) {
                // not an entry of the source connector
            }
        }
        return offsets;
    }

    /** MirrorMaker's offset-syncs topic on the disaster-recovery cluster ({@code offset-syncs.topic.location=target}). */
    public static String offsetSyncsTopic(DrConfig config) {
        return new IdentityReplicationPolicy().offsetSyncsTopic(config.sourceAlias());
    }

    /**
     * The newest offset sync per primary partition: {@code [upstream offset, downstream offset]}, the primary's record
     * at the first copied to the second on the disaster-recovery cluster.
     */
    static Map<TopicPartition, long[]> offsetSyncs(Map<String, Object> drProps, String topic) {
        Map<TopicPartition, long[]> syncs = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(drProps, topic)) {
            if (r.key() == null || r.value() == null) {
                continue;
            }
            try {
                OffsetSync sync = OffsetSync.deserializeRecord(r);
                syncs.put(sync.topicPartition(), new long[] {sync.upstreamOffset(), sync.downstreamOffset()});
            } catch (RuntimeException e) {
                // not an offset sync
            }
        }
        return syncs;
    }

    /**
     * The lag of a partition from its anchor: the primary's committed records after the anchor's upstream offset, less
     * the records on the disaster-recovery side after its downstream offset ({@code drEnd - downstream - 1}); never
     * negative (a record copied twice after a restart of MirrorMaker would otherwise hide one not yet copied).
     */
    static long lagFromAnchor(long committedAfterUpstream, long drEnd, long downstream) {
        long copiedAfter = Math.max(0, drEnd - downstream - 1);
        return Math.max(0, committedAfterUpstream - copiedAfter);
    }

    /**
     * The lag of each primary partition ({@link #lagFromAnchor}), the primary's records after each anchor counted
     * read_committed (at most {@link #COUNT_LIMIT} each, beyond which offsets stand for records).
     */
    private static Map<TopicPartition, Long> count(Map<String, Object> primaryProps, Map<TopicPartition, Long> ends,
                                                   Map<TopicPartition, Long> drEnds, Map<TopicPartition, long[]> anchors) {
        Map<TopicPartition, Long> lags = new HashMap<>();
        Map<TopicPartition, Long> from = new HashMap<>();
        ends.forEach((tp, end) -> {
            long start = anchors.containsKey(tp) ? anchors.get(tp)[0] + 1 : 0;
            if (end > start) {
                from.put(tp, start);
            }
        });
        if (from.isEmpty()) {
            return lags;
        }
        Map<String, Object> props = new HashMap<>(primaryProps);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.put("max.poll.records", 2000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
                TopicPartition tp = e.getKey();
                long end = ends.get(tp);
                long drEnd = drEnds.getOrDefault(tp, 0L);
                long downstream = anchors.containsKey(tp) ? anchors.get(tp)[1] : -1;
                long n = 0;
                if (end - e.getValue() > COUNT_LIMIT) {
                    n = end - e.getValue();
                } else {
                    consumer.assign(List.of(tp));
                    consumer.seek(tp, e.getValue());
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                            if (r.offset() < end) {
                                n++;
                            }
                        }
                    }
                }
                lags.put(tp, lagFromAnchor(n, drEnd, downstream));
            }
        }
        return lags;
    }

    private static List<LogPosition> logPositions(Map<String, Object> drProps, Map<TopicPartition, Long> drEnds) {
        List<LogPosition> positions = new ArrayList<>();
        Map<String, Object> props = new HashMap<>(drProps);
        props.put("enable.auto.commit", false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            drEnds.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(Topics.EXCHANGE_LOG) || e.getKey().topic().equals(Topics.EXCHANGE_LOG_CHECKPOINTS))
                    .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(TopicPartition::topic)
                            .thenComparingInt(TopicPartition::partition)))
                    .forEach(e -> {
                        Instant last = null;
                        if (e.getValue() > 0) {
                            consumer.assign(List.of(e.getKey()));
                            consumer.seek(e.getKey(), e.getValue() - 1);
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                            while (last == null && System.nanoTime() < deadline) {
                                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                                    last = Instant.ofEpochMilli(r.timestamp());
                                }
                                if (consumer.position(e.getKey()) >= e.getValue()) {
                                    break;
                                }
                            }
                        }
                        positions.add(new LogPosition(e.getKey().topic(), e.getKey().partition(), e.getValue(), last));
                    });
        }
        return positions;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> props, String topic) {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        Map<String, Object> p = new HashMap<>(props);
        p.put("enable.auto.commit", false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) {
                return all;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(300)).forEach(all::add);
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            // no offsets topic yet: nothing copied
        }
        return all;
    }

    private static Map<String, Object> bounded(Map<String, Object> props, long timeoutMs) {
        Map<String, Object> p = new HashMap<>(props);
        p.put("request.timeout.ms", (int) Math.min(timeoutMs, Integer.MAX_VALUE));
        p.put("default.api.timeout.ms", (int) Math.min(timeoutMs, Integer.MAX_VALUE));
        p.put("socket.connection.setup.timeout.max.ms", (int) Math.min(timeoutMs, Integer.MAX_VALUE));
        p.put("reconnect.backoff.max.ms", 1000);
        return p;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
