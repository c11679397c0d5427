package cn.tianfu.databus.server.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.serde.AvroSerde;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The bus's metrics, scraped in the Prometheus text format at {@code /metrics}:
 * <ul>
 * <li>{@code databus_exchanges_total{mode,resource,provider,consumer}}: exchange-log entries (mode PUSH: records routed),
 * {@code databus_ledger_chain_length{partition}} and {@code databus_ledger_last_entry_seconds}, counted by following
 * {@code bus.exchange-log} from its start;</li>
 * <li>{@code databus_deadletters_total{resource,reason,component}}: what {@code bus.deadletter} received;</li>
 * <li>{@code databus_delivery_lag{consumer,resource,group}}, {@code databus_ledger_lag{group}},
 * {@code databus_router_lag{group,provider,resource}}: records not yet consumed, from the consumer groups' committed
 * offsets, read when scraped;</li>
 * <li>{@code databus_requests_pending{provider}} and {@code databus_requests_overdue{provider}}: conditional requests
 * awaiting a decision, and those past their due time;</li>
 * <li>{@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}, {@code kafka_admin_client_*}: each
 * streams app's own metrics and its clients', tagged {@code app}.</li>
 * </ul>
 */
public final class BusMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BusMetrics.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);
    private static final String NONE = "none";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Admin admin;
    private final InstantSource clock;
    private final Supplier<List<AccessRequest>> requests;
    private final List<KafkaStreamsMetrics> streams = new ArrayList<>();
    private final Map<Integer, AtomicLong> chain = new ConcurrentHashMap<>();
    private final AtomicLong lastEntryMillis = new AtomicLong();
    private final MultiGauge deliveryLag;
    private final MultiGauge ledgerLag;
    private final MultiGauge routerLag;
    private final MultiGauge pending;
    private final MultiGauge overdue;
    private final Follower follower;

    /**
     * Starts following the exchange log and the dead letters with the bus's principal {@code bus}.
     *
     * @param requests the access requests as they stand (read when scraped)
     */
    public BusMetrics(DatabusClientConfig bus, Supplier<List<AccessRequest>> requests, InstantSource clock) {
        this.clock = clock;
        this.requests = requests;
        Map<String, Object> adminProps = new HashMap<>(bus.kafkaProperties());
        adminProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-metrics-admin");
        this.admin = Admin.create(adminProps);
        this.deliveryLag = MultiGauge.builder("databus.delivery.lag").description("Records delivered to a consumer's topic"
                + " and not yet read by its consumer group (records)").register(registry);
        this.ledgerLag = MultiGauge.builder("databus.ledger.lag").description("Staged exchanges (service answers) the router's chain nodes have not yet chained (records)")
                .register(registry);
        this.routerLag = MultiGauge.builder("databus.router.lag").description("Published records the router has not yet read (records)")
                .register(registry);
        this.pending = MultiGauge.builder("databus.requests.pending").description("Access requests awaiting the provider's decision")
                .register(registry);
        this.overdue = MultiGauge.builder("databus.requests.overdue").description("Pending access requests past their due time"
                + " (Art. 26)").register(registry);
        Gauge.builder("databus.ledger.last.entry", lastEntryMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("Time of the newest exchange-log entry (epoch seconds)").register(registry);
        this.follower = new Follower(bus);
        follower.start();
    }

    /** Adds a streams app's metrics and its clients', tagged {@code app}. */
    public synchronized void bind(String app, KafkaStreams kafkaStreams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(kafkaStreams, Tags.of("app", app));
        binder.bindTo(registry);
        streams.add(binder);
    }

    /** The metrics now, in the Prometheus text format (lags and requests read at this moment). */
    public String scrape() {
        refreshLags();
        refreshRequests();
        return registry.scrape();
    }

    /** Records of {@code resource} delivered to {@code consumer} so far (exchange-log entries of mode PUSH, as counted here). */
    public long delivered(String consumer, String resource) {
        return (long) registry.find("databus.exchanges").tags("mode", "PUSH", "resource", resource, "consumer", consumer).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    private void refreshRequests() {
        Instant now = clock.instant();
        Map<String, Long> pendingBy = new HashMap<>();
        Map<String, Long> overdueBy = new HashMap<>();
        try {
            for (AccessRequest r : requests.get()) {
                if (r.getStatus() == RequestStatus.PENDING) {
                    pendingBy.merge(r.getProvider(), 1L, Long::sum);
                    overdueBy.putIfAbsent(r.getProvider(), 0L);
                    if (r.getDueAt() != null && r.getDueAt().isBefore(now)) {
                        overdueBy.merge(r.getProvider(), 1L, Long::sum);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot read the access requests for the metrics: {}", e.toString());
            return;
        }
        pending.register(rows("provider", pendingBy), true);
        overdue.register(rows("provider", overdueBy), true);
    }

    private static List<MultiGauge.Row<?>> rows(String tag, Map<String, Long> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(MultiGauge.Row.of(Tags.of(tag, k), v)));
        return rows;
    }

    /** Lags of every consumer group on the delivery, source and staging topics. */
    private void refreshLags() {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        Map<TopicPartition, Long> ends;
        try {
            List<String> groups = admin.listConsumerGroups().all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(ConsumerGroupListing::groupId).toList();
            if (!groups.isEmpty()) {
                Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
                groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
                var result = admin.listConsumerGroupOffsets(specs);
                for (String g : groups) {
                    Map<TopicPartition, OffsetAndMetadata> offsets = result.partitionsToOffsetAndMetadata(g)
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    Map<TopicPartition, OffsetAndMetadata> relevant = new HashMap<>();
                    offsets.forEach((tp, o) -> {
                        if (o != null && relevant(tp.topic())) {
                            relevant.put(tp, o);
                        }
                    });
                    if (!relevant.isEmpty()) {
                        committed.put(g, relevant);
                    }
                }
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.values().forEach(m -> m.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest())));
            ends = new HashMap<>();
            if (!latest.isEmpty()) {
                ListOffsetsResult offsets = admin.listOffsets(latest,
                        new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED));
                offsets.all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            LOG.warn("cannot read the consumer groups' lags for the metrics: {}", e.toString());
            return;
        }
        Map<Tags, Long> delivery = new HashMap<>();
        Map<Tags, Long> ledger = new HashMap<>();
        Map<Tags, Long> router = new HashMap<>();
        committed.forEach((group, offsets) -> offsets.forEach((tp, o) -> {
            long lag = Math.max(0, ends.getOrDefault(tp, o.offset()) - o.offset());
            if (tp.topic().equals(Topics.EXCHANGE_LOG_STAGING)) {
                ledger.merge(Tags.of("group", group), lag, Long::sum);
                return;
            }
            Topics.parseDelivery(tp.topic()).ifPresent(t -> delivery.merge(
                    Tags.of("consumer", t.department(), "resource", t.resourceCode(), "group", group), lag, Long::sum));
            Topics.parseSource(tp.topic()).ifPresent(t -> router.merge(
                    Tags.of("group", group, "provider", t.department(), "resource", t.resourceCode()), lag, Long::sum));
        }));
        deliveryLag.register(tagged(delivery), true);
        ledgerLag.register(tagged(ledger), true);
        routerLag.register(tagged(router), true);
    }

    private static boolean relevant(String topic) {
        return topic.equals(Topics.EXCHANGE_LOG_STAGING) || Topics.parseDelivery(topic).isPresent()
                || Topics.parseSource(topic).isPresent();
    }

    private static List<MultiGauge.Row<?>> tagged(Map<Tags, Long> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((tags, v) -> rows.add(MultiGauge.Row.of(tags, v)));
        return rows;
    }

    private void exchanged(int partition, ExchangeLogEntry e) {
        Counter.builder("databus.exchanges").description("Exchange-log entries: records delivered (PUSH), queries answered"
                        + " (QUERY), open downloads (OPEN)")
                .tags("mode", e.getMode().name(), "resource", e.getResourceCode(), "provider", e.getProvider(), "consumer", e.getConsumer())
                .register(registry).increment();
        chain.computeIfAbsent(partition, p -> {
            AtomicLong length = new AtomicLong();
            Gauge.builder("databus.ledger.chain.length", length, AtomicLong::get).description("Entries in the partition's hash chain")
                    .tags("partition", Integer.toString(p)).register(registry);
            return length;
        }).incrementAndGet();
        lastEntryMillis.accumulateAndGet(e.getTime().toEpochMilli(), Math::max);
    }

    private void deadLettered(DeadLetter d) {
        String resource = d.getSourceTopic() == null ? NONE : Topics.parseSource(d.getSourceTopic()).map(t -> t.resourceCode())
                .or(() -> Topics.parseDelivery(d.getSourceTopic()).map(t -> t.resourceCode())).orElse(NONE);
        Counter.builder("databus.deadletters").description("Inputs the bus rejected onto bus.deadletter, by reason")
                .tags("resource", resource, "reason", d.getReason(), "component", d.getComponent())
                .register(registry).increment();
    }

    private void unreadable(String topic) {
        Counter.builder("databus.metrics.unreadable").description("Records the metrics could not decode")
                .tags("topic", topic).register(registry).increment();
    }

    /** Follows {@code bus.exchange-log} and {@code bus.deadletter} from their start, by assignment (no group). */
    private final class Follower implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Deserializer<ExchangeLogEntry> entries;
        private final Deserializer<DeadLetter> deadLetters;
        private final Thread thread;
        private volatile boolean closed;

        Follower(DatabusClientConfig bus) {
            Map<String, Object> props = new HashMap<>(bus.kafkaProperties());
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-metrics");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            AvroSerde<ExchangeLogEntry> e = AvroSerde.specific(ExchangeLogEntry.class);
            e.configure(bus.serdeConfig(), false);
            this.entries = e.deserializer();
            AvroSerde<DeadLetter> d = AvroSerde.specific(DeadLetter.class);
            d.configure(bus.serdeConfig(), false);
            this.deadLetters = d.deserializer();
            this.thread = new Thread(this, "databus-metrics");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            try {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(Topics.EXCHANGE_LOG, Topics.DEADLETTER)) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                    if (infos != null) {
                        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
                    }
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (!closed) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (r.value() == null) {
                            continue;
                        }
                        try {
                            if (r.topic().equals(Topics.EXCHANGE_LOG)) {
                                exchanged(r.partition(), entries.deserialize(r.topic(), r.headers(), r.value()));
                            } else {
                                deadLettered(deadLetters.deserialize(r.topic(), r.headers(), r.value()));
                            }
                        } catch (RuntimeException e) {
                            unreadable(r.topic());
                        }
                    }
                }
            } catch (WakeupException e) {
                if (!closed) {
                    LOG.warn("the metrics stopped following the exchange log", e);
                }
            } catch (RuntimeException e) {
                LOG.warn("the metrics stopped following the exchange log and the dead letters: {}", e.toString());
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        void close() {
            closed = true;
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        follower.close();
        synchronized (this) {
            streams.forEach(KafkaStreamsMetrics::close);
        }
        admin.close(Duration.ofSeconds(5));
        registry.close();
    }
}
