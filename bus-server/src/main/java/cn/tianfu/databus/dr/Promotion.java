package cn.tianfu.databus.dr;

import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.HashChain;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.ledger.app.LedgerTakeover;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.registry.server.SchemaRegistryServer;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The check before the disaster-recovery cluster takes over: the replicated exchange log verified there with the
 * auditor's verification ({@link AuditReader#verify(VerifyOptions)}), each partition's chain recomputed and every
 * replicated signed checkpoint checked with the bus's published key. Entries after a partition's last replicated
 * checkpoint are counted as unproven: they are reported, never accepted as proven.
 *
 * <p>The log's records are in the registry's framing; before the bus serves on the disaster-recovery cluster, no
 * registry runs there, so the check starts a registry of its own over the replicated {@code _schemas} on a loopback
 * port for the time of the check (it only reads).
 */
public final class Promotion {

    private Promotion() {
    }

    /** The verification of the replicated log, read with the disaster-recovery administrator's client config. */
    public static VerificationReport verify(Map<String, Object> dr, PublicKey publicKey) {
        SchemaRegistryServer registry = loopbackRegistry(dr);
        try (registry;
             SchemaRegistryClient client = HttpSchemaRegistryClient.builder(registry.url()).build();
             AuditReader reader = AuditReader.builder(new HashMap<>(dr)).registry(client).publicKey(publicKey).build()) {
            return reader.verify(VerifyOptions.CHAINS_ONLY.allowUncovered(true));
        }
    }

    /**
     * What {@link #prepareLedger} set for one log partition: the chain head the ledger continues from (the replicated
     * log's last entry), how many of its entries the last replicated signed checkpoint covers, and the ledger's
     * committed offset on the staging partition of the same number before and after (moved past the staged entries
     * the copied log already holds).
     */
    public record LedgerResume(int partition, long entries, String head, long proven, long stagingFrom, long stagingTo,
                               long idsSeeded) {

        @Override
        public String toString() {
            return String.format("  partition %d: chain head %s after %d entries (%d signed), %d ids known as chained,"
                            + " staging resumed at %d%s", partition, head, entries, proven, idsSeeded, stagingTo,
                    stagingTo > stagingFrom ? " (synced offset " + stagingFrom + ": the " + (stagingTo - stagingFrom)
                            + " staged records up to the log's tail are chained already)" : "");
        }
    }

    /**
     * Prepares the disaster-recovery cluster (an administrator's client config) for the router's chain nodes (the
     * ledger, docs/audit.md) to continue the chains of the replicated exchange log, which {@code report} (from
     * {@link #verify}) found intact. Run before any bus serves there. The ledger's stores, changelogs and staging
     * offsets are the router's (application id {@value RouterConfig#APPLICATION_ID_DEFAULT}).
     *
     * <ul>
     *   <li>Each partition's chain head is set to the replicated log's last entry (its hash, the chain's entry count,
     *       and the entries the last replicated signed checkpoint covers) by a record appended to the router's
     *       chain-head changelog ({@link LedgerTakeover}): that changelog is copied independently of the log and may
     *       stand behind (or ahead of) it; a router resuming from it would fork the chain.</li>
     *   <li>The router's committed offset on each staging partition (translated by MirrorMaker's checkpoints, possibly
     *       behind what the primary's router had chained) is moved past the last staged record whose exchange id the
     *       partition's copied log holds: those records were chained on the primary, and the store of recent ids, also
     *       copied independently, may not know them, so they would be chained a second time.</li>
     *   <li>The ids of the copied log's entries within the id store's retention of each partition's newest entry are
     *       written to that store's changelog: a source record routed again on the disaster-recovery cluster (the
     *       router's synced offset is behind too) makes an entry of an id the copied log holds; the chain node must
     *       find it.</li>
     * </ul>
     *
     * The router's group must have no member (no bus running on the cluster).
     *
     * @throws DatabusException when the report is not intact or the cluster cannot be prepared
     */
    public static List<LedgerResume> prepareLedger(Map<String, Object> dr, VerificationReport report) {
        return prepareLedger(dr, report, (Long) RouterConfig.configDef().defaultValues().get(RouterConfig.DEDUP_RETENTION_MS_CONFIG));
    }

