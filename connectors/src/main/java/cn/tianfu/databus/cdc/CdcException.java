package cn.tianfu.databus.cdc;

import cn.tianfu.databus.DatabusException;

/** A CDC runner could not start or had to stop; the message says why and what to do. */
public class CdcException extends DatabusException {

    public CdcException(String message) {
        super(message);
    }

    public CdcException(String message, Throwable cause) {
        super(message, cause);
    }
}
