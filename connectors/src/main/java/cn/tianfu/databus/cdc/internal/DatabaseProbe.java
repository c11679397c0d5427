package cn.tianfu.databus.cdc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.Database;
import cn.tianfu.databus.cdc.CdcMapping.DatabaseKind;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;

/**
 * Asks the department database what capture needs: the mapped tables' columns, and (for {@code databus cdc check})
 * whether logging and the CDC user's privileges allow capture — PostgreSQL: {@code wal_level=logical}, the REPLICATION
 * attribute, SELECT on the tables, the publication (or the right to create it), replica identity; MySQL/MariaDB: binlog
 * on, {@code binlog_format=ROW}, {@code binlog_row_image=FULL}, REPLICATION SLAVE/CLIENT and SELECT.
 */
public final class DatabaseProbe {

    /** What the database told: the columns of each mapped table found, and every problem for capture. */
    public record Result(Map<String, Map<String, Integer>> columns, List<String> problems) {
    }

    private DatabaseProbe() {
    }

    public static String jdbcUrl(Database db) {
        return switch (db.kind()) {
            case POSTGRES -> "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name();
            case MYSQL -> "jdbc:mysql://" + db.host() + ":" + db.port() + "/" + db.name();
            case MARIADB -> "jdbc:mariadb://" + db.host() + ":" + db.port() + "/" + db.name();
        };
    }

    /** Opens a connection as the mapping's user; the password is never part of an error message. */
    public static Connection connect(Database db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        p.setProperty("password", db.password().reveal());
        return DriverManager.getConnection(jdbcUrl(db), p);
    }

    /**
     * Reads the mapped tables' columns; with {@code privileges}, also checks logging and privileges.
     *
     * @throws SQLException when the database cannot be reached or refuses the user
     */
    public static Result probe(CdcMapping mapping, boolean privileges) throws SQLException {
        Database db = mapping.database();
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Integer>> columns = new LinkedHashMap<>();
        try (Connection c = connect(db)) {
            DatabaseMetaData md = c.getMetaData();
            for (TableMapping t : mapping.tables()) {
                String[] parts = t.table().split("\\.");
                Map<String, Integer> cols = new LinkedHashMap<>();
                try (ResultSet rs = db.kind() == DatabaseKind.POSTGRES
                        ? md.getColumns(null, parts[0], parts[1], null)
                        : md.getColumns(parts[0], null, parts[1], null)) {
                    while (rs.next()) {
                        cols.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
                    }
                }
                if (!cols.isEmpty()) {
                    columns.put(t.table(), cols);
                }
            }
            if (privileges) {
                if (db.kind() == DatabaseKind.POSTGRES) {
                    postgres(c, mapping, columns, problems);
                } else {
                    binlog(c, mapping, problems);
                }
            }
        }
        return new Result(columns, problems);
    }

