package cn.tianfu.databus.governance.app.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.schemas.HolidayCalendar;

/** The calendar due times are counted on: the bundled years, replaced by those on {@code bus.calendars}, then provisional years. */
final class DueTimes {

    private static final Logger LOG = LoggerFactory.getLogger(DueTimes.class);

    private DueTimes() {
    }

    /** {@code base} with the mainland (CN) years of the calendar store over its own, answering other years provisionally. */
    static WorkingDayCalendar calendar(WorkingDayCalendar base, ReadOnlyKeyValueStore<String, HolidayCalendar> store) {
        List<HolidayCalendar> records = new ArrayList<>();
        try (KeyValueIterator<String, HolidayCalendar> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, HolidayCalendar> kv = it.next();
                if (CalendarRecords.yearOf(kv.key, CalendarRecords.REGION_CN).isPresent()) {
                    records.add(kv.value);
                }
            }
        }
        return CalendarRecords.effective(base, records, CalendarRecords.REGION_CN,
                problem -> LOG.error("Ignored calendar {} of bus.calendars", problem));
    }
}
