package cn.tianfu.databus.cli.calendar;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.ClockedCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus calendar due}: the due date N working days after a date, on the calendars governance counts on. */
@Command(name = "due", mixinStandardHelpOptions = true,
        header = "Count N working days after a date on the bus's calendars, as governance does (counting starts the day"
                + " after), and say whether a provisional year was used.")
public final class CalendarDueCommand extends ClockedCommand {

    @Option(names = "--from", paramLabel = "DATE", description = "The filing date, yyyy-MM-dd (default: today in Asia/Shanghai).")
    LocalDate from;

    @Option(names = "--days", paramLabel = "N", required = true, description = "Working days, e.g. 10 (a conditional request's decision).")
    int days;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;


    @Override
    public Integer call() {
        Output output = json.output();
        if (days < 0) {
            return output.fail("--days must be 0 or more, was " + days);
        }
        LocalDate filed = from != null ? from : clock().instant().atZone(WorkingDayCalendar.ZONE).toLocalDate();
        WorkingDayCalendar effective;
        try (Calendars calendars = admin.calendars()) {
            effective = calendars.effective();
        }
        Due due = effective.due(filed, days);
        if (output.isJson()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", filed.toString());
            m.put("days", days);
            m.put("due", due.date().toString());
            m.put("dueAt", due.instant().toString());
            m.put("provisional", due.provisional());
            m.put("provisionalYears", due.provisionalYears());
            m.put("calendars", due.calendarSummary());
            output.json(m);
            return ExitCode.OK;
        }
        output.out().println(due.describe());
        output.out().flush();
        return ExitCode.OK;
    }
}
