package cn.tianfu.databus.broker;

import cn.tianfu.databus.DatabusException;

/** The embedded broker could not start, or failed fatally while running. */
public class BrokerException extends DatabusException {

    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
