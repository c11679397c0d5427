package cn.tianfu.databus.cdc;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.cdc.internal.DatabaseProbe;
import cn.tianfu.databus.cdc.internal.MappingCheck;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerdeConfig;

/**
 * Everything a runner needs, checked without capturing: the database connection, its logging settings and the CDC
 * user's privileges (PostgreSQL: {@code wal_level}, REPLICATION, SELECT, publication and slot; MySQL/MariaDB: binlog
 * format and row image, REPLICATION grants, SELECT, RELOAD), and the mapping against the catalogued schemas and the
 * tables' columns.
 *
 * <pre>{@code
 * CdcCheck.Report report = CdcCheck.run(mapping, busConfig);
 * report.problems().forEach(System.out::println);
 * }</pre>
 */
public final class CdcCheck {

    /**
     * @param database problems of the database, its settings and the user's privileges
     * @param mapping  problems of the mapping against the catalog and the tables
     */
    public record Report(List<String> database, List<Problem> mapping) {

        public Report {
            database = List.copyOf(database);
            mapping = List.copyOf(mapping);
        }

        public boolean ok() {
            return database.isEmpty() && mapping.isEmpty();
        }

        /** Every problem as one line each. */
        public List<String> problems() {
            List<String> out = new ArrayList<>(database);
            mapping.forEach(p -> out.add("mapping line " + p.line() + (p.path().isEmpty() ? "" : " (" + p.path() + ")")
                    + ": " + p.message()));
            return out;
        }
    }

    private CdcCheck() {
    }

    /** Connects to the database and the bus's registry and checks everything; never captures anything. */
    public static Report run(CdcMapping mapping, DatabusClientConfig bus) {
        List<String> database = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        if (!mapping.department().equals(bus.departmentId())) {
            problems.add(new Problem(0, "department", "the mapping is for " + mapping.department()
                    + " but the bus connection is " + bus.departmentId() + "'s"));
        }
        DatabaseProbe.Result probe = null;
        try {
            probe = DatabaseProbe.probe(mapping, true);
            database.addAll(probe.problems());
        } catch (SQLException e) {
            database.add("cannot connect to " + mapping.database() + ": " + e.getMessage()
                    + " (check host, port, database, user and password)");
        }
        try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient()) {
            problems.addAll(MappingCheck.check(mapping, registry, probe == null ? null : probe.columns()));
        }
        return new Report(database, problems);
    }
}
