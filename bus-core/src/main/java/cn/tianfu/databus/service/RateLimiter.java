package cn.tianfu.databus.service;

import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-grant limits of the service exchange, so that a service grant cannot be used to copy a whole resource: at
 * most {@code perMinute} answers in each minute of the clock (a fixed window: {@code 12:03:00.000}–{@code 12:03:59.999})
 * and at most {@code perDay} in each calendar day of {@code zone}. A request over either limit is refused with the
 * limit's reason and the instant it resets; a refused request does not count. Kept in memory, per node.
 *
 * <pre>{@code
 * RateLimiter limiter = new RateLimiter(InstantSource.system(), ZoneId.of("Asia/Shanghai"));
 * RateLimiter.Decision d = limiter.acquire(grantId, new RateLimiter.Limits(60, 10_000));
 * if (!d.allowed()) { ... 429, Retry-After: d.retryAfterSeconds(now) ... }
 * }</pre>
 */
public final class RateLimiter {

    /**
     * A grant's limits; 0 or less means none of that kind.
     *
     * @param perMinute answers per minute
     * @param perDay    answers per calendar day
     */
    public record Limits(long perMinute, long perDay) {
    }

    /**
     * Whether a request may be answered.
     *
     * @param allowed whether it is within the limits (it is counted then)
     * @param reason  which limit it is over; null when allowed
     * @param resetAt when that limit resets; null when allowed
     */
    public record Decision(boolean allowed, String reason, Instant resetAt) {

        /** Whole seconds from {@code now} until the limit resets, at least 1. */
        public long retryAfterSeconds(Instant now) {
            long ms = resetAt.toEpochMilli() - now.toEpochMilli();
            return Math.max(1, (ms + 999) / 1000);
        }
    }

    private final InstantSource clock;
    private final ZoneId zone;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public RateLimiter(InstantSource clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    /** Counts one request under the grant if it is within both limits. */
    public Decision acquire(String grantId, Limits limits) {
        Counter c = counters.computeIfAbsent(grantId, g -> new Counter());
        Instant now = clock.instant();
        long minute = now.toEpochMilli() / 60_000;
        LocalDate day = LocalDate.ofInstant(now, zone);
        synchronized (c) {
            if (c.minute != minute) {
                c.minute = minute;
                c.inMinute = 0;
            }
            if (!day.equals(c.day)) {
                c.day = day;
                c.inDay = 0;
            }
            if (limits.perDay() > 0 && c.inDay >= limits.perDay()) {
                return new Decision(false, "the grant's daily limit of " + limits.perDay() + " answers is used up",
                        day.plusDays(1).atStartOfDay(zone).toInstant());
            }
            if (limits.perMinute() > 0 && c.inMinute >= limits.perMinute()) {
                return new Decision(false, "the grant's rate limit of " + limits.perMinute() + " answers per minute is"
                        + " used up", Instant.ofEpochMilli((minute + 1) * 60_000));
            }
            c.inMinute++;
            c.inDay++;
            return new Decision(true, null, null);
        }
    }

    private static final class Counter {
        long minute = Long.MIN_VALUE;
        long inMinute;
        LocalDate day;
        long inDay;
    }
}
