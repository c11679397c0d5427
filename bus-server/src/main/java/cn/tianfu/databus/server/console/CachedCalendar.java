package cn.tianfu.databus.server.console;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.client.DatabusClientConfig;

/**
 * The working-day calendar governance counts deadlines on ({@link Calendars#effective()}: the bundled calendars with
 * those loaded on the bus), read with the bus's principal and kept for a minute, so a page of requests reads it once.
 */
public final class CachedCalendar implements Supplier<WorkingDayCalendar> {

    private static final Duration KEEP = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabusClientConfig bus;
    private final InstantSource clock;
    private WorkingDayCalendar calendar;
    private Instant readAt;

    public CachedCalendar(DatabusClientConfig bus, InstantSource clock) {
        this.bus = bus;
        this.clock = clock;
    }

    @Override
    public synchronized WorkingDayCalendar get() {
        Instant now = clock.instant();
        if (calendar == null || readAt == null || now.isBefore(readAt) || Duration.between(readAt, now).compareTo(KEEP) > 0) {
            try (Calendars calendars = Calendars.connect(bus, TIMEOUT)) {
                calendar = calendars.effective();
            }
            readAt = now;
        }
        return calendar;
    }
}
