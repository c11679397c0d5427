package cn.tianfu.databus.sharing.app.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/** Writes the router's dead letters to {@link Topics#DEADLETTER}, in the task's transaction. */
final class DeadLetterWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final ProcessorContext<Out, byte[]> context;
    private final AvroSerializer<DeadLetter> writer;

    DeadLetterWriter(ProcessorContext<Out, byte[]> context, AvroSerializer<DeadLetter> writer) {
        this.context = context;
        this.writer = writer;
    }

    /**
     * Writes one dead letter of component {@link RouterProcessor#COMPONENT} under an id deterministic from what it is
     * about, so a replay of the same source record rewrites the same dead letter.
     *
     * @param id        the dead letter's id (also its record key)
     * @param timestamp the record timestamp to write it with (the source record's)
     */
    void write(String id, DeadLetterReason reason, String message, String topic, int partition, long offset,
               byte[] key, byte[] value, Headers headers, long timestamp) {
        DeadLetter dl = DeadLetters.builder(RouterProcessor.COMPONENT, reason, message)
                .source(topic, partition, offset)
                .original(key, value, headers)
                .time(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        dl.setId(id);
        context.forward(new Record<>(new Out(Topics.DEADLETTER, id.getBytes(StandardCharsets.UTF_8), -1),
                writer.serialize(Topics.DEADLETTER, dl), timestamp), RouterProcessor.OUT_NODE);
        LOG.warn("Dead letter {} from {}: {}", reason, id, message);
    }

    /** The id of a dead letter about one source record: {@code sharing-router/<topic>/<partition>/<offset>}. */
    static String idOf(String topic, int partition, long offset) {
        return RouterProcessor.COMPONENT + "/" + topic + "/" + partition + "/" + offset;
    }
}
