package cn.tianfu.databus.cli.bus;

import java.util.concurrent.CountDownLatch;

import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code databus up}: runs the whole bus on this machine until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        header = "Start the bus on this machine: broker, schema registry, streams apps and HTTP API, until Ctrl-C.")
public final class UpCommand extends ClockedCommand {


    @Mixin
    BusOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = options.toConfig();
        LogSetup.toDataDir(config.dataDir());
        // the ready line before /health turns 200: both say a client can connect now
        BusRuntime runtime = BusRuntime.start(config, clock(), started -> printReady(spec, started));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spec.commandLine().getOut().println("Stopping the bus ...");
            spec.commandLine().getOut().flush();
            runtime.close();
            stopped.countDown();
        }, "databus-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }

    static void printReady(CommandSpec spec, BusRuntime runtime) {
        var e = runtime.endpoints();
        spec.commandLine().getOut().printf("databus ready in %.1f s: kafka %s  registry %s  http %s  data %s  (Ctrl-C stops)%n",
                runtime.startMillis() / 1000.0, e.bootstrapServers(), e.registryUrl(), e.httpUrl(), runtime.config().dataDir());
        spec.commandLine().getOut().flush();
    }
}
