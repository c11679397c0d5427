package cn.tianfu.databus.cdc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import cn.tianfu.databus.testkit.SharedBus;

/** Throw-away databases for the CDC tests: an embedded PostgreSQL with logical decoding and a MariaDB with a row binlog. */
final class TestDatabases {

    static final String CDC_USER = "cdc";
    static final String CDC_PASSWORD = "cdc-secret";

    private TestDatabases() {
    }

    /** PostgreSQL with {@code wal_level=logical}, database {@code hukou} and a replication user owning it. */
    static EmbeddedPostgres postgres() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "10")
                .setServerConfig("max_wal_senders", "10")
                .setServerConfig("synchronous_commit", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + CDC_USER + " LOGIN REPLICATION PASSWORD '" + CDC_PASSWORD + "'");
            s.execute("CREATE DATABASE hukou OWNER " + CDC_USER);
        }
        return pg;
    }

    static Connection postgresAsOwner(EmbeddedPostgres pg) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/hukou", CDC_USER, CDC_PASSWORD);
    }

    /** A MariaDB server from the installed binaries, in a temp datadir on a free port, with a binlog and a CDC user. */
    static final class MariaDb implements AutoCloseable {
        final Path dir;
        final int port;
        final Process process;

        private MariaDb(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        static MariaDb start() throws Exception {
            Path dir = Files.createTempDirectory("cdc-mariadb-");
            Path data = dir.resolve("data");
            int port = freePort();
            Process install = new ProcessBuilder("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data,
                    "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
            if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
                throw new IllegalStateException("mariadb-install-db failed: " + Files.readString(dir.resolve("install.log")));
            }
            Process server = new ProcessBuilder("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data,
                    "--user=root", "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                    "--pid-file=" + dir.resolve("mysqld.pid"), "--server-id=1", "--log-bin=" + data.resolve("binlog"),
                    "--binlog-format=ROW", "--binlog-row-image=FULL", "--innodb-buffer-pool-size=64M",
                    "--skip-name-resolve", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            MariaDb db = new MariaDb(dir, port, server);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Connection c = db.root()) {
                    break;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline || !server.isAlive()) {
                        db.close();
                        throw new IllegalStateException("MariaDB did not start: " + Files.readString(dir.resolve("server.log")), e);
                    }
                    Thread.sleep(200);
                }
            }
            try (Connection c = db.root(); Statement s = c.createStatement()) {
                // mariadb-install-db's anonymous users would shadow 'cdc'@'%' for local connections
                for (String anonymous : List.of("''@'localhost'", "''@'127.0.0.1'")) {
                    s.execute("DROP USER IF EXISTS " + anonymous);
                }
                s.execute("CREATE DATABASE registry CHARACTER SET utf8mb4");
                s.execute("CREATE USER '" + CDC_USER + "'@'%' IDENTIFIED BY '" + CDC_PASSWORD + "'");
                s.execute("GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR,"
                        + " LOCK TABLES ON *.* TO '" + CDC_USER + "'@'%'");
                s.execute("FLUSH PRIVILEGES");
            }
            return db;
        }

        Connection root() throws SQLException {
            return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
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
            SharedBus.deleteRecursively(dir);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
