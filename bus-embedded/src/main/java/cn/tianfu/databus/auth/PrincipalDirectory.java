package cn.tianfu.databus.auth;

import cn.tianfu.databus.contract.Principals;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Auditor;
import cn.tianfu.databus.schemas.Expert;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

/**
 * The bus's {@link Authenticator}: its own principal (an admin) and every department and auditor whose password
 * verifier is on {@code bus.departments} / {@code bus.auditors}, read with the bus's own credentials. The topics are
 * re-read when a call comes and the last read is older than {@link #REFRESH}. Credentials that match nothing known
 * wait for a read that began after they came (so a department just added or rotated by another process is known at its
 * first call); such reads are shared by every failed login waiting and happen at most once per {@link #MISS_REFRESH},
 * so a storm of bad logins costs one read per interval, not one each. A verified password is remembered (as a hash, with
 * the verifier it matched) so repeated calls do not pay the key derivation again ({@link #remembered}). A refused login
 * costs one key derivation, for an unknown user as for a known one (against a dummy verifier), and a second only when
 * the user's verifier changed on the read it waited for.
 */
public final class PrincipalDirectory implements Authenticator, AutoCloseable {

    /** How stale the directory may be when a call comes. */
    public static final Duration REFRESH = Duration.ofSeconds(1);
    /** At most one read of the topics per this interval on behalf of credentials that matched nothing. */
    public static final Duration MISS_REFRESH = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(PrincipalDirectory.class);

    private final String busUser;
    private final String busPassword;
    private final Supplier<DatabusClientConfig> bus;
    private final Duration timeout;
    private final ReentrantLock refreshing = new ReentrantLock();
    private CompactedTopicReader<Department> departments;
    private CompactedTopicReader<Auditor> auditors;
    private CompactedTopicReader<Expert> experts;
    private boolean closed;
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private volatile Map<String, String> verifiers = Map.of();
    /** {@link System#nanoTime()} when the last read of the topics began; 0 before the first. */
    private volatile long refreshedAt;
    /** When the last read began, whether it succeeded or not. */
    private long attemptedAt;

    /**
     * @param busUser     the bus principal's name; with {@code busPassword}, the admin's credentials
     * @param bus         the bus principal's client config, asked for on the first call that needs the topics (the
     *                    registry's own URL may be known only once it listens)
     */
    public PrincipalDirectory(String busUser, String busPassword, Supplier<DatabusClientConfig> bus, Duration timeout) {
        this.busUser = busUser;
        this.busPassword = busPassword;
        this.bus = bus;
        this.timeout = timeout;
    }

    /** A directory for the bus principal of {@code bus}, which must carry SASL credentials. */
    public PrincipalDirectory(DatabusClientConfig bus, Duration timeout) {
        this(bus.principal(), bus.basicAuthUserInfo().map(i -> i.substring(i.indexOf(':') + 1))
                .orElseThrow(() -> new IllegalArgumentException("the bus's client config has no SASL credentials")), () -> bus, timeout);
    }

    private void open() {
        DatabusClientConfig bus = this.bus.get();
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-principals");
        AvroSerde<Department> d = AvroSerde.specific(Department.class);
        d.configure(bus.serdeConfig(), false);
        AvroSerde<Auditor> a = AvroSerde.specific(Auditor.class);
        a.configure(bus.serdeConfig(), false);
        this.departments = new CompactedTopicReader<>(Topics.DEPARTMENTS, consumer, d.deserializer(), Department::getId, timeout);
        this.auditors = new CompactedTopicReader<>(Topics.AUDITORS, consumer, a.deserializer(), Auditor::getId, timeout);
        AvroSerde<Expert> e = AvroSerde.specific(Expert.class);
        e.configure(bus.serdeConfig(), false);
        this.experts = new CompactedTopicReader<>(Topics.EXPERTS, consumer, e.deserializer(), Expert::getId, timeout);
    }

    @Override
    public Optional<Caller> remembered(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        if (username.equals(busUser)) {
            return Passwords.equal(password, busPassword) ? Optional.of(Caller.admin(busUser)) : Optional.empty();
        }
        String verifier = current().get(username);
        String seen = verified.get(username);
        return verifier != null && seen != null && seen.equals(fingerprint(password, verifier))
                ? Optional.of(Caller.of(username)) : Optional.empty();
    }

