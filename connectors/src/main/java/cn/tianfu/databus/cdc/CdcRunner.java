package cn.tianfu.databus.cdc;

import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.CdcMappingException.Problem;
import cn.tianfu.databus.cdc.internal.Conversions;
import cn.tianfu.databus.cdc.internal.DatabaseProbe;
import cn.tianfu.databus.cdc.internal.EngineProperties;
import cn.tianfu.databus.cdc.internal.MappingCheck;
import cn.tianfu.databus.cdc.internal.Positions;
import cn.tianfu.databus.cdc.internal.TableBinding;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.sdk.EventHeaders;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.SchemaMismatchException;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.topic.Topics;
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
 * <p>A change of a table's columns that the mapping and the catalogued schema cannot absorb stops the runner with a
 * clear error and a dead letter {@code INCOMPATIBLE_SCHEMA_CHANGE}; its offsets stay before that change, so once the
 * catalog or mapping is updated a restart resumes with it and nothing is lost. A value that cannot be converted (e.g. a
 * decimal with more places than the field) goes to the dead letters ({@code PROCESSING_ERROR}) and the stream goes on.
 */
public final class CdcRunner implements AutoCloseable {

    /** The component name on dead letters. */
    public static final String COMPONENT = "cdc-runner";
    private static final Logger LOG = LoggerFactory.getLogger(CdcRunner.class);

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
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    private SchemaRegistryClient registry;
    private Producer<String, byte[]> producer;
    private AvroSerializer<DeadLetter> deadLetterWriter;
    private JsonConverter json;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private ExecutorService executor;

    private CdcRunner(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config) {
        this.mapping = mapping;
        this.bus = bus;
        this.config = config;
    }

    /** A runner of {@code mapping} publishing through {@code bus}; nothing connects before {@link #start()}. */
    public static CdcRunner create(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config) {
        return new CdcRunner(java.util.Objects.requireNonNull(mapping, "mapping"), java.util.Objects.requireNonNull(bus, "bus"),
                java.util.Objects.requireNonNull(config, "config"));
    }

