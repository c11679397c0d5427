package cn.tianfu.databus.opendata.http;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fixed-window request limit per client address: at most {@code limit} requests in each window of {@code window};
 * a request over it is told how many seconds remain of the window. Windows of addresses not seen for a while are
 * dropped, so the table stays small.
 */
final class RateLimiter {

    private final int limit;
    private final long windowMillis;
    private final InstantSource clock;
    private final Map<String, long[]> windows = new ConcurrentHashMap<>();

    RateLimiter(int limit, Duration window, InstantSource clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** 0 when the request may go on; otherwise the seconds until the address may ask again. */
    long acquire(String address) {
        long now = clock.millis();
        if (windows.size() > 10_000) {
            windows.values().removeIf(w -> now - w[0] >= windowMillis);
        }
        long[] w = windows.compute(address, (a, old) -> {
            if (old == null || now - old[0] >= windowMillis) {
                return new long[] {now, 1};
            }
            old[1]++;
            return old;
        });
        synchronized (w) {
            if (w[1] <= limit) {
                return 0;
            }
            return Math.max(1, (w[0] + windowMillis - now + 999) / 1000);
        }
    }
}
