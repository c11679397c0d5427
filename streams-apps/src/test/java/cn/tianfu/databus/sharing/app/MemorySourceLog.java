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
 * through {@link #pipe} is kept at the offset the driver gives it, so a backfill replays exactly the test's input. The
 * driver numbers the records of the router's pattern source in one sequence over all its topics (0, 1, 2, …,
 * partition 0), and so does this log.
 */
final class MemorySourceLog implements SourceLogReader.Opener {

    private final Map<String, List<ConsumerRecord<byte[], byte[]>>> topics = new HashMap<>();
    private final Map<String, Long> positions = new HashMap<>();
    private long nextOffset;
    /** Readers opened (one per task and initialisation) and not closed yet. */
    private int open;

    /** Keeps the record at its topic's next offset, then pipes it into the driver. */
    void pipe(TestInputTopic<byte[], byte[]> input, String topic, TestRecord<byte[], byte[]> record) {
        keep(topic, record);
        input.pipeInput(record);
    }

    /**
     * Keeps the record at its topic's next offset without piping it: the source topic holds it, the router's own
     * consumer has not read it yet. The test pipes the kept records later, in the order kept, so the driver gives them
     * the same offsets.
     */
    void keep(String topic, TestRecord<byte[], byte[]> record) {
        List<ConsumerRecord<byte[], byte[]>> log = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        long timestamp = record.timestamp() == null ? 0 : record.timestamp();
        log.add(new ConsumerRecord<>(topic, 0, nextOffset++, timestamp, TimestampType.CREATE_TIME,
                record.key() == null ? -1 : record.key().length, record.value() == null ? -1 : record.value().length,
                record.key(), record.value(), new RecordHeaders(record.headers().toArray()), Optional.empty()));
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
                List<ConsumerRecord<byte[], byte[]>> log = partition == 0 ? topics.getOrDefault(topic, List.of())
                        : List.of();
                return log.isEmpty() ? 0 : log.get(log.size() - 1).offset() + 1;
            }

            @Override
            public List<ConsumerRecord<byte[], byte[]>> read(String topic, int partition, long from, long until,
                                                            int max, Duration maxWait) {
                List<ConsumerRecord<byte[], byte[]>> log = partition == 0 ? topics.getOrDefault(topic, List.of())
                        : List.of();
                List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : log) {
                    if (r.offset() >= from && r.offset() < until && out.size() < max) {
                        out.add(r);
                    }
                }
                // nothing in [from, until): every offset in between is one without a record of this topic
                positions.put(topic, out.isEmpty() ? until : out.get(out.size() - 1).offset() + 1);
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
