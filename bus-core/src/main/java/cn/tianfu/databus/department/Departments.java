package cn.tianfu.databus.department;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.governance.client.GovernanceException;
import cn.tianfu.databus.governance.client.internal.CompactedTopicReader;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.topic.TopicProvisioner;
import cn.tianfu.databus.topic.Topics;

/**
 * Adds and lists the departments of a bus, with the bus's own (administrative) connection.
 *
 * <pre>{@code
 * try (Departments departments = Departments.connect("localhost:9092", "http://localhost:8081", Duration.ofSeconds(5))) {
 *     Department psb = departments.add("psb", "市公安局", Optional.of("11510100MB0F31224T"));
 *     departments.list().forEach(d -> System.out.println(d.getId() + " " + d.getName()));
 * }
 * }</pre>
 */
public final class Departments implements AutoCloseable {

    private final Admin admin;
    private final Producer<String, Department> producer;
    private final CompactedTopicReader<Department> reader;
    private final Duration timeout;

    private Departments(String bootstrapServers, String registryUrl, Duration timeout) {
        this.timeout = timeout;
        int ms = (int) timeout.toMillis();
        Map<String, Object> common = Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, ms,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms,
                CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        Map<String, Object> serdeConfig = Map.of(
                AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registryUrl,
                AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, (long) ms,
                AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, (long) ms);
        AvroSerde<Department> serde = AvroSerde.specific(Department.class);
        serde.configure(serdeConfig, false);
        this.admin = Admin.create(common);
        Map<String, Object> producerProps = new java.util.HashMap<>(common);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), serde.serializer());
        Map<String, Object> consumerProps = new java.util.HashMap<>(common);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.reader = new CompactedTopicReader<>(Topics.DEPARTMENTS, consumerProps, serde.deserializer(), Department::getId, timeout);
    }

    /** Connects to a bus; nothing is contacted until the first call. */
    public static Departments connect(String bootstrapServers, String registryUrl, Duration timeout) {
        return new Departments(Objects.requireNonNull(bootstrapServers, "bootstrapServers"),
                Objects.requireNonNull(registryUrl, "registryUrl"), timeout);
    }

    /**
     * Adds a department: creates {@code cmd.<id>} and {@code reply.<id>} (one partition each) and records it on
     * {@code bus.departments}.
     *
     * @throws IllegalArgumentException   when the id or name is malformed
     * @throws DepartmentExistsException  when a department with this id exists
     * @throws GovernanceException        when the bus cannot be reached
     */
    public Department add(String id, String name, Optional<String> code) {
        Topics.checkDepartment(id);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the department's name is required, e.g. --name 市公安局");
        }
        Optional<Department> existing = find(id);
        if (existing.isPresent()) {
            throw new DepartmentExistsException(id, existing.get().getName());
        }
        try {
            TopicProvisioner provisioner = new TopicProvisioner(admin, (short) 1, timeout.toMillis());
            provisioner.ensure(Topics.commands(id), 1, Map.of());
            provisioner.ensure(Topics.replies(id), 1, Map.of());
            Department department = Department.newBuilder()
                    .setId(id)
                    .setName(name.strip())
                    .setCode(code.map(String::strip).filter(c -> !c.isEmpty()).orElse(null))
                    .setCreated(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                    .build();
            producer.send(new ProducerRecord<>(Topics.DEPARTMENTS, id, department)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return department;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GovernanceException("interrupted while adding department " + id, e, true);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new GovernanceException("cannot record department " + id + " on " + Topics.DEPARTMENTS + ": " + cause.getMessage(),
                    cause, true);
        } catch (KafkaException e) {
            throw new GovernanceException("cannot reach the bus to add department " + id + ": " + e.getMessage(), e, true);
        }
    }

    /** The department with this id, if it was added. */
    public Optional<Department> find(String id) {
        return Optional.ofNullable(reader.refresh().get(id));
    }

    /** Every department, ordered by id. */
    public List<Department> list() {
        return reader.refresh().values().stream().sorted(Comparator.comparing(Department::getId)).toList();
    }

    @Override
    public void close() {
        reader.close();
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
