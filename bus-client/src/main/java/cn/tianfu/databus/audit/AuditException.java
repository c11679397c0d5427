package cn.tianfu.databus.audit;

import cn.tianfu.databus.DatabusException;

/** The exchange log or an audit archive cannot be read: unreachable topics, a damaged archive, a missing key. */
public class AuditException extends DatabusException {

    public AuditException(String message) {
        super(message);
    }

    public AuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
