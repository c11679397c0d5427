package cn.tianfu.databus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * Governance's side of a test on the {@link SharedBus}, as the bus's own principal: catalogue a copy of an example
 * resource under a fresh code, grant it, and read what landed on a topic. Writes go to {@code bus.catalog} and
 * {@code bus.grants} in the registry wire format, as the governance app writes them.
 */
public final class TestGovernance implements AutoCloseable {

    /** When test catalog entries and grants say they were made. */
    private static final Instant MADE = Instant.parse("2024-01-01T00:00:00Z");

    private final SharedBus bus;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<String, byte[]> producer;

    /** A resource catalogued for a test: its (fresh) code, provider, source topic and catalogued schema. */
    public record Catalogued(String code, String provider, String topic, Schema schema) {
        /** The names of the resource's fields. */
        public List<String> fieldNames() {
            return schema.getFields().stream().map(Schema.Field::name).toList();
        }
    }

    public TestGovernance(SharedBus bus) {
        this.bus = bus;
        this.registry = bus.registryClient();
        Map<String, Object> props = bus.kafkaProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Catalogues a copy of the resource definition {@code file} (e.g. {@code examples/resources/psb-population.yaml})
     * under a fresh code of the same classification, provided by {@code provider}: creates its source topic (2
     * partitions), registers its schema and writes its catalog entry.
     */
    public Catalogued catalogue(Path file, String provider) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String original = ResourceDefinitions.parse(yaml, file.getFileName().toString()).code();
        String code = original.substring(0, 6) + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        yaml = yaml.replaceFirst("(?m)^code: .*$", "code: " + code).replaceFirst("(?m)^provider: .*$", "provider: " + provider);
        ResourceDefinition def = ResourceDefinitions.parse(yaml, file.getFileName().toString());
        Schema schema = AvroSchemas.forResource(def);
        String topic = Topics.source(provider, code);
        try {
            bus.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(Topics.resourceTopicConfigs())))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
        int id = registry.register(Subjects.valueSubject(topic), schema);
        publish(Topics.CATALOG, code, CatalogEntries.toCatalogEntry(def, Subjects.valueSubject(topic), id, 1, 1,
                Instant.parse("2026-03-01T00:00:00Z")));
        return new Catalogued(code, provider, topic, schema);
    }

    /** An active push grant of {@code resource} to {@code consumer}, every field in clear, no row filter; returns its id. */
    public String grantInClear(Catalogued resource, String consumer) {
        String s = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        Grant grant = Grant.newBuilder()
                .setGrantId("g-" + s).setRequestId("r-" + s).setResourceCode(resource.code())
                .setProvider(resource.provider()).setConsumer(consumer)
                .setPurpose("verifying records for social assistance")
                .setMethod(SharingMethod.PUSH).setAllowedFields(null).setClearFields(resource.fieldNames())
                .setRowFilter(null).setValidFrom(MADE).setValidUntil(null).setStatus(GrantStatus.ACTIVE)
                .setCreatedAt(MADE).build();
        publish(Topics.GRANTS, grant.getGrantId(), grant);
        return grant.getGrantId();
    }

    /** Writes an Avro value (a catalog entry, a grant) on a topic of the bus in the registry wire format, acknowledged. */
    public void publish(String topic, String key, Object value) {
        try (AvroSerializer<Object> serializer = new AvroSerializer<>(registry)) {
            producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, value))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    /** Every committed record of a topic so far, partition after partition. */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Map<String, Object> p = bus.kafkaProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, java.time.Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        producer.close();
        registry.close();
    }
}
