package cn.tianfu.databus.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.governance.client.GrantsView;
import cn.tianfu.databus.schemas.Grant;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus grants}: the grants the department is party to. */
@Command(name = "grants", mixinStandardHelpOptions = true,
        header = "List grants: those you receive and those on resources you provide (both unless --mine or --incoming).")
public final class GrantsCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @ArgGroup(exclusive = true)
    Side side;

    static final class Side {
        @Option(names = "--mine", required = true, description = "Only grants you receive.")
        boolean mine;

        @Option(names = "--incoming", required = true, description = "Only grants on resources you provide.")
        boolean incoming;
    }

    @Override
    public Integer call() {
        Output output = client.output();
        Map<String, Grant> shown = new LinkedHashMap<>();
        try (GrantsView grants = GrantsView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            if (side == null || side.mine) {
                grants.asConsumer().forEach(g -> shown.put(g.getGrantId(), g));
            }
            if (side == null || side.incoming) {
                grants.asProvider().forEach(g -> shown.put(g.getGrantId(), g));
            }
        }
        List<Grant> list = new ArrayList<>(shown.values());
        list.sort(Comparator.comparing(Grant::getCreatedAt).thenComparing(Grant::getGrantId));
        if (output.json) {
            output.json(list);
            return DatabusCli.OK;
        }
        Table table = new Table("ID", "RESOURCE", "CONSUMER", "PROVIDER", "STATUS", "METHOD", "FIELDS", "FILTER", "FROM", "UNTIL", "PURPOSE");
        for (Grant g : list) {
            table.row(g.getGrantId(), g.getResourceCode(), g.getConsumer(), g.getProvider(), g.getStatus(), g.getMethod(),
                    g.getAllowedFields() == null ? "all" : String.join(",", g.getAllowedFields()),
                    g.getRowFilter() == null ? "" : g.getRowFilter(), Times.format(g.getValidFrom()),
                    g.getValidUntil() == null ? "until revoked" : Times.format(g.getValidUntil()), g.getPurpose());
        }
        table.print(output.out);
        return DatabusCli.OK;
    }
}
