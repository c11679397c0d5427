package cn.tianfu.databus.cli.calendar;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.schemas.HolidayCalendar;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code databus calendar show}: one year's days off and make-up working days, as governance counts them. */
@Command(name = "show", mixinStandardHelpOptions = true,
        header = "Show a year's days off and make-up working days as governance counts them: loaded (OFFICIAL) or"
                + " computed from the statutory holidays (PROVISIONAL).")
public final class CalendarShowCommand implements Callable<Integer> {

    @Parameters(paramLabel = "YEAR", description = "The year, e.g. 2027.")
    int year;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        WorkingDayCalendar effective;
        Optional<HolidayCalendar> record;
        try (Calendars calendars = admin.calendars()) {
            effective = calendars.effective();
            record = calendars.find(CalendarRecords.REGION_CN, year);
        }
        YearCalendar y = effective.calendarOf(year);
        Output output = json.output();
        if (output.isJson()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("year", year);
            m.put("region", CalendarRecords.REGION_CN);
            m.put("kind", y.kind().name());
            m.put("source", y.source());
            m.put("loaded", record.orElse(null));
            m.put("daysOff", strings(y.daysOff()));
            m.put("makeUpDays", strings(y.makeUpDays()));
            m.put("workingDays", y.workingDayCount());
            output.json(m);
            return ExitCode.OK;
        }
        output.out().printf("%s %d: %s, from %s%s; %d working days%n", CalendarRecords.REGION_CN, year, y.kind(), y.source(),
                record.map(r -> ", loaded " + Times.format(r.getLoadedAt())).orElse(""), y.workingDayCount());
        record.ifPresent(r -> r.getHistory().forEach(v -> output.out().printf("  replaced %s %s (%s)%n",
                Times.format(v.getReplacedAt()), v.getKind(), v.getSource())));
        java.util.TreeMap<LocalDate, String[]> days = new java.util.TreeMap<>();
        y.daysOff().forEach((d, l) -> days.put(d, new String[] {"off", l}));
        y.makeUpDays().forEach((d, l) -> days.put(d, new String[] {"work", l}));
        Table table = new Table("DATE", "DAY", "KIND", "LABEL");
        days.forEach((d, v) -> table.row(d, d.getDayOfWeek().toString().substring(0, 3), v[0], v[1]));
        table.print(output.out());
        return ExitCode.OK;
    }

    private static Map<String, String> strings(Map<LocalDate, String> days) {
        Map<String, String> m = new LinkedHashMap<>();
        days.forEach((d, l) -> m.put(d.toString(), l));
        return m;
    }
}
