package cn.tianfu.databus.quality.app.internal;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.quality.QualityTally;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroWireFormatException;

/**
 * Checks each source record of a catalogued, not retired resource on its provider's topic against the resource's
 * catalogued data items ({@link QualityTally#of}) and forwards what changed in the resource's tally, keyed by resource
 * code: the record's facts less the facts of the value it replaces (kept per record in {@value #FACTS_STORE}); a
 * delete forwards the removed facts negated. A value that cannot be read (not Avro, a schema the registry does not
 * know) counts as an unreadable record. Records the router refuses for their topic (resource not catalogued, not the
 * provider's topic, retired) are left out: the router dead-letters them, once.
 */
public final class RecordChecker implements Processor<byte[], byte[], String, byte[]> {

    /** Per source record ({@code <topic>/<key in base64>}), its last facts (changelogged). */
    public static final String FACTS_STORE = "quality-record-facts";

    private final String catalogStore;
    private final AvroDeserializer<GenericRecord> values;
    private final AvroDeserializer<CatalogEntry> entries;
    private final Map<String, Cached> catalogCache = new HashMap<>();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> facts;
    private ReadOnlyKeyValueStore<String, byte[]> catalog;

    private record Cached(byte[] bytes, CatalogEntry entry) {
    }

    public RecordChecker(SchemaRegistryClient registry, String catalogStore) {
        this.catalogStore = catalogStore;
        this.values = new AvroDeserializer<>(registry);
        this.entries = AvroDeserializer.specific(registry, CatalogEntry.class);
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.facts = context.getStateStore(FACTS_STORE);
        this.catalog = context.getStateStore(catalogStore);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<String> topic = context.recordMetadata().map(RecordMetadata::topic);
        if (topic.isEmpty() || record.key() == null || Topics.isCdcInternal(topic.get())) {
            return;
        }
        Optional<Topics.ResourceTopic> rt = Topics.parseSource(topic.get());
        if (rt.isEmpty()) {
            return;
        }
        CatalogEntry entry = entry(rt.get().resourceCode());
        if (entry == null || entry.getStatus() == ResourceStatus.RETIRED
                || !rt.get().department().equals(entry.getProvider())) {
            return;
        }
        String factsKey = topic.get() + "/" + Base64.getEncoder().encodeToString(record.key());
        byte[] known = facts.get(factsKey);
        QualityTally before = known == null ? QualityTally.EMPTY : QualityTally.fromBytes(known);
        QualityTally after;
        if (record.value() == null) {
            after = QualityTally.EMPTY;
            facts.delete(factsKey);
        } else {
            after = check(topic.get(), record.value(), entry);
            facts.put(factsKey, after.toBytes());
        }
        context.forward(new Record<>(entry.getCode(), after.minus(before).toBytes(), record.timestamp()));
    }

    private QualityTally check(String topic, byte[] value, CatalogEntry entry) {
        Object decoded;
        try {
            decoded = values.deserialize(topic, value);
        } catch (AvroWireFormatException e) {
            return QualityTally.UNREADABLE_RECORD;
        }
        if (!(decoded instanceof GenericRecord g)) {
            return QualityTally.UNREADABLE_RECORD;
        }
        return QualityTally.of(g, entry.getDataItems());
    }

    private CatalogEntry entry(String code) {
        byte[] bytes = catalog.get(code);
        if (bytes == null) {
            catalogCache.remove(code);
            return null;
        }
        Cached cached = catalogCache.get(code);
        if (cached == null || !java.util.Arrays.equals(cached.bytes(), bytes)) {
            try {
                cached = new Cached(bytes, entries.deserialize(Topics.CATALOG, bytes));
            } catch (RuntimeException e) {
                return null;
            }
            catalogCache.put(code, cached);
        }
        return cached.entry();
    }
}
