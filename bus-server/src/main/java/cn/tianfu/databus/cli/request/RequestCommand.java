package cn.tianfu.databus.cli.request;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.SharingMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus request}: asks for access to a resource for a stated purpose. */
@Command(name = "request", mixinStandardHelpOptions = true,
        header = "Request access to a resource for a stated purpose: unconditional resources are granted at once, conditional ones"
                + " wait for the provider's decision (10 working days), not-shared ones are refused with the reason.")
public final class RequestCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "CODE", description = "Code of the resource, e.g. 10101-000001.")
    String code;

    @Option(names = "--purpose", paramLabel = "TEXT", required = true,
            description = "What the data will be used for; the grant and every exchange-log entry carry it (Art. 30).")
    String purpose;

    @Option(names = "--fields", paramLabel = "ITEM", split = ",", description = "Data items wanted, comma-separated (default: all).")
    List<String> fields;

    @Option(names = "--method", paramLabel = "METHOD",
            description = "${COMPLETION-CANDIDATES} (default: the method the catalog offers).")
    SharingMethod method;

    @Option(names = "--legal-basis", paramLabel = "TEXT", description = "The duty or legal basis justifying the request.")
    String legalBasis;

    @Override
    public Integer call() {
        DatabusClientConfig config = client.clientConfig();
        SharingMethod wanted = method;
        if (wanted == null) {
            try (CatalogView catalog = CatalogView.open(config, ClientOptions.CONNECT_TIMEOUT)) {
                // governance answers NOT_FOUND for an unknown code, whatever the method
                wanted = catalog.byCode(code).map(e -> e.getSharingMethod()).orElse(SharingMethod.BOTH);
            }
        }
        Output output = client.output();
        CommandResult result;
        try (GovernanceClient governance = client.governance(config)) {
            result = governance.await(governance.request(code, purpose, Optional.ofNullable(fields), wanted,
                    Optional.ofNullable(legalBasis)), client.timeout());
        }
        int exit = output.result(result);
        if (result.getOutcome() == Outcome.PENDING && result.getRequestId() != null && !output.isJson()) {
            try (RequestsView requests = RequestsView.open(config, ClientOptions.CONNECT_TIMEOUT)) {
                requests.byId(result.getRequestId()).filter(r -> r.getDueAt() != null).ifPresent(r -> output.out().println(
                        "The provider must decide by " + Times.format(r.getDueAt()) + " (Asia/Shanghai"
                                + (r.getDueProvisional() ? "; counted on a provisional calendar: " + r.getDueCalendar() : "")
                                + "); 'databus requests --mine' shows the status."));
            }
            output.out().flush();
        }
        return exit;
    }
}
