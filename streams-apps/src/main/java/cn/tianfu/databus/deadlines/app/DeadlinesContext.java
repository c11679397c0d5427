package cn.tianfu.databus.deadlines.app;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the deadlines topology needs from outside Kafka Streams: the schema registry (for the Avro serdes), the
 * working-day calendar the reminders are counted back on, the clock every duty is checked against (the system clock
 * in production; tests pin it) and how often (wall-clock) the check runs.
 *
 * <pre>{@code
 * DeadlinesContext ctx = new DeadlinesContext(new MockSchemaRegistryClient(),
 *         WorkingDayCalendar.bundled().withProvisionalYears(), clock, Duration.ofSeconds(30));
 * Topology topology = DeadlinesApp.buildTopology(ctx);
 * }</pre>
 *
 * @param registry      the schema registry client, used by the serdes
 * @param calendar      working days, to place the reminder two working days before the due time
 * @param clock         the time duties are checked against and violations are dated by
 * @param checkInterval how often (wall-clock) every open duty is checked
 */
public record DeadlinesContext(SchemaRegistryClient registry, WorkingDayCalendar calendar, InstantSource clock,
                               Duration checkInterval) {

    public DeadlinesContext {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(calendar, "calendar");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(checkInterval, "checkInterval");
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive, was " + checkInterval);
        }
    }
}
