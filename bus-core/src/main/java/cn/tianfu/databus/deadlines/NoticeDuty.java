package cn.tianfu.databus.deadlines;

/**
 * A department's duty to update its catalogue within 15 working days of a change of law or of its duties the authority
 * recorded (Art. 14; missed, it is a violation under Art. 46(四)). Reminded as {@link DecisionDuty#reminderAt} says.
 *
 * <pre>{@code
 * NoticeDuty.violationId("notice:psb:c1");   // "46-4:notice:psb:c1"
 * NoticeDuty.reminderId("notice:psb:c1");    // "reminder:notice:psb:c1"
 * }</pre>
 */
public final class NoticeDuty {

    /** Prefix of the id of a violation for a catalogue not updated after a notice. */
    public static final String VIOLATION_PREFIX = "46-4:";

    private NoticeDuty() {
    }

    /** The violation's id (its key on {@code bus.violations}): deterministic, so a violation raised twice is one. */
    public static String violationId(String noticeId) {
        return VIOLATION_PREFIX + noticeId;
    }

    /** The reminder's id: the key of the reminder on the department's {@code reply.<dept>}. */
    public static String reminderId(String noticeId) {
        return DecisionDuty.REMINDER_PREFIX + noticeId;
    }
}
