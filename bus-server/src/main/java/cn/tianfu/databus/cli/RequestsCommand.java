package cn.tianfu.databus.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.schemas.AccessRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus requests}: the access requests the department is party to. */
@Command(name = "requests", mixinStandardHelpOptions = true,
        header = "List access requests: those you filed and those on resources you provide (both unless --mine or --incoming).")
public final class RequestsCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @ArgGroup(exclusive = true)
    Side side;

    static final class Side {
        @Option(names = "--mine", required = true, description = "Only requests you filed.")
        boolean mine;

        @Option(names = "--incoming", required = true, description = "Only requests on resources you provide (to decide).")
        boolean incoming;
    }

    @Override
    public Integer call() {
        Output output = client.output();
        Map<String, AccessRequest> shown = new LinkedHashMap<>();
        try (RequestsView requests = RequestsView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            if (side == null || side.mine) {
                requests.mine().forEach(r -> shown.put(r.getRequestId(), r));
            }
            if (side == null || side.incoming) {
                requests.incoming().forEach(r -> shown.put(r.getRequestId(), r));
            }
        }
        List<AccessRequest> list = new ArrayList<>(shown.values());
        list.sort(Comparator.comparing(AccessRequest::getFiledAt).thenComparing(AccessRequest::getRequestId));
        if (output.json) {
            output.json(list);
            return DatabusCli.OK;
        }
        Table table = new Table("ID", "RESOURCE", "CONSUMER", "PROVIDER", "STATUS", "FILED", "DUE", "PURPOSE", "REASON");
        for (AccessRequest r : list) {
            table.row(r.getRequestId(), r.getResourceCode(), r.getConsumer(), r.getProvider(), r.getStatus(), Times.format(r.getFiledAt()),
                    Times.format(r.getDueAt()) + (r.getDueProvisional() ? " (provisional)" : ""), r.getPurpose(), r.getDecisionReason());
        }
        table.print(output.out);
        return DatabusCli.OK;
    }
}