    /** {@link #prepareLedger(Map, VerificationReport)} for a ledger whose id store keeps ids {@code dedupRetentionMs}. */
    public static List<LedgerResume> prepareLedger(Map<String, Object> dr, VerificationReport report, long dedupRetentionMs) {
        if (!report.intact()) {
            throw new DatabusException("the replicated exchange log does not verify: the ledger cannot continue it");
        }
        // the ledger's stores and staging offsets are the router's: its application id names the group and changelogs
        String app = RouterConfig.APPLICATION_ID_DEFAULT;
        List<LedgerResume> done = new ArrayList<>();
        SchemaRegistryServer registry = loopbackRegistry(dr);
        try (registry;
             SchemaRegistryClient client = HttpSchemaRegistryClient.builder(registry.url()).build();
             AvroSerde<ExchangeLogEntry> serde = AvroSerde.specific(client, ExchangeLogEntry.class);
             Admin admin = Admin.create(dr);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(dr, new ByteArraySerializer(), new ByteArraySerializer())) {
            serde.configure(Map.of(), false);
            Deserializer<ExchangeLogEntry> entries = serde.deserializer();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(app)
                    .partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
            for (VerificationReport.Partition p : report.partitions()) {
                TopicPartition staging = new TopicPartition(Topics.EXCHANGE_LOG_STAGING, p.partition());
                OffsetAndMetadata synced = committed.get(staging);
                long from = synced == null ? 0 : synced.offset();
                // the ids staged from the synced offset on, each with the offset after its last staging
                Map<String, Long> staged = new LinkedHashMap<>();
                read(dr, staging, from, entries, (offset, e) -> staged.put(e.getExchangeId(), offset + 1));
                // the copied log partition: which of them it holds, and its entries within the id store's retention
                // of its newest, as the primary's ledger would have kept them
                Set<String> logged = new HashSet<>();
                java.util.ArrayDeque<ExchangeLogEntry> recent = new java.util.ArrayDeque<>();
                long[] newest = {Long.MIN_VALUE};
                read(dr, new TopicPartition(Topics.EXCHANGE_LOG, p.partition()), 0, entries, (offset, e) -> {
                    if (staged.containsKey(e.getExchangeId())) {
                        logged.add(e.getExchangeId());
                    }
                    recent.add(e);
                    newest[0] = Math.max(newest[0], e.getTime().toEpochMilli());
                    while (recent.peekFirst().getTime().toEpochMilli() < newest[0] - dedupRetentionMs) {
                        recent.pollFirst();
                    }
                });
                long seeded = 0;
                for (ExchangeLogEntry e : recent) {
                    if (e.getTime().toEpochMilli() >= newest[0] - dedupRetentionMs) {
                        producer.send(LedgerTakeover.exchangeId(app, p.partition(), e));
                        seeded++;
                    }
                }
                producer.flush();
                long to = from;
                for (Map.Entry<String, Long> s : staged.entrySet()) {
                    if (logged.contains(s.getKey())) {
                        to = Math.max(to, s.getValue());
                    }
                }
                if (to > from) {
                    moved.put(staging, new OffsetAndMetadata(to));
                }
                long count = p.firstPosition() + p.entries();
                String head = count == 0 ? HashChain.GENESIS : p.headHash();
                long proven = p.lastCheckpointPosition() + 1;
                producer.send(LedgerTakeover.chainHead(app, p.partition(), head, count, proven)).get(60, TimeUnit.SECONDS);
                done.add(new LedgerResume(p.partition(), count, head, proven, from, to, seeded));
            }
            if (!moved.isEmpty()) {
                admin.alterConsumerGroupOffsets(app, moved).all().get(60, TimeUnit.SECONDS);
            }
            return done;
        } catch (ExecutionException e) {
            throw new DatabusException("cannot prepare the ledger on " + dr.get("bootstrap.servers") + ": "
                    + e.getCause().getMessage() + " (is a bus still running there?)", e.getCause());
        } catch (TimeoutException e) {
            throw new DatabusException("the disaster-recovery cluster at " + dr.get("bootstrap.servers")
                    + " did not answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while preparing the ledger", e);
        }
    }

