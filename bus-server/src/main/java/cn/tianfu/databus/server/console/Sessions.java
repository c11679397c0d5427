package cn.tianfu.databus.server.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import cn.tianfu.databus.auth.Authenticator;

/**
 * The console's signed-in sessions, kept on the server: the browser holds only a random session id (in an
 * {@code HttpOnly}, {@code SameSite=Strict} cookie). A session ends when it is signed out or has been idle longer than
 * the idle timeout, read from an {@link InstantSource} so tests can pin it. Each session carries its own CSRF token,
 * which every form of the session repeats and every POST must bring back.
 *
 * <p>The session keeps the department's credentials in memory, and only there: the console calls the HTTP API with
 * them, so every page acts as the signed-in department under the same rules as the API.
 */
public final class Sessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Sessions looked at between two sweeps of expired ones. */
    private static final int SWEEP_EVERY = 256;

    /** One signed-in session. */
    public static final class Session {
        private final String id;
        private final String csrf;
        private final Authenticator.Caller caller;
        private final Authenticator.Basic credentials;
        private final Instant signedIn;
        private volatile Instant lastSeen;
        private volatile Flash flash;

        Session(String id, String csrf, Authenticator.Caller caller, Authenticator.Basic credentials, Instant now) {
            this.id = id;
            this.csrf = csrf;
            this.caller = caller;
            this.credentials = credentials;
            this.signedIn = now;
            this.lastSeen = now;
        }

        /** The session id the cookie carries. */
        public String id() {
            return id;
        }

        /** The CSRF token every form of this session carries. */
        public String csrf() {
            return csrf;
        }

        /** Who signed in. */
        public Authenticator.Caller caller() {
            return caller;
        }

        /** The credentials the console calls the API with as this caller. */
        Authenticator.Basic credentials() {
            return credentials;
        }

        public Instant signedIn() {
            return signedIn;
        }

        public Instant lastSeen() {
            return lastSeen;
        }

        /** Whether {@code token} is this session's CSRF token (compared in constant time; false when null). */
        public boolean csrfMatches(String token) {
            return Tokens.equal(csrf, token);
        }

        /** A message for the next page of this session. */
        void flash(String text, boolean error) {
            this.flash = new Flash(text, error);
        }

        /** The message left for this page, once. */
        Optional<Flash> takeFlash() {
            Flash f = flash;
            flash = null;
            return Optional.ofNullable(f);
        }

        @Override
        public String toString() {
            return "Session[" + caller.name() + "]";
        }
    }

    /** A message shown once on the page after a form. */
    record Flash(String text, boolean error) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final InstantSource clock;
    private int looks;

    /**
     * @param idleTimeout how long a session lasts without a request
     * @param clock       the time sessions are judged by
     */
    public Sessions(Duration idleTimeout, InstantSource clock) {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the console's idle timeout must be positive, was " + idleTimeout);
        }
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    /** A new session for {@code caller}, who proved itself with {@code credentials}. */
    public Session open(Authenticator.Caller caller, Authenticator.Basic credentials) {
        Session session = new Session(Tokens.random(), Tokens.random(), caller, credentials, clock.instant());
        sessions.put(session.id(), session);
        return session;
    }

    /**
     * The live session of {@code id}, its idle time restarted; empty when there is none, it was signed out or it has
     * been idle longer than the timeout (then it is ended).
     */
    public Optional<Session> find(String id) {
        sweepNow();
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(id, session);
            return Optional.empty();
        }
        session.lastSeen = now;
        return Optional.of(session);
    }

    /** Ends the session of {@code id} (sign-out); nothing when there is none. */
    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session of {@code principal} (its password changed, or it was removed). */
    public void closeAll(String principal) {
        sessions.values().removeIf(s -> s.caller().name().equals(principal));
    }

    /** Sessions open now (expired ones not yet swept may be counted). */
    public int size() {
        return sessions.size();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    private boolean expired(Session session, Instant now) {
        return Duration.between(session.lastSeen, now).compareTo(idleTimeout) > 0;
    }

    private void sweepNow() {
        boolean sweep;
        synchronized (this) {
            sweep = ++looks % SWEEP_EVERY == 0;
        }
        if (sweep) {
            Instant now = clock.instant();
            sessions.values().removeIf(s -> expired(s, now));
        }
    }

    /** Random tokens and their comparison. */
    static final class Tokens {
        private Tokens() {
        }

        /** 32 random bytes, URL-safe base64 without padding. */
        static String random() {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        /** Whether two tokens are equal, in time independent of where they differ; false when either is null or empty. */
        static boolean equal(String expected, String given) {
            if (expected == null || given == null || expected.isEmpty() || given.isEmpty()) {
                return false;
            }
            return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
        }
    }
}
