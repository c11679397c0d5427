package cn.tianfu.databus.governance.app;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock a test sets and moves; it never reads the system clock. */
final class MutableClock implements InstantSource {

    private volatile Instant now;

    MutableClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    void set(Instant instant) {
        now = instant;
    }
}
