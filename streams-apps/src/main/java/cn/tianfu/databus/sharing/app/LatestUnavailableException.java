package cn.tianfu.databus.sharing.app;

import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * A key's latest record is known to the router by its position in the source topic only, and cannot be read from there
 * now: no reader of the source topics was given to {@link RouterQueries}, the read timed out, or the record is no longer
 * at that offset (a newer record of the key is in the topic and the router has not routed it yet). Like the other
 * {@link InvalidStateStoreException}s it says: retry in a moment.
 */
public final class LatestUnavailableException extends InvalidStateStoreException {

    private static final long serialVersionUID = 1L;

    public LatestUnavailableException(String message) {
        super(message);
    }
}
