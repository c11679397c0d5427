package cn.tianfu.databus.deadlines;

/**
 * A provider's duty to answer a public request to open data within 10 days (Art. 34; missed, a violation under
 * Art. 46(五): 不按规定受理、答复…开放需求申请). Reminded as {@link DecisionDuty#reminderAt} says.
 *
 * <pre>{@code
 * PublicRequestDuty.violationId("amr.P3");   // "46-5:public:amr.P3"
 * PublicRequestDuty.reminderId("amr.P3");    // "reminder:public:amr.P3"
 * PublicRequestDuty.reviewViolationId("amr.P3");   // "46-5:review:amr.P3"
 * }</pre>
 *
 * <p>The authority's duty to decide a review (复核) within 15 days of the expert committee's opinion is kept the same
 * way (Art. 34; missed, Art. 46(五) again: 不按规定…复核…开放需求申请), the authority, {@code bus}, as the duty holder.
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

    /** Prefix of the id of a violation for a review not decided in time. */
    public static final String REVIEW_VIOLATION_PREFIX = "46-5:review:";

    /** The violation's id for the review of {@code requestId} not decided in time. */
    public static String reviewViolationId(String requestId) {
        return REVIEW_VIOLATION_PREFIX + requestId;
    }

    /** The review reminder's id: its key on the authority's {@code reply.bus}. */
    public static String reviewReminderId(String requestId) {
        return DecisionDuty.REMINDER_PREFIX + "review:" + requestId;
    }

    /** The reminder's id: the key of the reminder on the provider's {@code reply.<dept>}. */
    public static String reminderId(String requestId) {
        return DecisionDuty.REMINDER_PREFIX + "public:" + requestId;
    }
}
