package cn.tianfu.databus.cdc.internal;

import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import cn.tianfu.databus.cdc.CdcConfig;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.Database;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.contract.Topics;

/** The Debezium engine configuration of a runner: connector, tables, offsets and schema history on the bus. */
public final class EngineProperties {

    /** Prefix of the engine's heartbeat "topics" (records, never written to Kafka). */
    public static final String HEARTBEAT_PREFIX = "__databus-heartbeat";
    /** The signal channel the runner asks for re-snapshots on ({@link Resnapshot}). */
    public static final String SIGNAL_CHANNEL = "in-process";
    /** The notification channel that tells the runner when a snapshot ended ({@link Resnapshot}). */
    public static final String NOTIFICATION_CHANNEL = "jmx";

    private EngineProperties() {
    }

    /**
     * @param busClient the bus connection's Kafka client settings (bootstrap servers, security), for the offset store
     *                  and schema history
     */
    public static Properties of(CdcMapping mapping, CdcConfig config, Map<String, Object> busClient) {
        Database db = mapping.database();
        Properties p = new Properties();
        p.setProperty("name", mapping.runner());
        p.setProperty("topic.prefix", mapping.runner());
        p.setProperty("connector.class", switch (db.kind()) {
            case POSTGRES -> "io.debezium.connector.postgresql.PostgresConnector";
            case MYSQL -> "io.debezium.connector.mysql.MySqlConnector";
            case MARIADB -> "io.debezium.connector.mariadb.MariaDbConnector";
        });
        p.setProperty("database.hostname", db.host());
        p.setProperty("database.port", Integer.toString(db.port()));
        p.setProperty("database.user", db.user());
        p.setProperty("database.password", db.password().reveal());
        String tables = mapping.tables().stream().map(t -> regex(t.table())).collect(Collectors.joining(","));
        p.setProperty("table.include.list", tables);
        p.setProperty("snapshot.mode", config.snapshotMode());
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("poll.interval.ms", Long.toString(config.pollIntervalMs()));
        p.setProperty("max.batch.size", Integer.toString(config.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(config.maxBatchSize() * 4));
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushIntervalMs()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        if (config.heartbeatIntervalMs() > 0) {
            p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatIntervalMs()));
            p.setProperty("topic.heartbeat.prefix", HEARTBEAT_PREFIX);
        }
        // re-snapshots of a table recovered after a stop: asked in-process, their end told over JMX
        p.setProperty("signal.enabled.channels", SIGNAL_CHANNEL);
        p.setProperty("signal.poll.interval.ms", "1000");
        p.setProperty("notification.enabled.channels", NOTIFICATION_CHANNEL);
        // offsets on the bus, under the department's prefix
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", Topics.cdcOffsets(mapping.department(), mapping.runner()));
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Short.toString(config.topicReplicationFactor()));
        busClient.forEach((k, v) -> {
            if (v != null && (k.equals("bootstrap.servers") || k.startsWith("security.") || k.startsWith("sasl.")
                    || k.startsWith("ssl."))) {
                p.setProperty(k, value(v));
            }
        });
        if (db.kind() == CdcMapping.DatabaseKind.POSTGRES) {
            p.setProperty("database.dbname", db.name());
            p.setProperty("plugin.name", "pgoutput");
            p.setProperty("slot.name", db.slot());
            p.setProperty("publication.name", db.publication());
            p.setProperty("publication.autocreate.mode", "filtered");
            p.setProperty("schema.include.list", mapping.tables().stream().map(t -> regex(t.table().split("\\.")[0]))
                    .distinct().collect(Collectors.joining(",")));
        } else {
            p.setProperty("database.server.id", Long.toString(db.serverId()));
            p.setProperty("database.include.list", regex(db.name()));
            p.setProperty("include.schema.changes", "false");
            p.setProperty("schema.history.internal", "io.debezium.storage.kafka.history.KafkaSchemaHistory");
            p.setProperty("schema.history.internal.kafka.topic", Topics.cdcSchemaHistory(mapping.department(), mapping.runner()));
            p.setProperty("schema.history.internal.kafka.bootstrap.servers", value(busClient.get("bootstrap.servers")));
            p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
            // a restarted runner reads the history back with a consumer group: one the department's ACLs allow
            p.setProperty("schema.history.internal.consumer.group.id",
                    Topics.groupPrefix(mapping.department()) + "cdc." + mapping.runner() + ".schema-history");
            busClient.forEach((k, v) -> {
                if (v != null && (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl."))) {
                    p.setProperty("schema.history.internal.producer." + k, value(v));
                    p.setProperty("schema.history.internal.consumer." + k, value(v));
                }
            });
        }
        return p;
    }

    /** Debezium's include lists are regular expressions: quote the dots of a qualified name. */
    private static String regex(String name) {
        return name.replace(".", "\\.");
    }

    private static String value(Object v) {
        if (v instanceof org.apache.kafka.common.config.types.Password pw) {
            return pw.value();
        }
        if (v instanceof java.util.List<?> l) {
            return l.stream().map(Object::toString).collect(Collectors.joining(","));
        }
        return v.toString();
    }

    /** The tables a mapping names, for messages. */
    public static String tables(CdcMapping mapping) {
        return mapping.tables().stream().map(TableMapping::table).collect(Collectors.joining(", "));
    }
}
