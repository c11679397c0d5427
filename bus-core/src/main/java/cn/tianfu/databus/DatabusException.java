package cn.tianfu.databus;

/**
 * Root of every error the bus raises on purpose. Callers branch on the subtype; {@link #isRetriable()} tells whether
 * trying the same call again may succeed (a broker not yet reachable) or never will (a malformed record).
 */
public class DatabusException extends RuntimeException {

    public DatabusException(String message) {
        super(message);
    }

    public DatabusException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed if tried again later. */
    public boolean isRetriable() {
        return false;
    }
}
