package cn.tianfu.databus.sdk;

import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.kafka.KafkaHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.contract.Topics;

/**
 * Receives what the bus delivers to the department: one resource ({@code dlv.<dept>.<resource>}) or every resource
 * (every topic starting {@code dlv.<dept>.}, including ones granted later), in the consumer group
 * {@code <dept>.<name>}, reading committed records only.
 *
 * <pre>{@code
 * try (Subscriber deliveries = Subscriber.builder(config, "registry-sync").resource("10101-000001").build()) {
 *     for (Delivery d : deliveries.poll(Duration.ofSeconds(1))) {
 *         if (d.isTombstone()) store.remove(d.key()); else store.put(d.key(), d.value());
 *     }
 *     deliveries.commit();
 * }
 *
 * // or let it loop until close() or wakeup() from another thread (it commits after each handled batch):
 * Subscriber all = Subscriber.builder(config, "archive").allResources().build();
 * executor.submit(() -> all.run(d -> archive.write(d)));
 * ...
 * all.close();
 * }</pre>
 *
 * <p>Offsets are committed by {@link #commit()} (or by {@link #run} after each batch), unless built with
 * {@link Builder#autoCommit(boolean) autoCommit(true)}. Not thread-safe, except {@link #wakeup()} and {@link #close()}
 * which may be called from any thread.
 */
public final class Subscriber implements AutoCloseable {

    private final String department;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<GenericRecord> values;
    private final SchemaRegistryClient registry;
    private final boolean ownsRegistry;
    private final boolean autoCommit;
    /** How often the subscriber looks for new delivery topics (consumer {@code metadata.max.age.ms}). */
    static final int DELIVERY_TOPIC_DISCOVERY_MS = 3000;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object lock = new Object();
    private boolean consumerClosed;

