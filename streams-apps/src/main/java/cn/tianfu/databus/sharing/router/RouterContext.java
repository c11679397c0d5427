package cn.tianfu.databus.sharing.router;

import java.time.Duration;
import java.util.Objects;

import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * What the router's topology needs from outside: the schema registry (source schemas, delivery schemas), the bus's
 * key hasher (exchange-log key hashes and pseudonymous delivery keys), the delivery topics, and how often to look for
 * grants to backfill.
 *
 * <pre>{@code
 * RouterContext ctx = new RouterContext(registry, KeyHasher.loadOrCreate(dataDir),
 *         DeliveryTopics.admin(admin, 3, (short) -1, Duration.ofSeconds(30)), Duration.ofSeconds(5));
 * Topology topology = SharingRouterApp.buildTopology(ctx);
 * }</pre>
 */
public record RouterContext(SchemaRegistryClient registry, KeyHasher keyHasher, DeliveryTopics deliveryTopics,
                            Duration backfillCheckInterval) {

    public RouterContext {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(keyHasher, "keyHasher");
        Objects.requireNonNull(deliveryTopics, "deliveryTopics");
        Objects.requireNonNull(backfillCheckInterval, "backfillCheckInterval");
        if (backfillCheckInterval.isNegative() || backfillCheckInterval.isZero()) {
            throw new IllegalArgumentException("backfillCheckInterval must be positive, got " + backfillCheckInterval);
        }
    }
}
