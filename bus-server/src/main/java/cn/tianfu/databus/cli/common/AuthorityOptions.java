package cn.tianfu.databus.cli.common;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Whom an authority command acts as: the bus principal of a bus running on this machine ({@code --data-dir}, the
 * authority), or the principal of a client config ({@code --config}); governance accepts the authority's commands only
 * from the bus principal, so a department's client config is refused with the reason.
 */
public final class AuthorityOptions {

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

    /** How long to wait for governance's reply. */
    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

    public DatabusClientConfig clientConfig() {
        return config != null ? DatabusClientConfig.load(config) : ClientFiles.bus(dataDir);
    }

    /** Sends one command and prints governance's reply; returns the exit code. */
    public int submit(Function<GovernanceClient, CompletableFuture<CommandResult>> command) {
        try (GovernanceClient governance = GovernanceClient.builder(clientConfig())
                .connectTimeout(ClientOptions.CONNECT_TIMEOUT).replyTimeout(TIMEOUT).build()) {
            return output().result(governance.await(command.apply(governance), TIMEOUT));
        }
    }

    public Output output() {
        return new Output(mixee.commandLine().getOut(), mixee.commandLine().getErr(), mixee.qualifiedName(), json);
    }
}
