package cn.tianfu.databus.cdc;

import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.cdc.internal.Conversions;
import cn.tianfu.databus.cdc.internal.DatabaseProbe;
import cn.tianfu.databus.cdc.internal.EngineProperties;
import cn.tianfu.databus.cdc.internal.MappingCheck;
import cn.tianfu.databus.cdc.internal.Positions;
import cn.tianfu.databus.cdc.internal.Resnapshot;
import cn.tianfu.databus.cdc.internal.TableBinding;
import cn.tianfu.databus.cdc.internal.TableStops;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.SchemaMismatchException;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.Topics;
import io.debezium.embedded.Connect;
import io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;

/**
 * Captures a department database's changes with Debezium and publishes them as the catalogued resources, through the
 * same path as the SDK {@link Publisher}: every record is checked against the resource's catalogued schema, and the
 * sharing router applies every rule to it.
 *
 * <pre>{@code
 * CdcMapping mapping = CdcMapping.parse(Path.of("hukou.yaml"));
 * try (CdcRunner runner = CdcRunner.create(mapping, DatabusClientConfig.load(Path.of("psb.properties")), CdcConfig.defaults())) {
 *     runner.start();                          // checks the mapping against the catalog and the tables first
 *     runner.awaitStreaming(Duration.ofMinutes(5));
 *     System.out.println(runner.status().line());
 * }
 * }</pre>
 *
 * <p>PostgreSQL is captured with {@code pgoutput}, MariaDB with Debezium's MariaDB connector, MySQL with its MySQL
 * connector (the same code path as MariaDB). An initial snapshot reads the tables' rows, then changes stream: inserts
 * and updates become {@link Publisher#upsert}, deletes {@link Publisher#delete} (a tombstone), each with the header
 * {@link EventHeaders#SOURCE_POSITION}. Offsets (and the MySQL/MariaDB schema history) are kept on the bus in
 * {@link Topics#cdcOffsets} and {@link Topics#cdcSchemaHistory}, so a restarted runner resumes where it stopped; what
 * it captures again after a hard stop carries the same positions and is dropped by the router.
 *
 * <p>A change of a table's columns that the mapping and the catalogued schema cannot absorb stops <em>that table</em>
 * (an ERROR in the log, {@link CdcStatus.TableState#STOPPED} in {@link #status()}): that change and every later one of
 * the table go to the runner's dead letters, {@link Topics#cdcDeadLetters} ({@code INCOMPATIBLE_SCHEMA_CHANGE}, the change as original value) instead
 * of its source topic, so its history is never published out of order, while the runner's other tables stream on. The
 * stop is recorded in the runner's offsets topic ({@link Topics#cdcOffsets}) before the offsets pass the change, so a restart
 * with the catalog and mapping still not fitting keeps the table stopped; a restart after they are fixed streams it
 * again and re-reads its rows with a blocking snapshot ({@link CdcStatus.TableState#RECOVERING}). Only what concerns
 * every table — the database or the bus lost — stops the whole runner ({@link CdcStatus.State#FAILED}). A value that
 * cannot be converted (e.g. a decimal with more places than the field) goes to the dead letters
 * ({@code PROCESSING_ERROR}) and the stream goes on.
 */
public final class CdcRunner implements AutoCloseable {

    /** The component name on dead letters. */
    public static final String COMPONENT = "cdc-runner";
    private static final Logger LOG = LoggerFactory.getLogger(CdcRunner.class);
    /** A mapping problem's path names its table as {@code tables[i]}. */
    private static final Pattern TABLE_PATH = Pattern.compile("tables\\[(\\d+)]");

