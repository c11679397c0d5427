package cn.tianfu.databus.registry.server.internal;

import cn.tianfu.databus.kafka.NewTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log on a single-partition compacted Kafka topic. A reader thread applies every record in offset
 * order; writes are produced with {@code acks=all} and idempotence, and a write returns only once the reader has passed
 * its offset, so the answer reflects the log order every instance sees.
 */
public final class KafkaStoreLog implements StoreLog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStoreLog.class);

    private final String topic;
    private final TopicPartition partition;
    private final short replicationFactor;
    private final Duration timeout;
    private final Map<String, Object> clientProps;
    private final BiConsumer<String, String> applier;

    private final Object progress = new Object();
    private long applied; // next offset to apply; guarded by progress
    private volatile Throwable readerFailure;
    private volatile boolean running;

    private Admin admin;
    private KafkaProducer<String, String> producer;
    private KafkaConsumer<String, String> consumer;
    private Thread reader;

    /**
     * @param clientProps bootstrap servers and security settings shared by the admin, producer and consumer
     * @param applier     receives (key, value) of every record in offset order; value {@code null} for a tombstone
     */
    public KafkaStoreLog(Map<String, Object> clientProps, String topic, short replicationFactor, Duration timeout,
                         BiConsumer<String, String> applier) {
        this.clientProps = Map.copyOf(clientProps);
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
        this.applier = applier;
    }

    /** Creates the topic if missing, starts the reader and returns once it has replayed the topic to its end. */
    public void start() {
        admin = Admin.create(withClientId("admin"));
        ensureTopic();
        Map<String, Object> producerProps = withClientId("producer");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000L);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Math.max(timeout.toMillis(), requestTimeout), Integer.MAX_VALUE));
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());

        Map<String, Object> consumerProps = withClientId("reader");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));

        running = true;
        reader = new Thread(this::readLoop, "schema-registry-reader-" + topic);
        reader.setDaemon(true);
        reader.start();
        awaitCaughtUp();
        LOG.info("schema registry replayed {} to offset {}", topic, appliedOffset());
    }

    /** Whether the reader is still following the topic. */
    public boolean healthy() {
        return running && readerFailure == null && reader != null && reader.isAlive();
    }

    @Override
    public void appendAndAwait(List<Entry> records) {
        if (records.isEmpty()) {
            return;
        }
        checkReader();
        Future<RecordMetadata> last = null;
        for (Entry e : records) {
            last = producer.send(new ProducerRecord<>(topic, 0, e.key(), e.value()));
        }
        producer.flush();
        long offset;
        try {
            offset = last.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (TimeoutException e) {
            throw RegistryError.timeout("Writing to " + topic + " did not complete within " + timeout.toMillis()
                    + " ms; check that the Kafka cluster is reachable");
        } catch (ExecutionException e) {
            throw RegistryError.storeError("Writing to " + topic + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while writing to " + topic, e);
        }
        awaitApplied(offset + 1);
    }

    @Override
    public void awaitCaughtUp() {
        checkReader();
        long end;
        try {
            end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (TimeoutException e) {
            throw RegistryError.timeout("Reading the end offset of " + topic + " did not complete within "
                    + timeout.toMillis() + " ms; check that the Kafka cluster is reachable");
        } catch (ExecutionException e) {
            throw RegistryError.storeError("Reading the end offset of " + topic + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while reading the end offset of " + topic, e);
        }
        awaitApplied(end);
    }

    private void awaitApplied(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (applied < offset) {
                checkReader();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw RegistryError.timeout("The registry did not read " + topic + " up to offset " + offset + " within "
                            + timeout.toMillis() + " ms (read up to " + applied + ")");
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw RegistryError.storeError("Interrupted while waiting for " + topic, e);
                }
            }
        }
    }

    private long appliedOffset() {
        synchronized (progress) {
            return applied;
        }
    }

    private void checkReader() {
        if (readerFailure != null) {
            throw RegistryError.storeError("The registry stopped reading " + topic + ": " + readerFailure, readerFailure);
        }
        if (!running) {
            throw RegistryError.storeError("The registry store is closed", null);
        }
    }

    private void readLoop() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : records) {
                    if (r.key() != null) {
                        applier.accept(r.key(), r.value());
                    }
                }
                long position = consumer.position(partition);
                synchronized (progress) {
                    if (position != applied) {
                        applied = position;
                        progress.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("schema registry reader of {} failed", topic, e);
            readerFailure = e;
        } finally {
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private void ensureTopic() {
        try {
            var names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!names.contains(topic)) {
                NewTopic newTopic = new NewTopic(topic, 1, replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("created schema registry topic {} (1 partition, compacted, replication factor {})", topic, replicationFactor);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            var description = NewTopics.describe(admin, topic, timeout.toMillis());
            if (description.partitions().size() != 1) {
                throw RegistryError.storeError("Topic " + topic + " has " + description.partitions().size()
                        + " partitions; the registry needs exactly 1 to keep one order of writes", null);
            }
        } catch (TimeoutException e) {
            throw RegistryError.timeout("Kafka at " + clientProps.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    + " did not answer within " + timeout.toMillis() + " ms while preparing topic " + topic);
        } catch (ExecutionException e) {
            throw RegistryError.storeError("Could not prepare topic " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while preparing topic " + topic, e);
        }
    }

    private Map<String, Object> withClientId(String role) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "schema-registry");
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, props.get(CommonClientConfigs.CLIENT_ID_CONFIG) + "-" + role);
        return props;
    }

    /** The Kafka cluster id, for the metadata endpoint. */
    public String clusterId() {
        try {
            return admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw RegistryError.storeError("Could not read the Kafka cluster id: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while reading the Kafka cluster id", e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (reader != null) {
            try {
                reader.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (consumer != null) {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
