package cn.tianfu.databus.service;

/** A service-exchange request the bus refuses, with the reason the caller is told and the kind of refusal. */
public class ServiceException extends RuntimeException {

    /** Why a request is refused; each kind has its HTTP status. */
    public enum Kind {
        /** The request is malformed (an empty claim set, a field the resource does not have). */
        BAD_REQUEST(400),
        /** The caller holds no grant in force that allows it, or claims a field the grant does not give in clear. */
        FORBIDDEN(403),
        /** The grant's rate limit or daily volume is used up. */
        LIMITED(429),
        /** The bus cannot answer now (its state is not ready, the exchange log cannot be written). */
        UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;

    public ServiceException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ServiceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
