package cn.tianfu.databus.sharing;

/**
 * What the router does for one grant when a record of the granted resource changes. The decision rests on whether
 * the consumer currently holds the key — it received the key before <em>and</em> the previous value passed the
 * grant's filter (had it not, the consumer was already sent a retraction) — and on whether the new value passes.
 *
 * <table>
 *   <caption>Decision table (every combination, "–" = any)</caption>
 *   <tr><th>delete</th><th>previously received</th><th>old passes</th><th>new passes</th><th>action</th></tr>
 *   <tr><td>yes</td><td>yes</td><td>yes</td><td>–</td><td>{@link #DELETE}</td></tr>
 *   <tr><td>yes</td><td>yes</td><td>no</td><td>–</td><td>{@link #SKIP}</td></tr>
 *   <tr><td>yes</td><td>no</td><td>–</td><td>–</td><td>{@link #SKIP}</td></tr>
 *   <tr><td>no</td><td>–</td><td>–</td><td>yes</td><td>{@link #DELIVER}</td></tr>
 *   <tr><td>no</td><td>yes</td><td>yes</td><td>no</td><td>{@link #RETRACT}</td></tr>
 *   <tr><td>no</td><td>yes</td><td>no</td><td>no</td><td>{@link #SKIP}</td></tr>
 *   <tr><td>no</td><td>no</td><td>–</td><td>no</td><td>{@link #SKIP}</td></tr>
 * </table>
 *
 * A tombstone never reaches a consumer that does not hold the key: it would tell that consumer the key exists.
 * All inputs must be evaluated under the same grant (the same filter).
 */
public enum DeliveryAction {
    /** Send the projected, masked new value. Logged as {@code UPSERT}. */
    DELIVER,
    /** The record was deleted at the source: send a tombstone. Logged as {@code DELETE}. */
    DELETE,
    /** The record left the grant's filter: send a tombstone. Logged as {@code RETRACT}. */
    RETRACT,
    /** Send nothing, log nothing. */
    SKIP;

    /**
     * Decides what one change means for one grant.
     *
     * @param previouslyReceived whether the consumer was ever delivered this key under this grant
     * @param oldPasses          whether the previous value passed the grant's filter ({@code false} if there was none)
     * @param newPasses          whether the new value passes the filter (ignored for a delete)
     * @param delete             whether the change is a delete (a tombstone on the source topic)
     */
    public static DeliveryAction decide(boolean previouslyReceived, boolean oldPasses, boolean newPasses,
                                        boolean delete) {
        boolean holdsKey = previouslyReceived && oldPasses;
        if (delete) {
            return holdsKey ? DELETE : SKIP;
        }
        if (newPasses) {
            return DELIVER;
        }
        return holdsKey ? RETRACT : SKIP;
    }

    /** Whether the action sends a tombstone. */
    public boolean tombstone() {
        return this == DELETE || this == RETRACT;
    }

    /** Whether the action sends anything (and so writes an exchange-log entry). */
    public boolean sends() {
        return this != SKIP;
    }
}
