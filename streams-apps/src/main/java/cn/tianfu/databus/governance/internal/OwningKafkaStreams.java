package cn.tianfu.databus.governance.internal;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/** A {@link KafkaStreams} that closes the clients its topology uses (registry, admin) when it is closed. */
public final class OwningKafkaStreams extends KafkaStreams {

    private final AutoCloseable[] owned;
    private final AtomicBoolean released = new AtomicBoolean();

    public OwningKafkaStreams(Topology topology, Properties props, AutoCloseable... owned) {
        super(topology, props);
        this.owned = owned.clone();
    }

    @Override
    public void close() {
        super.close();
        release();
    }

    @Override
    public synchronized boolean close(Duration timeout) {
        boolean closed = super.close(timeout);
        release();
        return closed;
    }

    @Override
    public synchronized boolean close(org.apache.kafka.streams.CloseOptions options) {
        boolean closed = super.close(options);
        release();
        return closed;
    }

    @Override
    @SuppressWarnings("deprecation")
    public synchronized boolean close(KafkaStreams.CloseOptions options) {
        boolean closed = super.close(options);
        release();
        return closed;
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing the others matters more than one failure to close
            }
        }
    }
}
