package cn.tianfu.databus.deadlines;

/**
 * The provider's duty to answer a consumer's error report within 10 working days (Art. 27; missed, it is a violation
 * under Art. 46(五), as an undecided request is). Reminded as {@link DecisionDuty#reminderAt} says.
 *
 * <pre>{@code
 * ReportDuty.violationId("10101-000001.E1");   // "46-5:report:10101-000001.E1"
 * ReportDuty.reminderId("10101-000001.E1");    // "reminder:report:10101-000001.E1"
 * }</pre>
 */
public final class ReportDuty {

    /** Prefix of the id of a violation for an unanswered error report. */
    public static final String VIOLATION_PREFIX = DecisionDuty.VIOLATION_PREFIX + "report:";

    /** Prefix of the id (the reply key) of a reminder to answer a report. */
    public static final String REMINDER_PREFIX = DecisionDuty.REMINDER_PREFIX + "report:";

    private ReportDuty() {
    }

    /** The violation's id (its key on {@code bus.violations}): deterministic, so a violation raised twice is one. */
    public static String violationId(String reportId) {
        return VIOLATION_PREFIX + reportId;
    }

    /** The reminder's id: the key of the reminder on the provider's {@code reply.<dept>}. */
    public static String reminderId(String reportId) {
        return REMINDER_PREFIX + reportId;
    }
}
