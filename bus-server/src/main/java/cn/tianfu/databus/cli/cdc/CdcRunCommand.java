package cn.tianfu.databus.cli.cdc;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import cn.tianfu.databus.cdc.CdcConfig;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcRunner;
import cn.tianfu.databus.cdc.CdcStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus cdc run}: capture a department database's changes onto the bus until Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Capture a department database's changes onto the bus, as the mapped resources, until Ctrl-C.")
public final class CdcRunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MAPPING", description = "The mapping file (YAML).")
    Path mappingFile;

    @Mixin
    CdcConnectionOptions connection;

    @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Print a status line every SECONDS (default: ${DEFAULT-VALUE}).")
    int statusInterval;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the runner's metrics (Prometheus text format) at http://<host>:PORT/metrics: per table"
                    + " the changes captured, published and dead-lettered, and the lag from the commit to the bus's"
                    + " acknowledgement. 0 takes any free port (printed). Default: none.")
    Integer metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address the metrics listen on (default: ${DEFAULT-VALUE}; they have no authentication, so 0.0.0.0 only where the network is trusted).")
    String metricsHost;

    @Spec
    CommandSpec spec;

    /** Counted down to stop the command (the shutdown hook, or a test). */
    final CountDownLatch stop = new CountDownLatch(1);

    /** How long Ctrl-C (the shutdown hook) waits for the runner to close and the last status line. */
    static final long STOP_WAIT_SECONDS = 30;

    @Override
    public Integer call() throws Exception {
        if (statusInterval < 1) {
            throw new IllegalArgumentException("--status-interval must be at least 1, got " + statusInterval);
        }
        PrintWriter out = spec.commandLine().getOut();
        CdcMapping mapping = CdcMapping.parse(mappingFile);
        Map<String, Object> tuning = new HashMap<>();
        if (metricsPort != null) {
            tuning.put(CdcConfig.METRICS_PORT_CONFIG, metricsPort);
            tuning.put(CdcConfig.METRICS_HOST_CONFIG, metricsHost);
        }
        CdcRunner runner = CdcRunner.create(mapping, connection.clientConfig(mapping.department()), CdcConfig.fromMap(tuning));
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C: stop the loop, then hold the JVM's shutdown until the runner has closed (offsets flushed, slot or
        // binlog connection released) and the last status line is out
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cdc-run-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            CdcStatus last;
            try (runner) {
                runner.start();
                out.println("capturing " + mapping.database() + " for " + mapping.department() + " (runner "
                        + mapping.runner() + "); Ctrl-C stops");
                runner.metricsAddress().ifPresent(a -> out.println("metrics at http://" + metricsHost + ":" + a.getPort() + "/metrics"));
                out.flush();
                while (!stop.await(statusInterval, TimeUnit.SECONDS)) {
                    CdcStatus status = runner.status();
                    out.println(status.line());
                    out.flush();
                    if (status.state() == CdcStatus.State.FAILED) {
                        return ExitCode.SOFTWARE;
                    }
                }
            }
            last = runner.status();
            out.println(last.line());
            out.flush();
            return last.state() == CdcStatus.State.FAILED ? ExitCode.SOFTWARE : ExitCode.OK;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and now returns
            }
        }
    }

}
