package cn.tianfu.databus.opendata.http;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.opendata.CkanPackages;
import cn.tianfu.databus.opendata.Csv;
import cn.tianfu.databus.opendata.OpenValues;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.serde.AvroDeserializer;

/**
 * Streams the current state of an open resource from {@code open.<resource>} as CSV or JSON, without holding the file:
 * a first pass over the topic up to its end offsets of now keeps, per key, only the offset of its latest record (keys
 * and offsets, no values); a second pass to the same offsets writes each key's latest record, unless it is a
 * tombstone, as it is read. The version ({@link #version}) is the resource's catalog version with the topic's end
 * offsets: the ETag, unchanged while nothing was published or reviewed again.
 */
final class OpenDownloads {

    private static final Duration POLL = Duration.ofMillis(200);

    private final DatabusClientConfig bus;
    private final Duration timeout;

    OpenDownloads(DatabusClientConfig bus, Duration timeout) {
        this.bus = bus;
        this.timeout = timeout;
    }

    /** A snapshot of the topic to stream: its end offsets now and, once {@link #index}ed, each key's latest offset. */
    final class Snapshot implements AutoCloseable {
        private final CatalogEntry entry;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions;
        private final Map<TopicPartition, Long> end;
        private final Map<TopicPartition, Map<String, Long>> latest = new HashMap<>();
        private long lastTimestamp;

        Snapshot(CatalogEntry entry) {
            this.entry = entry;
            Map<String, Object> c = new HashMap<>(bus.kafkaProperties());
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-open-download");
            this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.open(entry.getCode()), timeout);
            this.partitions = infos == null ? List.of() : infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            this.end = partitions.isEmpty() ? Map.of() : new HashMap<>(consumer.endOffsets(partitions, timeout));
            if (!partitions.isEmpty()) {
                consumer.assign(partitions);
            }
        }

        /** The ETag: a digest of the catalog version, the open fields and the end offsets. */
        String version() {
            StringBuilder b = new StringBuilder(entry.getCode()).append('/').append(entry.getCatalogVersion())
                    .append('/').append(entry.getOpenFields());
            partitions.stream().sorted((a, c) -> Integer.compare(a.partition(), c.partition()))
                    .forEach(tp -> b.append('/').append(tp.partition()).append(':').append(end.get(tp)));
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
                return '"' + HexFormat.of().formatHex(d, 0, 12) + '"';
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** First pass: each key's latest offset and the latest record time. */
        void index() {
            read(r -> {
                String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                latest.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new HashMap<>()).put(key, r.offset());
                lastTimestamp = Math.max(lastTimestamp, r.timestamp());
            });
        }

        /** When the data last changed: the latest record's time, or the catalog entry's when later. */
        Instant lastModified() {
            return Instant.ofEpochMilli(Math.max(lastTimestamp, entry.getLastChanged().toEpochMilli()));
        }

        /** Second pass: every key's latest record that is not a tombstone, decoded, in topic order. */
        void each(RecordSink sink) throws IOException {
            try (AvroDeserializer<GenericRecord> values = new AvroDeserializer<>()) {
                values.configure(bus.serdeConfig(), false);
                IOException[] failed = new IOException[1];
                read(r -> {
                    if (failed[0] != null || r.value() == null) {
                        return;
                    }
                    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    Long last = latest.getOrDefault(new TopicPartition(r.topic(), r.partition()), Map.of()).get(key);
                    if (last == null || last != r.offset()) {
                        return;
                    }
                    try {
                        sink.accept(values.deserialize(r.topic(), r.value()));
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                });
                if (failed[0] != null) {
                    throw failed[0];
                }
            }
        }

        private void read(java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
            if (partitions.isEmpty()) {
                return;
            }
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                boolean done = true;
                for (TopicPartition tp : partitions) {
                    if (consumer.position(tp, timeout) < end.getOrDefault(tp, 0L)) {
                        done = false;
                        break;
                    }
                }
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + Topics.open(entry.getCode()) + " to its end within "
                            + timeout.toMillis() + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() < end.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
                        sink.accept(r);
                    }
                }
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    @FunctionalInterface
    interface RecordSink {
        void accept(GenericRecord record) throws IOException;
    }

    Snapshot snapshot(CatalogEntry entry) {
        return new Snapshot(entry);
    }

    /** Writes the snapshot's records as CSV: a header row of the open fields, then one row per record. */
    static void csv(Snapshot s, CatalogEntry entry, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        List<String> fields = entry.getOpenFields();
        Csv.write(w, fields);
        s.each(r -> {
            List<String> row = new ArrayList<>(fields.size());
            for (String f : fields) {
                Schema.Field field = r.getSchema().getField(f);
                row.add(field == null ? null : OpenValues.text(r.get(f), field.schema()));
            }
            Csv.write(w, row);
        });
        w.flush();
    }

    /** Writes the snapshot's records as a JSON array of objects, one per record, keyed by the open fields. */
    static void json(Snapshot s, CatalogEntry entry, OutputStream out) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
        g.writeStartArray();
        List<String> fields = entry.getOpenFields();
        s.each(r -> {
            g.writeStartObject();
            for (String f : fields) {
                Schema.Field field = r.getSchema().getField(f);
                Object v = field == null ? null : OpenValues.plain(r.get(f), field.schema());
                g.writeFieldName(f);
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof Boolean b) {
                    g.writeBoolean(b);
                } else if (v instanceof Integer i) {
                    g.writeNumber(i);
                } else if (v instanceof Long l) {
                    g.writeNumber(l);
                } else if (v instanceof Double d) {
                    g.writeNumber(d);
                } else if (v instanceof Float fl) {
                    g.writeNumber(fl);
                } else {
                    g.writeString(v.toString());
                }
            }
            g.writeEndObject();
        });
        g.writeEndArray();
        g.flush();
    }

    static CkanPackages.Format format(String suffix) {
        for (CkanPackages.Format f : CkanPackages.Format.values()) {
            if (f.suffix().equals(suffix)) {
                return f;
            }
        }
        return null;
    }
}
