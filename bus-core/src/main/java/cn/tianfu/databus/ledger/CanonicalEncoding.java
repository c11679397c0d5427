package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.CanonicalWriter;

/**
 * The ledger's byte encodings, fixed by this class and this package's DESIGN.md so that an auditor can recompute a
 * hash or check a signature without this code, in any language, years later. Independent of Avro and JSON.
 *
 * <p>Every encoding starts with a version byte ({@value #VERSION}) and continues with fields in a fixed order; each
 * field is a presence byte ({@code 0x00} absent, {@code 0x01} present) followed, if present, by its value: text
 * (and enum names) as a 4-byte big-endian byte length then UTF-8 bytes; int32 as 4 and int64 as 8 big-endian
 * bytes (two's complement).
 */
public final class CanonicalEncoding {

    /** Version byte of the current encodings. */
    public static final int VERSION = 1;
    /** Text that opens a checkpoint's encoding, so a signature can never be taken for another message's. */
    public static final String CHECKPOINT_TAG = "tianfu-databus/exchange-log-checkpoint";
    /** Text that opens the input of an exchange id. */
    public static final String EXCHANGE_ID_TAG = "tianfu-databus/exchange-id";

    private CanonicalEncoding() {
    }

    /**
     * Canonical bytes of an entry, without {@code prevHash} and {@code hash}: version, then exchangeId, timeMillis
     * (int64), mode, resourceCode, provider, consumer, grantId, purpose, keyHash, operation, valueDigest,
     * sourceTopic, sourcePartition (int32), sourceOffset (int64), deliveryTopic, deliveryPartition (int32),
     * deliveryOffset (int64); then, only for an entry that has one, retractReason (text). Entries without a
     * retraction reason — every entry written before the field existed — encode exactly as before. An entry with an
     * upstreamExchangeId (district tiers) instead ends with retractReason (text, absent or present) and then
     * upstreamExchangeId (text): its presence byte after a possibly absent retractReason keeps the encodings of the
     * three kinds apart, and entries without it encode exactly as before.
     */
    public static byte[] entry(ExchangeEntry e) {
        return writeEntry(new CanonicalWriter(), e).toByteArray();
    }

    /**
     * Canonical bytes of a checkpoint: version, then the tag {@value #CHECKPOINT_TAG} (text), partition (int32),
     * offset (int64), entryCount (int64), headHash (text), timeMillis (int64).
     */
    public static byte[] checkpoint(Checkpoint c) {
        return new CanonicalWriter()
                .rawByte(VERSION)
                .text(CHECKPOINT_TAG)
                .int32(c.partition())
                .int64(c.offset())
                .int64(c.entryCount())
                .text(c.headHash())
                .int64(c.timeMillis())
                .toByteArray();
    }

    /**
     * Canonical bytes an exchange id is derived from ({@link ExchangeIds#forDelivery}): version, then the tag
     * {@value #EXCHANGE_ID_TAG} (text), sourceTopic (text), partition (int32), offset (int64), grantId (text),
     * operation name (text).
     */
    public static byte[] exchangeIdInput(String sourceTopic, int partition, long offset, String grantId,
                                         ExchangeEntry.Operation operation) {
        return writeExchangeIdInput(new CanonicalWriter(), sourceTopic, partition, offset, grantId, operation)
                .toByteArray();
    }

    /** Writes the input of an exchange id into a (reset) writer. */
    static CanonicalWriter writeExchangeIdInput(CanonicalWriter w, String sourceTopic, int partition, long offset,
                                                String grantId, ExchangeEntry.Operation operation) {
        return w.reset()
                .rawByte(VERSION)
                .text(EXCHANGE_ID_TAG)
                .text(sourceTopic)
                .int32(partition)
                .int64(offset)
                .text(grantId)
                .text(operation.name());
    }

    /**
     * Canonical bytes the id of a withdrawal's entry is derived from ({@link ExchangeIds#forWithdrawal}): the
     * {@link #exchangeIdInput} of the stored state's position, grant and operation, then the reason (text) and the
     * grant terms the withdrawal answers (text).
     */
    public static byte[] withdrawalIdInput(String sourceTopic, int partition, long offset, String grantId,
                                           ExchangeEntry.Operation operation, ExchangeEntry.RetractReason reason,
                                           String terms) {
        return writeExchangeIdInput(new CanonicalWriter(), sourceTopic, partition, offset, grantId, operation)
                .text(reason.name())
                .text(terms)
                .toByteArray();
    }

    /** Writes an entry's canonical bytes into a (reset) writer; for hot paths that reuse one writer. */
    static CanonicalWriter writeEntry(CanonicalWriter w, ExchangeEntry e) {
        writeEntryFields(w, e);
        if (e.upstreamExchangeId() != null) {
            w.text(e.retractReason() == null ? null : e.retractReason().name());
            w.text(e.upstreamExchangeId());
        } else if (e.retractReason() != null) {
            w.text(e.retractReason().name());
        }
        return w;
    }

    private static CanonicalWriter writeEntryFields(CanonicalWriter w, ExchangeEntry e) {
        return w.reset()
                .rawByte(VERSION)
                .text(e.exchangeId())
                .int64(e.timeMillis())
                .text(e.mode().name())
                .text(e.resourceCode())
                .text(e.provider())
                .text(e.consumer())
                .text(e.grantId())
                .text(e.purpose())
                .text(e.keyHash())
                .text(e.operation().name())
                .text(e.valueDigest())
                .text(e.sourceTopic())
                .int32(e.sourcePartition())
                .int64(e.sourceOffset())
                .text(e.deliveryTopic())
                .int32(e.deliveryPartition())
                .int64(e.deliveryOffset());
    }
}
