package cn.tianfu.databus.sharing.app;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Set;

import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the router's topology needs from outside: the schema registry (source schemas, delivery schemas), the bus's
 * key hasher (exchange-log key hashes and pseudonymous delivery keys), the delivery topics, how often to look for
 * grants to backfill, and how backfill is cut into chunks (one transaction each) — withdrawals are cut the same way —
 * and the router's clock ({@code null}: the stream thread's wall clock), which decides when a grant is in force and
 * when its {@code validUntil} has passed, and the departments that are district buses ({@code tierDistricts}, docs/tiers.md):
 * only on their source topics is a record's {@code databus.exchange-id} taken as the district's exchange id, and how a
 * task opens its reader of the source topics ({@code sourceLogs}, {@link SourceLogReader#kafka}): a backfill replays the
 * source partition (docs/router.md, "Backfill").
 *
 * <pre>{@code
 * RouterContext ctx = new RouterContext(registry, KeyHasher.loadOrCreate(dataDir),
 *         DeliveryTopics.admin(admin, 3, (short) -1, Duration.ofSeconds(30)), Duration.ofSeconds(5),
 *         Duration.ofMillis(100), 2_000, Duration.ofSeconds(1), null, Set.of(),
 *         SourceLogReader.kafka(config.clientProperties()));
 * Topology topology = SharingRouterApp.buildTopology(ctx);
 * }</pre>
 */
public record RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                            Duration backfillCheckInterval, Duration backfillStepInterval, int backfillChunkRecords,
                            Duration backfillChunkMaxTime, InstantSource clock, Set<String> tierDistricts,
                            SourceLogReader.Opener sourceLogs) {

    /** A task that must replay a source partition with this context fails: no reader of the source topics. */
    private static final SourceLogReader.Opener NO_SOURCE_LOGS = () -> {
        throw new IllegalStateException("this router context has no reader of the source topics (sourceLogs)");
    };

    /** Without a reader of the source topics: for a router that is never asked to backfill. */
    public RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                         Duration backfillCheckInterval, Duration backfillStepInterval, int backfillChunkRecords,
                         Duration backfillChunkMaxTime, InstantSource clock, Set<String> tierDistricts) {
        this(registry, keyHasher, deliveryTopics, backfillCheckInterval, backfillStepInterval, backfillChunkRecords,
                backfillChunkMaxTime, clock, tierDistricts, NO_SOURCE_LOGS);
    }

    /** No district buses among the departments, no reader of the source topics. */
    public RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                         Duration backfillCheckInterval, Duration backfillStepInterval, int backfillChunkRecords,
                         Duration backfillChunkMaxTime, InstantSource clock) {
        this(registry, keyHasher, deliveryTopics, backfillCheckInterval, backfillStepInterval, backfillChunkRecords,
                backfillChunkMaxTime, clock, Set.of());
    }

    /** With the stream thread's wall clock as the router's time, no reader of the source topics. */
    public RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                         Duration backfillCheckInterval, Duration backfillStepInterval, int backfillChunkRecords,
                         Duration backfillChunkMaxTime) {
        this(registry, keyHasher, deliveryTopics, backfillCheckInterval, backfillStepInterval, backfillChunkRecords,
                backfillChunkMaxTime, null, Set.of());
    }

    /** Backfill in chunks of at most 2000 records or 1 s, one chunk every 100 ms; no reader of the source topics. */
    public RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                         Duration backfillCheckInterval) {
        this(registry, keyHasher, deliveryTopics, backfillCheckInterval, Duration.ofMillis(100), 2_000, Duration.ofSeconds(1),
                null, Set.of());
    }

    public RouterContext {
        tierDistricts = Set.copyOf(Objects.requireNonNull(tierDistricts, "tierDistricts"));
        Objects.requireNonNull(sourceLogs, "sourceLogs");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(keyHasher, "keyHasher");
        Objects.requireNonNull(deliveryTopics, "deliveryTopics");
        Objects.requireNonNull(backfillCheckInterval, "backfillCheckInterval");
        if (backfillCheckInterval.isNegative() || backfillCheckInterval.isZero()) {
            throw new IllegalArgumentException("backfillCheckInterval must be positive, got " + backfillCheckInterval);
        }
        Objects.requireNonNull(backfillStepInterval, "backfillStepInterval");
        Objects.requireNonNull(backfillChunkMaxTime, "backfillChunkMaxTime");
        if (backfillStepInterval.isNegative() || backfillStepInterval.isZero()) {
            throw new IllegalArgumentException("backfillStepInterval must be positive, got " + backfillStepInterval);
        }
        if (backfillChunkRecords < 1) {
            throw new IllegalArgumentException("backfillChunkRecords must be at least 1, got " + backfillChunkRecords);
        }
        if (backfillChunkMaxTime.isNegative() || backfillChunkMaxTime.isZero()) {
            throw new IllegalArgumentException("backfillChunkMaxTime must be positive, got " + backfillChunkMaxTime);
        }
    }
}
