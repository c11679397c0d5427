package cn.tianfu.databus.cli.calendar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import cn.tianfu.databus.calendar.CalendarKind;
import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.StatutoryHolidays;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code databus calendar list}: the loaded years, and the coming years still counted provisionally. */
@Command(name = "list", mixinStandardHelpOptions = true,
        header = "List the calendars on bus.calendars (year, region, source, OFFICIAL or PROVISIONAL, loaded when), and"
                + " this year and next when no calendar is loaded for them (counted provisionally).")
public final class CalendarListCommand extends ListCommand<Map<String, Object>> {

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;


    @Override
    protected Output output() {
        return json.output();
    }

    @Override
    protected List<Map<String, Object>> items() {
        List<HolidayCalendar> loaded;
        WorkingDayCalendar effective;
        try (Calendars calendars = admin.calendars()) {
            loaded = calendars.list();
            effective = calendars.effective();
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HolidayCalendar c : loaded) {
            rows.add(row(c.getYear(), c.getRegion(), c.getKind().name(), c.getSource(), Times.format(c.getLoadedAt()),
                    c.getHistory().isEmpty() ? "" : "replaces " + c.getHistory().get(0).getKind()));
        }
        // this year and next are counted on whatever the bus has for them, loaded or not
        int thisYear = clock().instant().atZone(WorkingDayCalendar.ZONE).getYear();
        for (int y = thisYear; y <= thisYear + 1; y++) {
            int year = y;
            if (!StatutoryHolidays.covers(y) || loaded.stream().anyMatch(c -> c.getRegion().equals(CalendarRecords.REGION_CN) && c.getYear() == year)) {
                continue;
            }
            YearCalendar c = effective.calendarOf(y);
            rows.add(row(y, CalendarRecords.REGION_CN, c.kind().name(), c.source(), "",
                    c.kind() == CalendarKind.PROVISIONAL ? "not loaded: computed" : "bundled, not on " + Topics.CALENDARS));
        }
        rows.sort(java.util.Comparator.comparing((Map<String, Object> r) -> (String) r.get("region"))
                .thenComparing(r -> (Integer) r.get("year")));
        return rows;
    }

    @Override
    protected Table table() {
        return new Table("YEAR", "REGION", "KIND", "LOADED", "SOURCE", "NOTE");
    }

    @Override
    protected void addRows(Table table, Map<String, Object> r) {
        table.row(r.get("year"), r.get("region"), r.get("kind"), r.get("loadedAt"), r.get("source"), r.get("note"));
    }

    private static Map<String, Object> row(int year, String region, String kind, String source, String loadedAt, String note) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("year", year);
        m.put("region", region);
        m.put("kind", kind);
        m.put("source", source);
        m.put("loadedAt", loadedAt);
        m.put("note", note);
        return m;
    }
}
