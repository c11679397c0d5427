package cn.tianfu.databus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.Digests;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.ExchangeLogRecords;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;

/**
 * Rate of {@link AuditReader#verify()} over a large exchange log. The log is staged quickly rather than through the
 * router: entries like the router's (push deliveries of one resource to a few departments) are chained here with
 * {@link HashChain}, one chain per partition as the ledger does, and produced straight to a fresh log topic, with a
 * checkpoint signed every {@value #CHECKPOINT_EVERY} entries (the ledger's default) and at the end. The log is built
 * once; each repetition verifies all of it.
 */
final class AuditScenario {

    static final int CHECKPOINT_EVERY = 1000;

    private final BenchBus bus;
    private final BenchConfig config;

    AuditScenario(BenchBus bus, BenchConfig config) {
        this.bus = bus;
        this.config = config;
    }

    ScenarioResult run() {
        SigningKeys keys = SigningKeys.generate();
        int entries = config.auditEntries();
        String logTopic = null;
        String checkpointTopic = null;
        double buildSeconds = -1;
        for (int attempt = 1; buildSeconds < 0; attempt++) {
            int id = bus.nextId();
            logTopic = "bench.audit." + id + ".log";
            checkpointTopic = "bench.audit." + id + ".checkpoints";
            bus.createTopics(BenchBus.PARTITIONS, logTopic, checkpointTopic);
            try {
                buildSeconds = build(logTopic, checkpointTopic, keys, entries);
            } catch (DatabusException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("audit: " + e.getMessage() + "; staging the log again on fresh topics");
            }
        }

        List<Map<String, Double>> runs = new ArrayList<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < config.repeats(); rep++) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
            try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
                 AuditReader reader = AuditReader.builder(props).registry(registry).publicKey(keys.publicKey())
                         .logTopic(logTopic).checkpointTopic(checkpointTopic).build()) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                VerificationReport report = reader.verify();
                long t1 = System.nanoTime();
                long cpu1 = threads.getCurrentThreadCpuTime();
                if (!report.intact() || report.entries() != entries || report.uncoveredEntries() != 0) {
                    throw new DatabusException("the benchmark's exchange log did not verify: " + report.describe());
                }
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("entries", (double) report.entries());
                m.put("checkpoints", (double) report.checkpoints());
                m.put("seconds", (t1 - t0) / 1e9);
                m.put("entriesPerSec", entries / ((t1 - t0) / 1e9));
                m.put("entriesPerCpuSec", entries / ((cpu1 - cpu0) / 1e9));
                m.put("buildEntriesPerSec", entries / buildSeconds);
                runs.add(m);
            }
        }
        return ScenarioResult.of("audit", entries + " entries", "AuditReader.verify() over a log staged with HashChain "
                + "straight onto a fresh log topic (" + BenchBus.PARTITIONS + " partitions, a signed checkpoint every "
                + CHECKPOINT_EVERY + " entries); entriesPerCpuSec = per CPU second of the verifying thread", runs);
    }

    /**
     * Chains and produces {@code entries} entries and their checkpoints; returns the seconds it took. The first entry of
     * each partition is sent and acknowledged alone, so the partitions are ready before the rest is pipelined; a send
     * the broker refuses fails the staging (a log with a gap would not verify).
     *
     * @throws DatabusException when a record was not written
     */
    private double build(String logTopic, String checkpointTopic, SigningKeys keys, int entries) {
        byte[] secret = new byte[KeyHasher.SECRET_LENGTH];
        new SecureRandom().nextBytes(secret);
        KeyHasher keyHasher = KeyHasher.withSecret(secret);
        HashChain[] chains = new HashChain[BenchBus.PARTITIONS];
        for (int p = 0; p < chains.length; p++) {
            chains[p] = HashChain.genesis();
        }
        String provider = "psb";
        String code = "10101-000001";
        String source = Topics.source(provider, code);
        String[] consumers = {"mca", "hrss", "edu", "health"};
        long t0 = System.nanoTime();
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             AvroSerializer<ExchangeLogEntry> entrySerializer = new AvroSerializer<>(registry);
             AvroSerializer<ExchangeLogCheckpoint> checkpointSerializer = new AvroSerializer<>(registry);
             KafkaProducer<String, byte[]> producer = bus.producer("bench-audit")) {
            long now = System.currentTimeMillis() - entries;
            AtomicReference<Exception> failed = new AtomicReference<>();
            Callback check = (md, e) -> {
                if (e != null) {
                    failed.compareAndSet(null, e);
                }
            };
            for (int i = 0; i < entries; i++) {
                int p = i % chains.length;
                String consumer = consumers[i % consumers.length];
                String grantId = "g-" + consumer + "-" + code;
                long sourceOffset = i / consumers.length;
                String key = "5101041990" + String.format("%08d", i % 1_000_000);
                ExchangeEntry entry = new ExchangeEntry(
                        ExchangeIds.forDelivery(source, p, sourceOffset, grantId, ExchangeEntry.Operation.UPSERT),
                        now + i, ExchangeEntry.Mode.PUSH, code, provider, consumer, grantId, "最低生活保障资格核查",
                        keyHasher.hash(key.getBytes(StandardCharsets.UTF_8)), ExchangeEntry.Operation.UPSERT,
                        Digests.sha256Hex(ByteBuffer.allocate(8).putLong(i).array()), source, p, sourceOffset,
                        Topics.delivery(consumer, code), i % 3, null, null, null);
                ExchangeEntry chained = chains[p].append(entry);
                var sent = producer.send(new ProducerRecord<>(logTopic, p, chained.exchangeId(),
                        entrySerializer.serialize(logTopic, ExchangeLogRecords.toAvro(chained))), check);
                if (i < chains.length) {
                    awaitFirst(sent, logTopic, p);
                }
                long count = chains[p].entryCount();
                if (count % CHECKPOINT_EVERY == 0 || i >= entries - chains.length) {
                    Checkpoint cp = new Checkpoint(p, count - 1, count, chains[p].head(), now + i);
                    producer.send(new ProducerRecord<>(checkpointTopic, p, Integer.toString(p), checkpointSerializer
                            .serialize(checkpointTopic, ExchangeLogRecords.toAvro(cp, keys.sign(cp), keys.publicKey()))), check);
                }
            }
            producer.flush();
            if (failed.get() != null) {
                throw new DatabusException("staging the exchange log failed: " + failed.get(), failed.get());
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void awaitFirst(Future<?> sent, String topic, int partition) {
        try {
            sent.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while staging the exchange log");
        } catch (ExecutionException | TimeoutException e) {
            throw new DatabusException("staging the exchange log failed on " + topic + "-" + partition + ": " + e);
        }
    }
}
