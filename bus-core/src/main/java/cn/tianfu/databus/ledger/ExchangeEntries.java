package cn.tianfu.databus.ledger;

import java.util.Objects;

/**
 * Builds the exchange-log entries the bus stages, so that an entry's shape is decided in one place: what it records
 * is {@link ExchangeEntry}, its bytes {@link CanonicalEncoding}, its Avro record {@link ExchangeLogRecords}.
 *
 * <pre>{@code
 * ExchangeEntry e = ExchangeEntries.forDelivery(hasher, now,
 *         new ExchangeEntries.Terms(resource, provider, consumer, grantId, purpose),
 *         new ExchangeEntries.Source(sourceTopic, partition, offset, keyBytes),
 *         ExchangeEntry.Operation.UPSERT, deliveryTopic, deliveryPartition, deliveredBytes);
 * ExchangeLogEntry staged = ExchangeLogRecords.toAvro(e);
 * }</pre>
 */
public final class ExchangeEntries {

    private ExchangeEntries() {
    }

    /**
     * Who exchanged which resource under which grant.
     *
     * @param resourceCode the resource's code
     * @param provider     the providing department
     * @param consumer     the receiving department
     * @param grantId      the grant the exchange happens under
     * @param purpose      the grant's declared purpose
     */
    public record Terms(String resourceCode, String provider, String consumer, String grantId, String purpose) {
        public Terms {
            Objects.requireNonNull(resourceCode, "resourceCode");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(consumer, "consumer");
            Objects.requireNonNull(grantId, "grantId");
        }
    }

