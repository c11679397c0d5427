package cn.tianfu.databus.ledger;

import cn.tianfu.databus.ledger.internal.CanonicalWriter;
import cn.tianfu.databus.ledger.internal.Hex;
import cn.tianfu.databus.ledger.internal.Sha256;
import java.security.MessageDigest;

/**
 * Exchange ids derived from what caused the exchange, so that reprocessing the same source record for the same grant
 * can never mint a second id (the exchange log is keyed by it).
 */
public final class ExchangeIds {

    /** Length of an exchange id in hex characters (128 bits). */
    public static final int LENGTH = 32;

    private ExchangeIds() {
    }

    /**
     * The id of delivering one source record under one grant: the first 16 bytes, in lowercase hex, of SHA-256 over
     * {@link CanonicalEncoding#exchangeIdInput} (version, {@value CanonicalEncoding#EXCHANGE_ID_TAG}, sourceTopic,
     * partition (int32), offset (int64), grantId, operation name).
     */
    public static String forDelivery(String sourceTopic, int partition, long offset, String grantId,
                                     ExchangeEntry.Operation operation) {
        CanonicalWriter w = CanonicalEncoding.writeExchangeIdInput(new CanonicalWriter(), sourceTopic, partition,
                offset, grantId, operation);
        MessageDigest d = Sha256.perThread();
        d.update(w.buffer(), 0, w.size());
        return Hex.encode(d.digest(), LENGTH / 2);
    }

    /**
     * The id of one entry of a withdrawal (a grant revoked, expired, narrowed or its resource retired): the first 16
     * bytes, in lowercase hex, of SHA-256 over {@link CanonicalEncoding#withdrawalIdInput} — the delivery id's input
     * followed by the reason and the grant terms withdrawn from ({@code terms}, e.g. a digest of the narrowed grant's
     * fields and filter), so it never equals the id of a delivery or of another withdrawal of the same stored state.
     */
    public static String forWithdrawal(String sourceTopic, int partition, long offset, String grantId,
                                       ExchangeEntry.Operation operation, ExchangeEntry.RetractReason reason,
                                       String terms) {
        byte[] input = CanonicalEncoding.withdrawalIdInput(sourceTopic, partition, offset, grantId, operation, reason,
                terms);
        return Hex.encode(Sha256.perThread().digest(input), LENGTH / 2);
    }
}
