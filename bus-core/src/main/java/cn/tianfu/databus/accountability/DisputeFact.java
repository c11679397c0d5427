package cn.tianfu.databus.accountability;

import java.time.Instant;
import java.util.Objects;

/**
 * One dispute (异议, Art. 28) as the monthly report counts it: the department that opened it, the other party, when it
 * was opened and its status now (e.g. NEGOTIATING, ESCALATED, DECIDED). It counts for both parties.
 */
public record DisputeFact(String department, String counterparty, Instant openedAt, String status) {

    public DisputeFact {
        Objects.requireNonNull(department, "department");
        Objects.requireNonNull(openedAt, "openedAt");
        Objects.requireNonNull(status, "status");
    }
}
