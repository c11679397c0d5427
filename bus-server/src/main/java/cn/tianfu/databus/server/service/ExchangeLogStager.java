package cn.tianfu.databus.server.service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.service.ServiceException;

/**
 * Writes the service exchange's answers to {@code bus.exchange-log.staging} (keyed by exchange id, as the router
 * stages; the ledger chains them) and its refusals to {@code bus.deadletter}, synchronously: a send returns once the
 * broker has acknowledged it, so nothing is answered unlogged. Runs as the bus's principal.
 */
public final class ExchangeLogStager implements ServiceExchange.Log, AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final SchemaRegistryClient registry;
    private final AvroSerializer<ExchangeLogEntry> entries;
    private final AvroSerializer<DeadLetter> deadLetters;
    private final Duration timeout;

    public ExchangeLogStager(DatabusClientConfig bus, Duration timeout) {
        Map<String, Object> props = bus.producerProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "databus-service-exchange");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        this.registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient();
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.entries = new AvroSerializer<>(registry);
        this.deadLetters = new AvroSerializer<>(registry);
        this.timeout = timeout;
    }

    @Override
    public void stage(ExchangeEntry entry) {
        byte[] value = entries.serialize(Topics.EXCHANGE_LOG_STAGING, ExchangeLogRecords.toAvro(entry));
        send(new ProducerRecord<>(Topics.EXCHANGE_LOG_STAGING, entry.exchangeId().getBytes(StandardCharsets.UTF_8),
                value), "the exchange log");
    }

    @Override
    public void refused(DeadLetter letter) {
        byte[] value = deadLetters.serialize(Topics.DEADLETTER, letter);
        send(new ProducerRecord<>(Topics.DEADLETTER, letter.getId().getBytes(StandardCharsets.UTF_8), value),
                "the dead-letter topic");
    }

    private void send(ProducerRecord<byte[], byte[]> record, String what) {
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "interrupted while writing to " + what, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "the answer was not given: it could not be"
                    + " written to " + what + " (" + cause + ")", cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        entries.close();
        deadLetters.close();
        registry.close();
    }
}
