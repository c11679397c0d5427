package cn.tianfu.databus.ledger;

import java.util.Objects;

/**
 * One exchange-log entry: one delivered record or answered query. Holds no personal data: the record key is a keyed
 * hash ({@link KeyHasher}) and the delivered value only a digest ({@link Digests}). {@code prevHash} and {@code hash}
 * are set by {@link HashChain#append}; how {@code hash} is computed is in this package's DESIGN.md and
 * {@link CanonicalEncoding}.
 *
 * @param exchangeId        unique id, deterministic from the source position ({@link ExchangeIds})
 * @param timeMillis        when the exchange happened, epoch milliseconds
 * @param mode              push delivery, query answer or open-data publication
 * @param resourceCode      the resource's code
 * @param provider          the providing department
 * @param consumer          the receiving department ({@code public} for open data)
 * @param grantId           the grant the exchange happened under; {@code null} only for open data
 * @param purpose           the grant's declared purpose
 * @param keyHash           keyed hash of the record key
 * @param operation         what was delivered
 * @param valueDigest       SHA-256 hex of the delivered value bytes; {@code null} for a tombstone
 * @param sourceTopic       topic the change was read from; {@code null} for a query
 * @param sourcePartition   its partition
 * @param sourceOffset      its offset
 * @param deliveryTopic     topic delivered to; {@code null} until known
 * @param deliveryPartition its partition
 * @param deliveryOffset    its offset
 * @param prevHash          hash of the previous entry of the same log partition; {@code null} before chaining
 * @param hash              this entry's hash; {@code null} before chaining
 * @param retractReason     why a retraction withdrew the record from the consumer (the grant was revoked, expired,
 *                          narrowed, or its resource retired); {@code null} for every other entry, including a
 *                          retraction because the record itself left the grant's row filter
 * @param upstreamExchangeId district tiers (docs/tiers.md): the exchange id the district bus logged for the source
 *                          record it delivered upward (the record's {@code databus.exchange-id} header on the city's
 *                          source topic); {@code null} for every other entry
 */
public record ExchangeEntry(
        String exchangeId,
        long timeMillis,
        Mode mode,
        String resourceCode,
        String provider,
        String consumer,
        String grantId,
        String purpose,
        String keyHash,
        Operation operation,
        String valueDigest,
        String sourceTopic,
        Integer sourcePartition,
        Long sourceOffset,
        String deliveryTopic,
        Integer deliveryPartition,
        Long deliveryOffset,
        String prevHash,
        String hash,
        RetractReason retractReason,
        String upstreamExchangeId) {

    /** How the exchange happened. */
    public enum Mode { PUSH, QUERY, OPEN }

    /** What the consumer received. */
    public enum Operation {
        /** A new or changed value. */
        UPSERT,
        /** A tombstone: deleted at the source. */
        DELETE,
        /** A tombstone: the record left the grant's filter. */
        RETRACT
    }

    /** Why the bus withdrew records from a consumer that had received them (see docs/router.md, "Withdrawal"). */
    public enum RetractReason {
        /** The grant was revoked by the provider or given up by the consumer. */
        REVOKED,
        /** The grant's validity ended ({@code validUntil} passed). */
        EXPIRED,
        /** The grant was narrowed: fewer fields or a stricter row filter. */
        NARROWED,
        /** The grant's resource was retired. */
        RETIRED
    }

    /** An entry without a retraction reason (every entry but a withdrawal's). */
    public ExchangeEntry(String exchangeId, long timeMillis, Mode mode, String resourceCode, String provider,
                         String consumer, String grantId, String purpose, String keyHash, Operation operation,
                         String valueDigest, String sourceTopic, Integer sourcePartition, Long sourceOffset,
                         String deliveryTopic, Integer deliveryPartition, Long deliveryOffset, String prevHash,
                         String hash) {
        this(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose, keyHash, operation,
                valueDigest, sourceTopic, sourcePartition, sourceOffset, deliveryTopic, deliveryPartition,
                deliveryOffset, prevHash, hash, null, null);
    }

    /** An entry without an upstream exchange id (every entry but a district record's on the city bus). */
    public ExchangeEntry(String exchangeId, long timeMillis, Mode mode, String resourceCode, String provider,
                         String consumer, String grantId, String purpose, String keyHash, Operation operation,
                         String valueDigest, String sourceTopic, Integer sourcePartition, Long sourceOffset,
                         String deliveryTopic, Integer deliveryPartition, Long deliveryOffset, String prevHash,
                         String hash, RetractReason retractReason) {
        this(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose, keyHash, operation,
                valueDigest, sourceTopic, sourcePartition, sourceOffset, deliveryTopic, deliveryPartition,
                deliveryOffset, prevHash, hash, retractReason, null);
    }

    public ExchangeEntry {
        Objects.requireNonNull(exchangeId, "exchangeId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(resourceCode, "resourceCode");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(operation, "operation");
    }

    /** This entry with the given retraction reason (before chaining). */
    public ExchangeEntry withRetractReason(RetractReason reason) {
        return new ExchangeEntry(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose,
                keyHash, operation, valueDigest, sourceTopic, sourcePartition, sourceOffset, deliveryTopic,
                deliveryPartition, deliveryOffset, prevHash, hash, reason, upstreamExchangeId);
    }

    /** This entry with the district's exchange id of its source record (before chaining). */
    public ExchangeEntry withUpstreamExchangeId(String upstream) {
        return new ExchangeEntry(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose,
                keyHash, operation, valueDigest, sourceTopic, sourcePartition, sourceOffset, deliveryTopic,
                deliveryPartition, deliveryOffset, prevHash, hash, retractReason, upstream);
    }

    /** This entry with the chain fields set. */
    public ExchangeEntry withChain(String prevHash, String hash) {
        return new ExchangeEntry(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose,
                keyHash, operation, valueDigest, sourceTopic, sourcePartition, sourceOffset, deliveryTopic,
                deliveryPartition, deliveryOffset, prevHash, hash, retractReason, upstreamExchangeId);
    }

    /** This entry with its delivery position set (before chaining). */
    public ExchangeEntry withDelivery(String topic, int partition, long offset) {
        return new ExchangeEntry(exchangeId, timeMillis, mode, resourceCode, provider, consumer, grantId, purpose,
                keyHash, operation, valueDigest, sourceTopic, sourcePartition, sourceOffset, topic, partition,
                offset, prevHash, hash, retractReason, upstreamExchangeId);
    }
}