    /**
     * Checks the mapping against the catalog and the database's tables, then starts capturing in the background.
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
            checkMapping();
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
        } catch (RuntimeException e) {
            state.set(CdcStatus.State.FAILED);
            error.set(e.getMessage());
            release();
            throw e;
        }
    }

    private void checkMapping() {
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
        if (!problems.isEmpty()) {
            throw new CdcMappingException(mapping.source(), problems);
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
                Optional.ofNullable(lastPosition.get()), Optional.ofNullable(lastChange.get()), Optional.ofNullable(error.get()));
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
        int done = 0;
        try {
            for (RecordChangeEvent<SourceRecord> event : batch) {
                handle(event.record(), sends);
                done++;
            }
        } catch (IncompatibleSchemaChange e) {
            awaitAll(sends);
            for (int i = 0; i < done; i++) {
                committer.markProcessed(batch.get(i));
            }
            committer.markBatchFinished();
            deadLetter(e.table, e.record, DeadLetterReason.INCOMPATIBLE_SCHEMA_CHANGE, e.getMessage());
            error.set(e.getMessage());
            state.set(CdcStatus.State.FAILED);
            throw new CdcException(e.getMessage());
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

    private static final class IncompatibleSchemaChange extends RuntimeException {
        final TableMapping table;
        final SourceRecord record;

        IncompatibleSchemaChange(TableMapping table, SourceRecord record, String message) {
            super(message);
            this.table = table;
            this.record = record;
        }
    }

    private void handle(SourceRecord record, List<CompletableFuture<?>> sends) {
        if (record.topic() != null && record.topic().startsWith(EngineProperties.HEARTBEAT_PREFIX)) {
            return;
        }
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null
                || envelope.schema().field("source") == null) {
            return;   // schema-change and transaction events: the mapping and schema checks cover what they mean
        }
        Struct source = envelope.getStruct("source");
        String table = qualifiedTable(source);
        TableMapping t = mapping.table(table).orElse(null);
        if (t == null) {
            return;
        }
        String op = envelope.getString("op");
        if ("t".equals(op) || "m".equals(op)) {
            if (warned.add("truncate:" + table)) {
                LOG.warn("TRUNCATE of {} is not propagated: delete the rows instead, or re-publish the resource", table);
            }
            return;
        }
        String position = Positions.of(source);
        Long ts = source.getInt64("ts_ms");
        Instant sourceTime = ts == null ? Instant.now() : Instant.ofEpochMilli(ts);
        Publisher publisher = publishers.get(table);
        Struct before = envelope.schema().field("before") == null ? null : envelope.getStruct("before");
        Struct after = envelope.schema().field("after") == null ? null : envelope.getStruct("after");
        try {
            if ("d".equals(op)) {
                TableBinding b = binding(t, before, record);
                sends.add(publisher.delete(b.key(before), sourceTime, position));
            } else if (after != null) {
                TableBinding b = binding(t, after, record);
                String key = b.key(after);
                if (before != null) {
                    String oldKey = b.key(before);
                    if (!oldKey.equals(key)) {
                        sends.add(publisher.delete(oldKey, sourceTime, position));
                    }
                }
                sends.add(upsert(t, publisher, b, after, key, sourceTime, position, record));
                if (Positions.snapshot(source)) {
                    snapshotRows.increment();
                }
            } else {
                return;
            }
        } catch (Conversions.ConversionException e) {
            deadLetter(t, record, DeadLetterReason.PROCESSING_ERROR, "a change of " + table + " at " + position
                    + " could not become a record of " + t.resource() + ": " + e.getMessage());
            return;
        }
        rows.increment();
        perResource.computeIfAbsent(t.resource(), k -> new LongAdder()).increment();
        lastPosition.set(position);
        lastChange.set(sourceTime);
        lagMs.set(Math.max(0, System.currentTimeMillis() - sourceTime.toEpochMilli()));
    }

    private CompletableFuture<?> upsert(TableMapping t, Publisher publisher, TableBinding b, Struct after, String key,
                                        Instant sourceTime, String position, SourceRecord record) {
        GenericRecord value = b.toRecord(after);
        try {
            return publisher.upsert(key, value, sourceTime, position);
        } catch (SchemaMismatchException e) {
            // the catalog moved on (a new version of the resource's schema): bind to it and try once more
            bindings.remove(t.table());
            TableBinding fresh = binding(t, after, record);
            return publisher.upsert(key, fresh.toRecord(after), sourceTime, position);
        }
    }

    private TableBinding binding(TableMapping t, Struct row, SourceRecord record) {
        if (row == null) {
            throw new Conversions.ConversionException("the change carries no row image; set REPLICA IDENTITY FULL"
                    + " (PostgreSQL) or binlog_row_image=FULL (MySQL/MariaDB)");
        }
        TableBinding b = bindings.get(t.table());
        if (b != null && b.fits(row.schema(), b.schema())) {
            return b;
        }
        Schema latest = registry.latest(Topics.source(mapping.department(), t.resource()) + "-value").schema();
        try {
            b = TableBinding.bind(t, latest, mapping.timeZone(), row.schema());
        } catch (TableBinding.IncompatibleChangeException e) {
            throw new IncompatibleSchemaChange(t, record, "runner " + mapping.runner() + " stopped at a change of "
                    + t.table() + ": " + e.getMessage() + ". Nothing after it is published until the runner is restarted"
                    + " with the catalog or the mapping updated; it then resumes at this change");
        }
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

    private void deadLetter(TableMapping t, SourceRecord record, DeadLetterReason reason, String message) {
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
        try {
            producer.send(new ProducerRecord<>(Topics.DEADLETTER, dl.getId(),
                    deadLetterWriter.serialize(Topics.DEADLETTER, dl))).get(30, TimeUnit.SECONDS);
            LOG.warn("Dead letter {} from {}: {}", reason, mapping.runner(), message);
        } catch (Exception e) {
            LOG.error("Could not write dead letter {} ({}): {}", reason, message, e.toString());
        }
    }
}
