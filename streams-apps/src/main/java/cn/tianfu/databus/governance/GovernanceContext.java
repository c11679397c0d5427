package cn.tianfu.databus.governance;

import java.util.Objects;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the governance topology needs from outside Kafka Streams: the schema registry (to register and check resource
 * schemas and for the Avro serdes), a {@link TopicCreator}, the working-day calendar (decision deadlines) and the
 * partition count of the topics it creates and of its internal repartition topic. Time is not part of it: the
 * processors read the stream time source ({@code currentSystemTimeMs()}), so tests move the clock.
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
 */
public record GovernanceContext(SchemaRegistryClient registry, TopicCreator topics, WorkingDayCalendar calendar,
                                int partitions) {

    public GovernanceContext {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(calendar, "calendar");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
    }
}
