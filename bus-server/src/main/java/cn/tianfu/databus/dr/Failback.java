package cn.tianfu.databus.dr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import cn.tianfu.databus.DatabusException;

/**
 * The way back to the primary once it is repaired ({@code databus dr failback}): MirrorMaker 2 run the other way,
 * from the disaster-recovery cluster (now serving) to the primary, with the aliases swapped ({@link DrConfig#reversed()},
 * so its internal topics on the primary are {@code mm2-offsets.<dr alias>.internal} and nothing of the outward flow
 * is reused), until {@link DrStatus} shows no lag; then MirrorMaker stops and the primary is promoted as the
 * disaster-recovery cluster was ({@link Promotion#verify}).
 *
 * <p>The primary must not hold the bus's topics with records when the copy back starts: identity replication appends
 * to topics of the same name, and the primary's own records after the recovery point (never copied to the
 * disaster-recovery cluster) would stand beside the copies, a second tail of the exchange log. {@link #occupied}
 * names them; the operator deletes them (or starts from a fresh cluster prepared by {@code databus init}).
 */
public final class Failback {

    private Failback() {
    }

    /** The steps of a failback, for the operator (printed by {@code dr failback --dry-run} and before it runs). */
    public static List<String> steps(Map<String, ?> primary, Map<String, ?> dr, DrConfig outward) {
        DrConfig back = outward.reversed();
        List<String> steps = new ArrayList<>();
        steps.add("1. stop the bus serving on the disaster-recovery cluster " + dr.get("bootstrap.servers")
                + " (from here on nothing may write there)");
        steps.add("2. check the primary " + primary.get("bootstrap.servers") + " holds none of the replicated topics with"
                + " records (its own tail after the recovery point must not stay beside the copies)");
        steps.add("3. replicate " + back.sourceAlias() + " -> " + back.targetAlias() + " with MirrorMaker 2 (internal topics "
                + "mm2-offsets." + back.sourceAlias() + ".internal, " + DrStatus.offsetSyncsTopic(back) + " on the primary)"
                + " until every replicated partition has no lag");
        steps.add("4. stop MirrorMaker 2; verify the exchange log on the primary (chains intact, entries after the last"
                + " signed checkpoint UNPROVEN)");
        steps.add("5. start the bus on the primary (databus serve), then 'databus dr start' in the original direction");
        return steps;
    }

    /**
     * The topics matching {@code config}'s filter that hold records on {@code cluster}, by name, with their records
     * (sum of end offsets); empty when the copy back may start.
     */
    public static Map<String, Long> occupied(Map<String, Object> cluster, DrConfig config) {
        Map<String, Object> props = new java.util.HashMap<>(cluster);
        props.put("default.api.timeout.ms", (int) config.statusTimeoutMs());
        props.put("request.timeout.ms", (int) config.statusTimeoutMs());
        try (Admin admin = Admin.create(props)) {
            long t = config.statusTimeoutMs();
            List<String> topics = admin.listTopics().names().get(t, TimeUnit.MILLISECONDS).stream()
                    .filter(n -> config.topicPattern().matcher(n).matches()).toList();
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(t, TimeUnit.MILLISECONDS).forEach((name, d) ->
                    d.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<String, Long> occupied = new TreeMap<>();
            admin.listOffsets(request).all().get(t, TimeUnit.MILLISECONDS).forEach((tp, info) -> {
                if (info.offset() > 0) {
                    occupied.merge(tp.topic(), info.offset(), Long::sum);
                }
            });
            return occupied;
        } catch (Exception e) {
            throw new DatabusException("cannot read the topics of " + cluster.get("bootstrap.servers") + ": "
                    + DrStatus.rootMessage(e), e);
        }
    }

    /** Whether {@code report} (read from the disaster-recovery side as source) shows the primary caught up. */
    public static boolean caughtUp(DrStatus.Report report) {
        return report.primaryReachable() && report.totalLag() == 0
                && report.partitions().stream().allMatch(p -> p.primaryEnd() <= 0 || p.drEnd() >= 0);
    }

    /**
     * Steps 3 and 4's copy: MirrorMaker 2 from {@code dr} to {@code primary} until {@link #caughtUp} (checked every
     * {@code poll}, each status given to {@code progress}), then stopped. Returns the last status.
     *
     * @throws DatabusException when the primary has not caught up within {@code timeout} (MirrorMaker is stopped; run
     *                          again: it resumes from its committed progress on the primary)
     */
    public static DrStatus.Report copyBack(Map<String, Object> primary, Map<String, Object> dr, DrConfig outward,
                                           Duration timeout, Duration poll, Consumer<DrStatus.Report> progress)
            throws InterruptedException {
        DrConfig back = outward.reversed();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (MirrorReplication mm2 = MirrorReplication.start(dr, primary, back)) {
            while (true) {
                // DrStatus's "primary" is the source of the flow: here the disaster-recovery cluster
                DrStatus.Report status = DrStatus.read(dr, primary, back);
                progress.accept(status);
                if (caughtUp(status)) {
                    return status;
                }
                if (System.nanoTime() > deadline) {
                    throw new DatabusException("the primary has not caught up with the disaster-recovery cluster within "
                            + timeout.toSeconds() + " s (" + status.totalLag() + " records behind; "
                            + String.join("; ", mm2.states()) + ")");
                }
                TimeUnit.MILLISECONDS.sleep(poll.toMillis());
            }
        }
    }
}
