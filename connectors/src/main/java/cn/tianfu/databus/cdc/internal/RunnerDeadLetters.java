package cn.tianfu.databus.cdc.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcException;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * A runner's dead letters, on its own topic {@link Topics#cdcDeadLetters}: a change that cannot be published, as JSON
 * for original value, with its position and table in the headers. A department writes no bus topic
 * ({@code bus.deadletter} is the bus's own): its dead letters stay under its prefix, where their topic's name says who
 * wrote them, and {@code databus deadletters} lists them with the bus's.
 */
public final class RunnerDeadLetters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerDeadLetters.class);

    private final CdcMapping mapping;
    private final String component;
    private final String topic;
    private final Sender sender;
    private final AvroSerializer<DeadLetter> writer;
    private final JsonConverter json = new JsonConverter();

    /** Dead letters of {@code mapping}'s runner, written as {@code component}, sent with {@code sender}. */
    public RunnerDeadLetters(CdcMapping mapping, String component, Sender sender, SchemaRegistryClient registry) {
        this.mapping = mapping;
        this.component = component;
        this.topic = Topics.cdcDeadLetters(mapping.department(), mapping.runner());
        this.sender = sender;
        this.writer = new AvroSerializer<>(registry);
        json.configure(Map.of("schemas.enable", false, "converter.type", "value"));
    }

    /**
     * Creates the dead-letter topic of {@code mapping}'s runner unless it exists.
     *
     * @throws CdcException when the bus refuses or does not answer
     */
    public static void ensureTopic(CdcMapping mapping, Map<String, Object> kafka, short replicationFactor, String department) {
        String topic = Topics.cdcDeadLetters(mapping.department(), mapping.runner());
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor).configs(Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(365).toMillis())))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new CdcException("cannot create the runner's dead-letter topic " + topic + ": " + e.getCause().getMessage()
                        + " (may " + department + " create topics under " + Topics.cdcPrefix(mapping.department()) + "?)", e.getCause());
            }
        } catch (TimeoutException e) {
            throw new CdcException("cannot create the runner's dead-letter topic " + topic + ": the bus did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdcException("interrupted while creating " + topic, e);
        }
    }

    /** The topic the dead letters go to. */
    public String topic() {
        return topic;
    }

    /**
     * Sends a change of {@code run}'s table to the dead letters. The batch waits for it before its offsets are recorded:
     * a dead letter the bus does not take stops the runner, so nothing is dropped.
     */
    public CompletableFuture<RecordMetadata> send(TableRun run, SourceRecord record, DeadLetterReason reason, String message) {
        TableMapping t = run.mapping();
        String source = Topics.source(mapping.department(), t.resource());
        byte[] original = json.fromConnectData(source, record.valueSchema(), record.value());
        RecordHeaders headers = new RecordHeaders();
        if (record.value() instanceof Struct envelope && envelope.schema().field("source") != null) {
            headers.add(EventHeaders.SOURCE_POSITION, EventHeaders.bytes(Positions.of(envelope.getStruct("source"))));
        }
        headers.add("databus.cdc-runner", EventHeaders.bytes(mapping.runner()));
        headers.add("databus.cdc-table", EventHeaders.bytes(t.table()));
        DeadLetter dl = DeadLetters.builder(component, reason, message)
                .source(source, null, null)
                .original(null, original, headers)
                .build();
        run.deadLettered();
        if (reason != DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE) {
            LOG.warn("Dead letter {} from {}: {}", reason, mapping.runner(), message);
        }
        // framed with the schema id the bus registered for its own dead letters: one reader reads both topics
        return sender.send(new ProducerRecord<>(topic, dl.getId(), writer.serialize(Topics.DEADLETTER, dl)));
    }

    @Override
    public void close() {
        writer.close();
    }
}
