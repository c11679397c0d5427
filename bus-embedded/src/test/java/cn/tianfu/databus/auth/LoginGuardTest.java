package cn.tianfu.databus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.auth.Authenticator.Caller;

class LoginGuardTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicInteger slowChecks = new AtomicInteger();
    private final Authenticator directory = new Authenticator() {
        @Override
        public Optional<Caller> authenticate(String user, String password) {
            slowChecks.incrementAndGet();
            return "psb".equals(user) && "right".equals(password) ? Optional.of(Caller.of(user)) : Optional.empty();
        }

        @Override
        public Optional<Caller> remembered(String user, String password) {
            return "hrss".equals(user) && "known".equals(password) ? Optional.of(Caller.of(user)) : Optional.empty();
        }
    };
    private final LoginGuard guard = new LoginGuard(directory, clock::get, 2);

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void a_user_is_throttled_after_its_free_failures_and_the_wait_doubles() {
        for (int i = 0; i < LoginGuard.FREE_FAILURES_PER_USER; i++) {
            assertThat(guard.check(basic("psb", "wrong"), "10.0.0.1")).isInstanceOf(LoginGuard.Refused.class);
        }
        LoginGuard.Outcome throttled = guard.check(basic("psb", "right"), "10.0.0.1");
        assertThat(throttled).isEqualTo(new LoginGuard.Throttled(LoginGuard.FIRST_BACKOFF));
        assertThat(((LoginGuard.Throttled) throttled).retryAfterSeconds()).isEqualTo("1");
        assertThat(slowChecks).hasValue(LoginGuard.FREE_FAILURES_PER_USER);

        advance(LoginGuard.FIRST_BACKOFF);
        assertThat(guard.check(basic("psb", "wrong"), "10.0.0.1")).isInstanceOf(LoginGuard.Refused.class);
        assertThat(guard.check(basic("psb", "right"), "10.0.0.1"))
                .isEqualTo(new LoginGuard.Throttled(LoginGuard.FIRST_BACKOFF.multipliedBy(2)));
        // another address is not concerned
        assertThat(guard.check(basic("psb", "right"), "10.0.0.2")).isEqualTo(new LoginGuard.Accepted(Caller.of("psb")));
    }

    @Test
    void a_success_clears_the_count_and_counts_are_forgotten() {
        guard.check(basic("psb", "wrong"), "10.0.0.1");
        guard.check(basic("psb", "wrong"), "10.0.0.1");
        assertThat(guard.check(basic("psb", "right"), "10.0.0.1")).isInstanceOf(LoginGuard.Accepted.class);
        guard.check(basic("psb", "wrong"), "10.0.0.1");
        guard.check(basic("psb", "wrong"), "10.0.0.1");
        assertThat(guard.check(basic("psb", "right"), "10.0.0.1")).isInstanceOf(LoginGuard.Accepted.class);

        for (int i = 0; i < 10; i++) {
            guard.check(basic("psb", "wrong"), "10.0.0.1");
        }
        assertThat(guard.check(basic("psb", "right"), "10.0.0.1")).isInstanceOf(LoginGuard.Throttled.class);
        advance(LoginGuard.FORGET_AFTER.plusSeconds(1));
        assertThat(guard.check(basic("psb", "right"), "10.0.0.1")).isInstanceOf(LoginGuard.Accepted.class);
    }

    @Test
    void an_address_spraying_many_users_is_throttled_for_all_users_and_the_wait_is_capped() {
        for (int i = 0; i < LoginGuard.FREE_FAILURES_PER_SOURCE; i++) {
            assertThat(guard.check(basic("user" + i, "x"), "10.0.0.9")).isInstanceOf(LoginGuard.Refused.class);
        }
        assertThat(guard.check(basic("psb", "right"), "10.0.0.9")).isInstanceOf(LoginGuard.Throttled.class);
        assertThat(guard.check("Bearer nonsense", "10.0.0.9")).isInstanceOf(LoginGuard.Throttled.class);
        for (int i = 0; i < 40; i++) {
            advance(LoginGuard.MAX_BACKOFF);
            guard.check(basic("user-x" + i, "x"), "10.0.0.9");
        }
        LoginGuard.Outcome capped = guard.check(basic("psb", "right"), "10.0.0.9");
        assertThat(((LoginGuard.Throttled) capped).retryAfter()).isLessThanOrEqualTo(LoginGuard.MAX_BACKOFF);
    }

    @Test
    void remembered_credentials_pass_a_throttled_address_without_a_slow_check() {
        for (int i = 0; i < LoginGuard.FREE_FAILURES_PER_SOURCE; i++) {
            guard.check(basic("user" + i, "x"), "127.0.0.1");
        }
        int before = slowChecks.get();
        assertThat(guard.check(basic("hrss", "known"), "127.0.0.1")).isEqualTo(new LoginGuard.Accepted(Caller.of("hrss")));
        assertThat(slowChecks).hasValue(before);
    }

    @Test
    void malformed_headers_are_refused_and_counted() {
        assertThat(guard.check(null, "10.0.0.3")).isInstanceOf(LoginGuard.Refused.class);
        assertThat(guard.check("Basic %%%", "10.0.0.3")).isInstanceOf(LoginGuard.Refused.class);
        for (int i = 0; i < LoginGuard.FREE_FAILURES_PER_SOURCE; i++) {
            guard.check("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)), "10.0.0.3");
        }
        assertThat(guard.check(basic("psb", "right"), "10.0.0.3")).isInstanceOf(LoginGuard.Throttled.class);
        assertThat(slowChecks).hasValue(0);
    }
}
