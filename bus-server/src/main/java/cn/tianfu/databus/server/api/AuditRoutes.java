package cn.tianfu.databus.server.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.ExchangeQueries;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.audit.VerifyOptions;
import cn.tianfu.databus.audit.VerifyProgress;
import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.cli.audit.TimeArguments;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * The exchange log (Art. 23) for auditors and the authority, as {@code databus audit verify|trace|report} reads it:
 * only an auditor ({@code auditor-<id>}) or the bus's own principal may call (403 for a department), and the log is
 * read with the caller's own credentials, so the broker's ACLs apply as they do to the auditor's CLI.
 * <ul>
 * <li>{@code POST /api/v1/audit/verify} {@code {"allowUncovered"?, "heartbeat"?: "PT1M"}}: starts verifying every chain
 * and checkpoint of the log (202, {@code Location} of the job; 409 while another verification runs);</li>
 * <li>{@code GET /api/v1/audit/verify/{id}}: the job: each partition's progress while it runs, then its result;</li>
 * <li>{@code GET /api/v1/audit/trace?resource=R&key=K} (or {@code keyHex=HEX}): every exchange of one record;</li>
 * <li>{@code GET /api/v1/audit/report?consumer=C&from=&to=}: a consumer's exchanges per resource, mode and purpose.</li>
 * </ul>
 * The bus's published key checks the checkpoints and its key-hash secret finds a record's entries; both are read from
 * the bus's data directory ({@link Settings}).
 */
public final class AuditRoutes {

    /** How many finished verification jobs are kept for their callers to read. */
    private static final int KEPT_JOBS = 20;
    /** The ledger's default heartbeat ({@code ledger.heartbeat.interval.ms}), as {@code audit verify} assumes it. */
    private static final Duration DEFAULT_HEARTBEAT = Duration.ofMinutes(1);

    /**
     * Where the audit routes find what they need.
     *
     * @param dataDir         the bus's data directory (its published key and key-hash secret under {@code keys/})
     * @param logTopic        the exchange log
     * @param checkpointTopic its signed checkpoints
     * @param clock           the time a heartbeat's freshness is measured against
     */
    public record Settings(Path dataDir, String logTopic, String checkpointTopic, InstantSource clock) {
        /** The bus's own log in {@code dataDir}. */
        public static Settings of(Path dataDir, InstantSource clock) {
            return new Settings(dataDir, Topics.EXCHANGE_LOG, Topics.EXCHANGE_LOG_CHECKPOINTS, clock);
        }
    }

