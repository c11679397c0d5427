package cn.tianfu.databus.sharing.app;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.RowFilter;
import cn.tianfu.databus.sharing.app.internal.GlobalStores;
import cn.tianfu.databus.sharing.app.internal.GrantProjection;
import cn.tianfu.databus.sharing.app.internal.StoredRecord;

/**
 * Interactive queries of a running router (Kafka Streams {@code KafkaStreams.store}): the catalog and the grants as the
 * router sees them (its global stores), the latest state of a source key ({@code router-latest}), which instance owns
 * that key ({@code queryMetadataForKey}), and the record as a grant delivers it — built by the very projection, masks
 * and row filter of a push delivery ({@link GrantProjection}). Thread-safe; the service exchange of the bus's HTTP API
 * answers from it ({@code docs/service.md}).
 *
 * <pre>{@code
 * RouterQueries q = new RouterQueries(router, registry, SourceLogReader.kafka(config.clientProperties()));
 * Optional<GenericRecord> current = q.latest(entry, "510104199001011234");   // on the owner of the key
 * Optional<GenericRecord> answer = current.flatMap(v -> q.project(grant, v));
 * }</pre>
 */
public final class RouterQueries implements AutoCloseable {

    /** How long a lookup waits for a record read from the source topic. */
    private static final java.time.Duration SOURCE_READ_WAIT = java.time.Duration.ofSeconds(5);

    private final KafkaStreams streams;
    private final SchemaRegistryClient registry;
    private final AvroDeserializer<GenericRecord> reader;
    private final Map<CompiledKey, Compiled> compiled = new ConcurrentHashMap<>();
    /** Opens the reader of the source topics for keys whose value the router does not keep; null: none. */
    private final SourceLogReader.Opener sourceLogs;
    /** The open reader; used by one lookup at a time. */
    private SourceLogReader sourceLog;

    /**
     * Without a reader of the source topics: a key whose state is a position record (the value not kept, see
     * {@link #latest}) cannot be answered ({@link LatestUnavailableException}).
     */
    public RouterQueries(KafkaStreams streams, SchemaRegistryClient registry) {
        this(streams, registry, null);
    }

    /**
     * @param sourceLogs how to open a reader of the source topics ({@link SourceLogReader#kafka} with the router's
     *                   client properties), for keys whose value the router does not keep; opened at the first such
     *                   lookup and closed by {@link #close}
     */
    public RouterQueries(KafkaStreams streams, SchemaRegistryClient registry, SourceLogReader.Opener sourceLogs) {
        this.streams = streams;
        this.registry = registry;
        this.reader = new AvroDeserializer<>(registry);
        this.sourceLogs = sourceLogs;
    }

    /** The router's name for its latest-state store ({@link SharingRouterApp#LATEST_STORE}). */
    public static String latestStore() {
        return SharingRouterApp.LATEST_STORE;
    }

    /** The key of the latest-state store for a source key: {@code <sourceTopic> NUL <key>}. */
    public static String storeKey(CatalogEntry entry, String key) {
        return Topics.source(entry.getProvider(), entry.getCode()) + '\u0000' + key;
    }

    /**
     * The partition of the source topic that holds {@code key} (Kafka's default partitioner: murmur2 of the key's UTF-8
     * bytes), hence the task whose store holds its latest state.
     */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The resource's catalog entry, or empty. */
    public Optional<CatalogEntry> entry(String resource) {
        return Optional.ofNullable(reader().entry(resource));
    }

    /** Every grant of the resource, whatever its status. */
    public List<Grant> grantsOf(String resource) {
        return reader().grantsOf(resource);
    }

    /**
     * Which instance of the router holds the key's latest state (its active host); {@link KeyQueryMetadata#NOT_AVAILABLE}
     * while the router is (re)balancing, null when the store is unknown to it.
     */
    public KeyQueryMetadata owner(CatalogEntry entry, String key) {
        String sourceKey = key;
        StreamPartitioner<String, Void> bySourceKey = (topic, k, v, partitions) ->
                Optional.of(Set.of(partitionOf(sourceKey, partitions)));
        return streams.queryMetadataForKey(SharingRouterApp.LATEST_STORE, storeKey(entry, key), bySourceKey);
    }

