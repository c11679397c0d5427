package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.Hex;
import cn.tianfu.databus.ledger.internal.Sha256;
import cn.tianfu.databus.schemas.ExchangeLogCheckpoint;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.ExchangeMode;
import cn.tianfu.databus.schemas.ExchangeOperation;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.time.Instant;

/**
 * The one mapping between the exchange log's Avro records ({@link ExchangeLogEntry}, {@link ExchangeLogCheckpoint})
 * and the ledger's values ({@link ExchangeEntry}, {@link Checkpoint}) that hashes and signatures are computed over.
 * Every field maps one to one; {@code time} is kept in epoch milliseconds, so a round trip changes nothing the hash
 * covers.
 */
public final class ExchangeLogRecords {

    private ExchangeLogRecords() {
    }

    /** The ledger value of an Avro entry (staged or chained). */
    public static ExchangeEntry toEntry(ExchangeLogEntry r) {
        return new ExchangeEntry(r.getExchangeId(), r.getTime().toEpochMilli(),
                ExchangeEntry.Mode.valueOf(r.getMode().name()), r.getResourceCode(), r.getProvider(),
                r.getConsumer(), r.getGrantId(), r.getPurpose(), r.getKeyHash(),
                ExchangeEntry.Operation.valueOf(r.getOperation().name()), r.getValueDigest(), r.getSourceTopic(),
                r.getSourcePartition(), r.getSourceOffset(), r.getDeliveryTopic(), r.getDeliveryPartition(),
                r.getDeliveryOffset(), r.getPrevHash(), r.getHash(),
                r.getRetractReason() == null ? null : ExchangeEntry.RetractReason.valueOf(r.getRetractReason()),
                r.getUpstreamExchangeId());
    }

    /** The Avro record of a ledger entry. */
    public static ExchangeLogEntry toAvro(ExchangeEntry e) {
        return new ExchangeLogEntry(e.exchangeId(), Instant.ofEpochMilli(e.timeMillis()),
                ExchangeMode.valueOf(e.mode().name()), e.resourceCode(), e.provider(), e.consumer(), e.grantId(),
                e.purpose(), e.keyHash(), ExchangeOperation.valueOf(e.operation().name()), e.valueDigest(),
                e.sourceTopic(), e.sourcePartition(), e.sourceOffset(), e.deliveryTopic(), e.deliveryPartition(),
                e.deliveryOffset(), e.prevHash(), e.hash(),
                e.retractReason() == null ? null : e.retractReason().name(), e.upstreamExchangeId());
    }

    /** The checkpoint an Avro checkpoint record states (without its signature). */
    public static Checkpoint toCheckpoint(ExchangeLogCheckpoint r) {
        return new Checkpoint(r.getPartition(), r.getOffset(), r.getEntryCount(), r.getHeadHash(),
                r.getTime().toEpochMilli());
    }

    /** The signature bytes of an Avro checkpoint record. */
    public static byte[] signature(ExchangeLogCheckpoint r) {
        ByteBuffer b = r.getSignature().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The Avro record of a signed checkpoint. */
    public static ExchangeLogCheckpoint toAvro(Checkpoint c, byte[] signature, PublicKey signer) {
        return new ExchangeLogCheckpoint(c.partition(), c.offset(), c.entryCount(), c.headHash(),
                Instant.ofEpochMilli(c.timeMillis()), ByteBuffer.wrap(signature.clone()), publicKeyId(signer));
    }

    /** Which key signed: SHA-256 of the public key's X.509 DER encoding, lowercase hex. */
    public static String publicKeyId(PublicKey key) {
        return Hex.encode(Sha256.perThread().digest(key.getEncoded()));
    }
}
