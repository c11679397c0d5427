package cn.tianfu.databus.cli.audit;

import picocli.CommandLine.Command;

/** {@code databus audit}: verify the exchange log, trace a record, report a consumer's exchanges, export an archive. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        header = "Audit the exchange log: verify, trace, report, export.",
        subcommands = {VerifyCommand.class, TraceCommand.class, ReportCommand.class, ExportCommand.class})
public final class AuditCommand {
}