    private interface EntryVisitor {
        void visit(long offset, ExchangeLogEntry entry);
    }

    /** Every committed, decodable entry of {@code tp} from {@code from} to its end offset at the time of the call. */
    private static void read(Map<String, Object> cluster, TopicPartition tp, long from,
                             Deserializer<ExchangeLogEntry> entries, EntryVisitor visitor) {
        Map<String, Object> props = new HashMap<>(cluster);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", false);
        props.remove("group.id");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            c.seek(tp, from);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (c.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new DatabusException("reading " + tp + " on " + cluster.get("bootstrap.servers")
                            + " did not reach its end offset " + end + " within 10 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end || r.value() == null) {
                        continue;
                    }
                    ExchangeLogEntry e;
                    try {
                        e = entries.deserialize(tp.topic(), r.headers(), r.value());
                    } catch (RuntimeException malformed) {
                        // the ledger dead-letters such a record; it is in no chain
                        continue;
                    }
                    visitor.visit(r.offset(), e);
                }
            }
        }
    }

    /**
     * A started schema registry over the {@code _schemas} topic of the cluster {@code cluster} (an administrator's client
     * config) on a loopback port. It shares the schemas and ids of every other registry on that cluster (their writes
     * are serialized through one transactional id). The caller closes it.
     */
    static SchemaRegistryServer loopbackRegistry(Map<String, Object> cluster) {
        Map<String, Object> registryProps = new HashMap<>();
        registryProps.put(RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, String.valueOf(cluster.get("bootstrap.servers")));
        registryProps.put(RegistryServerConfig.LISTEN_HOST_CONFIG, "127.0.0.1");
        registryProps.put(RegistryServerConfig.LISTEN_PORT_CONFIG, 0);
        registryProps.put(RegistryServerConfig.TOPIC_CONFIG, Topics.SCHEMAS);
        registryProps.put(RegistryServerConfig.TIMEOUT_MS_CONFIG, 30_000L);
        cluster.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                registryProps.put(RegistryServerConfig.KAFKA_PREFIX + k, v);
            }
        });
        SchemaRegistryServer registry = new SchemaRegistryServer(new RegistryServerConfig(registryProps));
        try {
            registry.start();
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** One line per partition: what is proven, up to which signed checkpoint, and what is not. */
    public static String describe(VerificationReport report) {
        StringBuilder b = new StringBuilder();
        long proven = 0;
        for (VerificationReport.Partition p : report.partitions()) {
            long covered = p.entries() - p.uncoveredEntries();
            proven += p.intact() ? covered : 0;
            b.append(String.format("  partition %d: %d entries, %s%s%n", p.partition(), p.entries(),
                    p.intact() ? (p.lastCheckpointPosition() < 0 ? "no signed checkpoint replicated"
                            : covered + " proven up to the signed checkpoint at position " + p.lastCheckpointPosition())
                            : "BROKEN at position " + p.firstBreak().position() + ": " + p.firstBreak().message(),
                    p.uncoveredEntries() > 0 ? ", " + p.uncoveredEntries() + " after it UNPROVEN" : ""));
        }
        return String.format("%s: %d entries replicated, %d proven by signed checkpoints, %d unproven%n",
                report.intact() ? "INTACT" : "BROKEN", report.entries(), proven, report.uncoveredEntries()) + b;
    }
}
