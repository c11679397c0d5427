package cn.tianfu.databus.accountability;

import java.time.Instant;
import java.util.Objects;

/**
 * One error report (校核, Art. 27) as the monthly report counts it: the provider that must answer, the consumer that
 * reported, when it was reported and due, and when answered ({@code null}: not yet).
 */
public record ReportFact(String provider, String consumer, Instant reportedAt, Instant dueAt, Instant answeredAt) {

    public ReportFact {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(reportedAt, "reportedAt");
        Objects.requireNonNull(dueAt, "dueAt");
    }

    /** Answered by its due time. */
    public boolean answeredOnTime() {
        return answeredAt != null && !answeredAt.isAfter(dueAt);
    }
}