    private final CdcMapping mapping;
    private final DatabusClientConfig bus;
    private final CdcConfig config;
    private final AtomicReference<CdcStatus.State> state = new AtomicReference<>(CdcStatus.State.NEW);
    private final AtomicReference<String> error = new AtomicReference<>();
    private final LongAdder rows = new LongAdder();
    private final LongAdder snapshotRows = new LongAdder();
    private final Map<String, LongAdder> perResource = new ConcurrentHashMap<>();
    private final AtomicLong lagMs = new AtomicLong();
    private final AtomicReference<String> lastPosition = new AtomicReference<>();
    private final AtomicReference<Instant> lastChange = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean crash = new AtomicBoolean();
    private final Map<String, TableBinding> bindings = new HashMap<>();
    private final Map<String, Publisher> publishers = new HashMap<>();
    private final Map<String, TableRun> tables = new LinkedHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final String offsetsTopic;
    private final AtomicBoolean resnapshotRequested = new AtomicBoolean();

    private SchemaRegistryClient registry;
    private Producer<String, byte[]> producer;
    private AvroSerializer<DeadLetter> deadLetterWriter;
    private JsonConverter json;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService executor;
    private ScheduledExecutorService recovery;
    private volatile AutoCloseable snapshotListener;

    private CdcRunner(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config) {
        this.mapping = mapping;
        this.bus = bus;
        this.config = config;
        this.offsetsTopic = Topics.cdcOffsets(mapping.department(), mapping.runner());
        for (TableMapping t : mapping.tables()) {
            tables.put(t.table(), new TableRun(t));
        }
    }

    /** A runner of {@code mapping} publishing through {@code bus}; nothing connects before {@link #start()}. */
    public static CdcRunner create(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config) {
        return new CdcRunner(java.util.Objects.requireNonNull(mapping, "mapping"), java.util.Objects.requireNonNull(bus, "bus"),
                java.util.Objects.requireNonNull(config, "config"));
    }

    /**
     * Checks the mapping against the catalog and the database's tables, then starts capturing in the background.
     *
     * <p>A problem of the mapping itself (a field the resource does not have, a declared type that does not fit, the
     * key) refuses the start. So does a table whose columns do not fit, the first time the runner starts. Once the
     * runner has captured, such a table does not hold up the others: if the runner had stopped it and it still does not
     * fit, it stays {@link CdcStatus.TableState#STOPPED}; if it was not stopped, it streams until its first change that
     * does not fit, which stops it; if it was stopped and fits now, it streams and is re-read
     * ({@link CdcStatus.TableState#RECOVERING}).
     *
     * @throws CdcMappingException listing every problem of the mapping; nothing streams
     * @throws CdcException        when the database or the bus cannot be reached
     */
    public synchronized void start() {
        if (!state.compareAndSet(CdcStatus.State.NEW, CdcStatus.State.STARTING)) {
            throw new IllegalStateException("runner " + mapping.runner() + " was already started");
        }
        registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient();
        try {
            Map<String, List<Problem>> unfit = checkMapping();
            TableStops.Ledger ledger = readLedger();
            if (!unfit.isEmpty() && !ledger.captured()) {
                throw new CdcMappingException(mapping.source(), unfit.values().stream().flatMap(List::stream).toList());
            }
            restoreTables(unfit, ledger);
            ensureDeadLetterTopic();
            producer = new KafkaProducer<>(bus.producerProperties(), new StringSerializer(), new ByteArraySerializer());
            deadLetterWriter = new AvroSerializer<>(registry);
            json = new JsonConverter();
            json.configure(Map.of("schemas.enable", false, "converter.type", "value"));
            for (TableMapping t : mapping.tables()) {
                publishers.put(t.table(), Publisher.create(mapping.department(), t.resource(), producer, registry));
            }
            engine = new ConvertingAsyncEngineBuilderFactory().builder(ChangeEventFormat.of(Connect.class))
                    .using(EngineProperties.of(mapping, config, bus.kafkaProperties()))
                    .using(this::completed)
                    .notifying(this::handleBatch)
                    .build();
            executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-" + mapping.runner()));
            executor.execute(engine);
            LOG.info("CDC runner {} started on {} ({})", mapping.runner(), mapping.database(), EngineProperties.tables(mapping));
            if (tables.values().stream().anyMatch(TableRun::recovering)) {
                recovery = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread thread = new Thread(r, "cdc-" + mapping.runner() + "-recovery");
                    thread.setDaemon(true);
                    return thread;
                });
                recovery.scheduleWithFixedDelay(this::requestResnapshot, 500, 500, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            state.set(CdcStatus.State.FAILED);
            error.set(e.getMessage());
            release();
            throw e;
        }
    }

