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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log on a single-partition compacted Kafka topic. A reader thread applies every committed record in
 * offset order. Writes are serialized across every instance on the topic by one shared transactional id (the topic
 * name plus {@code -writer}, or {@code transactional.id} among the client properties): an instance initializes its
 * producer with it — which fences every other instance's producer and aborts its open transaction — reads the topic to
 * its end, decides, and commits its records in a transaction. The commit fails if another instance initialized in
 * between; then the records are aborted (readers never see them) and the write is decided again. A write returns only
 * once the reader has passed its offset, so the answer reflects the log order every instance sees.
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
    private final String transactionalId;
    private final Object writeLock = new Object();
    private final AtomicLong retriedWrites = new AtomicLong();
    private KafkaProducer<String, String> writer; // guarded by writeLock
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
        Object configured = clientProps.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.transactionalId = configured != null ? configured.toString() : topic + "-writer";
    }

    /** Creates the topic if missing, starts the reader and returns once it has replayed the topic to its end. */
    public void start() {
        admin = Admin.create(withClientId("admin"));
        ensureTopic();
        Map<String, Object> consumerProps = withClientId("reader");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // writes of an instance that was fenced before it committed are never applied
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
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
    public <T> T write(Supplier<Decision<T>> decide) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (writeLock) {
            while (true) {
                checkReader();
                // take the writer role before reading to the end: any instance that writes after this point fences
                // this producer, so a commit below succeeds only if nobody else appended since the state was read
                KafkaProducer<String, String> producer = writer();
                awaitCaughtUp();
                Decision<T> decision = decide.get();
                if (decision.records().isEmpty()) {
                    return decision.answer();
                }
                long offset;
                try {
                    producer.beginTransaction();
                    Future<RecordMetadata> last = null;
                    for (Entry e : decision.records()) {
                        last = producer.send(new ProducerRecord<>(topic, 0, e.key(), e.value()));
                    }
                    producer.commitTransaction();
                    offset = last.get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
                } catch (AuthorizationException e) {
                    dropWriter();
                    throw RegistryError.storeError("Writing to " + topic + " was refused: " + e.getMessage()
                            + "; the registry's principal needs WRITE and DESCRIBE on transactional id " + transactionalId, e);
                } catch (KafkaException | ExecutionException | TimeoutException e) {
                    // fenced by another instance's write (or the transaction failed): nothing of it is visible to
                    // readers; decide again on the state that now includes the other write
                    dropWriter();
                    retriedWrites.incrementAndGet();
                    if (System.nanoTime() - deadline > 0) {
                        throw RegistryError.timeout("Writing to " + topic + " did not succeed within " + timeout.toMillis()
                                + " ms (last failure: " + e + "); check that the Kafka cluster is reachable");
                    }
                    LOG.debug("registry write to {} retried after {}", topic, e.toString());
                    backOff();
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    dropWriter();
                    throw RegistryError.storeError("Interrupted while writing to " + topic, e);
                }
                awaitApplied(offset + 1);
                return decision.answer();
            }
        }
    }

    /** How many writes were decided again because another instance wrote first (or a transaction failed). */
    public long retriedWrites() {
        return retriedWrites.get();
    }

    /** This instance's transactional producer, created and initialized (which fences every other instance) if needed. */
    private KafkaProducer<String, String> writer() {
        if (writer != null) {
            return writer;
        }
        Map<String, Object> producerProps = withClientId("producer");
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000L);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Math.max(timeout.toMillis(), requestTimeout), Integer.MAX_VALUE));
        // a writer that dies inside a transaction holds back readers until the next writer fences it or this expires
        producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(1_000L, Math.min(timeout.toMillis(), 60_000L)));
        KafkaProducer<String, String> created = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        try {
            created.initTransactions();
        } catch (AuthorizationException e) {
            created.close(Duration.ZERO);
            throw RegistryError.storeError("The registry may not write to " + topic + ": " + e.getMessage()
                    + "; its principal needs WRITE and DESCRIBE on transactional id " + transactionalId, e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            created.close(Duration.ZERO);
            throw RegistryError.timeout("Kafka did not grant the registry's transactional id " + transactionalId + " within "
                    + timeout.toMillis() + " ms; check that the Kafka cluster is reachable");
        } catch (KafkaException e) {
            created.close(Duration.ZERO);
            throw RegistryError.storeError("The registry could not become the writer of " + topic + ": " + e, e);
        }
        writer = created;
        return writer;
    }

    private void dropWriter() {
        if (writer != null) {
            try {
                writer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing a fenced registry producer failed", e);
            }
            writer = null;
        }
    }

    /** Two instances that fence each other back off for a random while, so one of them gets through. */
    private static void backOff() {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 50));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("Interrupted while retrying a registry write", e);
        }
    }

    /** Returns once every record committed anywhere before this call has been applied by this instance. */
    private void awaitCaughtUp() {
        checkReader();
        long end;
        try {
            end = admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(partition).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
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
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG); // the writer's alone
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
        synchronized (writeLock) {
            if (writer != null) {
                writer.close(Duration.ofSeconds(5));
                writer = null;
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
