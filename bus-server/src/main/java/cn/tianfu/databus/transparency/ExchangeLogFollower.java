package cn.tianfu.databus.transparency;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.audit.TransparencyIndex;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * Reads {@code bus.exchange-log} (read committed, from the start, no consumer group) and
 * {@code bus.exchange-log.checkpoints} into a {@link TransparencyIndex}, and keeps following them, on its own thread.
 * Only the log's entries are read: they carry the record key as a keyed hash and the value as a digest.
 */
public final class ExchangeLogFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeLogFollower.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<ExchangeLogEntry> entries;
    private final AvroSerde<ExchangeLogCheckpoint> checkpoints;
    private final TransparencyIndex index;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final String logTopic;
    private final String checkpointTopic;

    public ExchangeLogFollower(DatabusClientConfig bus, TransparencyIndex index) {
        this(bus, index, Topics.EXCHANGE_LOG, Topics.EXCHANGE_LOG_CHECKPOINTS);
    }

    /** Follows the given log and checkpoint topics (a copy of the log, as a ledger writes it when told to). */
    public ExchangeLogFollower(DatabusClientConfig bus, TransparencyIndex index, String logTopic, String checkpointTopic) {
        this.logTopic = logTopic;
        this.checkpointTopic = checkpointTopic;
        Map<String, Object> props = new HashMap<>(bus.kafkaProperties());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-transparency");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.entries = AvroSerde.specific(ExchangeLogEntry.class);
        this.entries.configure(bus.serdeConfig(), false);
        this.checkpoints = AvroSerde.specific(ExchangeLogCheckpoint.class);
        this.checkpoints.configure(bus.serdeConfig(), false);
        this.index = index;
        this.thread = new Thread(this::run, "databus-transparency-log");
        this.thread.setDaemon(true);
    }

    /** Starts following the log. */
    public ExchangeLogFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<org.apache.kafka.common.TopicPartition> parts = new java.util.ArrayList<>();
            for (String topic : List.of(logTopic, checkpointTopic)) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> parts.add(new org.apache.kafka.common.TopicPartition(topic, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(logTopic)) {
                        index.addEntry(r.partition(), ExchangeLogRecords.toEntry(
                                entries.deserializer().deserialize(r.topic(), r.value())));
                    } else {
                        ExchangeLogCheckpoint cp = checkpoints.deserializer().deserialize(r.topic(), r.value());
                        index.addCheckpoint(ExchangeLogRecords.toCheckpoint(cp), ExchangeLogRecords.signature(cp),
                                cp.getPublicKeyId());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("The transparency index stopped following the exchange log: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        stop.set(true);
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