    private static void postgres(Connection c, CdcMapping mapping, Map<String, Map<String, Integer>> columns,
                                 List<String> problems) throws SQLException {
        Database db = mapping.database();
        String walLevel = single(c, "SHOW wal_level");
        if (!"logical".equals(walLevel)) {
            problems.add("wal_level is '" + walLevel + "': set wal_level = logical in postgresql.conf and restart PostgreSQL");
        }
        boolean superuser = false;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next()) {
                superuser = rs.getBoolean(2);
                if (!rs.getBoolean(1) && !superuser) {
                    problems.add("user " + db.user() + " lacks the REPLICATION attribute: ALTER ROLE " + db.user() + " REPLICATION");
                }
            }
        }
        boolean publicationExists;
        List<String> published = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, db.publication());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, db.publication());
            try (ResultSet rs = ps.executeQuery()) {
                publicationExists = rs.next();
            }
        }
        for (TableMapping t : mapping.tables()) {
            if (!columns.containsKey(t.table())) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(current_user, ?, 'SELECT'),"
                    + " c.relreplident, pg_get_userbyid(c.relowner) = current_user"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                String[] parts = t.table().split("\\.");
                ps.setString(1, t.table());
                ps.setString(2, parts[0]);
                ps.setString(3, parts[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (!rs.getBoolean(1)) {
                            problems.add("user " + db.user() + " cannot SELECT from " + t.table() + " (needed for the"
                                    + " initial snapshot): GRANT SELECT ON " + t.table() + " TO " + db.user());
                        }
                        if (!"f".equals(rs.getString(2))) {
                            problems.add("table " + t.table() + " does not log full rows: ALTER TABLE " + t.table()
                                    + " REPLICA IDENTITY FULL (deletes and key changes need the old row's key columns)");
                        }
                        if (!publicationExists && !rs.getBoolean(3) && !superuser) {
                            problems.add("publication " + db.publication() + " does not exist and user " + db.user()
                                    + " does not own " + t.table() + ", so cannot create it: CREATE PUBLICATION "
                                    + db.publication() + " FOR TABLE " + tablesOf(mapping) + " (as the tables' owner)");
                        }
                    }
                }
            }
            if (publicationExists && !published.contains(t.table())) {
                problems.add("publication " + db.publication() + " does not include " + t.table() + ": ALTER PUBLICATION "
                        + db.publication() + " ADD TABLE " + t.table());
            }
        }
        if (!publicationExists) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT has_database_privilege(current_user, current_database(), 'CREATE')")) {
                if (rs.next() && !rs.getBoolean(1) && !superuser) {
                    problems.add("publication " + db.publication() + " does not exist and user " + db.user()
                            + " may not create one in database " + db.name() + ": create it as the tables' owner");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, db.slot());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!"pgoutput".equals(rs.getString(1))) {
                        problems.add("replication slot " + db.slot() + " exists with plugin " + rs.getString(1)
                                + ", not pgoutput: drop it or name another slot");
                    }
                    if (!db.name().equals(rs.getString(2))) {
                        problems.add("replication slot " + db.slot() + " belongs to database " + rs.getString(2)
                                + ": name another slot");
                    }
                } else {
                    String free = single(c, "SELECT current_setting('max_replication_slots')::int - count(*) FROM pg_replication_slots");
                    if (free != null && Integer.parseInt(free) < 1) {
                        problems.add("no free replication slot (max_replication_slots is reached): raise it or drop an unused slot");
                    }
                }
            }
        }
    }

    private static String tablesOf(CdcMapping mapping) {
        return String.join(", ", mapping.tables().stream().map(TableMapping::table).toList());
    }

    private static void binlog(Connection c, CdcMapping mapping, List<String> problems) throws SQLException {
        Database db = mapping.database();
        String logBin = single(c, "SELECT @@GLOBAL.log_bin");
        if (!"1".equals(logBin) && !"ON".equalsIgnoreCase(logBin)) {
            problems.add("the binlog is off: start the server with log_bin (and server_id)");
        }
        String format = single(c, "SELECT @@GLOBAL.binlog_format");
        if (!"ROW".equalsIgnoreCase(format)) {
            problems.add("binlog_format is " + format + ": set binlog_format=ROW");
        }
        String image = single(c, "SELECT @@GLOBAL.binlog_row_image");
        if (!"FULL".equalsIgnoreCase(image)) {
            problems.add("binlog_row_image is " + image + ": set binlog_row_image=FULL");
        }
        List<String> grants = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
            while (rs.next()) {
                grants.add(rs.getString(1).toUpperCase(Locale.ROOT));
            }
        }
        boolean all = grants.stream().anyMatch(g -> g.startsWith("GRANT ALL PRIVILEGES ON *.*"));
        if (!all) {
            String global = grants.stream().filter(g -> g.contains(" ON *.* ")).findFirst().orElse("");
            boolean replica = global.contains("REPLICATION SLAVE") || global.contains("REPLICATION REPLICA");
            boolean client = global.contains("REPLICATION CLIENT") || global.contains("BINLOG MONITOR")
                    || global.contains("SLAVE MONITOR");
            if (!replica) {
                problems.add("user " + db.user() + " lacks REPLICATION SLAVE: GRANT REPLICATION SLAVE ON *.* TO " + db.user());
            }
            if (!client) {
                problems.add("user " + db.user() + " lacks REPLICATION CLIENT (BINLOG MONITOR on MariaDB): GRANT "
                        + (db.kind() == DatabaseKind.MARIADB ? "BINLOG MONITOR" : "REPLICATION CLIENT") + " ON *.* TO " + db.user());
            }
            boolean select = global.contains("SELECT") || grants.stream().anyMatch(g -> g.contains("SELECT")
                    && g.contains(" ON `" + db.name().toUpperCase(Locale.ROOT) + "`.*"));
            if (!select) {
                problems.add("user " + db.user() + " may not SELECT the mapped tables (needed for the initial snapshot):"
                        + " GRANT SELECT ON " + db.name() + ".* TO " + db.user());
            }
            if (!global.contains("RELOAD")) {
                problems.add("user " + db.user() + " lacks RELOAD (the initial snapshot flushes tables): GRANT RELOAD ON *.* TO " + db.user());
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
