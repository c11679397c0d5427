package cn.tianfu.databus.cli.dispute;

import java.util.Arrays;
import java.util.List;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.AccountabilityView;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus disputes}: disputes from the bus's HTTP API, as the principal of the client config sees them: all for
 * the authority ({@code --as bus}), its own for a department, those referred to it for an expert.
 */
@Command(name = "disputes", mixinStandardHelpOptions = true,
        header = "List disputes (Art. 28): all for the authority (--as bus), your own for a department.")
public final class DisputesCommand extends ListCommand<Dispute> {

    @Mixin
    ClientOptions client;

    @Option(names = "--dept", paramLabel = "D", description = "Only disputes department D is party to.")
    String department;

    @Option(names = "--status", paramLabel = "S", description = "Only this status: NEGOTIATING, SETTLED, ESCALATED, REFERRED, DECIDED.")
    String status;

    @Override
    protected Output output() {
        return client.output();
    }

    @Override
    protected List<Dispute> items() {
        if (status != null && Arrays.stream(DisputeStatus.values()).noneMatch(s -> s.name().equals(status))) {
            throw new IllegalArgumentException("--status '" + status + "' is not a dispute status; use one of "
                    + Arrays.toString(DisputeStatus.values()));
        }
        if (department != null) {
            Topics.checkDepartment(department);
        }
        return AccountabilityView.disputes(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT).stream()
                .filter(d -> department == null || department.equals(d.getProvider()) || department.equals(d.getConsumer()))
                .filter(d -> status == null || status.equals(d.getStatus().name()))
                .toList();
    }

    @Override
    protected Table table() {
        return new Table("ID", "ABOUT", "OPENED BY", "OTHER", "STATUS", "OPENED", "EXPERT", "STATEMENT", "DECISION");
    }

    @Override
    protected void addRows(Table table, Dispute d) {
        table.row(d.getId(), d.getSubject().name().toLowerCase() + ":" + d.getSubjectId(), d.getOpenedBy(), d.getOtherParty(),
                d.getStatus(), Times.format(d.getOpenedAt()), d.getExpert() == null ? "-" : d.getExpert(), d.getStatement(),
                d.getDecision() == null ? "-" : d.getDecision());
    }
}
