package cn.tianfu.databus.cli.audit;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.AuditReader;
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

    /** One row: a resource, how it was exchanged (push delivery, query answer, open data) and the purpose. */
    private record Key(String resource, String mode, String purpose) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = resource.compareTo(o.resource);
            if (c == 0) {
                c = mode.compareTo(o.mode);
            }
            return c != 0 ? c : String.valueOf(purpose).compareTo(String.valueOf(o.purpose));
        }
    }

    @Override
    public Integer call() {
        long fromMs = from == null ? Long.MIN_VALUE : TimeArguments.start(from, zone).toEpochMilli();
        long toMs = to == null ? Long.MAX_VALUE : TimeArguments.end(to, zone).toEpochMilli();
        Map<Key, long[]> rows = new TreeMap<>();
        try (AuditReader reader = connection.reader(null)) {
            reader.forEachEntry((partition, position, logOffset, e) -> {
                if (e.consumer().equals(consumer) && e.timeMillis() >= fromMs && e.timeMillis() <= toMs) {
                    long[] r = rows.computeIfAbsent(new Key(e.resourceCode(), e.mode().name(), e.purpose()),
                            k -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
                    r[0]++;
                    r[1] = Math.min(r[1], e.timeMillis());
                    r[2] = Math.max(r[2], e.timeMillis());
                }
            });
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-16s %-6s %8s  %-24s %-24s %s%n", "resource", "mode", "count", "first", "last", "purpose");
        rows.forEach((k, r) -> out.printf("%-16s %-6s %8d  %-24s %-24s %s%n", k.resource(), k.mode(), r[0],
                Instant.ofEpochMilli(r[1]), Instant.ofEpochMilli(r[2]), Objects.toString(k.purpose(), "-")));
        out.printf("%d exchanges to %s%n", rows.values().stream().mapToLong(r -> r[0]).sum(), consumer);
        out.flush();
        return ExitCode.OK;
    }
}
