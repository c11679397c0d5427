package cn.tianfu.databus.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import cn.tianfu.databus.DatabusException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Throw-away databases of the CDC scenario, started as the connectors' integration tests start them: an embedded
 * PostgreSQL 16 with logical decoding, and a MariaDB from the installed server binaries with a row binlog. Each has a
 * database {@code hukou} and a user {@code cdc} with the privileges capture needs.
 */
final class CdcDatabases {

    static final String DATABASE = "hukou";
    static final String USER = "cdc";
    static final String PASSWORD = "cdc-bench";

    private CdcDatabases() {
    }

    /** A running database: how to reach it, and how much CPU its server processes have used. */
    interface Db extends AutoCloseable {
        /** {@code postgres} or {@code mariadb}, as a CDC mapping names the kind. */
        String kind();

        int port();

        /** A connection as the CDC user, to database {@link #DATABASE}. */
        Connection connect() throws SQLException;

        /** A connection as the server's superuser. */
        Connection admin() throws SQLException;

        /** CPU time (nanoseconds) of each of the server's processes so far, by process id; empty where it cannot be read. */
        Map<Long, Long> cpuByProcess();

        @Override
        void close();
    }

    /** PostgreSQL 16 with {@code wal_level=logical}, database {@code hukou} owned by the replication user {@code cdc}. */
    static Db postgres() {
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            throw new DatabusException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
        }
        long postmaster;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            try (var rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")) {
                // the checkpointer's parent is the postmaster, whose children are every server process
                postmaster = rs.next() ? ProcessHandle.of(rs.getLong(1)).flatMap(ProcessHandle::parent)
                        .map(ProcessHandle::pid).orElse(-1L) : -1L;
            }
        } catch (SQLException e) {
            close(pg);
            throw new DatabusException("cannot prepare the embedded PostgreSQL: " + e.getMessage(), e);
        }
        return new Db() {
            @Override
            public String kind() {
                return "postgres";
            }

            @Override
            public int port() {
                return pg.getPort();
            }

            @Override
            public Connection connect() throws SQLException {
                return DriverManager.getConnection(url(DATABASE), USER, PASSWORD);
            }

            @Override
            public Connection admin() throws SQLException {
                return DriverManager.getConnection(url(DATABASE), "postgres", "postgres");
            }

            private String url(String database) {
                return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + database + "?reWriteBatchedInserts=true";
            }

            @Override
            public Map<Long, Long> cpuByProcess() {
                return postmaster < 0 ? Map.of() : ProcessHandle.of(postmaster).map(CdcDatabases::treeCpu).orElse(Map.of());
            }

            @Override
            public void close() {
                CdcDatabases.close(pg);
            }
        };
    }

    private static void close(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            // a temporary data directory left behind is harmless
        }
    }

    /** MariaDB from the installed binaries, in a temporary data directory on a free port, with a row binlog. */
    static Db mariadb() {
        Path dir;
        try {
            dir = Files.createTempDirectory("bench-mariadb-");
        } catch (IOException e) {
            throw new DatabusException("cannot create MariaDB's data directory: " + e.getMessage(), e);
        }
        Path data = dir.resolve("data");
        int port = freePort();
        Process server;
        try {
            Process install = new ProcessBuilder("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data,
                    "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
            if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
                throw new DatabusException("mariadb-install-db failed: " + Files.readString(dir.resolve("install.log")));
            }
            server = new ProcessBuilder("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data,
                    "--user=root", "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                    "--pid-file=" + dir.resolve("mysqld.pid"), "--server-id=1", "--log-bin=" + data.resolve("binlog"),
                    "--binlog-format=ROW", "--binlog-row-image=FULL", "--innodb-buffer-pool-size=256M",
                    "--skip-name-resolve", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        } catch (IOException e) {
            BenchBus.deleteRecursively(dir);
            throw new DatabusException("cannot start MariaDB from /usr/bin/mariadb-install-db and"
                    + " /usr/sbin/mariadbd (apt-get install mariadb-server): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while installing MariaDB");
        }
        MariaDb db = new MariaDb(dir, port, server);
        try {
            db.awaitUp();
            try (Connection c = db.admin(); Statement s = c.createStatement()) {
                // mariadb-install-db's anonymous users would shadow 'cdc'@'%' for local connections
                for (String anonymous : List.of("''@'localhost'", "''@'127.0.0.1'")) {
                    s.execute("DROP USER IF EXISTS " + anonymous);
                }
                s.execute("CREATE DATABASE " + DATABASE + " CHARACTER SET utf8mb4");
                s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
                s.execute("GRANT ALL ON " + DATABASE + ".* TO '" + USER + "'@'%'");
                s.execute("GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR,"
                        + " LOCK TABLES ON *.* TO '" + USER + "'@'%'");
                s.execute("FLUSH PRIVILEGES");
            }
            return db;
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw new DatabusException("cannot prepare MariaDB: " + e.getMessage(), e);
        }
    }

    private static final class MariaDb implements Db {
        private final Path dir;
        private final int port;
        private final Process process;

        MariaDb(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        void awaitUp() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Connection c = admin()) {
                    return;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        String log;
                        try {
                            log = Files.readString(dir.resolve("server.log"));
                        } catch (IOException io) {
                            log = "(no server log)";
                        }
                        throw new DatabusException("MariaDB did not start: " + log, e);
                    }
                    BenchBus.sleep(200);
                }
            }
        }

        @Override
        public String kind() {
            return "mariadb";
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE, USER, PASSWORD);
        }

        @Override
        public Connection admin() throws SQLException {
            return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
        }

        @Override
        public Map<Long, Long> cpuByProcess() {
            return treeCpu(process.toHandle());
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            BenchBus.deleteRecursively(dir);
        }
    }

    /** User and system CPU (nanoseconds) of a process and its live descendants, by process id, from {@code /proc}. */
    static Map<Long, Long> treeCpu(ProcessHandle root) {
        Map<Long, Long> out = new HashMap<>();
        for (ProcessHandle p : Stream.concat(Stream.of(root), root.descendants()).toList()) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
                // fields after the command name, which is in parentheses and may contain spaces
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime, stime
                out.put(p.pid(), ticks * (1_000_000_000L / CLOCK_TICKS));
            } catch (IOException | RuntimeException e) {
                // the process has ended, or this is not Linux
            }
        }
        return out;
    }

    /** CPU used between two samples by the processes present in both (a process that ended took its time along); -1 if none. */
    static long cpuBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        boolean any = false;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            Long b = before.get(e.getKey());
            if (b != null) {
                sum += e.getValue() - b;
                any = true;
            }
        }
        return any ? sum : -1;
    }

    /** USER_HZ: 100 on every Linux the benchmark runs on. */
    private static final long CLOCK_TICKS = 100;

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new DatabusException("no free port for MariaDB: " + e.getMessage(), e);
        }
    }
}
