package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.auth.Authenticator;

/** Server-side console sessions on a pinned clock: idle expiry, sign-out, and each session's CSRF token. */
class SessionsTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-02T01:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private final Sessions sessions = new Sessions(Duration.ofMinutes(30), clock);

    private Sessions.Session open(String dept) {
        return sessions.open(Authenticator.Caller.of(dept), new Authenticator.Basic(dept, "secret-" + dept));
    }

    @Test
    void aSessionLastsWhileItIsUsedAndEndsAfterTheIdleTimeout() {
        Sessions.Session s = open("psb");
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertThat(sessions.find(s.id())).as("29 minutes idle").contains(s);
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertThat(sessions.find(s.id())).as("used 29 minutes ago: the idle time restarted at the last use").contains(s);
        now.set(now.get().plus(Duration.ofMinutes(30)).plusSeconds(1));
        assertThat(sessions.find(s.id())).as("30 minutes and a second idle").isEmpty();
        now.set(now.get().minus(Duration.ofMinutes(10)));
        assertThat(sessions.find(s.id())).as("an ended session stays ended").isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void signOutEndsOnlyThatSession() {
        Sessions.Session a = open("psb");
        Sessions.Session b = open("psb");
        Sessions.Session c = open("hrss");
        sessions.close(a.id());
        assertThat(sessions.find(a.id())).isEmpty();
        assertThat(sessions.find(b.id())).contains(b);
        sessions.closeAll("psb");
        assertThat(sessions.find(b.id())).isEmpty();
        assertThat(sessions.find(c.id())).contains(c);
    }

    @Test
    void unknownOrMissingIdsFindNothing() {
        open("psb");
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("")).isEmpty();
        assertThat(sessions.find("not-a-session")).isEmpty();
    }

    @Test
    void eachSessionHasItsOwnUnguessableCsrfTokenAndOnlyThatOneMatches() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Sessions.Session s = open("psb");
            assertThat(s.id()).hasSize(43).matches("[A-Za-z0-9_-]+");
            assertThat(s.csrf()).hasSize(43).isNotEqualTo(s.id());
            assertThat(seen.add(s.id())).isTrue();
            assertThat(seen.add(s.csrf())).isTrue();
        }
        Sessions.Session s = open("psb");
        Sessions.Session other = open("psb");
        assertThat(s.csrfMatches(s.csrf())).isTrue();
        assertThat(s.csrfMatches(other.csrf())).as("another session's token").isFalse();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.csrf().substring(1))).isFalse();
        assertThat(s.csrfMatches(s.csrf() + "x")).isFalse();
    }

    @Test
    void theIdleTimeoutMustBePositive() {
        assertThatThrownBy(() -> new Sessions(Duration.ZERO, clock)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFlashMessageIsShownOnce() {
        Sessions.Session s = open("psb");
        s.flash("done", false);
        assertThat(s.takeFlash()).hasValueSatisfying(f -> assertThat(f.text()).isEqualTo("done"));
        assertThat(s.takeFlash()).isEmpty();
    }

    @Test
    void signInSendsOnlyToAPathOfTheConsole() {
        assertThat(Console.safeNext("/console/requests/mine")).isEqualTo("/console/requests/mine");
        assertThat(Console.safeNext("https://evil.example/")).isEqualTo("/console/");
        assertThat(Console.safeNext("//evil.example/console/")).isEqualTo("/console/");
        assertThat(Console.safeNext("/console//evil.example")).isEqualTo("/console/");
        assertThat(Console.safeNext("/console/login")).isEqualTo("/console/");
        assertThat(Console.safeNext(null)).isEqualTo("/console/");
    }
}
