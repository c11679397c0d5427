package cn.tianfu.databus.quality;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import cn.tianfu.databus.schemas.UpdateFrequency;

/**
 * Timeliness of a resource against its declared update frequency (更新周期): 1 while the last change is at most one
 * period old, falling linearly to 0 at two periods, 0 beyond; none for an IRREGULAR resource (it declares no period).
 *
 * <pre>{@code
 * Timeliness.score(UpdateFrequency.DAILY, lastChange, clock.instant()); // Optional[0.5] a day and a half later
 * }</pre>
 */
public final class Timeliness {

    private Timeliness() {
    }

    /**
     * The period {@code frequency} promises: REAL_TIME an hour, DAILY a day, WEEKLY 7 days, MONTHLY 31, QUARTERLY 92,
     * YEARLY 366 days; empty for IRREGULAR.
     */
    public static Optional<Duration> period(UpdateFrequency frequency) {
        return Optional.ofNullable(switch (frequency) {
            case REAL_TIME -> Duration.ofHours(1);
            case DAILY -> Duration.ofDays(1);
            case WEEKLY -> Duration.ofDays(7);
            case MONTHLY -> Duration.ofDays(31);
            case QUARTERLY -> Duration.ofDays(92);
            case YEARLY -> Duration.ofDays(366);
            case IRREGULAR -> null;
        });
    }

    /** The score of a resource last changed at {@code lastChange}, at {@code now}; empty for an IRREGULAR one. */
    public static Optional<Double> score(UpdateFrequency frequency, Instant lastChange, Instant now) {
        return period(frequency).map(p -> {
            long age = Math.max(0, Duration.between(lastChange, now).toMillis());
            long period = p.toMillis();
            if (age <= period) {
                return 1.0;
            }
            return Math.max(0.0, 2.0 - (double) age / period);
        });
    }
}
