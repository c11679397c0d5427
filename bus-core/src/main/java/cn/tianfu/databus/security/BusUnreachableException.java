package cn.tianfu.databus.security;

import cn.tianfu.databus.DatabusException;

/** The bus did not answer in time: not running, wrong address, or a network problem. Retriable. */
public final class BusUnreachableException extends DatabusException {

    public BusUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRetriable() {
        return true;
    }
}