    @Override
    public Optional<Caller> authenticate(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        if (username.equals(busUser)) {
            return Passwords.equal(password, busPassword) ? Optional.of(Caller.admin(busUser)) : Optional.empty();
        }
        long asked = System.nanoTime();
        String verifier = current().get(username);
        Optional<Caller> caller = check(username, password, verifier);
        if (caller.isPresent()) {
            return caller;
        }
        // unknown or not matching: perhaps added or rotated a moment ago; wait for a read that began after this call
        String now = readSince(asked).get(username);
        return now == null || now.equals(verifier) ? Optional.empty() : check(username, password, now);
    }

    /** One key derivation: against the user's verifier, or a dummy one for an unknown user (so both cost the same). */
    private Optional<Caller> check(String username, String password, String verifier) {
        if (verifier == null) {
            Passwords.matches(password, Dummy.VERIFIER);
            return Optional.empty();
        }
        String fingerprint = fingerprint(password, verifier);
        if (fingerprint.equals(verified.get(username))) {
            return Optional.of(Caller.of(username));
        }
        if (Passwords.matches(password, verifier)) {
            verified.put(username, fingerprint);
            return Optional.of(Caller.of(username));
        }
        return Optional.empty();
    }

    /** The verifiers, re-read first when older than {@link #REFRESH} (unless another read is under way). */
    private Map<String, String> current() {
        long at = refreshedAt;
        if (at != 0 && System.nanoTime() - at < REFRESH.toNanos()) {
            return verifiers;
        }
        if (at == 0) {
            refreshing.lock();
        } else if (!refreshing.tryLock()) {
            return verifiers; // a read is under way: answer from the last one rather than queue behind it
        }
        try {
            long now = System.nanoTime();
            if (refreshedAt == 0 || now - refreshedAt >= REFRESH.toNanos() && now - attemptedAt >= MISS_REFRESH.toNanos()) {
                read();
            }
            return verifiers;
        } finally {
            refreshing.unlock();
        }
    }

    /**
     * The verifiers of a read that began at or after {@code since}: the last one if it did, else a new one, started no
     * sooner than {@link #MISS_REFRESH} after the last (waiting meanwhile; callers waiting share it).
     */
    private Map<String, String> readSince(long since) {
        refreshing.lock();
        try {
            if (refreshedAt != 0 && refreshedAt - since >= 0) {
                return verifiers;
            }
            long wait = attemptedAt == 0 ? 0 : attemptedAt + MISS_REFRESH.toNanos() - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            read();
            return verifiers;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return verifiers;
        } finally {
            refreshing.unlock();
        }
    }

    /** Reads both topics to their end; called holding {@link #refreshing}. */
    private void read() {
        long now = System.nanoTime();
        if (closed) {
            return;
        }
        attemptedAt = now;
        try {
            if (departments == null) {
                open();
            }
            Map<String, String> next = new HashMap<>();
            departments.refresh().values().forEach(dep -> {
                if (dep.getPasswordVerifier() != null) {
                    next.put(dep.getId(), dep.getPasswordVerifier());
                }
            });
            auditors.refresh().values().forEach(aud -> {
                if (aud.getPasswordVerifier() != null) {
                    next.put(Principals.auditorPrincipal(aud.getId()), aud.getPasswordVerifier());
                }
            });
            experts.refresh().values().forEach(exp -> {
                if (exp.getPasswordVerifier() != null) {
                    next.put(Principals.expertPrincipal(exp.getId()), exp.getPasswordVerifier());
                }
            });
            verified.keySet().retainAll(next.keySet());
            verifiers = Map.copyOf(next);
            refreshedAt = now;
        } catch (RuntimeException e) {
            LOG.warn("Cannot refresh the bus's principals; answering from what was read {} ms ago: {}",
                    refreshedAt == 0 ? -1 : (now - refreshedAt) / 1_000_000, e.getMessage());
        }
    }

    /** A verifier no password matches, computed once, for unknown users. */
    private static final class Dummy {
        static final String VERIFIER = Passwords.verifier(Passwords.generate());
    }

    private static String fingerprint(String password, String verifier) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(verifier.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update((byte) 0);
            return java.util.HexFormat.of().formatHex(digest.digest(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        refreshing.lock();
        try {
            closed = true;
            if (departments != null) {
                departments.close();
                auditors.close();
                experts.close();
            }
        } finally {
            refreshing.unlock();
        }
    }
}
