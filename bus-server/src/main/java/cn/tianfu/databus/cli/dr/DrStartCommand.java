package cn.tianfu.databus.cli.dr;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import cn.tianfu.databus.dr.BackupDutyMonitor;
import cn.tianfu.databus.dr.DrConfig;
import cn.tianfu.databus.dr.MirrorReplication;
import cn.tianfu.databus.schemas.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus dr start}: MirrorMaker 2 from the primary to the disaster-recovery cluster, in the foreground. */
@Command(name = "start", mixinStandardHelpOptions = true,
        header = "Replicate the bus from the primary to the disaster-recovery cluster with MirrorMaker 2, until Ctrl-C.")
public final class DrStartCommand implements Callable<Integer> {

    @Option(names = "--primary", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the primary cluster.")
    Path primary;

    @Option(names = "--dr", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the disaster-recovery cluster.")
    Path dr;

    @Option(names = "--config", paramLabel = "FILE", description = "DrConfig keys (dr.topics, dr.sync.interval.seconds, mm2.* ...).")
    Path config;

    @Option(names = "--progress-seconds", paramLabel = "N", defaultValue = "30",
            description = "How often the connectors' states are printed (default: ${DEFAULT-VALUE}).")
    int progressSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> primaryProps = DrCommand.clientFile(primary);
        Map<String, Object> drProps = DrCommand.clientFile(dr);
        DrConfig drConfig = DrCommand.config(config);
        MirrorReplication mm2 = MirrorReplication.start(primaryProps, drProps, drConfig);
        out.println("Replicating " + primaryProps.get("bootstrap.servers") + " -> " + drProps.get("bootstrap.servers")
                + " (MirrorMaker 2, same topic names): " + String.join(", ", drConfig.topics()));
        out.println("Ctrl-C stops; 'databus dr status' shows the lag." + (drConfig.backupCheckSeconds() > 0
                ? " The backup duty of every shared resource is checked every " + drConfig.backupCheckSeconds() + " s." : ""));
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        BackupDutyMonitor duty = drConfig.backupCheckSeconds() > 0
                ? new BackupDutyMonitor(primaryProps, drProps, drConfig, InstantSource.system()) : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping MirrorMaker 2 ...");
            out.flush();
            mm2.close();
            if (duty != null) {
                duty.close();
            }
            stopped.countDown();
        }, "databus-dr-shutdown"));
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(progressSeconds);
        long nextDuty = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(drConfig.backupCheckSeconds(), drConfig.syncIntervalSeconds()));
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            long now = System.nanoTime();
            if (now >= nextProgress) {
                out.println(java.time.LocalTime.now().withNano(0) + " " + String.join("; ", mm2.states()));
                out.flush();
                nextProgress = now + TimeUnit.SECONDS.toNanos(progressSeconds);
            }
            if (duty != null && now >= nextDuty) {
                try {
                    for (Violation v : duty.check()) {
                        out.println(java.time.LocalTime.now().withNano(0) + " BACKUP DUTY VIOLATED " + v.getId() + ": " + v.getDescription());
                    }
                } catch (RuntimeException e) {
                    out.println(java.time.LocalTime.now().withNano(0) + " " + e.getMessage());
                }
                out.flush();
                nextDuty = System.nanoTime() + TimeUnit.SECONDS.toNanos(drConfig.backupCheckSeconds());
            }
        }
        return ExitCode.OK;
    }
}
