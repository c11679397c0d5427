package cn.tianfu.databus.streams;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.deadletter.DeadLetterReason;

/**
 * Thrown by a processor (or {@link GuardedProcessor}) for a record it will not process; {@link DeadLetterHandler}
 * turns it into a dead letter with this reason and the app goes on with the next record.
 */
public final class RejectedRecordException extends DatabusException {

    private final DeadLetterReason reason;

    public RejectedRecordException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
