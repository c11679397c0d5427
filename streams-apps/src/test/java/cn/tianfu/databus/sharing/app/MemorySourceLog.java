package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The source topics of a {@code TopologyTestDriver} test as the router's reader sees them: every record the test pipes
 * through {@link #pipe} is kept at the offset the driver gives it (0, 1, 2, … per topic, partition 0), so a backfill
 * replays exactly the test's input.
 */
final class MemorySourceLog implements SourceLogReader.Opener {

    private final Map<String, List<ConsumerRecord<byte[], byte[]>>> topics = new HashMap<>();
    private final Map<String, Long> positions = new HashMap<>();
    /** Readers opened (one per task and initialisation) and not closed yet. */
    private int open;

    /** Keeps the record at its topic's next offset, then pipes it into the driver. */
    void pipe(TestInputTopic<byte[], byte[]> input, String topic, TestRecord<byte[], byte[]> record) {
        List<ConsumerRecord<byte[], byte[]>> log = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        long timestamp = record.timestamp() == null ? 0 : record.timestamp();
        log.add(new ConsumerRecord<>(topic, 0, log.size(), timestamp, TimestampType.CREATE_TIME,
                record.key() == null ? -1 : record.key().length, record.value() == null ? -1 : record.value().length,
                record.key(), record.value(), new RecordHeaders(record.headers().toArray()), Optional.empty()));
        input.pipeInput(record);
    }

    int openReaders() {
        return open;
    }

    @Override
    public SourceLogReader open() {
        open++;
        return new SourceLogReader() {
            @Override
            public long endOffset(String topic, int partition) {
                return partition == 0 ? topics.getOrDefault(topic, List.of()).size() : 0;
            }

            @Override
            public List<ConsumerRecord<byte[], byte[]>> read(String topic, int partition, long from, long until,
                                                            int max, Duration maxWait) {
                List<ConsumerRecord<byte[], byte[]>> log = partition == 0 ? topics.getOrDefault(topic, List.of())
                        : List.of();
                List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
                for (long o = from; o < Math.min(until, log.size()) && out.size() < max; o++) {
                    out.add(log.get((int) o));
                }
                positions.put(topic, out.isEmpty() ? Math.min(from, log.size()) : out.get(out.size() - 1).offset() + 1);
                return out;
            }

            @Override
            public long position(String topic, int partition) {
                return positions.getOrDefault(topic, 0L);
            }

            @Override
            public void close() {
                open--;
            }
        };
    }
}
