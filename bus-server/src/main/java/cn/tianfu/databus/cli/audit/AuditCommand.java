package cn.tianfu.databus.cli.audit;

import picocli.CommandLine.Command;

/**
 * {@code databus audit}: verify the exchange log, trace a record, report a consumer's exchanges, export an archive, keep
 * checkpoints off the bus, check a delivered value's digest.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        header = "Audit the exchange log: verify, trace, report, export, keep checkpoints, check a digest.",
        subcommands = {VerifyCommand.class, TraceCommand.class, ReportCommand.class, ExportCommand.class,
                CheckpointsCommand.class, DigestCommand.class})
public final class AuditCommand {
}
