package cn.tianfu.databus.security;

import cn.tianfu.databus.DatabusException;

/**
 * The client is authenticated, but its principal has no ACL for what it tried (a topic or consumer group of another
 * department, a raw system topic). Never retriable: the ACLs must change, or the client must act within its own prefixes.
 */
public final class BusAuthorizationException extends DatabusException {

    public BusAuthorizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
