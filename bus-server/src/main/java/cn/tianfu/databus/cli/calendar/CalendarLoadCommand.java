package cn.tianfu.databus.cli.calendar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.schemas.CalendarVersion;
import cn.tianfu.databus.schemas.HolidayCalendar;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus calendar load}: the data authority loads a year's official holiday notice onto bus.calendars. */
@Command(name = "load", mixinStandardHelpOptions = true,
        header = "Load a year's official calendar file (days off and make-up working days of the State Council's notice)"
                + " onto bus.calendars: new due times are counted on it from now on; pending requests keep theirs.")
public final class CalendarLoadCommand extends ClockedCommand {

    @Parameters(paramLabel = "FILE", description = "The calendar file, e.g. cn-2027.cal (format: see docs/governance.md).")
    Path file;

    @Option(names = "--notice", paramLabel = "TEXT",
            description = "The notice the file transcribes, recorded with it, e.g. 国办发明电〔2026〕7号.")
    String notice;

    @Option(names = "--replace", description = "Replace an official calendar already loaded for the year (a corrected notice).")
    boolean replace;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;


    @Override
    public Integer call() throws IOException {
        Output output = json.output();
        if (!Files.isRegularFile(file)) {
            return output.fail("no calendar file " + file);
        }
        WorkingDayCalendar parsed = WorkingDayCalendar.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        if (parsed.years().size() != 1) {
            throw new CalendarException(file + " holds no year");
        }
        String source = file.getFileName().toString() + (notice == null || notice.isBlank() ? "" : " (" + notice.strip() + ")");
        YearCalendar year = parsed.calendarOf(parsed.years().first()).withSource(source);
        HolidayCalendar loaded;
        try (Calendars calendars = admin.calendars()) {
            loaded = calendars.load(year, replace, clock().instant());
        }
        if (output.isJson()) {
            output.json(loaded);
            return ExitCode.OK;
        }
        output.out().printf("Loaded %s %d %s from %s: %d days off, %d make-up working days; new due times are counted on it,"
                        + " pending requests keep theirs%n", loaded.getRegion(), loaded.getYear(), loaded.getKind(), source,
                loaded.getDaysOff().size(), loaded.getMakeUpDays().size());
        if (!loaded.getHistory().isEmpty()) {
            CalendarVersion replaced = loaded.getHistory().get(0);
            output.out().printf("It replaces the %s calendar of %d (%s)%n", replaced.getKind(), loaded.getYear(), replaced.getSource());
        }
        output.out().flush();
        return ExitCode.OK;
    }
}
