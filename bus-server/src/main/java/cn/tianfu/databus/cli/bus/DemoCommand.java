package cn.tianfu.databus.cli.bus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.demo.Demo;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus demo}: the bus on this machine with sample departments, resources and records, end to end. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Run the bus with sample departments and data: each sharing class, filtered and masked deliveries, the audit.")
public final class DemoCommand extends ClockedCommand {


    @Mixin
    BusOptions options;

    @Option(names = "--exit", description = "Stop after the audit verification (for scripts); the data dir is kept for inspection.")
    boolean exit;

    @Option(names = "--residents", paramLabel = "N", defaultValue = "200", description = "Sample residents to publish (default: ${DEFAULT-VALUE}).")
    int residents;

    @Option(names = "--examples", paramLabel = "DIR", defaultValue = "examples/resources",
            description = "Resource definition files of the sample resources (default: ${DEFAULT-VALUE}).")
    Path examples;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(examples.resolve("psb-population.yaml"))) {
            throw new DatabusException("the sample resource files are not in " + examples.toAbsolutePath()
                    + ": run the demo from the project's root or give --examples DIR");
        }
        ServerConfig config = options.toConfig();
        LogSetup.toDataDir(config.dataDir());
        BusRuntime runtime = BusRuntime.start(config, clock(), started -> UpCommand.printReady(spec, started));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "databus-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok;
        try {
            ok = new Demo(runtime.endpoints(), config.dataDir(), examples, spec.commandLine().getOut(), residents, clock()).run();
        } catch (RuntimeException e) {
            if (exit) {
                Runtime.getRuntime().removeShutdownHook(hook);
                runtime.close();
            }
            throw e;
        }
        if (exit) {
            Runtime.getRuntime().removeShutdownHook(hook);
            runtime.close();
            return ok ? ExitCode.OK : ExitCode.SOFTWARE;
        }
        spec.commandLine().getOut().println();
        spec.commandLine().getOut().println("The bus keeps running with the demo's data (Ctrl-C stops). Try, in another terminal:");
        spec.commandLine().getOut().printf("  ./databus catalog list --data-dir %s --as hrss%n", config.dataDir());
        spec.commandLine().getOut().printf("  ./databus grants --data-dir %s --as psb --incoming%n", config.dataDir());
        spec.commandLine().getOut().printf("  ./databus audit verify --data-dir %s%n", config.dataDir());
        spec.commandLine().getOut().flush();
        stopped.await();
        return ExitCode.OK;
    }
}
