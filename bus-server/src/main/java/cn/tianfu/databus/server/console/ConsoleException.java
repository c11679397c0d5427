package cn.tianfu.databus.server.console;

/**
 * A page that cannot be shown: its HTTP status and the message key of what the person is told (with arguments). The
 * console shows it as an error page in the person's language.
 */
public final class ConsoleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Object[] args;

    public ConsoleException(int status, String messageKey, Object... args) {
        super(messageKey);
        this.status = status;
        this.args = args.clone();
    }

    public int status() {
        return status;
    }

    /** The message key. */
    public String key() {
        return getMessage();
    }

    Object[] args() {
        return args.clone();
    }
}
