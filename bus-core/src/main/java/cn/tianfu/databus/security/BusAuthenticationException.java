package cn.tianfu.databus.security;

import cn.tianfu.databus.DatabusException;

/** The bus refused the client's credentials (unknown user, wrong password, or none given). Never retriable. */
public final class BusAuthenticationException extends DatabusException {

    public BusAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
