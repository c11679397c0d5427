package cn.tianfu.databus.cdc.internal;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Sends the runner's own records (table stops, dead letters) on its producer, as futures the batch waits for. */
public final class Sender {

    private final Producer<String, byte[]> producer;

    public Sender(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Completes when the bus has stored the record, or fails with the producer's error (also one thrown at once). */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