    private final ApiCalls calls;
    private final Settings settings;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final AtomicLong nextJob = new AtomicLong(1);
    private final ExecutorService verifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "databus-http-audit-verify");
        t.setDaemon(true);
        return t;
    });

    private AuditRoutes(ApiCalls calls, Settings settings) {
        this.calls = calls;
        this.settings = settings;
    }

    /** Adds the routes; verification jobs stop with the server. */
    public static void register(JavalinConfig config, ApiCalls calls, Settings settings) {
        AuditRoutes routes = new AuditRoutes(calls, settings);
        config.events.serverStopped(routes.verifier::shutdownNow);
        config.routes.post(ApiPaths.AUDIT + "/verify", routes::startVerify);
        config.routes.get(ApiPaths.AUDIT + "/verify/{id}", routes::showVerify);
        config.routes.get(ApiPaths.AUDIT + "/trace", routes::trace);
        config.routes.get(ApiPaths.AUDIT + "/report", routes::report);
    }

    /** An auditor or the bus's own principal; 403 for anyone else. */
    private Authenticator.Caller auditor(Context ctx) {
        Authenticator.Caller caller = calls.caller(ctx);
        if (!caller.admin() && !caller.name().startsWith(Principals.AUDITOR_PREFIX)) {
            throw new HttpResponseException(403, "the exchange log is read by auditors and the public data authority;"
                    + " '" + caller.name() + "' is neither");
        }
        return caller;
    }

    private AuditReader reader(Context ctx, PublicKey key) {
        DatabusClientConfig asCaller = calls.asCaller(ctx);
        AuditReader.Builder b = AuditReader.builder(new java.util.HashMap<>(asCaller.kafkaProperties()))
                .registry(AvroSerdeConfig.fromMap(asCaller.serdeConfig()).registryClient())
                .logTopic(settings.logTopic()).checkpointTopic(settings.checkpointTopic());
        if (key != null) {
            b.publicKey(key);
        }
        return b.build();
    }

    private void startVerify(Context ctx) {
        Authenticator.Caller caller = auditor(ctx);
        JsonNode body = ApiCalls.body(ctx);
        JsonNode allow = body.get("allowUncovered");
        if (allow != null && !allow.isNull() && !allow.isBoolean()) {
            throw new HttpResponseException(400, "'allowUncovered' must be true or false");
        }
        Duration heartbeat = ApiCalls.text(body, "heartbeat").map(h -> {
            try {
                return Duration.parse(h);
            } catch (DateTimeParseException e) {
                throw new HttpResponseException(400, "'heartbeat' must be an ISO duration such as PT1M, was '" + h + "'");
            }
        }).orElse(DEFAULT_HEARTBEAT);
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new HttpResponseException(400, "'heartbeat' must be a positive duration, e.g. PT1M");
        }
        VerifyOptions options = VerifyOptions.CHAINS_ONLY.allowUncovered(allow != null && allow.asBoolean())
                .heartbeat(heartbeat, settings.clock().instant());
        PublicKey key = publicKey();
        AuditReader reader = reader(ctx, key);
        Job job;
        synchronized (jobs) {
            for (Job j : jobs.values()) {
                if (j.state().equals("RUNNING")) {
                    reader.close();
                    throw new HttpResponseException(409, "verification " + j.id + " is running; follow it at GET "
                            + ApiPaths.AUDIT + "/verify/" + j.id);
                }
            }
            job = new Job("V" + nextJob.getAndIncrement(), caller.name(), settings.clock().instant());
            jobs.put(job.id, job);
            while (jobs.size() > KEPT_JOBS) {
                jobs.remove(jobs.keySet().iterator().next());
            }
        }
        verifier.submit(() -> {
            try (reader) {
                job.report = reader.verify(options, job);
            } catch (RuntimeException e) {
                job.error = e.getMessage() == null ? e.toString() : e.getMessage();
            } finally {
                job.finishedAt = settings.clock().instant();
            }
        });
        ctx.header("Location", ApiPaths.AUDIT + "/verify/" + job.id);
        ctx.status(202).json(job.toMap());
    }

    private void showVerify(Context ctx) {
        auditor(ctx);
        Job job;
        synchronized (jobs) {
            job = jobs.get(ctx.pathParam("id"));
        }
        if (job == null) {
            throw new HttpResponseException(404, "no verification " + ctx.pathParam("id") + " (the last " + KEPT_JOBS
                    + " are kept); start one with POST " + ApiPaths.AUDIT + "/verify");
        }
        ctx.status(200).json(job.toMap());
    }

    private void trace(Context ctx) {
        auditor(ctx);
        String resource = param(ctx, "resource", "the code of the record's resource");
        String text = ctx.queryParam("key");
        String hex = ctx.queryParam("keyHex");
        if ((text == null || text.isEmpty()) == (hex == null || hex.isEmpty())) {
            throw new HttpResponseException(400, "give the record's key as exactly one of key (text) and keyHex (its bytes in hex)");
        }
        byte[] bytes;
        try {
            bytes = text != null && !text.isEmpty() ? text.getBytes(StandardCharsets.UTF_8) : HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, "keyHex is not hex: " + e.getMessage());
        }
        String keyHash = keyHasher().hash(bytes);
        List<ExchangeQueries.Traced> found;
        try (AuditReader reader = reader(ctx, null)) {
            found = ExchangeQueries.trace(reader, resource, keyHash);
        }
        List<Map<String, Object>> exchanges = new ArrayList<>();
        for (ExchangeQueries.Traced t : found) {
            ExchangeEntry e = t.entry();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
            m.put("consumer", e.consumer());
            m.put("mode", e.mode().name());
            m.put("operation", e.operation().name());
            m.put("grant", e.grantId());
            m.put("purpose", e.purpose());
            m.put("exchangeId", e.exchangeId());
            m.put("partition", t.partition());
            m.put("position", t.position());
            exchanges.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource", resource);
        body.put("exchanges", exchanges);
        ctx.status(200).json(body);
    }

    private void report(Context ctx) {
        auditor(ctx);
        String consumer = param(ctx, "consumer", "the receiving department");
        ZoneId zone = ZoneId.of(TimeArguments.DEFAULT_ZONE);
        long from = bound(ctx, "from", zone, false, Long.MIN_VALUE);
        long to = bound(ctx, "to", zone, true, Long.MAX_VALUE);
        List<ExchangeQueries.Row> rows;
        try (AuditReader reader = reader(ctx, null)) {
            rows = ExchangeQueries.report(reader, consumer, from, to);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (ExchangeQueries.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("resource", r.resource());
            m.put("mode", r.mode());
            m.put("purpose", r.purpose());
            m.put("count", r.count());
            m.put("first", Instant.ofEpochMilli(r.firstMillis()).toString());
            m.put("last", Instant.ofEpochMilli(r.lastMillis()).toString());
            out.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("consumer", consumer);
        body.put("total", rows.stream().mapToLong(ExchangeQueries.Row::count).sum());
        body.put("rows", out);
        ctx.status(200).json(body);
    }

    private static String param(Context ctx, String name, String what) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            throw new HttpResponseException(400, name + " is required: " + what);
        }
        return v.trim();
    }

    private static long bound(Context ctx, String name, ZoneId zone, boolean end, long none) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return none;
        }
        try {
            return (end ? TimeArguments.end(v.trim(), zone) : TimeArguments.start(v.trim(), zone)).toEpochMilli();
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, name + ": " + e.getMessage());
        }
    }

    private PublicKey publicKey() {
        Path file = SigningKeys.publicPemFile(settings.dataDir());
        try {
            return PublicKeys.fromPem(Files.readString(file));
        } catch (java.io.IOException | RuntimeException e) {
            throw new HttpResponseException(503, "the bus's published key cannot be read from " + file + ": " + e.getMessage());
        }
    }

    /** The bus's key hasher; never creates a secret (a new one would match nothing in the log). */
    private KeyHasher keyHasher() {
        Path secret = KeyHasher.secretFile(settings.dataDir());
        if (!Files.exists(secret)) {
            throw new HttpResponseException(503, "the bus has no key-hash secret at " + secret + ": no record can be traced");
        }
        return KeyHasher.loadOrCreate(settings.dataDir());
    }

    /** One verification: its progress while the replay runs (read from request threads), then its report. */
    private static final class Job implements VerifyProgress {
        private final String id;
        private final String startedBy;
        private final Instant startedAt;
        private volatile Map<Integer, Long> ends;
        private final Map<Integer, Long> read = new ConcurrentHashMap<>();
        private final List<VerificationReport.Partition> done = new CopyOnWriteArrayList<>();
        private volatile VerificationReport report;
        private volatile String error;
        private volatile Instant finishedAt;

        Job(String id, String startedBy, Instant startedAt) {
            this.id = id;
            this.startedBy = startedBy;
            this.startedAt = startedAt;
        }

        @Override
        public void started(Map<Integer, Long> endOffsets) {
            ends = Map.copyOf(endOffsets);
        }

        @Override
        public void read(int partition, long offset) {
            read.put(partition, offset + 1);
        }

        @Override
        public void finished(VerificationReport.Partition result) {
            done.add(result);
        }

        String state() {
            if (error != null) {
                return "FAILED";
            }
            return report != null ? "DONE" : "RUNNING";
        }

        Map<String, Object> toMap() {
            VerificationReport r = report;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("state", state());
            m.put("startedBy", startedBy);
            m.put("startedAt", startedAt.toString());
            m.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
            if (r != null) {
                m.put("intact", r.intact());
                m.put("entries", r.entries());
                m.put("checkpoints", r.checkpoints());
                m.put("strayCheckpoints", r.strayCheckpoints());
                m.put("report", r.describe());
            }
            m.put("error", error);
            Map<Integer, VerificationReport.Partition> results = new java.util.TreeMap<>();
            done.forEach(p -> results.put(p.partition(), p));
            List<Map<String, Object>> partitions = new ArrayList<>();
            Map<Integer, Long> e = ends;
            if (e != null) {
                e.forEach((p, end) -> {
                    Map<String, Object> pm = new LinkedHashMap<>();
                    pm.put("partition", p);
                    pm.put("endOffset", end);
                    VerificationReport.Partition result = results.get(p);
                    pm.put("readTo", result != null ? end : Math.min(end, read.getOrDefault(p, 0L)));
                    pm.put("state", result != null ? "DONE" : read.containsKey(p) ? "RUNNING" : "WAITING");
                    if (result != null) {
                        pm.put("intact", result.intact());
                        pm.put("entries", result.entries());
                        pm.put("checkpoints", result.checkpoints());
                        pm.put("uncoveredEntries", result.uncoveredEntries());
                        pm.put("headHash", result.headHash());
                        pm.put("problems", result.problems());
                        pm.put("newestCheckpoint", result.newestCheckpointMillis() == Long.MIN_VALUE ? null
                                : Instant.ofEpochMilli(result.newestCheckpointMillis()).toString());
                        if (result.firstBreak() != null) {
                            Map<String, Object> b = new LinkedHashMap<>();
                            b.put("position", result.firstBreak().position());
                            b.put("logOffset", result.firstBreak().logOffset());
                            b.put("kind", result.firstBreak().kind().name());
                            b.put("message", result.firstBreak().message());
                            pm.put("firstBreak", b);
                        }
                    }
                    partitions.add(pm);
                });
            }
            m.put("partitions", partitions);
            return m;
        }
    }
}
