package cn.tianfu.databus.streams;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KafkaStreams} every streams app of the bus returns: it owns the clients the app created for its topology
 * (registry client, admin, producers) and closes them, in the reverse of the order given, once the app has stopped;
 * and its {@link #close()} and {@link #close(Duration)} leave the consumer group, so a restarted instance takes over at
 * once instead of after the session timeout. {@code close(CloseOptions)} does what its options say.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = config.registryClient();
 * Admin admin = Admin.create(config.adminProperties());
 * return new OwningKafkaStreams(buildTopology(ctx), props, registry, admin);   // closes admin, then registry
 * }</pre>
 *
 * <p>The clients are closed when the app reaches {@code NOT_RUNNING} (whatever state listener the caller adds), or at
 * the end of a {@code close} that returned with the app stopped; never while a stream thread may still use them.
 */
public final class OwningKafkaStreams extends KafkaStreams {

    private static final Logger LOG = LoggerFactory.getLogger(OwningKafkaStreams.class);

    private final List<AutoCloseable> owned;
    private final AtomicBoolean released = new AtomicBoolean();

    /** {@code owned} are closed in reverse order once the app has stopped: give them in the order they were created. */
    public OwningKafkaStreams(Topology topology, Properties props, AutoCloseable... owned) {
        super(topology, props);
        this.owned = List.of(owned);
        super.setStateListener(this::onChange);
    }

    @Override
    public void setStateListener(StateListener listener) {
        super.setStateListener((next, previous) -> {
            onChange(next, previous);
            listener.onChange(next, previous);
        });
    }

    @Override
    public void close() {
        super.close(leaving());
        releaseIfStopped();
    }

    @Override
    public synchronized boolean close(Duration timeout) {
        boolean closed = super.close(leaving().withTimeout(timeout));
        releaseIfStopped();
        return closed;
    }

    @Override
    public synchronized boolean close(org.apache.kafka.streams.CloseOptions options) {
        boolean closed = super.close(options);
        releaseIfStopped();
        return closed;
    }

    @Override
    @SuppressWarnings("deprecation")
    public synchronized boolean close(KafkaStreams.CloseOptions options) {
        boolean closed = super.close(options);
        releaseIfStopped();
        return closed;
    }

    /** Whether the owned clients have been closed. */
    public boolean released() {
        return released.get();
    }

    private static org.apache.kafka.streams.CloseOptions leaving() {
        return org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }

    private void onChange(State next, State previous) {
        if (next == State.NOT_RUNNING) {
            release();
        }
    }

    private void releaseIfStopped() {
        if (state() == State.NOT_RUNNING) {
            release();
        }
    }

    /** Closes the owned clients once; a second caller waits until the first is done, so after close they are closed. */
    private void release() {
        synchronized (owned) {
            if (released.get()) {
                return;
            }
            for (int i = owned.size() - 1; i >= 0; i--) {
                AutoCloseable c = owned.get(i);
                try {
                    c.close();
                } catch (Exception e) {
                    // closing the others matters more than one failure to close
                    LOG.warn("Could not close {}: {}", c.getClass().getSimpleName(), e.toString());
                }
            }
            released.set(true);
        }
    }
}
