package cn.tianfu.databus.streams;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.contract.Topics;

/**
 * How one app writes its dead letters when Kafka Streams hands a failure to {@link DeadLetterHandler}: the app's
 * component name and the registry serializer of {@link DeadLetter}. Passed to the handler in the streams properties
 * under {@link StreamsAppConfig#DEAD_LETTER_WRITER_CONFIG}.
 */
public record DeadLetterWriter(String component, Serializer<DeadLetter> serializer) {

    public DeadLetterWriter {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(serializer, "serializer");
    }

    /** The record for {@code bus.deadletter}: key the dead letter's id, value the Avro dead letter. */
    public ProducerRecord<byte[], byte[]> record(DeadLetter letter) {
        return new ProducerRecord<>(Topics.DEADLETTER, letter.getId().getBytes(StandardCharsets.UTF_8),
                serializer.serialize(Topics.DEADLETTER, letter));
    }
}
