package cn.tianfu.databus.audit;

import cn.tianfu.databus.ledger.Checkpoint;
import java.util.Objects;

/**
 * A checkpoint as read from {@code bus.exchange-log.checkpoints} or an archive, with the signature it carries.
 *
 * @param checkpoint the signed statement
 * @param signature  Ed25519 signature of its canonical bytes
 */
public record SignedCheckpoint(Checkpoint checkpoint, byte[] signature) {

    public SignedCheckpoint {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(signature, "signature");
    }
}
