package cn.tianfu.databus.calendar;

/**
 * Where a year's working days come from. An official year transcribes the State Council's holiday notice (days off
 * and make-up working days); a provisional year is computed from the statutory holidays alone, for a year whose
 * notice is not loaded yet (see {@link StatutoryHolidays}).
 */
public enum CalendarKind {
    OFFICIAL,
    PROVISIONAL
}
