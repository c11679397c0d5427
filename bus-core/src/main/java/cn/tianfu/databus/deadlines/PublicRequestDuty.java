package cn.tianfu.databus.deadlines;

/**
 * A provider's duty to answer a public request to open data within 10 days (Art. 34; missed, a violation under
 * Art. 46(五): 不按规定受理、答复…开放需求申请). Reminded as {@link DecisionDuty#reminderAt} says.
 *
 * <pre>{@code
 * PublicRequestDuty.violationId("amr.P3");   // "46-5:public:amr.P3"
 * PublicRequestDuty.reminderId("amr.P3");    // "reminder:public:amr.P3"
 * }</pre>
 */
public final class PublicRequestDuty {

    /** Prefix of the id of a violation for an unanswered public request. */
    public static final String VIOLATION_PREFIX = "46-5:public:";

    private PublicRequestDuty() {
    }

    /** The violation's id (its key on {@code bus.violations}): deterministic, so a violation raised twice is one. */
    public static String violationId(String requestId) {
        return VIOLATION_PREFIX + requestId;
    }

    /** The reminder's id: the key of the reminder on the provider's {@code reply.<dept>}. */
    public static String reminderId(String requestId) {
        return DecisionDuty.REMINDER_PREFIX + "public:" + requestId;
    }
}
