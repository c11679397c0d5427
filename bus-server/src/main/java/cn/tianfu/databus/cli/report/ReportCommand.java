package cn.tianfu.databus.cli.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;


import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.accountability.MonthlyReport;
import cn.tianfu.databus.accountability.MonthlyReportFormat;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code databus report monthly}: the authority's periodic report (定期通报) of one month, per department. */
@Command(name = "report", mixinStandardHelpOptions = true,
        header = "The authority's reports on how departments keep their duties.",
        subcommands = {ReportCommand.Monthly.class})
public final class ReportCommand {

    private ReportCommand() {
    }

    /** Output formats. */
    enum Format { text, csv, json, html }

    /** {@code databus report monthly --month 2026-12 [--format text|csv|json|html] [--out FILE]}. */
    @Command(name = "monthly", mixinStandardHelpOptions = true,
            header = "Per department for one month (Asia/Shanghai): requests received, decided, on time (%), median decision"
                    + " time in working days, overdue, violations by clause and status, error reports, disputes.")
    public static final class Monthly extends ClockedCommand {

        @Mixin
        BusAdminOptions admin;

        @Option(names = "--month", paramLabel = "YYYY-MM", required = true, description = "The month, e.g. 2026-12.")
        String month;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
                description = "text, csv (UTF-8, with a header), json or html (one self-contained page with charts)"
                        + " (default: ${DEFAULT-VALUE}).")
        Format format;

        @Option(names = "--out", paramLabel = "FILE", description = "Write to this file instead of standard output.")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            YearMonth ym;
            try {
                ym = YearMonth.parse(month.trim());
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), "--month '" + month + "' is not a month: use YYYY-MM, e.g. 2026-12");
            }
            DatabusClientConfig bus = ClientFiles.bus(admin.dataDir());
            MonthlyReport report = AccountabilityFacts.monthly(bus, ym, clock().instant());
            String text = switch (format) {
                case text -> MonthlyReportFormat.text(report);
                case csv -> MonthlyReportFormat.csv(report);
                case json -> MonthlyReportFormat.json(report);
                case html -> MonthlyReportFormat.html(report);
            };
            if (out != null) {
                try {
                    Files.writeString(out, text, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new DatabusException("cannot write " + out + ": " + e.getMessage(), e);
                }
                PrintWriter w = spec.commandLine().getOut();
                w.println("Wrote the " + format + " report of " + ym + " (" + report.rows().size() + " department(s)) to " + out);
                w.flush();
            } else {
                PrintWriter w = spec.commandLine().getOut();
                w.print(text);
                w.flush();
            }
            return 0;
        }
    }
}
