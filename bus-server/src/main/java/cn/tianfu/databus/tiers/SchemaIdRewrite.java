package cn.tianfu.databus.tiers;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerdeConfig;

/**
 * A MirrorMaker 2 transformation of the district tiers: a record copied from the district cluster carries, in its
 * 5-byte registry header (magic byte 0, 4-byte big-endian schema id), an id of the <em>district's</em> registry. The
 * transformation reads that writer schema from the district registry, registers it in the city registry under the
 * copy's subject ({@code src.<district>.<resource>-value}; the same schema the link registered with the city catalog
 * entry, so normally the city answers with the id it already has) and writes the city's id into the header. The Avro
 * body is copied unchanged; tombstones pass as they are.
 *
 * <p>A value that is not in the registry's framing, or whose schema neither registry answers for, stops the task
 * with the reason ({@link ConnectException}): MirrorMaker then copies nothing further of it, and restarts from its
 * committed progress once the cause is removed. Nothing is copied under a wrong id.
 *
 * <p>Configured with the keys of {@link AvroSerdeConfig} (registry URL, basic credentials, trusted certificates)
 * prefixed {@value #DISTRICT_PREFIX} and {@value #CITY_PREFIX}.
 */
public final class SchemaIdRewrite implements Transformation<SourceRecord> {

    public static final String DISTRICT_PREFIX = "district.";
    public static final String CITY_PREFIX = "city.";
    private static final byte MAGIC = 0;
    private static final int HEADER = 5;

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(DISTRICT_PREFIX + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, Importance.HIGH,
                    "The district bus's registry, where the copied records' schema ids are read.")
            .define(CITY_PREFIX + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, Importance.HIGH,
                    "The city bus's registry, where the writer schemas are registered for the copies (an administrator's credentials).");

    private SchemaRegistryClient district;
    private SchemaRegistryClient city;
    /** (copy subject, district id) -> city id */
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        close();
        district = registry(configs, DISTRICT_PREFIX);
        city = registry(configs, CITY_PREFIX);
    }

    private static SchemaRegistryClient registry(Map<String, ?> configs, String prefix) {
        Map<String, Object> serde = new HashMap<>();
        configs.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                serde.put(k.substring(prefix.length()), v);
            }
        });
        return AvroSerdeConfig.fromMap(serde).registryClient();
    }

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (!(record.value() instanceof byte[] value)) {
            // a tombstone: nothing to rewrite; partitioned by key on the city
            return byKey(record, record.value());
        }
        if (value.length < HEADER || value[0] != MAGIC) {
            throw new ConnectException("record at " + record.sourcePartition() + " " + record.sourceOffset()
                    + " for " + record.topic() + " is not in the registry's framing (magic byte 0 and a 4-byte schema"
                    + " id); not copied");
        }
        int districtId = ByteBuffer.wrap(value, 1, 4).getInt();
        String subject = Subjects.valueSubject(record.topic());
        int cityId = ids.computeIfAbsent(subject + "\u0000" + districtId, k -> cityId(subject, districtId, record));
        byte[] copy = value.clone();
        ByteBuffer.wrap(copy, 1, 4).putInt(cityId);
        return byKey(record, copy);
    }

    /**
     * The record with {@code value} and no partition: the producer spreads the copies over the city topic's partitions
     * by key, as a department's publisher does (the district's delivery topic may have more partitions; see
     * {@link TierTargetAdmin}).
     */
    private static SourceRecord byKey(SourceRecord record, Object value) {
        return record.newRecord(record.topic(), null, record.keySchema(), record.key(), record.valueSchema(), value,
                record.timestamp(), record.headers());
    }

    private int cityId(String subject, int districtId, SourceRecord record) {
        Schema schema;
        try {
            schema = district.schemaById(districtId);
        } catch (RuntimeException e) {
            throw new ConnectException("the district registry does not answer for schema id " + districtId
                    + " of a record for " + record.topic() + ": " + e.getMessage(), e);
        }
        try {
            return city.lookup(subject, schema).map(r -> r.id()).orElseGet(() -> city.register(subject, schema));
        } catch (RuntimeException e) {
            throw new ConnectException("the city registry refused the district's schema id " + districtId + " under "
                    + subject + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void close() {
        if (district != null) {
            district.close();
            district = null;
        }
        if (city != null) {
            city.close();
            city = null;
        }
    }
}
