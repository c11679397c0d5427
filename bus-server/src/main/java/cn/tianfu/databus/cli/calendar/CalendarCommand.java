package cn.tianfu.databus.cli.calendar;

import picocli.CommandLine.Command;

/** {@code databus calendar}: the working-day calendars deadlines are counted on. */
@Command(name = "calendar", mixinStandardHelpOptions = true,
        header = "Load, list and show the working-day calendars on bus.calendars, and count a due date on them.",
        subcommands = {CalendarLoadCommand.class, CalendarListCommand.class, CalendarShowCommand.class, CalendarDueCommand.class})
public final class CalendarCommand {
}