    private Subscriber(Builder b) {
        this.department = b.config.departmentId();
        this.autoCommit = b.autoCommit;
        this.ownsRegistry = b.registry == null;
        this.registry = ownsRegistry ? AvroSerdeConfig.fromMap(b.config.serdeConfig()).registryClient() : b.registry;
        this.values = new AvroDeserializer<>(registry);
        Map<String, Object> props = b.config.consumerProperties(b.group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, b.fromBeginning ? "earliest" : "latest");
        // a delivery topic appears when a grant first delivers; find it within seconds, not the client default of 5 minutes
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, DELIVERY_TOPIC_DISCOVERY_MS);
        props.putAll(b.overrides);
        try {
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            if (ownsRegistry) {
                registry.close();
            }
            throw e;
        }
        if (b.resourceCode != null) {
            consumer.subscribe(List.of(Topics.delivery(department, b.resourceCode)));
        } else {
            consumer.subscribe(Pattern.compile(Pattern.quote(Topics.deliveryPrefix(department)) + ".*"));
        }
    }

    /** Starts a subscriber for the department of {@code config} in the consumer group {@code <dept>.<group>}. */
    public static Builder builder(DatabusClientConfig config, String group) {
        return new Builder(config, group);
    }

    /**
     * Waits up to {@code timeout} for deliveries.
     *
     * @throws WakeupException when {@link #wakeup()} was called
     * @throws AvroWireFormatException when a delivered value does not decode (located at its partition and offset)
     */
    public List<Delivery> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (org.apache.kafka.common.errors.AuthenticationException
                | org.apache.kafka.common.errors.AuthorizationException e) {
            throw cn.tianfu.databus.kafka.KafkaErrors.translateOr(e, department, "read " + Topics.deliveryPrefix(department) + "*");
        }
        List<Delivery> out = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.add(toDelivery(r));
        }
        return out;
    }

    /** Commits the offsets of everything returned by {@link #poll} so far (synchronously). */
    public void commit() {
        if (!autoCommit) {
            try {
                consumer.commitSync();
            } catch (org.apache.kafka.common.errors.AuthorizationException e) {
                throw cn.tianfu.databus.kafka.KafkaErrors.translateOr(e, department, "commit its consumer group");
            }
        }
    }

    /**
     * Polls and hands every delivery to {@code handler}, committing after each batch, until {@link #close()} or
     * {@link #wakeup()}. An exception from the handler stops the loop (uncommitted deliveries come again) and is
     * rethrown.
     */
    public void run(Consumer<Delivery> handler) {
        Objects.requireNonNull(handler, "handler");
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("this subscriber is already running");
        }
        try {
            while (!closed.get()) {
                List<Delivery> batch = poll(Duration.ofMillis(500));
                for (Delivery d : batch) {
                    handler.accept(d);
                }
                if (!batch.isEmpty()) {
                    commit();
                }
            }
        } catch (WakeupException e) {
            // woken up by wakeup() or close(): stop
        } finally {
            running.set(false);
            if (closed.get()) {
                closeConsumer();
            }
        }
    }

    /** Makes a blocked {@link #poll} throw {@link WakeupException} and a {@link #run} loop return. Any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    /** Stops a {@link #run} loop and closes the consumer (from any thread); uncommitted deliveries come again. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (running.get()) {
            consumer.wakeup();   // the loop closes the consumer as it exits
        } else {
            closeConsumer();
        }
    }

    private void closeConsumer() {
        synchronized (lock) {
            if (consumerClosed) {
                return;
            }
            consumerClosed = true;
        }
        try {
            consumer.close();
        } finally {
            values.close();
            if (ownsRegistry) {
                registry.close();
            }
        }
    }

    private Delivery toDelivery(ConsumerRecord<byte[], byte[]> r) {
        String resource = Topics.parseDelivery(r.topic()).map(Topics.ResourceTopic::resourceCode).orElse(r.topic());
        GenericRecord value = null;
        if (r.value() != null) {
            try {
                value = values.deserialize(r.topic(), r.value());
            } catch (AvroWireFormatException e) {
                throw e.at(r.partition(), r.offset());
            }
        }
        Delivery.Kind kind = KafkaHeaders.text(r.headers(), EventHeaders.OP).map(op -> switch (op) {
            case EventHeaders.OP_DELETE -> Delivery.Kind.DELETE;
            case EventHeaders.OP_RETRACT -> Delivery.Kind.RETRACT;
            default -> Delivery.Kind.UPSERT;
        }).orElse(Delivery.Kind.UPSERT);
        if (r.value() == null && kind == Delivery.Kind.UPSERT) {
            kind = Delivery.Kind.DELETE;
        }
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        return new Delivery(resource, key, value, kind,
                KafkaHeaders.text(r.headers(), EventHeaders.EXCHANGE_ID).orElse(null),
                KafkaHeaders.text(r.headers(), EventHeaders.EVENT_ID).orElse(null),
                r.topic(), r.partition(), r.offset(), r.timestamp(),
                KafkaHeaders.text(r.headers(), EventHeaders.RETRACT_REASON).map(Subscriber::reason).orElse(null));
    }

    /** A withdrawal's reason header; an unknown value (a newer bus) is still a withdrawal. */
    private static Delivery.WithdrawalReason reason(String text) {
        try {
            return Delivery.WithdrawalReason.valueOf(text);
        } catch (IllegalArgumentException e) {
            return Delivery.WithdrawalReason.OTHER;
        }
    }

    /** Options of a {@link Subscriber}. */
    public static final class Builder {
        private final DatabusClientConfig config;
        private final String group;
        private String resourceCode;
        private boolean autoCommit;
        private boolean fromBeginning = true;
        private SchemaRegistryClient registry;
        private final Map<String, Object> overrides = new java.util.HashMap<>();

        private Builder(DatabusClientConfig config, String group) {
            this.config = Objects.requireNonNull(config, "config");
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("consumer group name is required, e.g. 'deliveries'");
            }
            this.group = group;
        }

        /** Receive one resource only. */
        public Builder resource(String resourceCode) {
            this.resourceCode = Topics.checkResource(resourceCode);
            return this;
        }

        /** Receive every resource delivered to the department (the default). */
        public Builder allResources() {
            this.resourceCode = null;
            return this;
        }

        /** Let the consumer commit offsets in the background instead of at {@link #commit()} (default false). */
        public Builder autoCommit(boolean autoCommit) {
            this.autoCommit = autoCommit;
            return this;
        }

        /**
         * Where a new group starts: from the first delivery still kept (default, and what a department new to a
         * resource wants), or only with deliveries made from now on.
         */
        public Builder fromBeginning(boolean fromBeginning) {
            this.fromBeginning = fromBeginning;
            return this;
        }

        /** Use this registry client (not closed by the subscriber) instead of one built from the config. */
        public Builder registry(SchemaRegistryClient registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** A consumer property, e.g. {@code max.poll.records} or {@code metadata.max.age.ms}. */
        public Builder consumerProperty(String key, Object value) {
            overrides.put(key, value);
            return this;
        }

        public Subscriber build() {
            return new Subscriber(this);
        }
    }
}
