package cn.tianfu.databus.governance.internal;

import cn.tianfu.databus.schemas.Outcome;

/** What a command came to: outcome, message and the resource, request and grant it concerned. */
record Answer(Outcome outcome, String message, String resourceCode, String requestId, String grantId) {

    static Answer of(Outcome outcome, String code, String message) {
        return new Answer(outcome, message, code, null, null);
    }

    static Answer accepted(String code, String message) {
        return of(Outcome.ACCEPTED, code, message);
    }

    static Answer refused(String code, String message) {
        return of(Outcome.REFUSED, code, message);
    }

    static Answer invalid(String code, String message) {
        return of(Outcome.INVALID, code, message);
    }

    static Answer notFound(String code, String message) {
        return of(Outcome.NOT_FOUND, code, message);
    }

    Answer request(String id) {
        return new Answer(outcome, message, resourceCode, id, grantId);
    }

    Answer grant(String id) {
        return new Answer(outcome, message, resourceCode, requestId, id);
    }

    boolean accepted() {
        return outcome == Outcome.ACCEPTED || outcome == Outcome.PENDING;
    }
}
