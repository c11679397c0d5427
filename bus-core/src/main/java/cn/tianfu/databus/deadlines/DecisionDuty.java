package cn.tianfu.databus.deadlines;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;

import cn.tianfu.databus.calendar.WorkingDayCalendar;

/**
 * The provider's duty to decide a conditional access request by its due time (Art. 26: within 10 working days; missed,
 * it is a violation under Art. 46(五)).
 *
 * <pre>{@code
 * // due at the end of Thursday 2026-11-12 (Asia/Shanghai): reminded at the end of Tuesday 2026-11-10
 * DecisionDuty.reminderAt(Instant.parse("2026-11-12T15:59:59.999Z"), WorkingDayCalendar.bundled());
 * // due at the end of Friday 2026-10-09: reminded at the end of 2026-10-07, a holiday (10-08 and 10-09 are left)
 * DecisionDuty.violationId("10101-000001.R1");     // "46-5:10101-000001.R1"
 * }</pre>
 */
public final class DecisionDuty {

    /** The provider is reminded when this many working days are left before the due time. */
    public static final int REMINDER_WORKING_DAYS = 2;

    /** Prefix of the id of a violation for an undecided request. */
    public static final String VIOLATION_PREFIX = "46-5:";

    /** Prefix of the id (the reply key) of a reminder to decide a request. */
    public static final String REMINDER_PREFIX = "reminder:";

    private DecisionDuty() {
    }

    /**
     * When the provider is reminded: the due time moved back by {@value #REMINDER_WORKING_DAYS} working days (the same
     * time of day, Asia/Shanghai), so exactly that many working days are left between the reminder and the due time.
     * The due day itself need not be a working day; the days counted back are.
     */
    public static Instant reminderAt(Instant dueAt, WorkingDayCalendar calendar) {
        ZonedDateTime due = dueAt.atZone(WorkingDayCalendar.ZONE);
        LocalDate day = due.toLocalDate();
        int left = REMINDER_WORKING_DAYS;
        while (left > 0) {
            if (calendar.isWorkingDay(day)) {
                left--;
            }
            day = day.minusDays(1);
        }
        return due.with(day).toInstant();
    }

    /** The violation's id (its key on {@code bus.violations}): deterministic, so a violation raised twice is one. */
    public static String violationId(String requestId) {
        return VIOLATION_PREFIX + requestId;
    }

    /** The id of the bus's command that marks the request overdue: {@code overdue:<requestId>}. */
    public static String overdueCommandId(String requestId) {
        return "overdue:" + requestId;
    }

    /** The reminder's id: the key of the reminder on the provider's {@code reply.<dept>}. */
    public static String reminderId(String requestId) {
        return REMINDER_PREFIX + requestId;
    }
}
