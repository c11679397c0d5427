package cn.tianfu.databus.cli.notice;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus notice catalog-update --dept D --reason "..."}: the authority records a change of law or of a
 * department's duties (Art. 14); governance writes the notice on {@code bus.catalog-notices}, due in 15 working days,
 * and the deadlines app keeps the duty (missed: Art. 46(四)). Sent on {@code cmd.bus} as the bus principal.
 */
@Command(name = "notice", mixinStandardHelpOptions = true,
        header = "The authority gives a department notice to update its catalogue after a change of law or of its duties.",
        subcommands = {NoticeCommand.CatalogUpdate.class})
public final class NoticeCommand {

    private NoticeCommand() {
    }

    /** {@code databus notice catalog-update --dept D --reason TEXT [--data-dir DIR | --config FILE] [--json]}. */
    @Command(name = "catalog-update", mixinStandardHelpOptions = true,
            header = "Record a change of law or of a department's duties: it must update its catalogue within 15 working days (Art. 14).")
    public static final class CatalogUpdate implements Callable<Integer> {

        private static final Duration TIMEOUT = Duration.ofSeconds(30);

        @Spec
        CommandSpec spec;

        @Option(names = "--dept", paramLabel = "D", required = true, description = "The department that must update its catalogue.")
        String department;

        @Option(names = "--reason", paramLabel = "TEXT", required = true,
                description = "What changed: the law or the department's duties.")
        String reason;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
                description = "Data directory of the running bus; the command acts as its bus principal (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE",
                description = "Act as the principal of this client config instead (only the bus principal's is accepted).")
        Path config;

        @Option(names = "--json", description = "Print governance's reply as JSON.")
        boolean json;

        @Override
        public Integer call() {
            Topics.checkDepartment(department);
            DatabusClientConfig client = config != null ? DatabusClientConfig.load(config) : ClientFiles.bus(dataDir);
            try (GovernanceClient governance = GovernanceClient.builder(client)
                    .connectTimeout(ClientOptions.CONNECT_TIMEOUT).replyTimeout(TIMEOUT).build()) {
                Output out = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
                return out.result(governance.await(governance.noticeCatalogUpdate(department, reason), TIMEOUT));
            }
        }
    }
}
