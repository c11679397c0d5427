package cn.tianfu.databus.cdc;

import java.net.InetSocketAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import cn.tianfu.databus.kafka.ClientTuning;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.cdc.internal.Batch;
import cn.tianfu.databus.cdc.internal.CaptureEngine;
import cn.tianfu.databus.cdc.internal.ChangePublisher;
import cn.tianfu.databus.cdc.internal.DatabaseProbe;
import cn.tianfu.databus.cdc.internal.EngineProperties;
import cn.tianfu.databus.cdc.internal.MappingCheck;
import cn.tianfu.databus.cdc.internal.Progress;
import cn.tianfu.databus.cdc.internal.RunnerDeadLetters;
import cn.tianfu.databus.cdc.internal.RunnerMetrics;
import cn.tianfu.databus.cdc.internal.Sender;
import cn.tianfu.databus.cdc.internal.StreamingMetrics;
import cn.tianfu.databus.cdc.internal.TableBindings;
import cn.tianfu.databus.cdc.internal.TableRuns;
import cn.tianfu.databus.cdc.internal.TableStops;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.config.FileProblemsException.Problem;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.contract.EventHeaders;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.contract.Topics;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;

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
 *
 * <p>The runner only wires its parts in {@code cdc.internal}; {@code docs/cdc.md} describes them.
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
    private final PublishListener listener;
    private final AtomicReference<CdcStatus.State> state = new AtomicReference<>(CdcStatus.State.NEW);
    private final AtomicReference<String> error = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Progress progress = new Progress();
    private final InstantSource clock;
    private final TableRuns tables;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final String offsetsTopic;

    private SchemaRegistryClient registry;
    private Producer<String, byte[]> producer;
    private RunnerDeadLetters deadLetters;
    private ChangePublisher changes;
    private CaptureEngine capture;
    private RunnerMetrics metrics;

    private CdcRunner(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config, PublishListener listener,
                      InstantSource clock) {
        this.mapping = mapping;
        this.clock = clock;
        this.bus = bus;
        this.config = config;
        this.listener = listener;
        this.offsetsTopic = Topics.cdcOffsets(mapping.department(), mapping.runner());
        this.tables = new TableRuns(mapping);
    }

    /** A runner of {@code mapping} publishing through {@code bus}; nothing connects before {@link #start()}. */
    public static CdcRunner create(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config) {
        return create(mapping, bus, config, PublishListener.NONE);
    }

    /** Like {@link #create(CdcMapping, DatabusClientConfig, CdcConfig)}, telling {@code listener} of every stored batch. */
    static CdcRunner create(CdcMapping mapping, DatabusClientConfig bus, CdcConfig config, PublishListener listener) {
        return new CdcRunner(Objects.requireNonNull(mapping, "mapping"), Objects.requireNonNull(bus, "bus"),
                Objects.requireNonNull(config, "config"), Objects.requireNonNull(listener, "listener"), InstantSource.system());
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
            tables.restore(unfit, ledger);
            RunnerDeadLetters.ensureTopic(mapping, bus.kafkaProperties(), config.topicReplicationFactor(), bus.departmentId());
            // the runner publishes in volume: compressed, batched (ClientTuning), the department's settings otherwise
            Map<String, Object> producerProps = new HashMap<>(ClientTuning.cdcProducer());
            producerProps.putAll(bus.producerProperties());
            producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
            Sender sender = new Sender(producer);
            deadLetters = new RunnerDeadLetters(mapping, COMPONENT, sender, registry);
            tables.open(sender, deadLetters);
            Map<String, Publisher> publishers = new HashMap<>();
            for (TableMapping t : mapping.tables()) {
                publishers.put(t.table(), Publisher.create(mapping.department(), t.resource(), producer, registry));
            }
            changes = new ChangePublisher(tables, new TableBindings(mapping, registry), publishers, deadLetters);
            metrics = new RunnerMetrics(mapping.runner(), mapping.department(), tables);
            if (config.metricsPort() >= 0) {
                metrics.serve(config.metricsHost(), config.metricsPort());
                LOG.info("CDC runner {} serves its metrics at http://{}:{}{}", mapping.runner(), config.metricsHost(),
                        metrics.address().orElseThrow().getPort(), RunnerMetrics.PATH);
            }
            capture = CaptureEngine.start(mapping.runner(), EngineProperties.of(mapping, config, bus.kafkaProperties()),
                    this::handleBatch, this::completed);
            LOG.info("CDC runner {} started on {} ({})", mapping.runner(), mapping.database(), EngineProperties.tables(mapping));
            tables.startRecovery(capture.engine(), () -> !closed.get() && state.get() != CdcStatus.State.FAILED
                    && StreamingMetrics.connected(mapping.runner()));
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

    private TableStops.Ledger readLedger() {
        try {
            return TableStops.read(bus.kafkaProperties(), offsetsTopic, mapping.runner(), Duration.ofSeconds(30));
        } catch (KafkaException e) {
            throw new CdcException("cannot read the offsets of runner " + mapping.runner() + " in " + offsetsTopic + ": "
                    + e.getMessage() + " (is the bus reachable, and may " + bus.departmentId() + " read its topics?)", e);
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
            if (s == CdcStatus.State.STREAMING || StreamingMetrics.connected(mapping.runner())) {
                state.compareAndSet(CdcStatus.State.STARTING, CdcStatus.State.STREAMING);
                return true;
            }
            Thread.sleep(50);
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
        if (s == CdcStatus.State.STARTING && StreamingMetrics.connected(mapping.runner())) {
            state.compareAndSet(CdcStatus.State.STARTING, CdcStatus.State.STREAMING);
            s = state.get();
        }
        return progress.status(mapping.runner(), s, Optional.ofNullable(error.get()), tables.status());
    }

    public CdcMapping mapping() {
        return mapping;
    }

    /**
     * The runner's metrics now, in the Prometheus text format: per table the changes captured, published and
     * dead-lettered, and the lag from the database commit to the bus's acknowledgement. Empty before {@link #start()}.
     */
    public String metricsText() {
        RunnerMetrics m = metrics;
        return m == null ? "" : m.scrape();
    }

    /** Where the runner serves {@code /metrics} ({@code cdc.metrics.port}); empty when it serves none. */
    public Optional<InetSocketAddress> metricsAddress() {
        RunnerMetrics m = metrics;
        return m == null ? Optional.empty() : m.address();
    }

    /** Stops capturing (offsets of everything published are recorded) and releases every connection. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (capture != null) {
                capture.close();
            }
        } finally {
            tables.close();
            state.getAndUpdate(s -> s == CdcStatus.State.FAILED ? s : CdcStatus.State.STOPPED);
            release();
            stopped.complete(null);
        }
    }

    private void release() {
        if (metrics != null) {
            metrics.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
        if (deadLetters != null) {
            deadLetters.close();
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

    /**
     * Publishes a batch, waits until the bus has stored all of it, then records its offsets. The batch's records are
     * flushed at once (not after the producer's linger), and the counters behind the status and the metrics are taken
     * once per batch.
     */
    private void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
                             DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        Batch sent = new Batch(batch.size());
        for (RecordChangeEvent<SourceRecord> event : batch) {
            changes.handle(event.record(), sent);
        }
        if (!sent.sends().isEmpty()) {
            producer.flush();
        }
        awaitAll(sent.sends());
        long storedMillis = clock.millis();
        progress.stored(sent, storedMillis);
        metrics.stored(sent, storedMillis);
        listener.published(batch.size());
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        tables.reread(sent.reread());
    }

    /**
     * Waits for every send of a batch within two minutes in all, the last first: once it is acknowledged nearly all
     * the others are too, so the rest cost a check each, without building {@code allOf}'s tree of futures. A failed
     * send throws.
     */
    private void awaitAll(List<CompletableFuture<?>> sends) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try {
            for (int i = sends.size() - 1; i >= 0; i--) {
                sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new CdcException("publishing to the bus failed: " + cause + "; the runner stops and resumes from its"
                    + " last recorded position when restarted", cause);
        }
    }
}
