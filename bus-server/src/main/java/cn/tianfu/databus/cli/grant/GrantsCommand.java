package cn.tianfu.databus.cli.grant;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.PartyListCommand;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GrantsView;
import cn.tianfu.databus.schemas.Grant;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code databus grants}: the grants the department is party to. */
@Command(name = "grants", mixinStandardHelpOptions = true,
        header = "List grants: those you receive and those on resources you provide (both unless --mine or --incoming).")
public final class GrantsCommand extends PartyListCommand<GrantsView, Grant> {

    @ArgGroup(exclusive = true)
    Side side;

    static final class Side implements PartyListCommand.Side {
        @Option(names = "--mine", required = true, description = "Only grants you receive.")
        boolean mine;

        @Option(names = "--incoming", required = true, description = "Only grants on resources you provide.")
        boolean incoming;

        @Override
        public boolean mine() {
            return mine;
        }

        @Override
        public boolean incoming() {
            return incoming;
        }
    }

    @Override
    protected Side side() {
        return side;
    }

    @Override
    protected GrantsView open(DatabusClientConfig config) {
        return GrantsView.open(config, ClientOptions.CONNECT_TIMEOUT);
    }

    @Override
    protected List<Grant> mine(GrantsView view) {
        return view.asConsumer();
    }

    @Override
    protected List<Grant> incoming(GrantsView view) {
        return view.asProvider();
    }

    @Override
    protected Function<Grant, String> id() {
        return Grant::getGrantId;
    }

    @Override
    protected Comparator<Grant> order() {
        return Comparator.comparing(Grant::getCreatedAt).thenComparing(Grant::getGrantId);
    }

    @Override
    protected Table table() {
        return new Table("ID", "RESOURCE", "CONSUMER", "PROVIDER", "STATUS", "METHOD", "FIELDS", "FILTER", "FROM", "UNTIL", "PURPOSE");
    }

    @Override
    protected void addRows(Table table, Grant g) {
        table.row(g.getGrantId(), g.getResourceCode(), g.getConsumer(), g.getProvider(), g.getStatus(), g.getMethod(),
                g.getAllowedFields() == null ? "all" : String.join(",", g.getAllowedFields()),
                g.getRowFilter() == null ? "" : g.getRowFilter(), Times.format(g.getValidFrom()),
                g.getValidUntil() == null ? "until revoked" : Times.format(g.getValidUntil()), g.getPurpose());
    }
}
