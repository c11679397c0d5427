package cn.tianfu.databus.cdc.connect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMappingException;
import cn.tianfu.databus.cdc.internal.Conversions;
import cn.tianfu.databus.cdc.internal.MappingParser;
import cn.tianfu.databus.cdc.internal.Positions;
import cn.tianfu.databus.cdc.internal.TableBinding;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.contract.Topics;

/**
 * Applies a CDC mapping to Debezium change events on a Kafka Connect cluster, so a department that already runs
 * Connect writes exactly what {@link cn.tianfu.databus.cdc.CdcRunner} writes: topic {@code src.<dept>.<resource>},
 * key the record key as a string, value the resource's record in the bus's wire format (the catalogued schema's id and
 * Avro binary; a tombstone for a delete), headers {@code databus.event-id}, {@code databus.op},
 * {@code databus.source-time} and {@code databus.source-position}.
 *
 * <pre>{@code
 * "transforms": "bus",
 * "transforms.bus.type": "cn.tianfu.databus.cdc.connect.ResourceMappingTransform",
 * "transforms.bus.mapping.file": "/etc/databus/hukou.yaml",
 * "transforms.bus.schema.registry.url": "http://bus-1:8081",
 * "transforms.bus.basic.auth.user.info": "${file:/etc/databus/secrets.properties:registry}",
 * "key.converter": "org.apache.kafka.connect.storage.StringConverter",
 * "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
 * "tombstones.on.delete": "false"
 * }</pre>
 *
 * Events of tables the mapping does not name, Debezium's own tombstones, heartbeats and schema-change events are
 * dropped. A change the mapping and catalogued schema cannot absorb fails the task with the same message the runner
 * gives (Connect then stops the connector at that change).
 */
public class ResourceMappingTransform<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String MAPPING_FILE_CONFIG = "mapping.file";
    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final Logger LOG = LoggerFactory.getLogger(ResourceMappingTransform.class);

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(MAPPING_FILE_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Path of the CDC mapping file (its database section, if any, is not used: the connector has the connection).")
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "URL of the bus's schema registry, where the catalogued schemas of the resources are.")
            .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.HIGH,
                    "HTTP basic credentials for the schema registry as user:password — the department's, as in its"
                    + " client config (the registry of a secured bus answers 401 without them); empty for none. Keep it"
                    + " out of the connector JSON with a config provider, e.g. ${file:/secrets/bus.properties:registry}.");

    private CdcMapping mapping;
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private final Map<String, TableBinding> bindings = new HashMap<>();
    private final Map<String, RegisteredSchema> catalogued = new HashMap<>();

    @Override
    public void configure(Map<String, ?> configs) {
        Map<String, Object> parsed = CONFIG.parse(configs);
        Path file = Path.of((String) parsed.get(MAPPING_FILE_CONFIG));
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(MAPPING_FILE_CONFIG, file.toString(), "cannot read the mapping file: " + e.getMessage());
        }
        Password userInfo = (Password) parsed.get(REGISTRY_USER_INFO_CONFIG);
        Optional<String> credentials = userInfo == null || userInfo.value().isBlank()
                ? Optional.empty() : Optional.of(userInfo.value());
        configure(yaml, file.toString(), HttpSchemaRegistryClient.builder((String) parsed.get(SCHEMA_REGISTRY_URL_CONFIG))
                .basicAuth(credentials).build(), true);
    }

    /** Configures from mapping YAML and a registry client of the caller's (not closed by {@link #close()}). */
    public void configure(String mappingYaml, String sourceName, SchemaRegistryClient registry) {
        configure(mappingYaml, sourceName, registry, false);
    }

    private void configure(String yaml, String source, SchemaRegistryClient registry, boolean owns) {
        try {
            this.mapping = MappingParser.parseTablesOnly(yaml, source);
        } catch (CdcMappingException e) {
            if (owns) {
                registry.close();
            }
            throw new ConfigException(e.getMessage());
        }
        this.registry = registry;
        this.ownsRegistry = owns;
    }

    @Override
    public R apply(R record) {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null
                || envelope.schema().field("source") == null) {
            return null;
        }
        Struct source = envelope.getStruct("source");
        boolean pg = "postgresql".equals(source.getString("connector"));
        String table = (pg ? source.getString("schema") : source.getString("db")) + "." + source.getString("table");
        TableMapping t = mapping.table(table).orElse(null);
        String op = envelope.getString("op");
        if (t == null || "t".equals(op) || "m".equals(op)) {
            return null;
        }
        String topic = Topics.source(mapping.department(), t.resource());
        String position = Positions.of(source);
        Long ts = source.getInt64("ts_ms");
        Instant sourceTime = ts == null ? Instant.now() : Instant.ofEpochMilli(ts);
        Struct before = envelope.schema().field("before") == null ? null : envelope.getStruct("before");
        Struct after = envelope.schema().field("after") == null ? null : envelope.getStruct("after");
        try {
            if ("d".equals(op)) {
                TableBinding b = binding(t, before);
                return record.newRecord(topic, null, Schema.STRING_SCHEMA, b.key(before), Schema.OPTIONAL_BYTES_SCHEMA, null,
                        record.timestamp(), headers(record, EventHeaders.OP_DELETE, sourceTime, position));
            }
            TableBinding b = binding(t, after);
            GenericRecord value = b.toRecord(after);
            RegisteredSchema schema = catalogued.get(t.table());
            return record.newRecord(topic, null, Schema.STRING_SCHEMA, b.key(after), Schema.OPTIONAL_BYTES_SCHEMA,
                    encode(schema.id(), value), record.timestamp(), headers(record, EventHeaders.OP_UPSERT, sourceTime, position));
        } catch (TableBinding.IncompatibleChangeException | Conversions.ConversionException e) {
            throw new DataException("a change of " + table + " at " + position + " cannot become a record of "
                    + t.resource() + ": " + e.getMessage());
        }
    }

    private static Headers headers(ConnectRecord<?> record, String op, Instant sourceTime, String position) {
        Headers h = new ConnectHeaders();
        record.headers().forEach(h::add);
        h.addString(EventHeaders.EVENT_ID, UUID.randomUUID().toString());
        h.addString(EventHeaders.OP, op);
        h.addString(EventHeaders.SOURCE_TIME, Long.toString(sourceTime.toEpochMilli()));
        h.addString(EventHeaders.SOURCE_POSITION, position);
        return h;
    }

    private TableBinding binding(TableMapping t, Struct row) {
        if (row == null) {
            throw new Conversions.ConversionException("the change carries no row image; set REPLICA IDENTITY FULL"
                    + " (PostgreSQL) or binlog_row_image=FULL (MySQL/MariaDB)");
        }
        TableBinding b = bindings.get(t.table());
        if (b != null && b.fits(row.schema(), b.schema())) {
            return b;
        }
        RegisteredSchema latest = registry.latest(Topics.source(mapping.department(), t.resource()) + "-value");
        b = TableBinding.bind(t, latest.schema(), mapping.timeZone(), row.schema());
        if (!b.ignoredColumns().isEmpty()) {
            LOG.warn("Columns {} of {} are neither mapped nor in resource {}: left out (unmappedColumns: ignore)",
                    b.ignoredColumns(), t.table(), t.resource());
        }
        bindings.put(t.table(), b);
        catalogued.put(t.table(), latest);
        return b;
    }

    private static byte[] encode(int id, GenericRecord value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(0);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(value.getSchema()).write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new DataException("the record does not fit its schema: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The mapping in use. */
    public CdcMapping mapping() {
        return mapping;
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void close() {
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }

}
