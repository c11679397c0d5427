package cn.tianfu.databus.quality.app.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.quality.ItemCheck;
import cn.tianfu.databus.quality.QualityScores;
import cn.tianfu.databus.quality.QualityTally;
import cn.tianfu.databus.quality.app.QualityContext;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.PublicComment;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * Keeps each resource's tally (the sum of the {@link RecordChecker}'s changes, and the time of its last change) and, on
 * a wall-clock punctuation every {@link QualityContext#checkInterval()}, evaluates every active catalogued resource at
 * the context's clock:
 * <ol>
 *   <li>its scores ({@link QualityScores}), its usage (grants in force, access requests, error reports, open-data
 *       downloads, from the global stores of their topics) and its breaches of the thresholds, published on
 *       {@code bus.quality} when anything but the evaluation time differs from what was published last
 *       ({@value #PUBLISHED_STORE});</li>
 *   <li>on the first evaluation in breach, one violation under Art. 46(二) ({@code 46-2:quality:<code>:<time>}), recorded
 *       in {@value #BREACHES_STORE} in the same transaction; while the resource stays in breach nothing more is
 *       raised; once it is out of breach the record is cleared, so a later breach is a new violation. With no record in
 *       the store (state lost), an unresolved quality violation of the resource on {@code bus.violations} is taken as
 *       the current one instead of raising another.</li>
 * </ol>
 * Runs as one task (its input is repartitioned to one partition), so every resource is evaluated once, including
 * those with no record yet (timeliness from the publish date).
 */
public final class Scorer implements Processor<String, byte[], String, Evaluated> {

    /** Per resource code, its tally and the time of its last change (changelogged). */
    public static final String TALLIES_STORE = "quality-tallies";
    /** Per resource code, what was last published on {@code bus.quality}, without its evaluation time (changelogged). */
    public static final String PUBLISHED_STORE = "quality-published";
    /** Per resource code, the violation raised for its current breach, or empty when it is out of breach (changelogged). */
    public static final String BREACHES_STORE = "quality-breaches";
    /** Who raises the violations, as named in their history. */
    public static final String COMPONENT = "quality";

    private static final Logger LOG = LoggerFactory.getLogger(Scorer.class);
    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final long NONE = Long.MIN_VALUE;
    /** Per resource: grants in force, access requests, error reports, comments, the sum of the comments' ratings. */
    private static final int USAGE = 5;

    /** The global stores the scorer reads, by topic. */
    public record Stores(String catalog, String grants, String requests, String reports, String downloads,
                         String violations, String comments) {
    }

    /** Deserializers of the global stores' values. */
    public record Readers(Deserializer<CatalogEntry> catalog, Deserializer<Grant> grants,
                          Deserializer<AccessRequest> requests, Deserializer<ErrorReport> reports,
                          Deserializer<Violation> violations, Deserializer<PublicComment> comments) {
    }

    private final QualityContext ctx;
    private final Stores names;
    private final Readers readers;
    private ProcessorContext<String, Evaluated> context;
    private KeyValueStore<String, byte[]> tallies;
    private KeyValueStore<String, byte[]> published;
    private KeyValueStore<String, String> breaches;

    public Scorer(QualityContext ctx, Stores names, Readers readers) {
        this.ctx = ctx;
        this.names = names;
        this.readers = readers;
    }

    @Override
    public void init(ProcessorContext<String, Evaluated> context) {
        this.context = context;
        this.tallies = context.getStateStore(TALLIES_STORE);
        this.published = context.getStateStore(PUBLISHED_STORE);
        this.breaches = context.getStateStore(BREACHES_STORE);
        context.schedule(ctx.checkInterval(), PunctuationType.WALL_CLOCK_TIME, t -> evaluateAll());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        byte[] known = tallies.get(record.key());
        QualityTally tally = known == null ? QualityTally.EMPTY : tally(known);
        long lastChange = known == null ? NONE : lastChange(known);
        tally = tally.plus(QualityTally.fromBytes(record.value()));
        tallies.put(record.key(), encode(tally, Math.max(lastChange, record.timestamp())));
    }

    /** Evaluates every active catalogued resource at the clock's time. */
    void evaluateAll() {
        Instant now = ctx.clock().instant();
        Map<String, long[]> usage = usage();
        Map<String, Long> downloads = downloads();
        try (KeyValueIterator<String, byte[]> it = store(names.catalog()).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.value == null) {
                    continue;
                }
                CatalogEntry entry;
                try {
                    entry = readers.catalog().deserialize(Topics.CATALOG, kv.value);
                } catch (RuntimeException e) {
                    LOG.warn("Skipping catalog entry {} that cannot be read: {}", kv.key, e.toString());
                    continue;
                }
                if (entry.getStatus() == ResourceStatus.RETIRED) {
                    continue;
                }
                evaluate(entry, now, usage.getOrDefault(entry.getCode(), new long[USAGE]), downloads.get(entry.getCode()));
            }
        }
    }

    private void evaluate(CatalogEntry entry, Instant now, long[] usage, Long downloads) {
        String code = entry.getCode();
        byte[] known = tallies.get(code);
        QualityTally tally = known == null ? QualityTally.EMPTY : tally(known);
        long lastChange = known == null ? NONE : lastChange(known);
        Instant since = lastChange == NONE
                ? entry.getPublishDate().atStartOfDay(CHINA).toInstant()
                : Instant.ofEpochMilli(lastChange);
        QualityScores scores = QualityScores.of(tally, entry.getUpdateFrequency(), since, now);
        List<String> breached = ctx.thresholds().breaches(scores);

        String violationId = breaches.get(code);
        if (breached.isEmpty()) {
            if (violationId != null && !violationId.isEmpty()) {
                breaches.put(code, "");
            }
            violationId = null;
        } else if (violationId == null || violationId.isEmpty()) {
            String adopted = violationId == null ? unresolvedViolation(code) : null;
            if (adopted != null) {
                violationId = adopted;
            } else {
                Violation v = violation(entry, now, breached, scores);
                violationId = v.getId();
                context.forward(new Record<>(violationId, new Evaluated.Breach(v), now.toEpochMilli()));
            }
            breaches.put(code, violationId);
        }

        QualityScore score = QualityScore.newBuilder()
                .setResourceCode(code)
                .setProvider(entry.getProvider())
                .setName(entry.getName())
                .setOpen(entry.getOpen())
                .setUpdateFrequency(entry.getUpdateFrequency())
                .setEvaluatedAt(Instant.EPOCH)
                .setLastChangeAt(lastChange == NONE ? null : Instant.ofEpochMilli(lastChange))
                .setRecords(tally.records())
                .setUnreadable(tally.unreadable())
                .setItemsPresent(tally.present())
                .setItemsRequired(tally.required())
                .setIdNumbersChecked(tally.checked(ItemCheck.ID_NUMBER))
                .setIdNumbersInvalid(tally.invalid(ItemCheck.ID_NUMBER))
                .setCreditCodesChecked(tally.checked(ItemCheck.CREDIT_CODE))
                .setCreditCodesInvalid(tally.invalid(ItemCheck.CREDIT_CODE))
                .setDivisionCodesChecked(tally.checked(ItemCheck.DIVISION_CODE))
                .setDivisionCodesInvalid(tally.invalid(ItemCheck.DIVISION_CODE))
                .setDatesChecked(tally.checked(ItemCheck.DATE))
                .setDatesInvalid(tally.invalid(ItemCheck.DATE))
                .setCompleteness(scores.completeness())
                .setValidity(scores.validity())
                .setTimeliness(scores.timeliness())
                .setAvailability(scores.availability())
                .setOverall(scores.overall())
                .setGrantsActive(usage[0])
                .setAccessRequests(usage[1])
                .setErrorReports(usage[2])
                .setDownloads(entry.getOpen() ? (downloads == null ? 0L : downloads) : null)
                .setBreaches(breached)
                .setViolationId(violationId)
                .setComments(entry.getOpen() ? usage[3] : null)
                .setRating(entry.getOpen() && usage[3] > 0 ? Math.round(usage[4] * 1000.0 / usage[3]) / 1000.0 : null)
                .build();
        byte[] print = fingerprint(score);
        byte[] last = published.get(code);
        if (last != null && java.util.Arrays.equals(last, print)) {
            return;
        }
        published.put(code, print);
        score.setEvaluatedAt(now);
        context.forward(new Record<>(code, new Evaluated.Score(score), now.toEpochMilli()));
    }

    /** An OPEN, ordered or escalated quality violation of {@code code} on {@code bus.violations}, or null. */
    private String unresolvedViolation(String code) {
        try (KeyValueIterator<String, byte[]> it = store(names.violations()).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.value == null || !kv.key.startsWith(violationPrefix(code))) {
                    continue;
                }
                try {
                    Violation v = readers.violations().deserialize(Topics.VIOLATIONS, kv.value);
                    if (v.getDuty() == DutyKind.KEEP_DATA_QUALITY && v.getStatus() != ViolationStatus.RECTIFIED) {
                        return v.getId();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Skipping violation {} that cannot be read: {}", kv.key, e.toString());
                }
            }
        }
        return null;
    }

    /** The id prefix of {@code code}'s quality violations. */
    public static String violationPrefix(String code) {
        return "46-2:quality:" + code + ":";
    }

    private static Violation violation(CatalogEntry entry, Instant now, List<String> breached, QualityScores scores) {
        Instant at = now.truncatedTo(ChronoUnit.SECONDS);
        String id = violationPrefix(entry.getCode()) + at;
        String description = "resource " + entry.getCode() + " (" + entry.getName() + ") is below the quality thresholds: "
                + String.join(", ", breached) + " (Art. 41; supplying inaccurate, incomplete or out-of-date data, Art. 46(二))";
        return Violation.newBuilder()
                .setId(id)
                .setClause(ViolationClause.ART46_2)
                .setDepartment(entry.getProvider())
                .setDuty(DutyKind.KEEP_DATA_QUALITY)
                .setSubjectId(entry.getCode())
                .setResourceCode(entry.getCode())
                .setDueAt(now)
                .setDetectedAt(now)
                .setDescription(description)
                .setEvidence(List.of(Topics.QUALITY + "/" + entry.getCode()))
                .setStatus(ViolationStatus.OPEN)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(now).setStatus(ViolationStatus.OPEN)
                        .setBy(COMPONENT).setNote(description).build()))
                .build();
    }

    /** Per resource code: grants in force, access requests, error reports, comments and the sum of their ratings. */
    private Map<String, long[]> usage() {
        Map<String, long[]> usage = new HashMap<>();
        scan(names.grants(), Topics.GRANTS, readers.grants(), g -> {
            if (g.getStatus() == GrantStatus.ACTIVE) {
                usage.computeIfAbsent(g.getResourceCode(), k -> new long[USAGE])[0]++;
            }
        });
        scan(names.requests(), Topics.REQUESTS, readers.requests(),
                r -> usage.computeIfAbsent(r.getResourceCode(), k -> new long[USAGE])[1]++);
        scan(names.reports(), Topics.ERROR_REPORTS, readers.reports(),
                r -> usage.computeIfAbsent(r.getResourceCode(), k -> new long[USAGE])[2]++);
        scan(names.comments(), Topics.COMMENTS, readers.comments(), c -> {
            long[] u = usage.computeIfAbsent(c.getResourceCode(), k -> new long[USAGE]);
            u[3]++;
            u[4] += c.getRating();
        });
        return usage;
    }

    private Map<String, Long> downloads() {
        Map<String, Long> counts = new HashMap<>();
        ReadOnlyKeyValueStore<String, String> store = context.getStateStore(names.downloads());
        try (KeyValueIterator<String, String> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, String> kv = it.next();
                try {
                    counts.put(kv.key, Long.parseLong(kv.value));
                } catch (NumberFormatException | NullPointerException e) {
                    LOG.warn("Skipping download count of {} that is not a number: {}", kv.key, kv.value);
                }
            }
        }
        return counts;
    }

    private <T> void scan(String storeName, String topic, Deserializer<T> reader, Consumer<T> each) {
        try (KeyValueIterator<String, byte[]> it = store(storeName).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.value == null) {
                    continue;
                }
                try {
                    each.accept(reader.deserialize(topic, kv.value));
                } catch (RuntimeException e) {
                    LOG.warn("Skipping record {} of {} that cannot be read: {}", kv.key, topic, e.toString());
                }
            }
        }
    }

    private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
        return context.getStateStore(name);
    }

    private static QualityTally tally(byte[] stored) {
        return QualityTally.fromBytes(java.util.Arrays.copyOf(stored, stored.length - Long.BYTES));
    }

    private static long lastChange(byte[] stored) {
        return ByteBuffer.wrap(stored, stored.length - Long.BYTES, Long.BYTES).getLong();
    }

    private static byte[] encode(QualityTally tally, long lastChange) {
        byte[] t = tally.toBytes();
        return ByteBuffer.allocate(t.length + Long.BYTES).put(t).putLong(lastChange).array();
    }

    /** What a published score is compared by: its text with the evaluation time left at the epoch, hashed. */
    private static byte[] fingerprint(QualityScore score) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(score.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
