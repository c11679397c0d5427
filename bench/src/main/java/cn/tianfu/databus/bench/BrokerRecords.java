package cn.tianfu.databus.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Records and bytes appended to the in-JVM broker's topics, per topic, read from the broker's own meters
 * ({@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=...} and {@code name=BytesInPerSec}, their
 * cumulative counts; bytes as the producers' batches arrive, i.e. compressed): a snapshot before and after a measured
 * window tells how many records and bytes each topic received for the window's source records.
 * Topics are grouped by kind so that fresh topics per repetition add up: {@code src}, {@code dlv}, the exchange log's
 * topics by name, each store's changelog by the store's name, the bench's own bare topics by their last part, and
 * the broker's internal topics ({@code __...}) apart.
 */
final class BrokerRecords {

    private static final String RECORDS = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*";
    private static final String BYTES = "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*";

    private BrokerRecords() {
    }

    /** The cumulative count of records appended, per topic, now. */
    static Map<String, Long> snapshot() {
        return counts(RECORDS);
    }

    /** The cumulative count of bytes appended, per topic, now. */
    static Map<String, Long> snapshotBytes() {
        return counts(BYTES);
    }

    private static Map<String, Long> counts(String pattern) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> out = new HashMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
                Object count = server.getAttribute(name, "Count");
                out.put(name.getKeyProperty("topic"), ((Number) count).longValue());
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the broker's topic meters: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Records appended between two snapshots per source record, by group ({@code brokerRecordsPerSource.<group>}),
     * and their sum over the bus's and the bench's topics without the broker's internal ones
     * ({@code brokerRecordsPerSource}, the source topic included).
     */
    static Map<String, Double> perSourceRecord(Map<String, Long> before, Map<String, Long> after, long sourceRecords) {
        return perSource("brokerRecordsPerSource", before, after, sourceRecords);
    }

    /** As {@link #perSourceRecord}, for byte counts: {@code brokerBytesPerSource.<group>} and their sum. */
    static Map<String, Double> bytesPerSourceRecord(Map<String, Long> before, Map<String, Long> after,
                                                    long sourceRecords) {
        return perSource("brokerBytesPerSource", before, after, sourceRecords);
    }

    private static Map<String, Double> perSource(String metric, Map<String, Long> before, Map<String, Long> after,
                                                 long sourceRecords) {
        Map<String, Long> byGroup = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                byGroup.merge(group(e.getKey()), delta, Long::sum);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : byGroup.entrySet()) {
            if (!e.getKey().startsWith("internal")) {
                total += e.getValue();
            }
            out.put(metric + "." + e.getKey(), e.getValue() / (double) sourceRecords);
        }
        out.put(metric, total / (double) sourceRecords);
        return out;
    }

    static String group(String topic) {
        if (topic.startsWith("__")) {
            return "internal" + topic;
        }
        if (topic.endsWith("-changelog")) {
            String store = topic.substring(0, topic.length() - "-changelog".length());
            // the application id may hold a prefix too (the router's ledger stores: databus-sharing-router-ledger-*):
            // the store's name starts at the last prefix found
            int at = -1;
            for (String prefix : new String[] {"router-", "ledger-", "quality-"}) {
                at = Math.max(at, store.lastIndexOf(prefix));
            }
            return at >= 0 ? "changelog." + store.substring(at) : "changelog.other";
        }
        if (topic.startsWith("src.")) {
            return "src";
        }
        if (topic.startsWith("dlv.")) {
            return "dlv";
        }
        if (topic.startsWith("bench.")) {
            return "bench." + topic.substring(topic.lastIndexOf('.') + 1);
        }
        return topic;
    }
}
