package cn.tianfu.databus.cli.bus;

import java.nio.file.Path;
import java.util.Arrays;

import cn.tianfu.databus.server.StreamsApps;
import cn.tianfu.databus.streams.OwningKafkaStreams;
import cn.tianfu.databus.streams.StreamsAppRunner;
import cn.tianfu.databus.cli.common.ClockedCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus run <app> --config FILE}: runs one of the bus's streams apps as its own process, until Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Run one streams app (governance, router, deadlines, quality) against any Kafka cluster, until Ctrl-C.",
        description = "FILE is a properties file with the app's config keys (bootstrap.servers, schema.registry.url,"
                + " security.protocol, sasl.username, sasl.password, state.dir, data.dir, application.id, streams.*, and"
                + " the app's own); see docs/architecture.md.")
public final class RunCommand extends ClockedCommand {


    @Parameters(index = "0", paramLabel = "APP", completionCandidates = AppNames.class,
            description = "The app: ${COMPLETION-CANDIDATES}.")
    String app;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The app's config (properties).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        StreamsApps which = StreamsApps.named(app).orElse(null);
        if (which == null) {
            spec.commandLine().getErr().println("databus: unknown app '" + app + "': use one of "
                    + String.join(", ", new AppNames()));
            return ExitCode.USAGE;
        }
        OwningKafkaStreams streams = which.create(StreamsAppRunner.loadConfig(config), clock());
        spec.commandLine().getOut().println("Running " + which.component() + " (Ctrl-C stops)");
        spec.commandLine().getOut().flush();
        int code = StreamsAppRunner.runUntilStopped(which.component(), streams);
        spec.commandLine().getOut().println(which.component() + (code == StreamsAppRunner.STOPPED ? " stopped" : " failed"));
        spec.commandLine().getOut().flush();
        return code == StreamsAppRunner.STOPPED ? ExitCode.OK : ExitCode.SOFTWARE;
    }

    /** The apps' names, for completion and help. */
    static final class AppNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(StreamsApps.values()).map(StreamsApps::command).iterator();
        }
    }
}
