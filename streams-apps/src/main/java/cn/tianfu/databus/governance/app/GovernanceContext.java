package cn.tianfu.databus.governance.app;

import java.time.InstantSource;
import java.util.Objects;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the governance topology needs from outside Kafka Streams: the schema registry (to register and check resource
 * schemas and for the Avro serdes), a {@link TopicCreator}, the working-day calendar (decision deadlines), the
 * partition count of the topics it creates and of its internal repartition topic, and the clock every decision is
 * dated by (the system clock in production; tests pin it). The calendar is the base: the years loaded on
 * {@code bus.calendars} replace its own, and years neither holds are counted provisionally.
 *
 * <pre>{@code
 * GovernanceContext ctx = new GovernanceContext(new MockSchemaRegistryClient(), (t, p, c) -> { },
 *         WorkingDayCalendar.bundled(), 2);
 * Topology topology = GovernanceApp.buildTopology(ctx);
 * }</pre>
 *
 * @param registry   the schema registry client, used by the serdes and for resource schemas
 * @param topics     creates {@code src.<dept>.<code>} topics and missing reply topics
 * @param calendar   working days for the 10-working-day decision deadline
 * @param partitions partitions of created {@code src.} topics and of the commands-by-resource repartition topic
 * @param clock      the time of every decision (filing, due times, expiry)
 */
public record GovernanceContext(SchemaRegistryClient registry, TopicCreator topics, WorkingDayCalendar calendar,
                                int partitions, InstantSource clock) {

    /** A context on the system clock. */
    public GovernanceContext(SchemaRegistryClient registry, TopicCreator topics, WorkingDayCalendar calendar, int partitions) {
        this(registry, topics, calendar, partitions, InstantSource.system());
    }

    public GovernanceContext {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(calendar, "calendar");
        Objects.requireNonNull(clock, "clock");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
    }
}
