package cn.tianfu.databus.sharing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class GrantWindowTest {

    private static final Instant FROM = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void boundsAreInclusiveThenExclusive() {
        GrantWindow w = new GrantWindow(true, FROM, UNTIL);
        assertThat(w.inForceAt(FROM.minusMillis(1))).isFalse();
        assertThat(w.inForceAt(FROM)).isTrue();
        assertThat(w.inForceAt(UNTIL.minusMillis(1))).isTrue();
        assertThat(w.inForceAt(UNTIL)).isFalse();
        assertThat(w.inForceAt(UNTIL.toEpochMilli() - 1)).isTrue();
    }

    @Test
    void openBounds() {
        assertThat(new GrantWindow(true, null, null).inForceAt(Instant.EPOCH)).isTrue();
        assertThat(new GrantWindow(true, null, UNTIL).inForceAt(Instant.MIN)).isTrue();
        assertThat(new GrantWindow(true, null, UNTIL).inForceAt(UNTIL)).isFalse();
        assertThat(new GrantWindow(true, FROM, null).inForceAt(Instant.MAX)).isTrue();
        assertThat(new GrantWindow(true, FROM, null).inForceAt(FROM.minusNanos(1))).isFalse();
    }

    @Test
    void onlyActiveGrantsAreInForce() {
        GrantWindow suspended = GrantWindow.ofMillis("SUSPENDED", null, null);
        assertThat(suspended.inForceAt(FROM)).isFalse();
        assertThat(suspended.isEmpty()).isTrue();
        assertThat(GrantWindow.ofMillis("ACTIVE", FROM.toEpochMilli(), UNTIL.toEpochMilli()))
                .isEqualTo(new GrantWindow(true, FROM, UNTIL));
        assertThat(GrantWindow.ofMillis(null, null, null).active()).isFalse();
    }

    @Test
    void anInvertedOrEmptyWindowIsNeverInForce() {
        GrantWindow inverted = new GrantWindow(true, UNTIL, FROM);
        GrantWindow empty = new GrantWindow(true, FROM, FROM);
        for (Instant t : new Instant[] {FROM.minusSeconds(1), FROM, UNTIL.minusSeconds(1), UNTIL, UNTIL.plusSeconds(1)}) {
            assertThat(inverted.inForceAt(t)).isFalse();
            assertThat(empty.inForceAt(t)).isFalse();
        }
        assertThat(inverted.isEmpty()).isTrue();
        assertThat(empty.isEmpty()).isTrue();
        assertThat(inverted.nextChangeAfter(Instant.EPOCH)).isEmpty();
        assertThat(new GrantWindow(true, FROM, UNTIL).isEmpty()).isFalse();
    }

    @Test
    void nextChangeAndExpiry() {
        GrantWindow w = new GrantWindow(true, FROM, UNTIL);
        assertThat(w.nextChangeAfter(FROM.minusSeconds(5))).contains(FROM);
        assertThat(w.nextChangeAfter(FROM)).contains(UNTIL);
        assertThat(w.nextChangeAfter(UNTIL)).isEmpty();
        assertThat(new GrantWindow(true, null, null).nextChangeAfter(FROM)).isEmpty();
        assertThat(w.endedBy(UNTIL.minusMillis(1))).isFalse();
        assertThat(w.endedBy(UNTIL)).isTrue();
        assertThat(new GrantWindow(true, FROM, null).endedBy(Instant.MAX)).isFalse();
    }
}
