package cn.tianfu.databus.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;

import cn.tianfu.databus.DatabusException;

/**
 * How the bus replicates the topics it creates, decided in this one place from the size of the cluster: on three or
 * more brokers, replication factor 3 and {@code min.insync.replicas} 2 (a write is acknowledged by two brokers, and one
 * broker may fail without losing or refusing anything); on fewer, as many replicas as there are brokers and
 * {@code min.insync.replicas} 1 (a broker's loss may lose data: {@link #note()} says so).
 */
public record Replication(short factor, int minInsyncReplicas, int brokers) {

    /** The policy for a cluster of {@code brokers} brokers. */
    public static Replication forBrokers(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker");
        }
        return brokers >= 3 ? new Replication((short) 3, 2, brokers) : new Replication((short) brokers, 1, brokers);
    }

    /** The policy for the cluster {@code admin} is connected to. */
    public static Replication of(Admin admin, long timeoutMs) {
        try {
            return forBrokers(admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while counting the cluster's brokers", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DatabusException("cannot count the cluster's brokers: " + e.getMessage(), e);
        }
    }

    /** Whether this is the full policy (three replicas, two in sync). */
    public boolean full() {
        return factor >= 3;
    }

    /** The topic config this policy adds to a topic it creates. */
    public Map<String, String> topicConfigs() {
        Map<String, String> c = new HashMap<>();
        c.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        return c;
    }

    /** One line for an operator: what this policy is and, with fewer than three brokers, what it risks. */
    public String note() {
        String what = brokers + " broker" + (brokers == 1 ? "" : "s") + ": system topics with replication factor " + factor
                + ", min.insync.replicas " + minInsyncReplicas;
        return full() ? what : what + " (fewer than three brokers: the loss of a broker's disk loses data; add brokers"
                + " and reassign the partitions to replicate)";
    }
}
