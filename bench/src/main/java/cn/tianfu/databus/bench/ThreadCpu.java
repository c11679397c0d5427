package cn.tianfu.databus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this process's threads, grouped by the part of the system they belong to (by thread name), so a
 * scenario can say where its CPU per record went. What no Java thread accounts for (JIT compiler, garbage collector,
 * other VM threads, and threads that ended within the window) is reported as {@code vm}.
 */
final class ThreadCpu {

    /** Components in report order, each with the thread names it owns; the first match wins. */
    private static final List<Map.Entry<String, Pattern>> COMPONENTS = List.of(
            Map.entry("capture", Pattern.compile("debezium-.*|blc-.*|cdc-.*|bench-bare-engine-.*|pool-\\d+-thread-\\d+")),
            Map.entry("publish", Pattern.compile("kafka-producer-network-thread \\| bp\\d+")),
            Map.entry("router", Pattern.compile("databus-sharing-router-.*")),
            Map.entry("broker", Pattern.compile("data-plane-.*|kafka-\\d+-.*|group-coordinator.*|TxnMarkerSender.*"
                    + "|quorum-.*|share-coordinator.*|transaction-log-manager.*|executor-.*|ExpirationReaper.*"
                    + "|LogDirFailureHandler|kafka-scheduler-.*|controller-.*|broker-\\d+-.*|raft-.*|.*-metadata-.*")),
            Map.entry("count", Pattern.compile("bench-count-.*")),
            Map.entry("insert", Pattern.compile("bench-paced-insert-.*")));

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** A sample: CPU nanoseconds and name of every live thread, by thread id. */
    record Sample(Map<Long, Long> cpu, Map<Long, String> names, long processCpu) {
    }

    static Sample sample() {
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = THREADS.isThreadCpuTimeSupported() ? THREADS.getThreadCpuTime(ids[i]) : -1;
            if (t >= 0 && infos[i] != null) {
                cpu.put(ids[i], t);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        return new Sample(cpu, names, Receipts.processCpuNanos());
    }

    /**
     * CPU microseconds per {@code units} by component between two samples: {@code capture}, {@code publish},
     * {@code router} (the exchange log's chaining included), {@code broker}, {@code count}, {@code other} threads and {@code vm}. Empty when
     * thread CPU time is not available.
     */
    static Map<String, Double> perUnit(Sample before, Sample after, long units) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (after.cpu.isEmpty() || before.processCpu < 0 || after.processCpu < 0) {
            return out;
        }
        Map<String, Long> nanos = new LinkedHashMap<>();
        COMPONENTS.forEach(c -> nanos.put(c.getKey(), 0L));
        nanos.put("other", 0L);
        long threads = 0;
        for (Map.Entry<Long, Long> e : after.cpu.entrySet()) {
            long used = e.getValue() - before.cpu.getOrDefault(e.getKey(), 0L);
            threads += used;
            nanos.merge(component(after.names.get(e.getKey())), used, Long::sum);
        }
        nanos.put("vm", Math.max(0, after.processCpu - before.processCpu - threads));
        nanos.forEach((k, v) -> out.put(k, v / 1e3 / units));
        return out;
    }

    private static String component(String thread) {
        for (Map.Entry<String, Pattern> c : COMPONENTS) {
            if (c.getValue().matcher(thread).matches()) {
                return c.getKey();
            }
        }
        return "other";
    }
}
