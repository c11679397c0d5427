package cn.tianfu.databus.ledger.app;

import cn.tianfu.databus.DatabusException;

/** The ledger cannot start: its topics are missing or do not fit together. */
public class LedgerAppException extends DatabusException {

    public LedgerAppException(String message) {
        super(message);
    }

    public LedgerAppException(String message, Throwable cause) {
        super(message, cause);
    }
}
