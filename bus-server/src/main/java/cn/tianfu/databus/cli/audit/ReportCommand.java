package cn.tianfu.databus.cli.audit;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.ExchangeQueries;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus audit report}: a consumer's exchanges per resource and purpose. */
@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Count a consumer's exchanges per resource, mode (PUSH deliveries, QUERY answers) and purpose, with the first and last time.")
public final class ReportCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Option(names = "--consumer", required = true, paramLabel = "C", description = "Receiving department.")
    String consumer;

    @Option(names = "--from", paramLabel = "DATE", description = "First day included (yyyy-MM-dd, or an ISO instant).")
    String from;

    @Option(names = "--to", paramLabel = "DATE", description = "Last day included (yyyy-MM-dd, or an ISO instant).")
    String to;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = TimeArguments.DEFAULT_ZONE, description = "Time zone of the dates (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long fromMs = from == null ? Long.MIN_VALUE : TimeArguments.start(from, zone).toEpochMilli();
        long toMs = to == null ? Long.MAX_VALUE : TimeArguments.end(to, zone).toEpochMilli();
        List<ExchangeQueries.Row> rows;
        try (AuditReader reader = connection.reader(null)) {
            rows = ExchangeQueries.report(reader, consumer, fromMs, toMs);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-16s %-6s %8s  %-24s %-24s %s%n", "resource", "mode", "count", "first", "last", "purpose");
        rows.forEach(r -> out.printf("%-16s %-6s %8d  %-24s %-24s %s%n", r.resource(), r.mode(), r.count(),
                Instant.ofEpochMilli(r.firstMillis()), Instant.ofEpochMilli(r.lastMillis()), Objects.toString(r.purpose(), "-")));
        out.printf("%d exchanges to %s%n", rows.stream().mapToLong(ExchangeQueries.Row::count).sum(), consumer);
        out.flush();
        return ExitCode.OK;
    }
}
