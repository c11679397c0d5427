package cn.tianfu.databus.registry;

import java.util.Arrays;

import cn.tianfu.databus.DatabusException;

/**
 * The schema registry refused a call or could not be reached. {@link #kind()} names the common cases so callers branch
 * without remembering Confluent's numbers; {@link #httpStatus()} and {@link #errorCode()} keep the registry's own answer
 * (Confluent Schema Registry, Apicurio's Confluent-compatible API and the bus's embedded registry all send
 * {@code {"error_code": 40401, "message": "..."}}).
 *
 * <pre>{@code
 * try {
 *     client.latest("src.psb.population-value");
 * } catch (SchemaRegistryException e) {
 *     if (e.kind() == SchemaRegistryException.Kind.SUBJECT_NOT_FOUND) { ... }
 * }
 * }</pre>
 */
public class SchemaRegistryException extends DatabusException {

    /** Returned by {@link #httpStatus()} and {@link #errorCode()} when there was no HTTP answer at all. */
    public static final int NO_ANSWER = -1;

    /** The common cases, with the Confluent error code each one is answered with. */
    public enum Kind {
        /** 40401: the subject has no (live) versions. */
        SUBJECT_NOT_FOUND(40401),
        /** 40402: the subject exists but not that version. */
        VERSION_NOT_FOUND(40402),
        /** 40403: no schema has that id, or the schema is not registered under the subject. */
        SCHEMA_NOT_FOUND(40403),
        /** 40404: the subject was soft-deleted. */
        SUBJECT_SOFT_DELETED(40404),
        /** 40405: a permanent delete needs a soft delete first. */
        SUBJECT_NOT_SOFT_DELETED(40405),
        /** 40406: the version was soft-deleted. */
        VERSION_SOFT_DELETED(40406),
        /** 40408: the subject has no compatibility level of its own. */
        SUBJECT_LEVEL_NOT_CONFIGURED(40408),
        /** 409: the schema is incompatible with earlier versions under the subject's compatibility level. */
        INCOMPATIBLE(409),
        /** 42201: the schema does not parse as Avro. */
        INVALID_SCHEMA(42201),
        /** 42202: the version is not a positive number or "latest". */
        INVALID_VERSION(42202),
        /** 42203: the compatibility level is not one the registry knows. */
        INVALID_COMPATIBILITY_LEVEL(42203),
        /** 401 / 403: the registry refused the credentials. */
        UNAUTHORIZED(401),
        /** The registry did not answer (connection refused, timeout): retriable. */
        UNREACHABLE(NO_ANSWER),
        /** A 5xx answer: the registry failed; retriable. */
        SERVER_ERROR(500),
        /** An answer the client did not expect (unknown code, body that is not the registry's JSON). */
        UNEXPECTED(0);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The Confluent error code (or HTTP status) that stands for this kind. */
        public int code() {
            return code;
        }

        /** The kind for an HTTP status and Confluent error code. */
        public static Kind of(int httpStatus, int errorCode) {
            if (httpStatus == 401 || httpStatus == 403) {
                return UNAUTHORIZED;
            }
            if (httpStatus >= 500) {
                return SERVER_ERROR;
            }
            if (httpStatus == 409 || errorCode == 409) {
                return INCOMPATIBLE;
            }
            return Arrays.stream(values())
                    .filter(k -> k.code > 10000 && k.code == errorCode)
                    .findFirst()
                    .orElse(UNEXPECTED);
        }
    }

    private final Kind kind;
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(Kind kind, int httpStatus, int errorCode, String message) {
        this(kind, httpStatus, errorCode, message, null);
    }

    public SchemaRegistryException(Kind kind, int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status the registry answered with, or {@link #NO_ANSWER}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's {@code error_code} from the body (e.g. 40401), the HTTP status when the body had none, or {@link #NO_ANSWER}. */
    public int errorCode() {
        return errorCode;
    }

    /** An unreachable registry or a 5xx answer may succeed later; every other refusal will not. */
    @Override
    public boolean isRetriable() {
        return kind == Kind.UNREACHABLE || kind == Kind.SERVER_ERROR;
    }
}
