package cn.tianfu.databus.tls;

import cn.tianfu.databus.DatabusException;

/** A certificate or key could not be issued, read or used. */
public final class TlsException extends DatabusException {

    public TlsException(String message) {
        super(message);
    }

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
