package cn.tianfu.databus.cli.request;

import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.PartyListCommand;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.schemas.AccessRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code databus requests}: the access requests the department is party to. */
@Command(name = "requests", mixinStandardHelpOptions = true,
        header = "List access requests: those you filed and those on resources you provide (both unless --mine or --incoming).")
public final class RequestsCommand extends PartyListCommand<RequestsView, AccessRequest> {

    @ArgGroup(exclusive = true)
    Side side;

    static final class Side implements PartyListCommand.Side {
        @Option(names = "--mine", required = true, description = "Only requests you filed.")
        boolean mine;

        @Option(names = "--incoming", required = true, description = "Only requests on resources you provide (to decide).")
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
    protected RequestsView open(DatabusClientConfig config) {
        return RequestsView.open(config, ClientOptions.CONNECT_TIMEOUT);
    }

    @Override
    protected List<AccessRequest> mine(RequestsView view) {
        return view.mine();
    }

    @Override
    protected List<AccessRequest> incoming(RequestsView view) {
        return view.incoming();
    }

    @Override
    protected Function<AccessRequest, String> id() {
        return AccessRequest::getRequestId;
    }

    @Override
    protected Comparator<AccessRequest> order() {
        return Comparator.comparing(AccessRequest::getFiledAt).thenComparing(AccessRequest::getRequestId);
    }

    @Override
    protected Table table() {
        return new Table("ID", "RESOURCE", "CONSUMER", "PROVIDER", "STATUS", "FILED", "DUE", "PURPOSE", "REASON");
    }

    /** The status as shown: a pending request past its due time shows {@code PENDING (OVERDUE)}: still decidable. */
    static String status(AccessRequest r) {
        return r.getOverdueAt() != null && r.getStatus() == cn.tianfu.databus.schemas.RequestStatus.PENDING
                ? "PENDING (OVERDUE)" : r.getStatus().name();
    }

    @Override
    protected void addRows(Table table, AccessRequest r) {
        table.row(r.getRequestId(), r.getResourceCode(), r.getConsumer(), r.getProvider(), status(r), Times.format(r.getFiledAt()),
                Times.format(r.getDueAt()) + (r.getDueProvisional() ? " (provisional)" : ""), r.getPurpose(), r.getDecisionReason());
    }
}
