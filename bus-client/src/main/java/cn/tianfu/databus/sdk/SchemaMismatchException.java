package cn.tianfu.databus.sdk;

import cn.tianfu.databus.DatabusException;

/**
 * A record a {@link Publisher} was asked to send is not of the resource's catalogued schema (the latest version
 * registered under {@code src.<dept>.<resource>-value}), or no schema is registered for the resource yet. Nothing was
 * sent. Not retriable: build the record with the catalogued schema, or have the resource's schema updated through
 * governance first.
 */
public class SchemaMismatchException extends DatabusException {

    private final String subject;

    public SchemaMismatchException(String subject, String message) {
        super(message);
        this.subject = subject;
    }

    /** The registry subject of the resource's schema. */
    public String subject() {
        return subject;
    }
}
