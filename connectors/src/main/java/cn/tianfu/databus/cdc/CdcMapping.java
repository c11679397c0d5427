package cn.tianfu.databus.cdc;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import cn.tianfu.databus.cdc.internal.MappingParser;

/**
 * How a department database feeds the bus: the connection, the department, the runner's name and, per table, the
 * resource it feeds and how its columns become the resource's fields. Read from a YAML file:
 *
 * <pre>{@code
 * department: psb
 * runner: hukou-db
 * database:
 *   kind: postgres                      # postgres | mysql | mariadb
 *   host: db.psb.internal
 *   port: 5432
 *   database: hukou
 *   user: databus_cdc
 *   password: ${env:PSB_CDC_PASSWORD}   # or ${file:/run/secrets/cdc}; never printed
 * timeZone: Asia/Shanghai               # for timestamp columns without a zone
 * tables:
 *   - table: public.resident
 *     resource: 10101-000001
 *     key: [id_number]
 *     columns:
 *       id_number: idNumber
 *       full_name: name
 *       registered_at: {field: updatedAt, type: timestamp}
 *     exclude: [internal_note]
 *     unmappedColumns: fail             # default; 'ignore' drops new columns with a warning
 * }</pre>
 *
 * A column whose name equals a field of the resource maps to it without being listed.
 */
public record CdcMapping(String source, String department, String runner, Database database, ZoneId timeZone,
                         List<TableMapping> tables) {

    public CdcMapping {
        tables = List.copyOf(tables);
    }

    /**
     * Reads and validates a mapping file.
     *
     * @throws CdcMappingException listing every problem, each with its line
     */
    public static CdcMapping parse(Path file) {
        return MappingParser.parse(file);
    }

    /** Reads and validates mapping YAML; {@code sourceName} names it in problems. */
    public static CdcMapping parse(String yaml, String sourceName) {
        return MappingParser.parse(yaml, sourceName);
    }

    /** The mapping of a table, by its qualified name ({@code schema.table} or {@code database.table}). */
    public Optional<TableMapping> table(String qualifiedName) {
        return tables.stream().filter(t -> t.table().equals(qualifiedName)).findFirst();
    }

    /** The database systems a runner captures. */
    public enum DatabaseKind {
        /** PostgreSQL 10+ with logical decoding ({@code pgoutput}). */
        POSTGRES(5432),
        /** MySQL 8+ with a row-based binlog (same code path as MariaDB). */
        MYSQL(3306),
        /** MariaDB 10.6+ with a row-based binlog. */
        MARIADB(3306);

        private final int defaultPort;

        DatabaseKind(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public int defaultPort() {
            return defaultPort;
        }

        /** Whether the database logs changes in a binlog (MySQL, MariaDB). */
        public boolean binlog() {
            return this != POSTGRES;
        }
    }

    /**
     * The connection to the department database.
     *
     * @param slot        PostgreSQL replication slot (default {@code databus_<runner>})
     * @param publication PostgreSQL publication (default {@code databus_<runner>}); created for the mapped tables when
     *                    missing
     * @param serverId    MySQL/MariaDB replica server id of the runner (default derived from the runner's name)
     */
    public record Database(DatabaseKind kind, String host, int port, String name, String user, Secret password,
                           String slot, String publication, long serverId) {

        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + "://" + user + "@" + host + ":" + port + "/" + name;
        }
    }

    /** What to do with a column that is neither mapped nor excluded (e.g. added to the table later). */
    public enum UnmappedColumns {
        /** Stop the stream with a clear error and a dead letter {@code INCOMPATIBLE_SCHEMA_CHANGE}. */
        FAIL,
        /** Leave the column out, with a warning once per column. */
        IGNORE
    }

    /**
     * One table feeding one resource.
     *
     * @param table       {@code schema.table} (PostgreSQL) or {@code database.table} (MySQL/MariaDB)
     * @param resource    the resource code it feeds ({@code src.<dept>.<resource>})
     * @param keyColumns  the columns whose values form the record key, in the order of the resource's key fields
     * @param columns     explicit column → field mappings
     * @param excluded    columns left out on purpose
     * @param line        where the table's mapping starts in the file (for messages)
     */
    public record TableMapping(String table, String resource, List<String> keyColumns, Map<String, ColumnMapping> columns,
                               Set<String> excluded, UnmappedColumns unmappedColumns, int line) {

        public TableMapping {
            keyColumns = List.copyOf(keyColumns);
            columns = Map.copyOf(columns);
            excluded = Set.copyOf(excluded);
        }
    }

    /**
     * A column mapped to a field, with an optional declared conversion (checked against the field's Avro type).
     *
     * @param line where the mapping is in the file
     */
    public record ColumnMapping(String column, String field, Optional<FieldType> type, int line) {
    }

    /** The Avro types a column can be converted to. */
    public enum FieldType {
        /** Avro {@code string}. */
        TEXT,
        /** Avro {@code int} (no logical type). */
        INT,
        /** Avro {@code long} (no logical type). */
        LONG,
        /** Avro {@code double} or {@code float}. */
        DOUBLE,
        /** Avro {@code bytes} with the {@code decimal} logical type, at the field's precision and scale. */
        DECIMAL,
        /** Avro {@code int} with the {@code date} logical type. */
        DATE,
        /** Avro {@code long} with {@code timestamp-millis} or {@code timestamp-micros}: an instant (zone applied). */
        TIMESTAMP,
        /** Avro {@code boolean}. */
        BOOLEAN
    }

    /** A password from the mapping: literal, {@code ${env:VAR}} or {@code ${file:/path}}; never printed. */
    public static final class Secret {
        private final String value;
        private final String reference;

        public Secret(String value, String reference) {
            this.value = value;
            this.reference = reference;
        }

        /** The password itself, for the database driver only. */
        public String reveal() {
            return value;
        }

        /** Where it came from: {@code env:VAR}, {@code file:/path} or {@code literal}. */
        public String reference() {
            return reference;
        }

        @Override
        public String toString() {
            return "******(" + reference + ")";
        }
    }
}
