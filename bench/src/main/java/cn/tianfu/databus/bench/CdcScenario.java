package cn.tianfu.databus.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.connect.source.SourceRecord;
import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.cdc.CdcConfig;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcRunner;
import cn.tianfu.databus.cdc.CdcEngines;
import io.debezium.embedded.Connect;
import io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * CDC into the bus beside a bare Debezium engine, on PostgreSQL and on MariaDB, in the same run and on the same
 * database. Each repetition, for each database, runs on a fresh table of the benchmark's population rows (one row per
 * household-register change, the same records as the other scenarios):
 *
 * <ul>
 *   <li><b>cdc</b>: the bus's {@link CdcRunner} with a mapping of the table to a freshly catalogued resource, publishing
 *       into {@code src.<dept>.<resource>}; arrivals counted by a plain consumer of that topic (read_committed).</li>
 *   <li><b>cdc-bare</b>: a Debezium engine with the runner's own engine properties ({@link CdcEngines#engineProperties}: same
 *       connector, poll interval, batch and queue sizes, offsets on the bus) whose handler only counts the table's
 *       change events and marks them processed.</li>
 * </ul>
 *
 * The table holds {@code warmupRecords} rows before the engine starts; their snapshot gives the snapshot rate (from the
 * engine's start, so it includes connecting). Once the snapshot has arrived and the engine streams, as many rows again
 * are inserted and awaited (the streaming path warmed up), then {@code records} rows are inserted as one JDBC batch in
 * one transaction; the rate is rows ÷ (last arrival − the commit's return). CPU per row is this process's (engine, runner, broker, router, consumer), also split by
 * component ({@link ThreadCpu}), and, separately, the database server's processes', over the same window. Within a repetition the order alternates (cdc first, then bare
 * first), and after a cdc run the sharing router is let catch up with the source topic before the next run starts. A
 * third variant runs the cdc path with the router paused over the measured window, to tell the runner's and the
 * broker's share from the router's (which reads every source topic, granted or not).
 */
final class CdcScenario {

    static final String CDC_DESCRIPTION = "table inserts -> Debezium -> CdcRunner (mapping, schema check, Publisher) -> "
            + "src.<dept>.<resource>; counted by a plain consumer (read_committed)";
    /** Variant suffix of the runs with the sharing router paused during the measured window. */
    static final String PAUSED = ", router paused";
    static final String PAUSED_DESCRIPTION = "as cdc, with the sharing router paused from the measured commit to the "
            + "last arrival: the runner and the broker alone";
    /** Variant suffix of the runs fed by many small transactions at a fixed rate. */
    static final String PACED = ", paced";
    static final String PACED_DESCRIPTION = "as cdc, fed by many small transactions at a fixed rate (cdc.paced.rate rows/s,"
            + " cdc.paced.transaction rows each) instead of one big one; CPU per row without the inserting thread's";
    static final String BARE_PACED_DESCRIPTION = "as cdc-bare, fed by the same paced small transactions";
    static final String BARE_DESCRIPTION = "table inserts -> Debezium engine with the runner's engine properties; the "
            + "handler only counts the change events";

    private static final String SCHEMA_POSTGRES = "public";
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final int INSERT_BATCH = 1_000;

    /** A column of the benchmark table, the resource field it feeds and its type in each database. */
    private record Column(String name, String field, String postgres, String mariadb, String declared) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("change_seq", "changeSeq", "bigint PRIMARY KEY", "bigint PRIMARY KEY", null),
            new Column("id_number", "idNumber", "varchar(18) NOT NULL", "varchar(18) NOT NULL", null),
            new Column("full_name", "name", "varchar(64) NOT NULL", "varchar(64) NOT NULL", null),
            new Column("former_name", "formerName", "varchar(64)", "varchar(64)", null),
            new Column("mobile", "mobile", "varchar(20)", "varchar(20)", null),
            new Column("gender", "gender", "varchar(2)", "varchar(2)", null),
            new Column("ethnicity", "ethnicity", "varchar(16)", "varchar(16)", null),
            new Column("birth_date", "birthDate", "date", "date", "date"),
            new Column("marital_status", "maritalStatus", "varchar(8)", "varchar(8)", null),
            new Column("education", "education", "varchar(16)", "varchar(16)", null),
            new Column("occupation", "occupation", "varchar(32)", "varchar(32)", null),
            new Column("employer", "employer", "varchar(64)", "varchar(64)", null),
            new Column("household_address", "householdAddress", "varchar(200)", "varchar(200)", null),
            new Column("residence_address", "residenceAddress", "varchar(200)", "varchar(200)", null),
            new Column("household_head", "householdHead", "varchar(64)", "varchar(64)", null),
            new Column("relation_to_head", "relationToHead", "varchar(8)", "varchar(8)", null),
            new Column("division_code", "divisionCode", "varchar(6)", "varchar(6)", null),
            new Column("registration_office", "registrationOffice", "varchar(64)", "varchar(64)", null),
            new Column("change_type", "changeType", "varchar(16)", "varchar(16)", null),
            new Column("change_note", "changeNote", "text", "text", null),
            new Column("updated_at", "updatedAt", "timestamptz NOT NULL", "datetime(3) NOT NULL", "timestamp"));

    /**
     * The counting consumer fetches in larger batches than a poll per arriving batch: at a few thousand rows/s its
     * per-poll cost would otherwise be a visible share of the CPU per row, for at most 50 ms later detection.
     */
    private static final Map<String, Object> COUNTING = Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);

    private final BenchBus bus;
    private final BenchConfig config;
    private final RecordPool pool;
    private final Duration timeout;
    private final CdcConfig cdcConfig = CdcConfig.fromMap(Map.of(CdcConfig.TOPIC_REPLICATION_FACTOR_CONFIG, 1));

    CdcScenario(BenchBus bus, BenchConfig config, RecordPool pool) {
        this.bus = bus;
        this.config = config;
        this.pool = pool;
        this.timeout = Duration.ofSeconds(config.timeoutSeconds());
    }

    /**
     * Per repetition, on PostgreSQL and then MariaDB: cdc, cdc with the router paused, and the bare engine. A database
     * that cannot be started is reported as not measured, with the reason.
     */
    List<ScenarioResult> run(PrintStream progress) {
        List<CdcDatabases.Db> dbs = new ArrayList<>();
        List<ScenarioResult> out = new ArrayList<>();
        Map<String, String> missing = new LinkedHashMap<>();
        try {
            for (String kind : List.of("postgres", "mariadb")) {
                try {
                    dbs.add(kind.equals("postgres") ? CdcDatabases.postgres() : CdcDatabases.mariadb());
                } catch (DatabusException e) {
                    missing.put(kind, e.getMessage());
                    progress.printf("  cdc: %s not measured: %s%n", kind, e.getMessage());
                }
            }
            Map<String, List<Map<String, Double>>> cdcRuns = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> pausedRuns = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> bareRuns = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> pacedRuns = new LinkedHashMap<>();
            Map<String, List<Map<String, Double>>> barePacedRuns = new LinkedHashMap<>();
            boolean paced = config.cdcPacedRate() > 0;
            for (int rep = 0; rep < config.repeats(); rep++) {
                progress.printf("  cdc repetition %d of %d%n", rep + 1, config.repeats());
                for (CdcDatabases.Db db : dbs) {
                    List<Map<String, Double>> cdc = cdcRuns.computeIfAbsent(db.kind(), k -> new ArrayList<>());
                    List<Map<String, Double>> bare = bareRuns.computeIfAbsent(db.kind(), k -> new ArrayList<>());
                    List<Map<String, Double>> paused = pausedRuns.computeIfAbsent(db.kind(), k -> new ArrayList<>());
                    List<Map<String, Double>> pacedCdc = pacedRuns.computeIfAbsent(db.kind(), k -> new ArrayList<>());
                    List<Map<String, Double>> pacedBare = barePacedRuns.computeIfAbsent(db.kind(), k -> new ArrayList<>());
                    if (rep % 2 == 0) {
                        cdc.add(logged(progress, "cdc " + db.kind(), () -> runnerRun(db, false, false)));
                        paused.add(logged(progress, "cdc " + db.kind() + PAUSED, () -> runnerRun(db, true, false)));
                        bare.add(logged(progress, "cdc-bare " + db.kind(), () -> bareRun(db, false)));
                        if (paced) {
                            pacedCdc.add(logged(progress, "cdc " + db.kind() + PACED, () -> runnerRun(db, false, true)));
                            pacedBare.add(logged(progress, "cdc-bare " + db.kind() + PACED, () -> bareRun(db, true)));
                        }
                    } else {
                        if (paced) {
                            pacedBare.add(logged(progress, "cdc-bare " + db.kind() + PACED, () -> bareRun(db, true)));
                            pacedCdc.add(logged(progress, "cdc " + db.kind() + PACED, () -> runnerRun(db, false, true)));
                        }
                        bare.add(logged(progress, "cdc-bare " + db.kind(), () -> bareRun(db, false)));
                        paused.add(logged(progress, "cdc " + db.kind() + PAUSED, () -> runnerRun(db, true, false)));
                        cdc.add(logged(progress, "cdc " + db.kind(), () -> runnerRun(db, false, false)));
                    }
                }
            }
            for (String kind : List.of("postgres", "mariadb")) {
                if (missing.containsKey(kind)) {
                    out.add(ScenarioResult.notMeasured("cdc", kind, CDC_DESCRIPTION, missing.get(kind)));
                    out.add(ScenarioResult.notMeasured("cdc", kind + PAUSED, PAUSED_DESCRIPTION, missing.get(kind)));
                    out.add(ScenarioResult.notMeasured("cdc-bare", kind, BARE_DESCRIPTION, missing.get(kind)));
                    if (paced) {
                        out.add(ScenarioResult.notMeasured("cdc", kind + PACED, PACED_DESCRIPTION, missing.get(kind)));
                        out.add(ScenarioResult.notMeasured("cdc-bare", kind + PACED, BARE_PACED_DESCRIPTION, missing.get(kind)));
                    }
                } else {
                    out.add(ScenarioResult.of("cdc", kind, CDC_DESCRIPTION, cdcRuns.get(kind)));
                    out.add(ScenarioResult.of("cdc", kind + PAUSED, PAUSED_DESCRIPTION, pausedRuns.get(kind)));
                    out.add(ScenarioResult.of("cdc-bare", kind, BARE_DESCRIPTION, bareRuns.get(kind)));
                    if (paced) {
                        out.add(ScenarioResult.of("cdc", kind + PACED, PACED_DESCRIPTION, pacedRuns.get(kind)));
                        out.add(ScenarioResult.of("cdc-bare", kind + PACED, BARE_PACED_DESCRIPTION, barePacedRuns.get(kind)));
                    }
                }
            }
            return out;
        } finally {
            dbs.forEach(CdcDatabases.Db::close);
        }
    }

    private static Map<String, Double> logged(PrintStream progress, String name,
                                              java.util.function.Supplier<Map<String, Double>> run) {
        Map<String, Double> m = Repetitions.once(name, run);
        progress.printf("    %-28s %s rows/s, %s µs CPU per row%n", name, BenchReport.fmt(m.get("recordsPerSec")),
                BenchReport.fmt(m.getOrDefault("cpuMicrosPerRow", Double.NaN)));
        return m;
    }

    /** The bus's CDC runner: snapshot of the warm-up rows, then the measured inserts, counted on the source topic. */
    private Map<String, Double> runnerRun(CdcDatabases.Db db, boolean pauseRouter, boolean paced) {
        BenchBus.Resource resource = bus.newResource();
        int id = bus.nextId();
        String table = "population_" + id;
        int w = config.warmupRecords();
        int n = paced ? pacedRows() : config.records();
        createTable(db, table);
        insert(db, table, 0, w);
        CdcMapping mapping = mapping(db, resource.provider(), "bench-cdc-" + id, table, resource.code());
        Receipts receipts = new Receipts();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-count-" + id));
        CdcRunner runner = CdcRunner.create(mapping, bus.department(resource.provider()), cdcConfig);
        try {
            thread.submit(() -> bus.count(List.of(resource.sourceTopic()), "bench-cdc-" + id, COUNTING, receipts, stop));
            long started = System.nanoTime();
            runner.start();
            receipts.await(w, timeout, "cdc snapshot (" + db.kind() + ")");
            long snapshotDone = receipts.lastNanos();
            if (!runner.awaitStreaming(timeout)) {
                throw new DatabusException("the CDC runner did not stream: " + runner.status().line());
            }
            insert(db, table, w, w);
            receipts.await(2L * w, timeout, "cdc streamed warm-up (" + db.kind() + ")");
            if (pauseRouter) {
                bus.pauseRouter(true);
            }
            Window window;
            long last;
            ThreadCpu.Sample cpu1;
            Map<Long, Long> db1;
            try {
                Paced inserts = paced ? insertPaced(db, table, 2 * w, n, id) : null;
                window = paced ? inserts.window() : insertMeasured(db, table, 2 * w, n);
                receipts.await(2L * w + n, timeout, "cdc (" + db.kind() + ")");
                last = receipts.lastNanos();
                cpu1 = ThreadCpu.sample();
                db1 = db.cpuByProcess();
                if (paced) {
                    window = inserts.finished(window);
                }
            } finally {
                if (pauseRouter) {
                    bus.pauseRouter(false);
                }
            }
            Map<String, Double> m = metrics(n, window, last, cpu1, db1, w, snapshotDone - started);
            // the router reads every source topic: let it finish this one before the next run is measured
            long routed = Receipts.awaitValue(() -> bus.routerConsumed(resource.sourceTopic()), 2L * w + n, timeout,
                    "router on " + resource.sourceTopic());
            m.put("routerDoneSeconds", (routed - window.committed) / 1e9);
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted");
        } finally {
            runner.close();
            stop.set(true);
            ThroughputScenarios.shutdown(thread);
            dropCapture(db, mapping, table);
        }
    }

    /** A bare Debezium engine on the same database, the runner's engine properties, a handler that only counts. */
    private Map<String, Double> bareRun(CdcDatabases.Db db, boolean paced) {
        int id = bus.nextId();
        String table = "population_" + id;
        int w = config.warmupRecords();
        int n = paced ? pacedRows() : config.records();
        createTable(db, table);
        insert(db, table, 0, w);
        String department = "bd" + id;
        String name = "bench-bare-" + id;
        CdcMapping mapping = mapping(db, department, name, table, "10101-" + id);
        Properties props = CdcEngines.engineProperties(mapping, cdcConfig, bus.department(department).kafkaProperties());
        String suffix = "." + table;
        Receipts receipts = new Receipts();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = new ConvertingAsyncEngineBuilderFactory()
                .builder(ChangeEventFormat.of(Connect.class))
                .using(props)
                .using((success, message, error) -> {
                    if (!success) {
                        receipts.failed(new DatabusException("the bare engine stopped: " + message, error));
                    }
                })
                .notifying((events, committer) -> {
                    int changes = 0;
                    for (RecordChangeEvent<SourceRecord> e : events) {
                        if (e.record().topic() != null && e.record().topic().endsWith(suffix)) {
                            changes++;
                        }
                        committer.markProcessed(e);
                    }
                    committer.markBatchFinished();
                    if (changes > 0) {
                        receipts.received(changes);
                    }
                })
                .build();
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-bare-engine-" + id));
        try {
            long started = System.nanoTime();
            thread.execute(engine);
            receipts.await(w, timeout, "bare engine snapshot (" + db.kind() + ")");
            long snapshotDone = receipts.lastNanos();
            Receipts.awaitValue(() -> CdcEngines.streaming(name) ? 1 : 0, 1, timeout, "bare engine streaming (" + db.kind() + ")");
            insert(db, table, w, w);
            receipts.await(2L * w, timeout, "bare engine streamed warm-up (" + db.kind() + ")");
            Paced inserts = paced ? insertPaced(db, table, 2 * w, n, id) : null;
            Window window = paced ? inserts.window() : insertMeasured(db, table, 2 * w, n);
            receipts.await(2L * w + n, timeout, "bare engine (" + db.kind() + ")");
            long last = receipts.lastNanos();
            ThreadCpu.Sample cpu1 = ThreadCpu.sample();
            Map<Long, Long> db1 = db.cpuByProcess();
            if (paced) {
                window = inserts.finished(window);
            }
            return metrics(n, window, last, cpu1, db1, w, snapshotDone - started);
        } finally {
            try {
                engine.close();
            } catch (java.io.IOException e) {
                System.err.println("  cdc-bare: closing the engine failed: " + e);
            }
            ThroughputScenarios.shutdown(thread);
            dropCapture(db, mapping, table);
        }
    }

    /**
     * The measured inserts' commit: when it returned, with this process's and the database's CPU at that moment. For
     * paced inserts, {@code committed} is when the first transaction began and {@code lastCommitted} when the last
     * one's commit returned (for one big transaction both are its commit's return).
     */
    private record Window(long committed, double insertSeconds, ThreadCpu.Sample cpu, Map<Long, Long> dbCpu, long lastCommitted,
                          boolean paced) {
    }

    private int pacedRows() {
        return Math.max(1, config.cdcPacedRate() * config.cdcPacedSeconds());
    }

    /** Paced inserts running on their own thread ({@code bench-paced-insert-<id>}, counted apart as {@code insert}). */
    private record Paced(Window window, java.util.concurrent.Future<Long> lastCommit, ExecutorService thread) {

        /** The window once every transaction is committed (they are, when their rows have all arrived). */
        Window finished(Window w) {
            try {
                long lastCommitted = lastCommit.get(60, java.util.concurrent.TimeUnit.SECONDS);
                return new Window(w.committed(), (lastCommitted - w.committed()) / 1e9, w.cpu(), w.dbCpu(), lastCommitted, true);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new DatabusException("the paced inserts failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabusException("interrupted");
            } finally {
                ThroughputScenarios.shutdown(thread);
            }
        }
    }

    /**
     * Starts inserting rows {@code from} to {@code from + n - 1} as transactions of {@code cdc.paced.transaction} rows,
     * each started on a fixed schedule at {@code cdc.paced.rate} rows/s (a late one starts at once, so the rate is kept
     * on average); the window starts with the first.
     */
    private Paced insertPaced(CdcDatabases.Db db, String table, int from, int n, int id) {
        int tx = config.cdcPacedTransaction();
        long periodNanos = Math.round(tx * 1e9 / config.cdcPacedRate());
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-paced-insert-" + id));
        ThreadCpu.Sample cpu0 = ThreadCpu.sample();
        Map<Long, Long> db0 = db.cpuByProcess();
        long start = System.nanoTime();
        java.util.concurrent.Future<Long> done = thread.submit(() -> {
            long next = start;
            for (int i = from; i < from + n; i += tx) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                insert(db, table, i, Math.min(tx, from + n - i));
                next += periodNanos;
            }
            return System.nanoTime();
        });
        return new Paced(new Window(start, 0, cpu0, db0, start, true), done, thread);
    }

    private Window insertMeasured(CdcDatabases.Db db, String table, int from, int n) {
        long t0 = System.nanoTime();
        insert(db, table, from, n);
        long committed = System.nanoTime();
        return new Window(committed, (committed - t0) / 1e9, ThreadCpu.sample(), db.cpuByProcess(), committed, false);
    }

    private Map<String, Double> metrics(int n, Window window, long last, ThreadCpu.Sample cpu1, Map<Long, Long> db1, int snapshotRows,
                                        long snapshotNanos) {
        double seconds = (last - window.committed) / 1e9;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("records", (double) n);
        m.put("seconds", seconds);
        m.put("recordsPerSec", n / seconds);
        m.put("mbPerSec", n * pool.averageBytes() / seconds / 1e6);
        Map<String, Double> byComponent = ThreadCpu.perUnit(window.cpu, cpu1, n);
        if (window.cpu.processCpu() >= 0 && cpu1.processCpu() >= 0) {
            // paced: the inserting thread runs inside the window; its CPU is the database client's, not the path's
            m.put("cpuMicrosPerRow", (cpu1.processCpu() - window.cpu.processCpu()) / 1e3 / n - byComponent.getOrDefault("insert", 0.0));
        }
        if (window.paced) {
            m.put("pacedRowsPerSec", (double) config.cdcPacedRate());
            m.put("pacedRowsPerTransaction", (double) config.cdcPacedTransaction());
            m.put("lastArrivalAfterLastCommitMs", (last - window.lastCommitted) / 1e6);
        }
        long dbCpu = CdcDatabases.cpuBetween(window.dbCpu, db1);
        if (dbCpu >= 0) {
            m.put("dbCpuMicrosPerRow", dbCpu / 1e3 / n);
        }
        m.put("snapshotRecordsPerSec", snapshotRows / (snapshotNanos / 1e9));
        m.put("insertSeconds", window.insertSeconds);
        byComponent.forEach((component, micros) ->
                m.put("cpuMicrosPerRow[" + component + "]", micros));
        return m;
    }

    // ---- the table ----

    private static String qualified(CdcDatabases.Db db, String table) {
        return (db.kind().equals("postgres") ? SCHEMA_POSTGRES : CdcDatabases.DATABASE) + "." + table;
    }

    private static void createTable(CdcDatabases.Db db, String table) {
        boolean pg = db.kind().equals("postgres");
        String columns = COLUMNS.stream().map(c -> c.name() + " " + (pg ? c.postgres() : c.mariadb()))
                .collect(Collectors.joining(", "));
        String ddl = "CREATE TABLE " + qualified(db, table) + " (" + columns + ")"
                + (pg ? "" : " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(ddl);
        } catch (SQLException e) {
            throw new DatabusException("cannot create " + qualified(db, table) + " in " + db.kind() + ": " + e.getMessage(), e);
        }
    }

    /** Inserts rows {@code from} to {@code from + n - 1} of the record pool in one transaction, as JDBC batches. */
    private void insert(CdcDatabases.Db db, String table, int from, int n) {
        boolean pg = db.kind().equals("postgres");
        String sql = "INSERT INTO " + qualified(db, table) + " (" + COLUMNS.stream().map(Column::name)
                .collect(Collectors.joining(", ")) + ") VALUES (" + COLUMNS.stream().map(c -> "?")
                .collect(Collectors.joining(", ")) + ")";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(false);
            for (int i = from; i < from + n; i++) {
                GenericRecord r = pool.record(i);
                for (int col = 0; col < COLUMNS.size(); col++) {
                    bind(ps, col + 1, COLUMNS.get(col), r.get(COLUMNS.get(col).field()), pg);
                }
                ps.addBatch();
                if ((i - from + 1) % INSERT_BATCH == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
            c.commit();
        } catch (SQLException e) {
            throw new DatabusException("cannot insert into " + qualified(db, table) + ": " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, int index, Column column, Object value, boolean pg) throws SQLException {
        if ("date".equals(column.declared())) {
            if (value == null) {
                ps.setNull(index, Types.DATE);
            } else {
                ps.setObject(index, LocalDate.ofEpochDay(((Number) value).longValue()));
            }
        } else if ("timestamp".equals(column.declared())) {
            Instant t = Instant.ofEpochMilli(((Number) value).longValue());
            ps.setObject(index, pg ? OffsetDateTime.ofInstant(t, ZoneOffset.UTC) : LocalDateTime.ofInstant(t, ZONE));
        } else if (value instanceof Number number) {
            ps.setLong(index, number.longValue());
        } else if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value.toString());
        }
    }

    private static CdcMapping mapping(CdcDatabases.Db db, String department, String runner, String table, String resource) {
        String columns = COLUMNS.stream().map(c -> "      " + c.name() + ": " + (c.declared() == null ? c.field()
                : "{field: " + c.field() + ", type: " + c.declared() + "}")).collect(Collectors.joining("\n"));
        String yaml = """
                department: %s
                runner: %s
                database: {kind: %s, host: %s, port: %d, database: %s, user: %s, password: %s}
                timeZone: %s
                tables:
                  - table: %s
                    resource: %s
                    key: [id_number]
                    columns:
                %s
                """.formatted(department, runner, db.kind(), db.kind().equals("postgres") ? "localhost" : "127.0.0.1",
                db.port(), CdcDatabases.DATABASE, CdcDatabases.USER, CdcDatabases.PASSWORD, ZONE.getId(),
                qualified(db, table), resource, columns);
        return CdcMapping.parse(yaml, runner + ".yaml");
    }

    /** Drops what a run left in the database: its table and, on PostgreSQL, its replication slot and publication. */
    private static void dropCapture(CdcDatabases.Db db, CdcMapping mapping, String table) {
        try (Connection c = db.admin(); Statement s = c.createStatement()) {
            if (db.kind().equals("postgres")) {
                String slot = mapping.database().slot();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                        ps.setString(1, slot);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                break;
                            }
                            if (!rs.getBoolean(1)) {
                                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                                break;
                            }
                        }
                    }
                    BenchBus.sleep(100);
                }
                s.execute("DROP PUBLICATION IF EXISTS " + mapping.database().publication());
            }
            s.execute("DROP TABLE IF EXISTS " + qualified(db, table));
        } catch (SQLException e) {
            System.err.println("  cdc: cleaning up " + qualified(db, table) + " failed: " + e.getMessage());
        }
    }
}
