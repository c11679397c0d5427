package cn.tianfu.databus.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-06-30T07:00:10Z"));
    private final RateLimiter limiter = new RateLimiter(now::get, SHANGHAI);

    @Test
    void at_most_the_rate_per_minute_then_refused_until_the_next_minute() {
        RateLimiter.Limits limits = new RateLimiter.Limits(2, 0);
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
        RateLimiter.Decision refused = limiter.acquire("g", limits);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.reason()).contains("2 answers per minute");
        assertThat(refused.resetAt()).isEqualTo(Instant.parse("2025-06-30T07:01:00Z"));
        assertThat(refused.retryAfterSeconds(now.get())).isEqualTo(50);
        // another grant has its own count
        assertThat(limiter.acquire("other", limits).allowed()).isTrue();
        now.set(Instant.parse("2025-06-30T07:01:00Z"));
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
    }

    @Test
    void at_most_the_daily_volume_per_calendar_day_in_the_zone() {
        RateLimiter.Limits limits = new RateLimiter.Limits(0, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("g", limits).allowed()).isTrue();
            now.set(now.get().plus(Duration.ofMinutes(5)));
        }
        RateLimiter.Decision refused = limiter.acquire("g", limits);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.reason()).contains("daily limit of 3");
        // the day ends at midnight in Shanghai: 16:00 UTC
        assertThat(refused.resetAt()).isEqualTo(Instant.parse("2025-06-30T16:00:00Z"));
        now.set(Instant.parse("2025-06-30T16:00:00Z"));
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
    }

    @Test
    void a_refused_request_does_not_count() {
        RateLimiter.Limits limits = new RateLimiter.Limits(1, 2);
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
        assertThat(limiter.acquire("g", limits).allowed()).isFalse();
        assertThat(limiter.acquire("g", limits).allowed()).isFalse();
        now.set(now.get().plus(Duration.ofMinutes(1)));
        assertThat(limiter.acquire("g", limits).allowed()).isTrue();
    }
}
