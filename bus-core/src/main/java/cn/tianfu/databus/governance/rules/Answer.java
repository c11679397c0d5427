package cn.tianfu.databus.governance.rules;

import cn.tianfu.databus.schemas.Outcome;

/**
 * What a command came to: outcome, message and the resource, request, grant and other subject (an error report or a
 * dispute) it concerned (each may be null).
 */
public record Answer(Outcome outcome, String message, String resourceCode, String requestId, String grantId,
                     String subjectId) {

    public Answer(Outcome outcome, String message, String resourceCode, String requestId, String grantId) {
        this(outcome, message, resourceCode, requestId, grantId, null);
    }

    public static Answer of(Outcome outcome, String code, String message) {
        return new Answer(outcome, message, code, null, null);
    }

    public static Answer accepted(String code, String message) {
        return of(Outcome.ACCEPTED, code, message);
    }

    public static Answer refused(String code, String message) {
        return of(Outcome.REFUSED, code, message);
    }

    public static Answer invalid(String code, String message) {
        return of(Outcome.INVALID, code, message);
    }

    public static Answer notFound(String code, String message) {
        return of(Outcome.NOT_FOUND, code, message);
    }

    /** This answer naming request {@code id}. */
    public Answer request(String id) {
        return new Answer(outcome, message, resourceCode, id, grantId, subjectId);
    }

    /** This answer naming grant {@code id}. */
    public Answer grant(String id) {
        return new Answer(outcome, message, resourceCode, requestId, id, subjectId);
    }

    /** This answer naming error report or dispute {@code id}. */
    public Answer subject(String id) {
        return new Answer(outcome, message, resourceCode, requestId, grantId, id);
    }

    /** Whether the command was carried out (ACCEPTED) or filed (PENDING). */
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED || outcome == Outcome.PENDING;
    }
}
