package cn.tianfu.databus.ledger;

import cn.tianfu.databus.DatabusException;

/** The ledger's keys or records cannot be used: a missing or damaged key file, a malformed hash or key. */
public class LedgerException extends DatabusException {

    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
