package cn.tianfu.databus.deadlines;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.WorkingDayCalendar;

class DecisionDutyTest {

    private static final WorkingDayCalendar CAL = WorkingDayCalendar.bundled();

    @Test
    void theReminderIsTwoWorkingDaysBeforeTheDueTimeAtTheSameTimeOfDay() {
        // due end of Thursday 2026-11-12 (Asia/Shanghai): Wednesday and Thursday are left after the end of Tuesday
        assertThat(DecisionDuty.reminderAt(Instant.parse("2026-11-12T15:59:59.999Z"), CAL))
                .isEqualTo(Instant.parse("2026-11-10T15:59:59.999Z"));
    }

    @Test
    void weekendsAndHolidaysAreNotCounted() {
        // due end of Monday 2026-11-16: Friday 11-13 and Monday are the two working days left
        assertThat(DecisionDuty.reminderAt(Instant.parse("2026-11-16T15:59:59.999Z"), CAL))
                .isEqualTo(Instant.parse("2026-11-12T15:59:59.999Z"));
        // due end of Friday 2026-10-09, after the National Day holiday (10-01..10-07): 10-08 and 10-09 are left
        assertThat(DecisionDuty.reminderAt(Instant.parse("2026-10-09T15:59:59.999Z"), CAL))
                .isEqualTo(Instant.parse("2026-10-07T15:59:59.999Z"));
    }

    @Test
    void idsAreDeterministicFromTheRequest() {
        assertThat(DecisionDuty.violationId("10101-000001.R1")).isEqualTo("46-5:10101-000001.R1")
                .isEqualTo(DecisionDuty.violationId("10101-000001.R1"));
        assertThat(DecisionDuty.reminderId("10101-000001.R1")).isEqualTo("reminder:10101-000001.R1");
    }
}
