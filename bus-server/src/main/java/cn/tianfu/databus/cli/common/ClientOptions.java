package cn.tianfu.databus.cli.common;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a client command reaches the bus and whom it acts as: a department's client config file ({@code --config}), or
 * a bus running on this machine and a department id ({@code --data-dir DIR --as DEPT}). Client commands give up after a
 * few seconds when the bus cannot be reached.
 */
public final class ClientOptions {

    /** How long a client command waits for the broker and the registry. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A department's client config (bootstrap.servers, schema.registry.url, department.id, credentials),"
                    + " e.g. data/clients/psb.properties.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of a bus running on this machine (default: data); use with --as.")
    Path dataDir;

    @Option(names = "--as", paramLabel = "DEPT", description = "The department to act as, on the bus of --data-dir"
            + " (with its client config DIR/clients/DEPT.properties).")
    String as;

    @Option(names = "--json", description = "Print JSON (for scripts) instead of tables.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long to wait for governance's reply, e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * The department's client configuration.
     *
     * @throws ParameterException when neither or both ways of connecting are given (exit code 2)
     */
    public DatabusClientConfig clientConfig() {
        if (config != null && (dataDir != null || as != null)) {
            throw new ParameterException(mixee.commandLine(), "use either --config FILE or --data-dir DIR --as DEPT, not both");
        }
        if (config != null) {
            return DatabusClientConfig.load(config);
        }
        if (as == null) {
            throw new ParameterException(mixee.commandLine(), "say which department you act as: --config FILE (a department's"
                    + " client config) or --data-dir DIR --as DEPT (a bus running on this machine)");
        }
        Path dir = dataDir == null ? Path.of("data") : dataDir;
        BusEndpoints.read(dir); // says how to start a bus when none runs there
        if (!Topics.DEPARTMENT_ID.matcher(as).matches()) {
            throw new DatabusConfigException("client", List.of(DatabusClientConfig.DEPARTMENT_ID_CONFIG + " '" + as
                    + "' is invalid: use 2-32 characters, lower-case letters, digits and '-', starting with a letter"));
        }
        // the department's own client config, which 'databus dept add' wrote: its credentials, not the bus's
        return ClientFiles.load(dir, as);
    }

    /** How long to wait for governance's reply ({@code --timeout}). */
    public Duration timeout() {
        return timeout;
    }

    /** A governance client for the department, bounded by the CLI's timeouts. */
    public GovernanceClient governance(DatabusClientConfig clientConfig) {
        return GovernanceClient.builder(clientConfig).connectTimeout(CONNECT_TIMEOUT).replyTimeout(timeout).build();
    }

    /**
     * Sends one governance command as the department and prints governance's reply; returns the exit code.
     *
     * @param command sends the command with the client it is given, returning the pending reply
     */
    public int submit(Function<GovernanceClient, CompletableFuture<CommandResult>> command) {
        try (GovernanceClient governance = governance(clientConfig())) {
            return output().result(governance.await(command.apply(governance), timeout));
        }
    }

    /** Where the command prints, in the form {@code --json} asks for. */
    public Output output() {
        return new Output(mixee.commandLine().getOut(), mixee.commandLine().getErr(), mixee.qualifiedName(), json);
    }
}
