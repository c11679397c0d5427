package cn.tianfu.databus.auth;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.governance.client.internal.CompactedTopicReader;
import cn.tianfu.databus.schemas.Auditor;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.topic.Topics;

/**
 * The bus's {@link Authenticator}: its own principal (an admin) and every department and auditor whose password
 * verifier is on {@code bus.departments} / {@code bus.auditors}, read with the bus's own credentials. The topics are
 * re-read when a call comes and the last read is older than {@link #REFRESH}, and at once when the credentials match
 * nothing known, so a department just added or rotated by another process is known at its first call, and one removed
 * is refused within about a second. A verified password is remembered (as a hash, with the verifier it matched)
 * so repeated calls do not pay the key derivation again.
 */
public final class PrincipalDirectory implements Authenticator, AutoCloseable {

    /** How stale the directory may be when a call comes. */
    public static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(PrincipalDirectory.class);

    private final String busUser;
    private final String busPassword;
    private final Supplier<DatabusClientConfig> bus;
    private final Duration timeout;
    private CompactedTopicReader<Department> departments;
    private CompactedTopicReader<Auditor> auditors;
    private boolean closed;
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private Map<String, String> verifiers = Map.of();
    private long refreshedAt;

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
    }

    @Override
    public Optional<Caller> authenticate(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        if (username.equals(busUser)) {
            return Passwords.equal(password, busPassword) ? Optional.of(Caller.admin(busUser)) : Optional.empty();
        }
        Optional<Caller> caller = check(username, password, verifiers(false));
        // unknown or not matching: perhaps added or rotated a moment ago; read on to the topics' end and check again
        return caller.isPresent() ? caller : check(username, password, verifiers(true));
    }

    private Optional<Caller> check(String username, String password, Map<String, String> known) {
        String verifier = known.get(username);
        if (verifier == null) {
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

    private synchronized Map<String, String> verifiers(boolean force) {
        long now = System.nanoTime();
        if (!force && refreshedAt != 0 && now - refreshedAt < REFRESH.toNanos()) {
            return verifiers;
        }
        if (closed) {
            return verifiers;
        }
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
                    next.put(AccessPolicy.auditorPrincipal(aud.getId()), aud.getPasswordVerifier());
                }
            });
            verified.keySet().retainAll(next.keySet());
            verifiers = Map.copyOf(next);
            refreshedAt = now;
        } catch (RuntimeException e) {
            LOG.warn("Cannot refresh the bus's principals; answering from what was read {} ms ago: {}",
                    refreshedAt == 0 ? -1 : (now - refreshedAt) / 1_000_000, e.getMessage());
        }
        return verifiers;
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
    public synchronized void close() {
        closed = true;
        if (departments != null) {
            departments.close();
            auditors.close();
        }
    }
}
