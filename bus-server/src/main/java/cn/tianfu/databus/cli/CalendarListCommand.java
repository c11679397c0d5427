package cn.tianfu.databus.cli;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.calendar.CalendarKind;
import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.StatutoryHolidays;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus calendar list}: the loaded years, and the coming years still counted provisionally. */
@Command(name = "list", mixinStandardHelpOptions = true,
        header = "List the calendars on bus.calendars (year, region, source, OFFICIAL or PROVISIONAL, loaded when), and"
                + " this year and next when no calendar is loaded for them (counted provisionally).")
public final class CalendarListCommand implements Callable<Integer>, UsesClock {

    @Spec
    CommandSpec spec;

    @Mixin
    BusAdminOptions admin;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    private InstantSource clock = InstantSource.system();

    @Override
    public void clock(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
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
        int thisYear = clock.instant().atZone(WorkingDayCalendar.ZONE).getYear();
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
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
        if (json) {
            output.json(rows);
            return DatabusCli.OK;
        }
        Table table = new Table("YEAR", "REGION", "KIND", "LOADED", "SOURCE", "NOTE");
        for (Map<String, Object> r : rows) {
            table.row(r.get("year"), r.get("region"), r.get("kind"), r.get("loadedAt"), r.get("source"), r.get("note"));
        }
        table.print(output.out);
        return DatabusCli.OK;
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
