package cn.tianfu.databus.governance.client;

import cn.tianfu.databus.DatabusException;

/**
 * A governance command could not be sent or answered: the bus is unreachable, the department's command or reply topic
 * is missing, or the client was closed. {@link #isRetriable()} tells whether trying again later may succeed.
 */
public class GovernanceException extends DatabusException {

    private final boolean retriable;

    public GovernanceException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public GovernanceException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    @Override
    public boolean isRetriable() {
        return retriable;
    }
}
