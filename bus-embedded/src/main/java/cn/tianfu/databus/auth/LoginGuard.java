package cn.tianfu.databus.auth;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import cn.tianfu.databus.auth.Authenticator.Basic;
import cn.tianfu.databus.auth.Authenticator.Caller;

/**
 * HTTP basic logins of the registry and the HTTP API, rate-limited. Checking a password costs a 120,000-iteration key
 * derivation, so a storm of bad logins could take every core of the bus host; the guard bounds what it can take:
 * <ul>
 * <li>credentials the {@link Authenticator} has verified before are let through at once, without a key derivation and
 * whatever the throttle says, so a department keeps working while its address is throttled;</li>
 * <li>after {@value #FREE_FAILURES_PER_USER} failures of one user from one source address, and after
 * {@value #FREE_FAILURES_PER_SOURCE} failures of any users from one address, that address (for that user, or for all)
 * waits before it is checked again: 1 s, doubling with each further failure, at most {@link #MAX_BACKOFF}; it is
 * answered {@link Throttled} (HTTP 429 with {@code Retry-After}) without a key derivation meanwhile. A success clears
 * the user's count at that address; counts are forgotten {@link #FORGET_AFTER} after the last failure;</li>
 * <li>at most {@value #CONCURRENT_CHECKS} key derivations run at once; a login that cannot start one within
 * {@link #CHECK_WAIT} is throttled too.</li>
 * </ul>
 *
 * <pre>{@code
 * LoginGuard guard = new LoginGuard(principals);
 * LoginGuard.Outcome outcome = guard.check(ctx.header("Authorization"), ctx.req().getRemoteAddr());
 * if (outcome instanceof LoginGuard.Accepted a) { ... a.caller() ... }
 * else if (outcome instanceof LoginGuard.Throttled t) { ... 429, Retry-After: t.retryAfterSeconds() ... }
 * else { ... 401 ... }
 * }</pre>
 */
public final class LoginGuard {

    /** Failures of one user from one address before that pair is throttled. */
    public static final int FREE_FAILURES_PER_USER = 3;
    /** Failures from one address (any users) before the address is throttled. */
    public static final int FREE_FAILURES_PER_SOURCE = 10;
    /** The first wait once throttled; each further failure doubles it. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** The longest wait. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** How long after its last failure an address (or address and user) starts again from zero. */
    public static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    /** Key derivations running at once, at most. */
    public static final int CONCURRENT_CHECKS = 2;
    /** How long a login may wait to start its key derivation. */
    public static final Duration CHECK_WAIT = Duration.ofSeconds(2);
    private static final int MAX_TRACKED = 100_000;

    /** What the guard says about one login. */
    public sealed interface Outcome permits Accepted, Refused, Throttled {
    }

    /** The credentials prove {@code caller}. */
    public record Accepted(Caller caller) implements Outcome {
    }

    /** The credentials are missing, malformed or wrong. */
    public record Refused() implements Outcome {
    }

    /** Not checked now: try again after {@code retryAfter}. */
    public record Throttled(Duration retryAfter) implements Outcome {
        /** The value of a {@code Retry-After} header: whole seconds, at least 1. */
        public String retryAfterSeconds() {
            return Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
        }
    }

    private record Failures(int count, long last) {
    }

    private final Authenticator authenticator;
    private final LongSupplier nanos;
    private final Semaphore checks;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginGuard(Authenticator authenticator) {
        this(authenticator, System::nanoTime, CONCURRENT_CHECKS);
    }

    /** A guard reading time from {@code nanos} (a monotonic clock, as {@link System#nanoTime()}) with its own bound on derivations. */
    public LoginGuard(Authenticator authenticator, LongSupplier nanos, int concurrentChecks) {
        this.authenticator = authenticator;
        this.nanos = nanos;
        this.checks = new Semaphore(concurrentChecks, true);
    }

    /**
     * Checks the credentials of an {@code Authorization} header value sent from {@code source} (the client's address).
     */
    public Outcome check(String authorization, String source) {
        String from = source == null ? "" : source;
        Optional<Basic> basic = Basic.parse(authorization);
        if (basic.isEmpty()) {
            // nothing to derive: answered at once, but it counts against the address
            Optional<Duration> wait = waitFor(from, null);
            if (wait.isPresent()) {
                return new Throttled(wait.get());
            }
            failed(from, null);
            return new Refused();
        }
        String user = basic.get().username();
        String password = basic.get().password();
        Optional<Caller> known = authenticator.remembered(user, password);
        if (known.isPresent()) {
            return new Accepted(known.get());
        }
        Optional<Duration> wait = waitFor(from, user);
        if (wait.isPresent()) {
            return new Throttled(wait.get());
        }
        boolean acquired;
        try {
            acquired = checks.tryAcquire(CHECK_WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Throttled(FIRST_BACKOFF);
        }
        if (!acquired) {
            return new Throttled(FIRST_BACKOFF);
        }
        try {
            // failures counted while this one waited for its turn may have throttled the address meanwhile
            wait = waitFor(from, user);
            if (wait.isPresent()) {
                return new Throttled(wait.get());
            }
            Optional<Caller> caller = authenticator.authenticate(user, password);
            if (caller.isPresent()) {
                failures.remove(key(from, user));
                return new Accepted(caller.get());
            }
            failed(from, user);
            return new Refused();
        } finally {
            checks.release();
        }
    }

    /** How long {@code source} (for {@code user}, when not null) must still wait; empty when it may be checked now. */
    Optional<Duration> waitFor(String source, String user) {
        long now = nanos.getAsLong();
        long until = blockedUntil(failures.get(key(source, null)), FREE_FAILURES_PER_SOURCE, now);
        if (user != null) {
            until = Math.max(until, blockedUntil(failures.get(key(source, user)), FREE_FAILURES_PER_USER, now));
        }
        return until > now ? Optional.of(Duration.ofNanos(until - now)) : Optional.empty();
    }

    private void failed(String source, String user) {
        long now = nanos.getAsLong();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> now - f.last() > FORGET_AFTER.toNanos());
            if (failures.size() >= MAX_TRACKED) {
                // a flood of distinct addresses: keep the per-address counts, drop the per-user ones
                failures.keySet().removeIf(k -> k.indexOf('\u0000') >= 0);
            }
        }
        failures.merge(key(source, null), new Failures(1, now), (old, one) -> next(old, now));
        if (user != null) {
            failures.merge(key(source, user), new Failures(1, now), (old, one) -> next(old, now));
        }
    }

    private static Failures next(Failures old, long now) {
        int count = now - old.last() > FORGET_AFTER.toNanos() ? 1 : old.count() + 1;
        return new Failures(count, now);
    }

    private static long blockedUntil(Failures f, int free, long now) {
        if (f == null || f.count() < free || now - f.last() > FORGET_AFTER.toNanos()) {
            return Long.MIN_VALUE;
        }
        int doublings = Math.min(f.count() - free, 30);
        long backoff = Math.min(FIRST_BACKOFF.toNanos() << doublings, MAX_BACKOFF.toNanos());
        return f.last() + backoff;
    }

    private static String key(String source, String user) {
        return user == null ? source : source + '\u0000' + user;
    }
}