    /**
     * Throws when the mapping has problems of its own; returns, per table, the problems of the tables' current columns
     * against the mapping and the catalogued schema (empty when every table fits).
     */
    private Map<String, List<Problem>> checkMapping() {
        if (!mapping.department().equals(bus.departmentId())) {
            throw new CdcMappingException(mapping.source(), List.of(new Problem(0, "department", "the mapping is for "
                    + mapping.department() + " but the bus connection is " + bus.departmentId()
                    + "'s: a department publishes only its own resources")));
        }
        DatabaseProbe.Result probe;
        try {
            probe = DatabaseProbe.probe(mapping, false);
        } catch (SQLException e) {
            throw new CdcException("cannot read the tables of " + mapping.database() + ": " + e.getMessage()
                    + " (check host, port, database, user and password)", e);
        }
        List<Problem> problems = MappingCheck.check(mapping, registry, probe.columns());
        if (problems.isEmpty()) {
            return Map.of();
        }
        if (!MappingCheck.check(mapping, registry, null).isEmpty()) {
            throw new CdcMappingException(mapping.source(), problems);
        }
        Map<String, List<Problem>> byTable = new LinkedHashMap<>();
        for (Problem p : problems) {
            Matcher m = TABLE_PATH.matcher(p.path());
            int i = m.lookingAt() ? Integer.parseInt(m.group(1)) : -1;
            if (i < 0 || i >= mapping.tables().size()) {
                throw new CdcMappingException(mapping.source(), problems);
            }
            byTable.computeIfAbsent(mapping.tables().get(i).table(), k -> new ArrayList<>()).add(p);
        }
        return byTable;
    }

