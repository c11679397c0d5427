package cn.tianfu.databus.dr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.kafka.Replication;

/**
 * MirrorMaker 2 in this JVM, replicating the bus from the primary cluster to the disaster-recovery cluster: Kafka's
 * own {@link MirrorMaker} driver (a Connect worker per target cluster, no REST server) running the
 * {@link MirrorSourceConnector} (records and topic configs, same topic names by the {@link IdentityReplicationPolicy})
 * and the {@link MirrorCheckpointConnector} (consumer-group offsets translated and written on the target).
 *
 * <pre>{@code
 * try (MirrorReplication mm2 = MirrorReplication.start(primaryAdminProps, drAdminProps, new DrConfig(Map.of()))) {
 *     ... // replicating until closed
 * }
 * }</pre>
 */
public final class MirrorReplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorReplication.class);
    private static final String PLUGIN_DISCOVERY = "plugin.discovery";
    private static final String SERVICE_LOAD = "service_load";

    private final MirrorMaker mirrorMaker;
    private final SourceAndTarget flow;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private MirrorReplication(MirrorMaker mirrorMaker, SourceAndTarget flow) {
        this.mirrorMaker = mirrorMaker;
        this.flow = flow;
    }

    /**
     * Starts MirrorMaker 2 from {@code primary} to {@code dr} (each a Kafka client config of an administrator of that
     * cluster) and returns once its workers run; the connectors start replicating shortly after.
     */
    public static MirrorReplication start(Map<String, ?> primary, Map<String, ?> dr, DrConfig config) {
        short factor = replicationFactor(dr, config);
        Map<String, String> props = properties(primary, dr, config, factor);
        SourceAndTarget flow = new SourceAndTarget(config.sourceAlias(), config.targetAlias());
        MirrorMaker mm = new MirrorMaker(props, List.of(config.targetAlias()));
        try {
            mm.start();
        } catch (RuntimeException e) {
            throw new DatabusException("MirrorMaker 2 could not start from " + primary.get("bootstrap.servers") + " to "
                    + dr.get("bootstrap.servers") + ": " + e.getMessage(), e);
        }
        LOG.info("MirrorMaker 2 replicating {} ({}) to {} ({}), topics {}, replication factor {}", flow.source(),
                primary.get("bootstrap.servers"), flow.target(), dr.get("bootstrap.servers"), config.topics(), factor);
        return new MirrorReplication(mm, flow);
    }

    /**
     * Starts MirrorMaker 2 with a complete configuration of the caller's ({@code props}, MirrorMaker's own keys) for
     * the one flow {@code sourceAlias->targetAlias}, and returns once its workers run: for replications other than
     * disaster recovery (the district tiers' link, docs/tiers.md), which choose their own topics and replication policy.
     */
    public static MirrorReplication start(Map<String, String> props, String sourceAlias, String targetAlias) {
        SourceAndTarget flow = new SourceAndTarget(sourceAlias, targetAlias);
        MirrorMaker mm = new MirrorMaker(props, List.of(targetAlias));
        try {
            mm.start();
        } catch (RuntimeException e) {
            throw new DatabusException("MirrorMaker 2 could not start from " + sourceAlias + " to " + targetAlias + ": "
                    + e.getMessage(), e);
        }
        LOG.info("MirrorMaker 2 replicating {} to {}, topics {}", sourceAlias, targetAlias,
                props.get(sourceAlias + "->" + targetAlias + ".topics"));
        return new MirrorReplication(mm, flow);
    }

    /**
     * Has MirrorMaker find its Connect plugins through their ServiceLoader manifests ({@code plugin.discovery}
     * {@code service_load}) instead of scanning the whole classpath, which costs start-up time only: set at the top
     * level (read by MirrorMakerConfig) and under the {@code target} cluster's prefix (read by its worker). A plugin of
     * the bus's own (a transform) needs a manifest under {@code META-INF/services}.
     */
    public static void discoverPluginsByServiceLoader(Map<String, String> props, String target) {
        props.put(PLUGIN_DISCOVERY, SERVICE_LOAD);
        props.put(target + "." + PLUGIN_DISCOVERY, SERVICE_LOAD);
    }

    /**
     * MirrorMaker 2's configuration: two clusters, one enabled flow, the identity policy, the bus's topics and groups,
     * offsets synced to the target, offset syncs kept on the target (so nothing is written on the primary and a DR
     * cluster alone tells how far replication got), records read {@code read_committed} (the bus's exactly-once
     * streams leave aborted records on their topics: they must not reach the copy).
     */
    static Map<String, String> properties(Map<String, ?> primary, Map<String, ?> dr, DrConfig config, short factor) {
        String source = config.sourceAlias();
        String target = config.targetAlias();
        String flow = source + "->" + target;
        String rf = Short.toString(factor);
        String interval = Integer.toString(config.syncIntervalSeconds());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("clusters", source + "," + target);
        primary.forEach((k, v) -> p.put(source + "." + k, String.valueOf(v)));
        dr.forEach((k, v) -> p.put(target + "." + k, String.valueOf(v)));
        p.put(flow + ".enabled", "true");
        p.put(target + "->" + source + ".enabled", "false");
        p.put("replication.policy.class", IdentityReplicationPolicy.class.getName());
        p.put(flow + ".topics", String.join(",", config.topics()));
        p.put(flow + ".groups", String.join(",", config.groups()));
        p.put(flow + ".emit.heartbeats.enabled", "false");
        p.put(flow + ".emit.checkpoints.enabled", "true");
        p.put(flow + ".emit.checkpoints.interval.seconds", interval);
        p.put(flow + ".sync.group.offsets.enabled", "true");
        p.put(flow + ".sync.group.offsets.interval.seconds", interval);
        p.put(flow + ".refresh.topics.interval.seconds", interval);
        p.put(flow + ".refresh.groups.interval.seconds", interval);
        p.put(flow + ".sync.topic.configs.enabled", "true");
        // the bus's WRITE ACLs are not copied by MirrorMaker: 'databus init' sets the disaster-recovery cluster's own
        p.put(flow + ".sync.topic.acls.enabled", "false");
        p.put(flow + ".offset-syncs.topic.location", "target");
        p.put(flow + ".offset.lag.max", Long.toString(config.offsetLagMax()));
        p.put(flow + ".consumer.isolation.level", "read_committed");
        p.put(flow + ".source.consumer.isolation.level", "read_committed");
        p.put("tasks.max", Integer.toString(config.tasksMax()));
        // MirrorMaker's Connect worker (one per target cluster) takes worker settings from the target's prefix: a
        // top-level offset.flush.interval.ms is ignored, and the worker's default (60 s) held back MirrorMaker's
        // committed progress for a minute
        p.put(target + ".offset.flush.interval.ms", Long.toString(TimeUnit.SECONDS.toMillis(config.syncIntervalSeconds())));
        // Connect finds its plugins by scanning the whole classpath unless told to use the ServiceLoader manifests
        // (KIP-898): MirrorMaker's connectors and Kafka's converters and policies ship manifests, so the scan only
        // cost start-up time. Read twice: by MirrorMakerConfig from the top level and by the worker under the
        // target's prefix
        discoverPluginsByServiceLoader(p, target);
        for (String key : List.of("replication.factor", "offset-syncs.topic.replication.factor",
                "checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
                "config.storage.replication.factor", "offset.storage.replication.factor", "status.storage.replication.factor")) {
            p.put(key, rf);
        }
        p.putAll(config.mirrorMakerOverrides());
        return p;
    }

    private static short replicationFactor(Map<String, ?> dr, DrConfig config) {
        if (config.replicationFactor() > 0) {
            return (short) config.replicationFactor();
        }
        Map<String, Object> props = new java.util.HashMap<>(dr);
        props.put("default.api.timeout.ms", (int) config.statusTimeoutMs());
        props.put("request.timeout.ms", (int) config.statusTimeoutMs());
        try (Admin admin = Admin.create(props)) {
            return Replication.of(admin, config.statusTimeoutMs()).factor();
        } catch (RuntimeException e) {
            throw new DatabusException("cannot reach the disaster-recovery cluster at " + dr.get("bootstrap.servers")
                    + ": " + e.getMessage(), e);
        }
    }

    /** The state of each connector and its tasks, e.g. {@code MirrorSourceConnector RUNNING (1 task RUNNING)}. */
    public List<String> states() {
        List<String> states = new ArrayList<>();
        for (Class<?> connector : List.of(MirrorSourceConnector.class, MirrorCheckpointConnector.class)) {
            String name = connector.getSimpleName();
            try {
                ConnectorStateInfo info = mirrorMaker.connectorStatus(flow, name);
                String tasks = info.tasks().stream().map(ConnectorStateInfo.AbstractState::state)
                        .reduce((a, b) -> a + "," + b).orElse("none");
                states.add(name + " " + info.connector().state() + " (tasks " + tasks + ")");
            } catch (RuntimeException e) {
                states.add(name + " not started yet");
            }
        }
        return states;
    }

    /**
     * Stops the workers: replication resumes from MirrorMaker's committed progress at the next start. Closing again
     * does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        mirrorMaker.stop();
        mirrorMaker.awaitStop();
        LOG.info("MirrorMaker 2 stopped");
    }
}
