package cn.tianfu.databus.cli.publicrequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How the authority's review commands reach governance: as the bus principal of a running bus ({@code --data-dir}). */
public final class AuthorityOptions {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus; the command acts as its bus principal (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Act as the principal of this client config instead (only the bus principal's is accepted).")
    Path config;

    @Option(names = "--json", description = "Print governance's reply as JSON.")
    boolean json;

    /** Sends the command {@code send} makes and prints governance's reply; the exit code. */
    int submit(Function<GovernanceClient, CompletableFuture<CommandResult>> send) {
        DatabusClientConfig client = config != null ? DatabusClientConfig.load(config) : ClientFiles.bus(dataDir);
        try (GovernanceClient governance = GovernanceClient.builder(client)
                .connectTimeout(ClientOptions.CONNECT_TIMEOUT).replyTimeout(TIMEOUT).build()) {
            Output out = new Output(mixee.commandLine().getOut(), mixee.commandLine().getErr(), mixee.qualifiedName(), json);
            return out.result(governance.await(send.apply(governance), TIMEOUT));
        }
    }
}
