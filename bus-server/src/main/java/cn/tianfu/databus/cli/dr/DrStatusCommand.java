package cn.tianfu.databus.cli.dr;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.dr.DrStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus dr status}: the replication lag per topic and the replicated exchange log's end. */
@Command(name = "status", mixinStandardHelpOptions = true,
        header = "Show how far the disaster-recovery cluster is behind the primary (the primary may be down).")
public final class DrStatusCommand implements Callable<Integer> {

    @Option(names = "--primary", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the primary cluster.")
    Path primary;

    @Option(names = "--dr", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the disaster-recovery cluster.")
    Path dr;

    @Option(names = "--config", paramLabel = "FILE", description = "The DrConfig file 'dr start' runs with.")
    Path config;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DrStatus.Report report = DrStatus.read(DrCommand.clientFile(primary), DrCommand.clientFile(dr), DrCommand.config(config));
        Output output = Output.of(spec, json);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("primary", report.primaryBootstrap());
            m.put("primaryReachable", report.primaryReachable());
            m.put("primaryError", report.primaryError());
            m.put("dr", report.drBootstrap());
            m.put("totalLag", report.totalLag());
            m.put("partitions", report.partitions());
            m.put("exchangeLog", report.exchangeLog().stream().map(p -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("topic", p.topic());
                e.put("partition", p.partition());
                e.put("end", p.end());
                e.put("lastRecordTime", p.lastRecordTime() == null ? null : p.lastRecordTime().toString());
                return e;
            }).toList());
            output.json(m);
            return ExitCode.OK;
        }
        PrintWriter out = output.out();
        out.println("primary " + report.primaryBootstrap() + ": "
                + (report.primaryReachable() ? "reachable" : "UNREACHABLE (" + report.primaryError() + ")"));
        out.println("disaster recovery " + report.drBootstrap() + ": reachable");
        out.println(report.primaryReachable() ? "lag: " + report.totalLag() + " records" : "lag: unknown (primary unreachable)");
        out.printf("%-50s %10s %12s %12s %8s%n", "topic-partition", "dr end", "primary end", "copied to", "lag");
        for (DrStatus.PartitionLag p : report.partitions()) {
            out.printf("%-50s %10d %12s %12s %8s%n", p.topic() + "-" + p.partition(), p.drEnd(),
                    p.primaryEnd() < 0 ? "-" : Long.toString(p.primaryEnd()),
                    p.replicatedUpTo() < 0 ? "-" : Long.toString(p.replicatedUpTo()),
                    p.lag() < 0 ? "-" : Long.toString(p.lag()));
        }
        out.println("replicated exchange log (disaster-recovery side):");
        for (DrStatus.LogPosition p : report.exchangeLog()) {
            out.printf("  %s-%d: %d records, newest at %s%n", p.topic(), p.partition(), p.end(),
                    p.lastRecordTime() == null ? "-" : p.lastRecordTime());
        }
        out.flush();
        return ExitCode.OK;
    }
}
