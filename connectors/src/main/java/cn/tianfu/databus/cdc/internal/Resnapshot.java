package cn.tianfu.databus.cdc.internal;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import javax.management.InstanceNotFoundException;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.debezium.engine.DebeziumEngine;

/**
 * A blocking snapshot of some tables, asked of a running engine through Debezium's {@code in-process} signal channel
 * ({@code execute-snapshot}, type {@code blocking}): Debezium pauses streaming, reads the tables' current rows (as
 * snapshot reads, op {@code r}, at the current log position), then streams on. Its end is told by Debezium's JMX
 * notification channel ({@code Initial Snapshot} notifications, which blocking snapshots send too).
 *
 * <p>The engine must be configured with {@link EngineProperties#SIGNAL_CHANNEL} and {@link EngineProperties#NOTIFICATION_CHANNEL}.
 */
public final class Resnapshot {

    /** How a snapshot ended. */
    public enum End {
        COMPLETED, ABORTED
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Resnapshot() {
    }

    /**
     * Asks {@code engine} for a blocking snapshot of {@code tables} ({@code schema.table} or {@code database.table}).
     *
     * @throws IllegalArgumentException when the engine's task has not opened its signal channel yet; try again later
     */
    public static void request(DebeziumEngine<?> engine, Collection<String> tables) {
        String collections = tables.stream().map(t -> "\"" + t.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(","));
        engine.getSignaler().signal(new DebeziumEngine.Signal(UUID.randomUUID().toString(), "execute-snapshot",
                "{\"data-collections\":[" + collections + "],\"type\":\"blocking\"}", Map.of()));
    }

    /**
     * Calls {@code ended} when a snapshot of the runner's engine ends from now on (completed or aborted), with the rows
     * it read per table ({@code scanned_collection} → {@code total_rows_scanned} of Debezium's notifications).
     *
     * @return a handle to stop listening, or null when the runner's notification MBean is not registered yet
     */
    public static AutoCloseable onEnd(String runner, BiConsumer<End, Map<String, Long>> ended) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName found = null;
        try {
            for (ObjectName name : server.queryNames(new ObjectName("debezium.*:type=management,context=notifications,*"), null)) {
                if (runner.equals(name.getKeyProperty("server"))) {
                    found = name;
                }
            }
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        if (found == null) {
            return null;
        }
        Map<String, Long> rowsRead = new ConcurrentHashMap<>();
        NotificationListener listener = (Notification n, Object handback) -> {
            if (!(n.getUserData() instanceof String json)) {
                return;
            }
            JsonNode node;
            try {
                node = JSON.readTree(json);
            } catch (java.io.IOException e) {
                return;   // not a Debezium notification
            }
            if (!"Initial Snapshot".equals(node.path("aggregateType").asText())) {
                return;
            }
            JsonNode data = node.path("additionalData");
            switch (node.path("type").asText()) {
                case "STARTED" -> rowsRead.clear();
                case "TABLE_SCAN_COMPLETED" -> rowsRead.merge(data.path("scanned_collection").asText(),
                        data.path("total_rows_scanned").asLong(0), Long::sum);
                case "COMPLETED" -> ended.accept(End.COMPLETED, Map.copyOf(rowsRead));
                case "ABORTED" -> ended.accept(End.ABORTED, Map.copyOf(rowsRead));
                default -> {
                }
            }
        };
        ObjectName name = found;
        try {
            server.addNotificationListener(name, listener, null, null);
        } catch (InstanceNotFoundException e) {
            return null;
        }
        return () -> {
            try {
                server.removeNotificationListener(name, listener);
            } catch (InstanceNotFoundException | ListenerNotFoundException e) {
                // the engine has gone, and its MBean with it
            }
        };
    }
}
