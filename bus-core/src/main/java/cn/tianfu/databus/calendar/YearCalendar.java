package cn.tianfu.databus.calendar;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.Map;

/** Working days of one year: bit {@code dayOfYear - 1} is set for every working day. Immutable. */
record YearCalendar(int year, BitSet workingDays, Map<LocalDate, String> labels, String source) {

    YearCalendar {
        workingDays = (BitSet) workingDays.clone();
        labels = Map.copyOf(labels);
    }

    boolean isWorkingDay(LocalDate date) {
        return workingDays.get(date.getDayOfYear() - 1);
    }

    static boolean isWeekend(LocalDate date) {
        return date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
    }
}
