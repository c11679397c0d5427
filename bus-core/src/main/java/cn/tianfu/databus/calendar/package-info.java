/**
 * Working days for the bus's legal deadlines: {@link cn.tianfu.databus.calendar.WorkingDayCalendar}, loaded from
 * per-year holiday calendar files (weekends, public holidays, make-up working days).
 */
package cn.tianfu.databus.calendar;
