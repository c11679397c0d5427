package cn.tianfu.databus.cdc.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMappingException;
import cn.tianfu.databus.cdc.internal.ChangeEvent;
import cn.tianfu.databus.cdc.internal.Conversions;
import cn.tianfu.databus.cdc.internal.MappingParser;
import cn.tianfu.databus.cdc.internal.TableBinding;
import cn.tianfu.databus.cdc.internal.TableBindings;
import cn.tianfu.databus.contract.SourceEvent;
import cn.tianfu.databus.contract.SourceEvents;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.contract.Topics;

/**
 * Applies a CDC mapping to Debezium change events on a Kafka Connect cluster, so a department that already runs
 * Connect writes exactly what {@link cn.tianfu.databus.cdc.CdcRunner} writes: topic {@code src.<dept>.<resource>},
 * key the record key as a string, value the resource's record in the bus's wire format (the catalogued schema's id and
 * Avro binary; a tombstone for a delete), headers {@code databus.event-id}, {@code databus.op},
 * {@code databus.source-time} and {@code databus.source-position} — framed and chosen by the bus's one source-event
 * codec ({@link SourceEvents}), with the runner's table bindings ({@link TableBindings}).
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
    private final SourceEvents codec = new SourceEvents();
    private TableBindings bindings;

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
        this.bindings = new TableBindings(mapping, registry);
    }

    @Override
    public R apply(R record) {
        ChangeEvent change = ChangeEvent.of(record.value()).orElse(null);
        if (change == null) {
            return null;
        }
        TableMapping t = mapping.table(change.table()).orElse(null);
        if (t == null || change.isTableEvent()) {
            return null;
        }
        String topic = Topics.source(mapping.department(), t.resource());
        String position = change.position();
        Instant sourceTime = change.sourceTime();
        SourceEvent event;
        try {
            if (change.isDelete()) {
                TableBindings.Bound b = bindings.bind(t, change.before());
                event = SourceEvents.delete(b.binding().key(change.before()), sourceTime, position);
            } else {
                TableBindings.Bound b = bindings.bind(t, change.after());
                event = codec.upsert(b.binding().key(change.after()), b.catalogued().id(), b.binding().toRecord(change.after()),
                        sourceTime, position);
            }
        } catch (TableBinding.IncompatibleChangeException | Conversions.ConversionException e) {
            throw new DataException("a change of " + change.table() + " at " + position + " cannot become a record of "
                    + t.resource() + ": " + e.getMessage());
        } catch (SourceEvents.UnencodableRecordException e) {
            throw new DataException("the record does not fit its schema: " + e.getCause().getMessage(), e.getCause());
        }
        return record.newRecord(topic, null, Schema.STRING_SCHEMA, event.key(), Schema.OPTIONAL_BYTES_SCHEMA, event.value(),
                record.timestamp(), headers(record, event));
    }

    /** The record's own headers, then the source event's. */
    private static Headers headers(ConnectRecord<?> record, SourceEvent event) {
        Headers h = new ConnectHeaders();
        record.headers().forEach(h::add);
        for (SourceEvent.Header header : event.headers()) {
            h.addString(header.name(), header.value());
        }
        return h;
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