    /**
     * The source record a delivery was made from: where it was read and its key bytes as published (for a backfill,
     * the replayed record's own position).
     */
    public record Source(String topic, int partition, long offset, byte[] key) {
        public Source {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * The unchained entry of one push delivery: exchange id {@link ExchangeIds#forDelivery} of the source position,
     * grant and operation; mode {@code PUSH}; key hash {@link KeyHasher#hash} of the source key bytes; value digest
     * {@link KeyHasher#valueDigest} of the exact delivered bytes ({@code null} for a tombstone); the delivery offset,
     * {@code prevHash} and {@code hash} stay {@code null} (the offset is not known inside the transaction, the ledger
     * chains the entry).
     *
     * @param hasher            the bus's key hasher
     * @param timeMillis        when the delivery was made, epoch milliseconds
     * @param terms             resource, parties, grant and purpose
     * @param source            the source record
     * @param operation         what was delivered
     * @param deliveryTopic     the topic delivered to
     * @param deliveryPartition the partition delivered to
     * @param deliveredValue    the delivered value bytes; {@code null} exactly for a tombstone (DELETE, RETRACT)
     */
    public static ExchangeEntry forDelivery(KeyHasher hasher, long timeMillis, Terms terms, Source source,
                                            ExchangeEntry.Operation operation, String deliveryTopic,
                                            int deliveryPartition, byte[] deliveredValue) {
        return forDelivery(hasher, timeMillis, terms, source, operation, deliveryTopic, deliveryPartition,
                deliveredValue, ExchangeEntry.Mode.PUSH);
    }

    /**
     * {@link #forDelivery(KeyHasher, long, Terms, Source, ExchangeEntry.Operation, String, int, byte[])} in the given
     * mode: {@code PUSH} for a grant's delivery topic, {@code OPEN} for an open resource's {@code open.<resource>}.
     */
    public static ExchangeEntry forDelivery(KeyHasher hasher, long timeMillis, Terms terms, Source source,
                                            ExchangeEntry.Operation operation, String deliveryTopic,
                                            int deliveryPartition, byte[] deliveredValue, ExchangeEntry.Mode mode) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(hasher, "hasher");
        Objects.requireNonNull(terms, "terms");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(deliveryTopic, "deliveryTopic");
        if ((operation == ExchangeEntry.Operation.UPSERT) != (deliveredValue != null)) {
            throw new IllegalArgumentException("operation " + operation + (deliveredValue == null
                    ? " needs the delivered value" : " is a tombstone and carries no value"));
        }
        String exchangeId = ExchangeIds.forDelivery(source.topic(), source.partition(), source.offset(),
                terms.grantId(), operation);
        return new ExchangeEntry(exchangeId, timeMillis, mode, terms.resourceCode(),
                terms.provider(), terms.consumer(), terms.grantId(), terms.purpose(), hasher.hash(source.key()),
                operation, deliveredValue == null ? null : hasher.valueDigest(deliveredValue), source.topic(),
                source.partition(), source.offset(), deliveryTopic, deliveryPartition, null, null, null);
    }

    /**
     * The unchained entry of one answer of the service exchange (a query or a verification): mode {@code QUERY},
     * operation {@code UPSERT}, the given exchange id (random: an answer has no source position), key hash
     * {@link KeyHasher#hash} of the asked key's bytes, value digest {@link KeyHasher#valueDigest} of the answer's bytes
     * (the answered record, the verification's results, or the "no record" marker; {@code docs/service.md}); no
     * source or delivery position.
     *
     * @param hasher     the bus's key hasher
     * @param exchangeId the answer's exchange id ({@link ExchangeIds#LENGTH} lowercase hex characters)
     * @param timeMillis when it was answered, epoch milliseconds
     * @param terms      resource, parties, grant and purpose
     * @param key        the asked key's bytes
     * @param answered   the bytes of what was answered
     */
    public static ExchangeEntry forQuery(KeyHasher hasher, String exchangeId, long timeMillis, Terms terms, byte[] key,
                                         byte[] answered) {
        Objects.requireNonNull(hasher, "hasher");
        Objects.requireNonNull(exchangeId, "exchangeId");
        Objects.requireNonNull(terms, "terms");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(answered, "answered");
        return new ExchangeEntry(exchangeId, timeMillis, ExchangeEntry.Mode.QUERY, terms.resourceCode(),
                terms.provider(), terms.consumer(), terms.grantId(), terms.purpose(), hasher.hash(key),
                ExchangeEntry.Operation.UPSERT, hasher.valueDigest(answered), null, null, null, null, null, null,
                null, null);
    }

    /**
     * The unchained entry of one record of a withdrawal: a tombstone ({@code RETRACT}) of a key the consumer held,
     * or, for a narrowed grant, the record delivered again under the narrower terms ({@code UPSERT}); it carries the
     * {@code reason}, and its id is {@link ExchangeIds#forWithdrawal} of the stored state's position, grant,
     * operation, reason and {@code terms}. Otherwise as {@link #forDelivery}.
     */
    public static ExchangeEntry forWithdrawal(KeyHasher hasher, long timeMillis, Terms terms, Source source,
                                              ExchangeEntry.Operation operation, String deliveryTopic,
                                              int deliveryPartition, byte[] deliveredValue,
                                              ExchangeEntry.RetractReason reason, String grantTerms) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(grantTerms, "grantTerms");
        if (operation == ExchangeEntry.Operation.DELETE) {
            throw new IllegalArgumentException("a withdrawal retracts or delivers again; it never deletes");
        }
        ExchangeEntry e = forDelivery(hasher, timeMillis, terms, source, operation, deliveryTopic, deliveryPartition,
                deliveredValue);
        String id = ExchangeIds.forWithdrawal(source.topic(), source.partition(), source.offset(), terms.grantId(),
                operation, reason, grantTerms);
        return new ExchangeEntry(id, e.timeMillis(), e.mode(), e.resourceCode(), e.provider(), e.consumer(),
                e.grantId(), e.purpose(), e.keyHash(), e.operation(), e.valueDigest(), e.sourceTopic(),
                e.sourcePartition(), e.sourceOffset(), e.deliveryTopic(), e.deliveryPartition(), null, null, null,
                reason);
    }
}
