package cn.tianfu.databus.quality.app;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

import cn.tianfu.databus.quality.QualityThresholds;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the quality topology needs from outside Kafka Streams: the schema registry (to read the source records and
 * for the Avro serdes), the clock resources are evaluated on (the system clock in production; tests pin it), how
 * often (wall-clock) they are evaluated, and the thresholds.
 *
 * <pre>{@code
 * QualityContext ctx = new QualityContext(registry, clock, Duration.ofMinutes(1), config.thresholds());
 * Topology topology = QualityApp.buildTopology(ctx);
 * }</pre>
 *
 * @param registry      the schema registry client
 * @param clock         the time resources are evaluated at and violations are dated by
 * @param checkInterval how often (wall-clock) every resource is evaluated
 * @param thresholds    the least scores a resource must keep
 */
public record QualityContext(SchemaRegistryClient registry, InstantSource clock, Duration checkInterval,
                             QualityThresholds thresholds) {

    public QualityContext {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(thresholds, "thresholds");
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive, was " + checkInterval);
        }
    }
}