    /**
     * The key's current record as published (decoded with its writer schema) from this instance's stores, or empty when
     * the key has no current record here (never published, deleted, or its resource has no grant yet). The router keeps
     * the value of resources with a SERVICE or BOTH grant; for a key whose state is only a position record (written
     * before such a grant appeared, until the grant's backfill has filled the values in), the record is read from the
     * source topic at the stored offset.
     *
     * @throws InvalidStateStoreException while the store cannot be queried (rebalancing, restoring, stopped), or
     *                                    {@link LatestUnavailableException} while the record cannot be read from the
     *                                    source topic
     */
    public Optional<GenericRecord> latest(CatalogEntry entry, String key) {
        ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters.fromNameAndType(
                SharingRouterApp.LATEST_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        byte[] bytes = store.get(storeKey(entry, key));
        if (bytes == null) {
            return Optional.empty();
        }
        StoredRecord stored = StoredRecord.decode(bytes);
        if (stored.isDeleted()) {
            return Optional.empty();
        }
        String topic = Topics.source(entry.getProvider(), entry.getCode());
        byte[] value = stored.valueKept() ? stored.value() : readSource(topic, stored);
        return Optional.of(reader.deserialize(topic, value));
    }

    /** The value of the record at the stored offset of the source topic. */
    private synchronized byte[] readSource(String topic, StoredRecord stored) {
        if (sourceLogs == null) {
            throw new LatestUnavailableException("the router keeps only the position of this key's latest record"
                    + " (offset " + stored.offset() + " of " + topic + ") and these queries have no reader of the source"
                    + " topics");
        }
        if (sourceLog == null) {
            sourceLog = sourceLogs.open();
        }
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = sourceLog.read(topic, stored.partition(), stored.offset(), stored.offset() + 1, 1, SOURCE_READ_WAIT);
        } catch (RuntimeException e) {
            sourceLog.close();          // a fresh reader for the next lookup
            sourceLog = null;
            throw new LatestUnavailableException("the latest record of the key (offset " + stored.offset() + " of "
                    + topic + ") could not be read: " + e.getMessage());
        }
        if (records.isEmpty() || records.get(0).offset() != stored.offset() || records.get(0).value() == null) {
            throw new LatestUnavailableException("the latest record of the key is not at offset " + stored.offset()
                    + " of " + topic + " (partition " + stored.partition() + ") now: the router has not routed a newer"
                    + " one yet, or the read timed out");
        }
        return records.get(0).value();
    }

    /** Closes the reader of the source topics, if one was opened. */
    @Override
    public synchronized void close() {
        if (sourceLog != null) {
            sourceLog.close();
            sourceLog = null;
        }
    }

    /** The record as the grant delivers it (projection, masks, row filter of a push delivery); empty when hidden. */
    public Optional<GenericRecord> project(Grant grant, GenericRecord value) {
        Schema schema = value.getSchema();
        Compiled c = compiled.computeIfAbsent(new CompiledKey(grant, schema), k -> new Compiled(
                GrantProjection.filter(grant.getGrantId(), grant.getRowFilter(), schema),
                GrantProjection.plan(grant, schema)));
        if (compiled.size() > 1_000) {
            compiled.clear();   // grants and schemas change rarely: a bound, not an eviction policy
        }
        return GrantProjection.project(grant, value, c.filter(), c.plan());
    }

    /** A grant's compiled filter and plan for one writer schema; the grant record is compared whole. */
    private record CompiledKey(Grant grant, Schema schema) {
    }

    private record Compiled(Optional<RowFilter> filter, Optional<DeliveryPlan> plan) {
    }

    /**
     * What the grant delivers of the resource's catalogued schema: the delivered fields and those in clear; empty when
     * the grant's plan cannot be built. Independent of any record, so checking a claim against it reveals nothing about
     * whether a key exists.
     */
    public Optional<Delivered> delivered(Grant grant, CatalogEntry entry) {
        Schema catalogued = registry.schemaById(entry.getSchemaId());
        return GrantProjection.plan(grant, catalogued).map(p -> new Delivered(p.appliedMasks().keySet(),
                GrantProjection.clearFields(p)));
    }

    /** The fields a grant delivers, and those of them it delivers in clear. */
    public record Delivered(Set<String> fields, Set<String> clear) {
        public Delivered {
            fields = Set.copyOf(fields);
            clear = Set.copyOf(clear);
        }
    }

    /** The delivery schema the grant's answers have for a writer schema (for readers of the answer). */
    public Optional<Schema> deliverySchema(Grant grant, Schema writer) {
        return GrantProjection.plan(grant, writer).map(DeliveryPlan::deliverySchema);
    }

    private GlobalStores.Reader reader() {
        ReadOnlyKeyValueStore<String, byte[]> catalog = streams.store(StoreQueryParameters.fromNameAndType(
                SharingRouterApp.CATALOG_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        ReadOnlyKeyValueStore<String, byte[]> grants = streams.store(StoreQueryParameters.fromNameAndType(
                SharingRouterApp.GRANTS_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        return new GlobalStores.Reader(catalog, grants, new GlobalStores.GrantsVersion());
    }
}
