package cn.tianfu.databus.registry.server;

import cn.tianfu.databus.DatabusException;

/** The schema registry server could not start or run: Kafka unreachable, its topic unusable, or the port unavailable. */
public class RegistryServerException extends DatabusException {

    private final boolean retriable;

    public RegistryServerException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    @Override
    public boolean isRetriable() {
        return retriable;
    }
}
