package cn.tianfu.databus.dr;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The backup duty checked while {@code dr start} replicates: each {@link #check()} reads the primary's topics and the
 * replication lag ({@link DrStatus}), lets {@link BackupDuty} decide, and writes the violations it raises on the
 * primary's {@code bus.violations} (with the primary administrator's client config, through a schema registry over
 * the primary's {@code _schemas} on a loopback port). On its first check it reads the unrectified backup violations
 * already on {@code bus.violations}, so a restarted {@code dr start} does not raise an ongoing breach again.
 */
public final class BackupDutyMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackupDutyMonitor.class);

    private final Map<String, Object> primary;
    private final Map<String, Object> dr;
    private final DrConfig config;
    private final InstantSource clock;
    private SchemaRegistryServer registry;
    private SchemaRegistryClient client;
    private KafkaProducer<String, Violation> producer;
    private BackupDuty duty;

    public BackupDutyMonitor(Map<String, Object> primary, Map<String, Object> dr, DrConfig config, InstantSource clock) {
        this.primary = new HashMap<>(primary);
        this.dr = new HashMap<>(dr);
        this.config = config;
        this.clock = clock;
    }

    /**
     * One check: the violations raised and written now (empty when every resource is backed up).
     *
     * @throws DatabusException when the primary cannot be read or the violations cannot be written (the next check
     *                          tries again; nothing raised is forgotten)
     */
    public List<Violation> check() {
        if (duty == null) {
            open();
        }
        Set<String> topics;
        Map<String, Object> props = new HashMap<>(primary);
        props.put("default.api.timeout.ms", (int) config.statusTimeoutMs());
        props.put("request.timeout.ms", (int) config.statusTimeoutMs());
        try (Admin admin = Admin.create(props)) {
            topics = admin.listTopics().names().get(config.statusTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new DatabusException("backup duty not checked: cannot list the primary's topics: " + DrStatus.rootMessage(e), e);
        }
        DrStatus.Report status = DrStatus.read(primary, dr, config);
        List<Violation> violations = duty.check(topics, status.primaryReachable() ? status.lagByTopic() : null);
        try {
            for (Violation v : violations) {
                producer.send(new ProducerRecord<>(Topics.VIOLATIONS, v.getId(), v)).get(config.statusTimeoutMs(), TimeUnit.MILLISECONDS);
                LOG.warn("Backup duty violated: {} {}", v.getId(), v.getDescription());
            }
        } catch (Exception e) {
            // not written: forget the episode so the next check raises it again
            violations.forEach(v -> duty.forget(v.getResourceCode()));
            throw new DatabusException("backup violations not written on " + Topics.VIOLATIONS + ": " + DrStatus.rootMessage(e), e);
        }
        return violations;
    }

    private void open() {
        registry = Promotion.loopbackRegistry(primary);
        client = HttpSchemaRegistryClient.builder(registry.url()).build();
        Map<String, Object> p = new HashMap<>(primary);
        p.put("acks", "all");
        p.put("enable.idempotence", true);
        p.put("delivery.timeout.ms", (int) Math.max(config.statusTimeoutMs(), 30_000));
        p.put("request.timeout.ms", (int) Math.min(config.statusTimeoutMs(), 30_000));
        producer = new KafkaProducer<>(p, new StringSerializer(), AvroSerde.specific(client, Violation.class).serializer());
        duty = new BackupDuty(config, clock, unrectified());
    }

    /** Resource codes of the backup violations on {@code bus.violations} that are not rectified. */
    private List<String> unrectified() {
        Map<String, Violation> latest = new HashMap<>();
        Map<String, Object> p = new HashMap<>(primary);
        p.put("enable.auto.commit", false);
        var values = AvroSerde.specific(client, Violation.class).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.VIOLATIONS, Duration.ofMillis(config.statusTimeoutMs())).stream()
                    .map(i -> new TopicPartition(Topics.VIOLATIONS, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, Duration.ofMillis(config.statusTimeoutMs()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (BackupDuty.resourceOf(r.key()) == null) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), values.deserialize(Topics.VIOLATIONS, r.value()));
                    }
                }
            }
        }
        List<String> codes = new ArrayList<>();
        latest.values().stream().filter(v -> v.getStatus() != ViolationStatus.RECTIFIED)
                .forEach(v -> codes.add(BackupDuty.resourceOf(v.getId())));
        return codes;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
