package cn.tianfu.databus.dr;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The backup duty (Art. 11, 46(八)): every shared resource is backed up to the disaster-recovery cluster. A resource
 * (a {@code src.<dept>.<code>} topic on the primary, with its {@code dlv.*.<code>} and {@code open.<code>} topics) is
 * in breach when one of its topics is not replicated (excluded by {@code dr.topics}), or when its replication lag has
 * stayed above {@code dr.backup.lag.max} records for {@code dr.backup.lag.grace.seconds}. A breach raises one
 * violation, id {@code 46-8:backup:<code>:<time>}, duty {@code BACKUP_TO_DR}, for the providing department; it is
 * not raised again while the breach lasts (the episode), only after the resource was backed up again and a new
 * breach began.
 *
 * <p>This class decides; {@link BackupDutyMonitor} reads the clusters and writes the violations. Not thread-safe.
 */
public final class BackupDuty {

    /** The component named in a violation's history. */
    public static final String COMPONENT = "dr";
    /** The id prefix of every backup violation. */
    public static final String ID_PREFIX = "46-8:backup:";

    private final Pattern replicated;
    private final long lagMax;
    private final Duration grace;
    private final InstantSource clock;
    /** Resource code to the time its lag was first seen above the bound, in the current episode. */
    private final Map<String, Instant> lagAboveSince = new HashMap<>();
    /** Resource codes with a violation raised in the current episode. */
    private final Set<String> raised = new HashSet<>();

    /**
     * @param alreadyRaised resources with an unrectified backup violation on {@code bus.violations} (raised by an
     *                      earlier run): their episode goes on, nothing is raised again until it ended
     */
    public BackupDuty(DrConfig config, InstantSource clock, Collection<String> alreadyRaised) {
        this.replicated = config.topicPattern();
        this.lagMax = config.backupLagMax();
        this.grace = Duration.ofSeconds(config.backupLagGraceSeconds());
        this.clock = clock;
        this.raised.addAll(alreadyRaised);
    }

    /** The resource code of a backup violation id, or null when {@code id} is not one. */
    public static String resourceOf(String id) {
        if (id == null || !id.startsWith(ID_PREFIX)) {
            return null;
        }
        String rest = id.substring(ID_PREFIX.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? null : rest.substring(0, colon);
    }

    /**
     * One check. {@code primaryTopics}: every topic on the primary; {@code lagByTopic}: the replication lag of each
     * replicated topic ({@link DrStatus.Report#lagByTopic()}), or null when the primary could not be read (then only
     * the topic filter is checked). Returns the violations to raise now, at most one per resource in breach.
     */
    public List<Violation> check(Collection<String> primaryTopics, Map<String, Long> lagByTopic) {
        Instant now = clock.instant();
        Map<String, Resource> resources = resources(primaryTopics);
        List<Violation> violations = new ArrayList<>();
        for (Resource r : resources.values()) {
            List<String> excluded = r.topics().stream().filter(t -> !replicated.matcher(t).matches()).sorted().toList();
            long lag = lagByTopic == null ? -1
                    : r.topics().stream().mapToLong(t -> Math.max(0, lagByTopic.getOrDefault(t, 0L))).sum();
            boolean lagging = lag > lagMax;
            if (lagging) {
                lagAboveSince.putIfAbsent(r.code(), now);
            } else if (lagByTopic != null) {
                lagAboveSince.remove(r.code());
            }
            Instant since = lagAboveSince.get(r.code());
            boolean lagBreach = lagging && !now.isBefore(since.plus(grace));
            if (excluded.isEmpty() && !lagBreach) {
                if (lagByTopic != null && !lagging) {
                    raised.remove(r.code()); // backed up again: the episode ended
                }
                continue;
            }
            if (!raised.add(r.code())) {
                continue;
            }
            violations.add(excluded.isEmpty() ? lagViolation(r, lag, since, now) : excludedViolation(r, excluded, now));
        }
        return violations;
    }

    private Violation excludedViolation(Resource r, List<String> excluded, Instant now) {
        String description = "resource " + r.code() + " of " + r.department() + " is not backed up to the"
                + " disaster-recovery centre: its topics " + String.join(", ", excluded) + " are excluded from the"
                + " replication (dr.topics) (Art. 11; not backing up public data, Art. 46(八))";
        return violation(r, now, now, description, excluded);
    }

    private Violation lagViolation(Resource r, long lag, Instant since, Instant now) {
        String description = "resource " + r.code() + " of " + r.department() + " is not backed up to the"
                + " disaster-recovery centre in time: " + lag + " records not yet copied, above dr.backup.lag.max ("
                + lagMax + ") since " + since.truncatedTo(ChronoUnit.SECONDS) + " (Art. 11; not backing up public data,"
                + " Art. 46(八))";
        return violation(r, since.plus(grace), now, description, r.topics().stream().sorted().toList());
    }

    private static Violation violation(Resource r, Instant dueAt, Instant now, String description, List<String> evidence) {
        return Violation.newBuilder()
                .setId(ID_PREFIX + r.code() + ":" + now.truncatedTo(ChronoUnit.SECONDS))
                .setClause(ViolationClause.ART46_8)
                .setDepartment(r.department())
                .setDuty(DutyKind.BACKUP_TO_DR)
                .setSubjectId(r.code())
                .setResourceCode(r.code())
                .setDueAt(dueAt)
                .setDetectedAt(now)
                .setDescription(description)
                .setEvidence(new ArrayList<>(evidence))
                .setStatus(ViolationStatus.OPEN)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(now).setStatus(ViolationStatus.OPEN)
                        .setBy(COMPONENT).setNote(description).build()))
                .build();
    }

    /** Forgets that {@code code}'s breach was raised (its violation could not be written): the next check raises it. */
    public void forget(String code) {
        raised.remove(code);
    }

    /** A shared resource on the primary and its topics there. */
    record Resource(String department, String code, List<String> topics) {
    }

    /** The resources of the primary's topics: each source topic, with the delivery and open-data topics of its code. */
    static Map<String, Resource> resources(Collection<String> topics) {
        Map<String, String> providers = new TreeMap<>();
        for (String t : topics) {
            Matcher m = Topics.SOURCE_PATTERN.matcher(t);
            if (m.matches()) {
                providers.put(m.group(2), m.group(1));
            }
        }
        Map<String, Resource> resources = new TreeMap<>();
        providers.forEach((code, dept) -> {
            List<String> own = new ArrayList<>();
            for (String t : topics) {
                if (t.equals(Topics.source(dept, code)) || t.equals(Topics.open(code))
                        || (t.startsWith(Topics.DELIVERY_PREFIX) && t.endsWith("." + code)
                            && t.indexOf('.', Topics.DELIVERY_PREFIX.length()) == t.length() - code.length() - 1)) {
                    own.add(t);
                }
            }
            resources.put(code, new Resource(dept, code, own));
        });
        return resources;
    }
}