    /**
     * Creates the runner's dead-letter topic, {@link Topics#cdcDeadLetters}, unless it exists. A department writes no bus
     * topic ({@code bus.deadletter} is the bus's own): its dead letters stay under its prefix, where their topic's name
     * says who wrote them, and {@code databus deadletters} lists them with the bus's.
     */
    private void ensureDeadLetterTopic() {
        String topic = Topics.cdcDeadLetters(mapping.department(), mapping.runner());
        try (Admin admin = Admin.create(bus.kafkaProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, config.topicReplicationFactor()).configs(Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(365).toMillis())))))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new CdcException("cannot create the runner's dead-letter topic " + topic + ": " + e.getCause().getMessage()
                        + " (may " + bus.departmentId() + " create topics under " + Topics.cdcPrefix(mapping.department()) + "?)", e.getCause());
            }
        } catch (TimeoutException e) {
            throw new CdcException("cannot create the runner's dead-letter topic " + topic + ": the bus did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdcException("interrupted while creating " + topic, e);
        }
    }

    private TableStops.Ledger readLedger() {
        try {
            return TableStops.read(bus.kafkaProperties(), offsetsTopic, mapping.runner(), Duration.ofSeconds(30));
        } catch (KafkaException e) {
            throw new CdcException("cannot read the offsets of runner " + mapping.runner() + " in " + offsetsTopic + ": "
                    + e.getMessage() + " (is the bus reachable, and may " + bus.departmentId() + " read its topics?)", e);
        }
    }

    /** Each table's stream as the last run left it, and as its columns fit the mapping and catalog now. */
    private void restoreTables(Map<String, List<Problem>> unfit, TableStops.Ledger ledger) {
        for (TableRun run : tables.values()) {
            String table = run.mapping.table();
            TableStops.Stop stop = ledger.stops().get(table);
            List<Problem> problems = unfit.getOrDefault(table, List.of());
            String now = problems.stream().map(Problem::message).reduce((a, b) -> a + "; " + b).orElse("");
            if (stop != null && !problems.isEmpty()) {
                run.restore(stop, CdcStatus.TableState.STOPPED);
                LOG.error("Table {} of runner {} stays STOPPED (stopped at {}: {}). Its columns still do not fit: {}. Its"
                        + " changes go to {}, the other tables stream; fix the catalogued schema or the mapping and"
                        + " restart the runner", table, mapping.runner(), stop.position(), stop.reason(), now,
                        Topics.cdcDeadLetters(mapping.department(), mapping.runner()));
            } else if (stop != null) {
                run.restore(stop, CdcStatus.TableState.RECOVERING);
                LOG.info("Table {} of runner {} was stopped at {} ({}); it fits the catalog and mapping now: it streams"
                        + " again, and the runner re-reads its rows (a blocking snapshot) to publish what was"
                        + " dead-lettered meanwhile", table, mapping.runner(), stop.position(), stop.reason());
            } else if (!problems.isEmpty()) {
                LOG.warn("The columns of {} no longer fit runner {}'s mapping: {}. Its changes are published up to the"
                        + " first one that does not fit, which stops the table", table, mapping.runner(), now);
            }
        }
    }

    /** Waits until the snapshot is done and the runner streams changes; false on timeout. */
    public boolean awaitStreaming(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            CdcStatus.State s = state.get();
            if (s == CdcStatus.State.FAILED || s == CdcStatus.State.STOPPED) {
                return false;
            }
            if (s == CdcStatus.State.STREAMING || streamingConnected()) {
                state.compareAndSet(CdcStatus.State.STARTING, CdcStatus.State.STREAMING);
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Whether Debezium's streaming metrics for this runner say it is connected to the database's log. */
    private boolean streamingConnected() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : server.queryNames(new ObjectName("debezium.*:type=connector-metrics,context=streaming,*"), null)) {
                if (mapping.runner().equals(name.getKeyProperty("server")) && Boolean.TRUE.equals(server.getAttribute(name, "Connected"))) {
                    return true;
                }
            }
        } catch (Exception e) {
            LOG.debug("Cannot read the streaming metrics of {}", mapping.runner(), e);
        }
        return false;
    }

    /** Blocks until the runner has stopped (closed or failed). */
    public void awaitStopped() throws InterruptedException {
        try {
            stopped.get();
        } catch (ExecutionException e) {
            // the status carries the error
        }
    }

    /** The runner's progress now. */
    public CdcStatus status() {
        CdcStatus.State s = state.get();
        if (s == CdcStatus.State.STARTING && streamingConnected()) {
            state.compareAndSet(CdcStatus.State.STARTING, CdcStatus.State.STREAMING);
            s = state.get();
        }
        Map<String, Long> counts = new HashMap<>();
        perResource.forEach((k, v) -> counts.put(k, v.sum()));
        return new CdcStatus(mapping.runner(), s, rows.sum(), snapshotRows.sum(), counts, Duration.ofMillis(lagMs.get()),
                Optional.ofNullable(lastPosition.get()), Optional.ofNullable(lastChange.get()), Optional.ofNullable(error.get()),
                tables.values().stream().map(TableRun::status).toList());
    }

    public CdcMapping mapping() {
        return mapping;
    }

    /** Stops capturing (offsets of everything published are recorded) and releases every connection. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (engine != null) {
                engine.close();
            }
        } catch (Exception e) {
            LOG.warn("Closing the capture engine of {} failed: {}", mapping.runner(), e.toString());
        } finally {
            if (recovery != null) {
                recovery.shutdownNow();
            }
            closeSnapshotListener();
            shutdownExecutor();
            state.getAndUpdate(s -> s == CdcStatus.State.FAILED ? s : CdcStatus.State.STOPPED);
            release();
            stopped.complete(null);
        }
    }

    /**
     * Simulates a crash for tests: the next batch is published but its offsets are never recorded, then the engine
     * stops — exactly what a killed process leaves behind.
     */
    void crashAfterNextPublish() {
        crash.set(true);
    }

    private void shutdownExecutor() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void release() {
        publishers.clear();
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (deadLetterWriter != null) {
            deadLetterWriter.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private void completed(boolean success, String message, Throwable failure) {
        if (!success || failure != null) {
            String why = failure == null ? message : rootMessage(failure);
            error.compareAndSet(null, why);
            state.set(CdcStatus.State.FAILED);
            LOG.error("CDC runner {} stopped: {}", mapping.runner(), why);
        }
        stopped.complete(null);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && !(c instanceof CdcException)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    // ---- the capture ----

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
                             DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<CompletableFuture<?>> sends = new ArrayList<>(batch.size());
        Map<TableRun, Long> reread = new HashMap<>();
        for (RecordChangeEvent<SourceRecord> event : batch) {
            handle(event.record(), sends, reread);
        }
        awaitAll(sends);
        if (crash.get()) {
            throw new CdcException("simulated crash of runner " + mapping.runner() + " after publishing " + batch.size()
                    + " change(s) whose offsets are not recorded");
        }
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        if (!reread.isEmpty()) {
            reread.forEach(TableRun::reread);
            completeRecoveries();
        }
    }

    private void awaitAll(List<CompletableFuture<?>> sends) throws InterruptedException {
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new CdcException("publishing to the bus failed: " + cause + "; the runner stops and resumes from its"
                    + " last recorded position when restarted", cause);
        }
    }

    /**
     * Publishes one change, or sends it to the dead letters: every change of a stopped table, and the change that stops
     * its table. What is sent is added to {@code sends}; the batch's offsets are recorded only once all of it is stored.
     *
     * @param reread counts, per recovering table, the rows its re-snapshot has read
     */
    private void handle(SourceRecord record, List<CompletableFuture<?>> sends, Map<TableRun, Long> reread) {
        if (record.topic() != null && record.topic().startsWith(EngineProperties.HEARTBEAT_PREFIX)) {
            return;
        }
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null
                || envelope.schema().field("source") == null) {
            return;   // schema-change and transaction events: the mapping and schema checks cover what they mean
        }
        Struct source = envelope.getStruct("source");
        String table = qualifiedTable(source);
        TableRun run = tables.get(table);
        if (run == null) {
            return;
        }
        TableMapping t = run.mapping;
        String op = envelope.getString("op");
        if ("t".equals(op) || "m".equals(op)) {
            if (warned.add("truncate:" + table)) {
                LOG.warn("TRUNCATE of {} is not propagated: delete the rows instead, or re-publish the resource", table);
            }
            return;
        }
        String position = Positions.of(source);
        boolean snapshotRead = Positions.snapshot(source);
        if (snapshotRead && run.recovering()) {
            reread.merge(run, 1L, Long::sum);
        }
        TableStops.Stop stop = run.stopped();
        if (stop != null) {
            sends.add(deadLetter(run, record, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE, heldBack(run, stop, op, false)));
            return;
        }
        Long ts = source.getInt64("ts_ms");
        Instant sourceTime = ts == null ? Instant.now() : Instant.ofEpochMilli(ts);
        Publisher publisher = publishers.get(table);
        Struct before = envelope.schema().field("before") == null ? null : envelope.getStruct("before");
        Struct after = envelope.schema().field("after") == null ? null : envelope.getStruct("after");
        try {
            if ("d".equals(op)) {
                TableBinding b = binding(t, before);
                sends.add(publisher.delete(b.key(before), sourceTime, position));
            } else if (after != null) {
                TableBinding b = binding(t, after);
                String key = b.key(after);
                GenericRecord value = b.toRecord(after);
                if (before != null) {
                    String oldKey = b.key(before);
                    if (!oldKey.equals(key)) {
                        sends.add(publisher.delete(oldKey, sourceTime, position));
                    }
                }
                sends.add(upsert(t, publisher, value, after, key, sourceTime, position));
                if (snapshotRead) {
                    snapshotRows.increment();
                }
            } else {
                return;
            }
        } catch (TableBinding.IncompatibleChangeException e) {
            stopTable(run, record, op, position, e.getMessage(), sends);
            return;
        } catch (Conversions.ConversionException e) {
            sends.add(deadLetter(run, record, DeadLetterReason.PROCESSING_ERROR, "a change of " + table + " at " + position
                    + " could not become a record of " + t.resource() + ": " + e.getMessage()));
            return;
        }
        rows.increment();
        perResource.computeIfAbsent(t.resource(), k -> new LongAdder()).increment();
        lastPosition.set(position);
        lastChange.set(sourceTime);
        lagMs.set(Math.max(0, System.currentTimeMillis() - sourceTime.toEpochMilli()));
    }

    private CompletableFuture<?> upsert(TableMapping t, Publisher publisher, GenericRecord value, Struct after, String key,
                                        Instant sourceTime, String position) {
        try {
            return publisher.upsert(key, value, sourceTime, position);
        } catch (SchemaMismatchException e) {
            // the catalog moved on (a new version of the resource's schema): bind to it and try once more
            bindings.remove(t.table());
            TableBinding fresh = binding(t, after);
            return publisher.upsert(key, fresh.toRecord(after), sourceTime, position);
        }
    }

    /**
     * The table's binding for rows of {@code row}'s shape.
     *
     * @throws TableBinding.IncompatibleChangeException when the row no longer fits the mapping and catalogued schema
     */
    private TableBinding binding(TableMapping t, Struct row) {
        if (row == null) {
            throw new Conversions.ConversionException("the change carries no row image; set REPLICA IDENTITY FULL"
                    + " (PostgreSQL) or binlog_row_image=FULL (MySQL/MariaDB)");
        }
        TableBinding b = bindings.get(t.table());
        if (b != null && b.fits(row.schema(), b.schema())) {
            return b;
        }
        Schema latest = registry.latest(Topics.source(mapping.department(), t.resource()) + "-value").schema();
        b = TableBinding.bind(t, latest, mapping.timeZone(), row.schema());
        for (String c : b.ignoredColumns()) {
            if (warned.add(t.table() + "." + c)) {
                LOG.warn("Column {} of {} is neither mapped nor in resource {}: left out (unmappedColumns: ignore)",
                        c, t.table(), t.resource());
            }
        }
        bindings.put(t.table(), b);
        return b;
    }

    private static String qualifiedTable(Struct source) {
        boolean pg = "postgresql".equals(source.getString("connector"));
        return (pg ? source.getString("schema") : source.getString("db")) + "." + source.getString("table");
    }

    // ---- a table's stop, and its recovery ----

    /**
     * Stops {@code run}'s table at this change: records the stop in the offsets topic (acknowledged with the batch,
     * before the offsets pass this change) and sends the change to the dead letters.
     */
    private void stopTable(TableRun run, SourceRecord record, String op, String position, String reason,
                           List<CompletableFuture<?>> sends) {
        TableMapping t = run.mapping;
        TableStops.Stop stop = new TableStops.Stop(t.table(), position, reason, Instant.now());
        synchronized (run) {
            run.stop(stop);
            sends.add(send(TableStops.stopped(offsetsTopic, mapping.runner(), stop)));
        }
        LOG.error("Table {} of runner {} STOPPED at {}: {}. This change and every later one of {} go to {}, not to {};"
                        + " the runner's other tables stream on. Fix the catalogued schema or the mapping, then restart the"
                        + " runner: it streams the table again and re-reads its rows", t.table(), mapping.runner(), position,
                reason, t.table(), Topics.cdcDeadLetters(mapping.department(), mapping.runner()), Topics.source(mapping.department(), t.resource()));
        sends.add(deadLetter(run, record, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE, heldBack(run, stop, op, true)));
    }

    /** The dead letter's message for a change of a stopped table: which table, why, and what to do. */
    private String heldBack(TableRun run, TableStops.Stop stop, String op, boolean first) {
        String table = run.mapping.table();
        String head = first
                ? "runner " + mapping.runner() + " stopped table " + table + " at this change (position " + stop.position()
                        + "): " + stop.reason() + "."
                : "table " + table + " of runner " + mapping.runner() + " is stopped since position " + stop.position()
                        + " (" + stop.reason() + "); this later change is held back with it, so that the table's"
                        + " history is not published out of order.";
        return head + " The table's changes go to the dead letters, not to "
                + Topics.source(mapping.department(), run.mapping.resource()) + ", until the runner is restarted with the"
                + " catalogued schema or the mapping fixed; it then streams the table again and re-reads its rows (a"
                + " blocking snapshot), which publishes every row's current state"
                + ("d".equals(op) ? ". A re-read does not bring back a delete: once the table streams again, delete"
                        + " this row's key through the SDK (Publisher.delete)" : "");
    }

    /** Every recovering table's re-snapshot, asked once the engine streams; runs on the recovery thread until it is asked. */
    private void requestResnapshot() {
        if (resnapshotRequested.get() || closed.get() || state.get() == CdcStatus.State.FAILED || !streamingConnected()) {
            return;
        }
        List<String> recovering = tables.values().stream().filter(TableRun::recovering).map(r -> r.mapping.table()).toList();
        if (recovering.isEmpty()) {
            resnapshotRequested.set(true);
            recovery.shutdown();
            return;
        }
        if (snapshotListener == null) {
            snapshotListener = Resnapshot.onEnd(mapping.runner(), this::resnapshotEnded);
            if (snapshotListener == null) {
                return;   // the engine's notification MBean is not registered yet
            }
        }
        try {
            Resnapshot.request(engine, recovering);
        } catch (RuntimeException e) {
            LOG.debug("The engine of {} does not take signals yet: {}", mapping.runner(), e.toString());
            return;
        }
        resnapshotRequested.set(true);
        recovery.shutdown();
        LOG.info("Runner {} re-reads {} (a blocking snapshot: streaming pauses meanwhile)", mapping.runner(), recovering);
    }

    /** Called by Debezium's notification when a snapshot ends; only the one the runner asked for counts. */
    private void resnapshotEnded(Resnapshot.End end, Map<String, Long> rowsRead) {
        if (!resnapshotRequested.get()) {
            return;
        }
        if (end == Resnapshot.End.ABORTED) {
            LOG.warn("The re-snapshot of runner {} was aborted; the tables stay RECOVERING and are re-read at the next start",
                    mapping.runner());
            return;
        }
        for (TableRun run : tables.values()) {
            if (run.recovering()) {
                String table = run.mapping.table();
                long read = rowsRead.entrySet().stream()
                        .filter(e -> e.getKey().equals(table) || e.getKey().endsWith("." + table))
                        .mapToLong(Map.Entry::getValue).sum();
                run.expect(read);
            }
        }
        completeRecoveries();
    }

    /**
     * A recovering table whose re-snapshot has ended and whose rows read are all published (or dead-lettered) streams
     * as before: its stop entry is removed.
     */
    private void completeRecoveries() {
        for (TableRun run : tables.values()) {
            synchronized (run) {
                if (run.recovered()) {
                    TableStops.Stop stop = run.stop;
                    run.streaming();
                    send(TableStops.recovered(offsetsTopic, mapping.runner(), run.mapping.table())).whenComplete((m, e) -> {
                        if (e != null) {
                            LOG.warn("Could not remove the stop of {} from {} ({}): the table is re-read again at the"
                                    + " next start", run.mapping.table(), offsetsTopic, e.toString());
                        }
                    });
                    LOG.info("Table {} of runner {} is recovered: its rows were re-read and published after the stop at {}",
                            run.mapping.table(), mapping.runner(), stop.position());
                }
            }
        }
    }

    private void closeSnapshotListener() {
        AutoCloseable l = snapshotListener;
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                LOG.debug("Removing the snapshot listener of {} failed", mapping.runner(), e);
            }
        }
    }

    // ---- sending ----

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Sends a change to the runner's dead letters ({@link Topics#cdcDeadLetters}): the change as JSON as original value, its position and table in the
     * headers. Stored with the batch, before its offsets are recorded: a dead letter the bus does not take stops the
     * runner, so nothing is dropped.
     */
    private CompletableFuture<RecordMetadata> deadLetter(TableRun run, SourceRecord record, DeadLetterReason reason, String message) {
        TableMapping t = run.mapping;
        String topic = Topics.source(mapping.department(), t.resource());
        byte[] original = json.fromConnectData(topic, record.valueSchema(), record.value());
        RecordHeaders headers = new RecordHeaders();
        if (record.value() instanceof Struct envelope && envelope.schema().field("source") != null) {
            headers.add(EventHeaders.SOURCE_POSITION, EventHeaders.bytes(Positions.of(envelope.getStruct("source"))));
        }
        headers.add("databus.cdc-runner", EventHeaders.bytes(mapping.runner()));
        headers.add("databus.cdc-table", EventHeaders.bytes(t.table()));
        DeadLetter dl = DeadLetters.builder(COMPONENT, reason, message)
                .source(topic, null, null)
                .original(null, original, headers)
                .build();
        run.deadLetters.increment();
        if (reason != DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE) {
            LOG.warn("Dead letter {} from {}: {}", reason, mapping.runner(), message);
        }
        // framed with the schema id the bus registered for its own dead letters: one reader reads both topics
        return send(new ProducerRecord<>(Topics.cdcDeadLetters(mapping.department(), mapping.runner()), dl.getId(),
                deadLetterWriter.serialize(Topics.DEADLETTER, dl)));
    }

    /** One mapped table's stream: streaming, stopped (with why and where), or recovering after a stop. */
    private static final class TableRun {
        final TableMapping mapping;
        final LongAdder deadLetters = new LongAdder();
        private CdcStatus.TableState state = CdcStatus.TableState.STREAMING;
        private TableStops.Stop stop;
        /** Rows the re-snapshot read of the table, as Debezium counted them; -1 until it has ended. */
        private long expected = -1;
        private long reread;

        TableRun(TableMapping mapping) {
            this.mapping = mapping;
        }

        synchronized void restore(TableStops.Stop stop, CdcStatus.TableState state) {
            this.stop = stop;
            this.state = state;
        }

        synchronized void stop(TableStops.Stop stop) {
            this.stop = stop;
            this.state = CdcStatus.TableState.STOPPED;
        }

        /** The stop, while the table is stopped; null while it streams or recovers. */
        synchronized TableStops.Stop stopped() {
            return state == CdcStatus.TableState.STOPPED ? stop : null;
        }

        synchronized boolean recovering() {
            return state == CdcStatus.TableState.RECOVERING;
        }

        synchronized void reread(long n) {
            reread += n;
        }

        synchronized void expect(long rows) {
            expected = rows;
        }

        synchronized boolean recovered() {
            return state == CdcStatus.TableState.RECOVERING && expected >= 0 && reread >= expected;
        }

        synchronized void streaming() {
            state = CdcStatus.TableState.STREAMING;
            stop = null;
        }

        synchronized CdcStatus.TableStatus status() {
            return new CdcStatus.TableStatus(mapping.table(), mapping.resource(), state,
                    Optional.ofNullable(stop).map(TableStops.Stop::position), Optional.ofNullable(stop).map(TableStops.Stop::reason),
                    deadLetters.sum());
        }
    }
}
