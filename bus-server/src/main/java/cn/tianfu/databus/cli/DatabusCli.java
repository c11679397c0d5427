package cn.tianfu.databus.cli;

import cn.tianfu.databus.cli.transparency.TransparencyCommand;
import java.io.PrintWriter;
import java.time.InstantSource;

import org.apache.kafka.common.config.ConfigException;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.cli.audit.AuditCommand;
import cn.tianfu.databus.cli.auditor.AuditorCommand;
import cn.tianfu.databus.cli.dispute.DisputeCommand;
import cn.tianfu.databus.cli.dispute.DisputesCommand;
import cn.tianfu.databus.cli.expert.ExpertCommand;
import cn.tianfu.databus.cli.report.AcceptAnswerCommand;
import cn.tianfu.databus.cli.report.AnswerReportCommand;
import cn.tianfu.databus.cli.report.ReportErrorCommand;
import cn.tianfu.databus.cli.report.ReportsCommand;
import cn.tianfu.databus.cli.bus.DemoCommand;
import cn.tianfu.databus.cli.bus.RunCommand;
import cn.tianfu.databus.cli.bus.UpCommand;
import cn.tianfu.databus.cli.calendar.CalendarCommand;
import cn.tianfu.databus.cli.catalog.CatalogCommand;
import cn.tianfu.databus.cli.cdc.CdcCommand;
import cn.tianfu.databus.cli.common.UsesClock;
import cn.tianfu.databus.cli.deadletter.DeadlettersCommand;
import cn.tianfu.databus.cli.dept.DeptCommand;
import cn.tianfu.databus.cli.grant.GrantsCommand;
import cn.tianfu.databus.cli.grant.RevokeCommand;
import cn.tianfu.databus.cli.request.DecideCommand;
import cn.tianfu.databus.cli.request.RequestCommand;
import cn.tianfu.databus.cli.violation.ViolationsCommand;
import cn.tianfu.databus.cli.notice.NoticeCommand;
import cn.tianfu.databus.cli.notice.NoticesCommand;
import cn.tianfu.databus.cli.violation.ViolationCommand;
import cn.tianfu.databus.cli.report.ReportCommand;
import cn.tianfu.databus.cli.request.RequestsCommand;
import cn.tianfu.databus.cli.request.WithdrawCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import cn.tianfu.databus.cli.service.ProofCommand;
import cn.tianfu.databus.cli.service.QueryCommand;
import cn.tianfu.databus.cli.service.VerifyCommand;

/**
 * {@code databus}: runs the bus and speaks to it. Exit codes are picocli's {@link ExitCode}: {@code OK} (0) done,
 * {@code SOFTWARE} (1) failed (with one line saying why), {@code USAGE} (2) wrong usage. The commands live in one
 * package per noun ({@code cli.dept}, {@code cli.catalog}, ...); what they share is in {@code cli.common}.
 */
@Command(name = "databus",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Tianfu Data Exchange Bus: share public data between departments, under the regulation's rules, with an auditable exchange log.",
        subcommands = {
                UpCommand.class, cn.tianfu.databus.cli.bus.InitCommand.class, cn.tianfu.databus.cli.bus.ServeCommand.class, RunCommand.class, DemoCommand.class,
                DeptCommand.class, AuditorCommand.class, ExpertCommand.class, CalendarCommand.class,
                CatalogCommand.class, RequestCommand.class, RequestsCommand.class, DecideCommand.class, WithdrawCommand.class, RevokeCommand.class, cn.tianfu.databus.cli.grant.NarrowCommand.class, GrantsCommand.class,
                QueryCommand.class, VerifyCommand.class, ProofCommand.class, TransparencyCommand.class,
                ViolationsCommand.class, ViolationCommand.class, NoticeCommand.class, NoticesCommand.class, ReportCommand.class, ReportErrorCommand.class, AnswerReportCommand.class, AcceptAnswerCommand.class, ReportsCommand.class, DisputeCommand.class, DisputesCommand.class,
                DeadlettersCommand.class, AuditCommand.class, CdcCommand.class,
                cn.tianfu.databus.cli.publicrequest.PublicRequestsCommand.class,
                cn.tianfu.databus.cli.quality.QualityCommand.class,
                cn.tianfu.databus.cli.tls.TlsCommand.class,
                cn.tianfu.databus.cli.dr.DrCommand.class,
                cn.tianfu.databus.cli.tier.TierCommand.class,
                CommandLine.HelpCommand.class})
public final class DatabusCli {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given output streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, InstantSource.system());
    }

    /** Runs one command line with the given output streams and clock (every command that reads the time reads it); returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, InstantSource clock) {
        CommandLine cli = commandLine(clock);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        return commandLine(InstantSource.system());
    }

    static CommandLine commandLine(InstantSource clock) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K created = defaults.create(type);
                if (created instanceof UsesClock c) {
                    c.clock(clock);
                }
                return created;
            }
        };
        CommandLine cli = new CommandLine(new DatabusCli(), factory);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(e));
            commandLine.getErr().flush();
            return ExitCode.SOFTWARE;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("databus: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE;
        });
        return cli;
    }

    /** One line for a failure: the message of the bus's own errors, the type and message of anything else. */
    static String describe(Throwable e) {
        var typed = cn.tianfu.databus.kafka.KafkaErrors.translate(e, null, "reach the bus");
        if (!(e instanceof DatabusException) && typed.isPresent()) {
            return typed.get().getMessage();
        }
        if (e instanceof DatabusException || e instanceof ConfigException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
