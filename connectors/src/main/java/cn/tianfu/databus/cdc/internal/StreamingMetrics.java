package cn.tianfu.databus.cdc.internal;

import java.lang.management.ManagementFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What Debezium's JMX metrics say about a runner's capture. */
public final class StreamingMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingMetrics.class);

    private StreamingMetrics() {
    }

    /** Whether Debezium's streaming metrics for {@code runner} say it is connected to the database's log. */
    public static boolean connected(String runner) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : server.queryNames(new ObjectName("debezium.*:type=connector-metrics,context=streaming,*"), null)) {
                if (runner.equals(name.getKeyProperty("server")) && Boolean.TRUE.equals(server.getAttribute(name, "Connected"))) {
                    return true;
                }
            }
        } catch (Exception e) {
            LOG.debug("Cannot read the streaming metrics of {}", runner, e);
        }
        return false;
    }
}
