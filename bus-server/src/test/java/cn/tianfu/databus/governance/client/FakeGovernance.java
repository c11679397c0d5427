package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/**
 * A stand-in for the governance app, enough to exercise the client's side of the protocol: it reads
 * {@code cmd.<dept>} and answers each batch on {@code reply.<dept>} in reverse order, preceded by a reply to a command
 * nobody sent. Requests for a code starting with {@code ns-} are REFUSED (echoing the purpose), codes starting with
 * {@code slow-} get no answer, everything else is ACCEPTED with the resource code echoed.
 */
final class FakeGovernance implements AutoCloseable {

    private final String department;
    private final KafkaConsumer<String, GovernanceCommand> consumer;
    private final KafkaProducer<String, CommandResult> producer;
    private final Thread thread;
    private final AtomicInteger received = new AtomicInteger();
    private volatile boolean closed;

    FakeGovernance(SharedBus bus, String department) {
        this.department = department;
        Map<String, Object> serde = bus.serdeConfig();
        AvroSerde<GovernanceCommand> commands = AvroSerde.specific(GovernanceCommand.class);
        commands.configure(serde, false);
        AvroSerde<CommandResult> results = AvroSerde.specific(CommandResult.class);
        results.configure(serde, false);
        Map<String, Object> consumerProps = bus.kafkaProperties();
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), commands.deserializer());
        consumer.assign(List.of(new TopicPartition(Topics.commands(department), 0)));
        consumer.seekToBeginning(consumer.assignment());
        producer = new KafkaProducer<>(bus.kafkaProperties(),
                new StringSerializer(), results.serializer());
        thread = new Thread(this::run, "fake-governance-" + department);
        thread.setDaemon(true);
        thread.start();
    }

    int received() {
        return received.get();
    }

    private void run() {
        try {
            while (!closed) {
                List<ConsumerRecord<String, GovernanceCommand>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(100)).forEach(batch::add);
                if (batch.isEmpty()) {
                    continue;
                }
                received.addAndGet(batch.size());
                producer.send(new ProducerRecord<>(Topics.replies(department), "nobody-sent-this",
                        result("nobody-sent-this", Outcome.ACCEPTED, "stray", null)));
                Collections.reverse(batch);
                for (ConsumerRecord<String, GovernanceCommand> r : batch) {
                    GovernanceCommand c = r.value();
                    String code = code(c.getPayload());
                    if (code != null && code.startsWith("slow-")) {
                        continue;
                    }
                    CommandResult answer = code != null && code.startsWith("ns-")
                            ? result(c.getCommandId(), Outcome.REFUSED, "not shared: " + ((RequestAccess) c.getPayload()).getPurpose(), code)
                            : result(c.getCommandId(), Outcome.ACCEPTED, "done by " + c.getDepartment(), code);
                    producer.send(new ProducerRecord<>(Topics.replies(department), c.getCommandId(), answer));
                }
                producer.flush();
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
            producer.close();
        }
    }

    private static String code(Object payload) {
        if (payload instanceof RequestAccess r) {
            return r.getResourceCode();
        }
        if (payload instanceof RetireResource r) {
            return r.getCode();
        }
        return null;
    }

    private CommandResult result(String id, Outcome outcome, String message, String code) {
        return CommandResult.newBuilder().setCommandId(id).setDepartment(department)
                .setAccepted(outcome == Outcome.ACCEPTED || outcome == Outcome.PENDING).setOutcome(outcome)
                .setMessage(message).setResourceCode(code).setProcessedAt(Instant.now()).build();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(5_000);
    }
}
