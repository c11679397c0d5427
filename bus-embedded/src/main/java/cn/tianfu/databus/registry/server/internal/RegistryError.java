package cn.tianfu.databus.registry.server.internal;

import cn.tianfu.databus.DatabusException;

/**
 * A failed registry operation with its Confluent error code and HTTP status. The HTTP layer turns it into
 * {@code {"error_code":N,"message":"..."}}; the store raises it without knowing about HTTP.
 */
public final class RegistryError extends DatabusException {

    private final int errorCode;
    private final int httpStatus;

    public RegistryError(int httpStatus, int errorCode, String message) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public RegistryError(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    @Override
    public boolean isRetriable() {
        return httpStatus >= 500;
    }

    public static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, 40401, "Subject '" + subject + "' not found.");
    }

    public static RegistryError versionNotFound(String subject, int version) {
        return new RegistryError(404, 40402, "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryError schemaNotFound(String detail) {
        return new RegistryError(404, 40403, detail);
    }

    public static RegistryError subjectSoftDeleted(String subject) {
        return new RegistryError(404, 40404, "Subject '" + subject
                + "' was soft deleted. Set permanent=true to delete permanently");
    }

    public static RegistryError subjectNotSoftDeleted(String subject) {
        return new RegistryError(404, 40405, "Subject '" + subject
                + "' was not deleted first before being permanently deleted; delete it without permanent=true first");
    }

    public static RegistryError versionSoftDeleted(String subject, int version) {
        return new RegistryError(404, 40406, "Subject '" + subject + "' Version " + version
                + " was soft deleted. Set permanent=true to delete permanently");
    }

    public static RegistryError versionNotSoftDeleted(String subject, int version) {
        return new RegistryError(404, 40407, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted; delete it without permanent=true first");
    }

    public static RegistryError subjectLevelCompatibilityNotConfigured(String subject) {
        return new RegistryError(404, 40408, "Subject '" + subject
                + "' does not have subject-level compatibility configured; use defaultToGlobal=true to read the global level");
    }

    public static RegistryError incompatible(String message) {
        return new RegistryError(409, 409, message);
    }

    public static RegistryError invalidSchema(String message) {
        return new RegistryError(422, 42201, message);
    }

    public static RegistryError invalidVersion(String version) {
        return new RegistryError(422, 42202, "The specified version '" + version
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    public static RegistryError invalidCompatibilityLevel(String level) {
        return new RegistryError(422, 42203, "Invalid compatibility level '" + level + "'. Valid values are "
                + java.util.Arrays.toString(CompatibilityLevel.values()));
    }

    public static RegistryError unprocessable(String message) {
        return new RegistryError(422, 422, message);
    }

    public static RegistryError storeError(String message, Throwable cause) {
        return new RegistryError(500, 50001, message, cause);
    }

    public static RegistryError timeout(String message) {
        return new RegistryError(500, 50002, message);
    }
}
