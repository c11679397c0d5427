package cn.tianfu.databus.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import cn.tianfu.databus.DatabusException;

/**
 * Counts what a receiving thread got and when the last one arrived; waits for a count. Written by one receiving
 * thread, read by the measuring thread.
 */
final class Receipts {

    /** A wait fails when the awaited count has not moved for this long. */
    static final Duration STALL = Duration.ofSeconds(60);

    private final AtomicLong count = new AtomicLong();
    private volatile long lastNanos;
    private volatile RuntimeException failure;

    /** Records {@code n} arrivals now. */
    void received(long n) {
        lastNanos = System.nanoTime();
        count.addAndGet(n);
    }

    /** The receiving thread stopped with an error; waits fail with it. */
    void failed(RuntimeException e) {
        failure = e;
    }

    long count() {
        return count.get();
    }

    /** {@link System#nanoTime()} of the last arrival. */
    long lastNanos() {
        return lastNanos;
    }

    /** Waits until at least {@code target} arrived. */
    void await(long target, Duration timeout, String what) {
        awaitValue(count::get, target, timeout, what, () -> failure);
    }

    /** Polls {@code value} every 20 ms until it reaches {@code target}; returns the nanoTime it was seen there. */
    static long awaitValue(LongSupplier value, long target, Duration timeout, String what) {
        return awaitValue(value, target, timeout, what, () -> null);
    }

    private static long awaitValue(LongSupplier value, long target, Duration timeout, String what,
                                   java.util.function.Supplier<RuntimeException> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long progressAt = System.nanoTime();
        while (true) {
            RuntimeException f = failure.get();
            if (f != null) {
                throw new DatabusException(what + ": the receiver failed: " + f.getMessage(), f);
            }
            long now = value.getAsLong();
            if (now != last) {
                progressAt = System.nanoTime();
            }
            last = now;
            if (last >= target) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new DatabusException(what + ": " + last + " of " + target + " after " + timeout.toSeconds()
                        + " s; raise timeout.seconds if the machine is very loaded");
            }
            if (System.nanoTime() - progressAt > STALL.toNanos()) {
                throw new DatabusException(what + ": no progress for " + STALL.toSeconds() + " s at " + last + " of "
                        + target);
            }
            BenchBus.sleep(target - last > 1000 ? 20 : 2);
        }
    }

    /** CPU time of this whole process (broker, streams apps, clients) in nanoseconds, or -1 if not available. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
