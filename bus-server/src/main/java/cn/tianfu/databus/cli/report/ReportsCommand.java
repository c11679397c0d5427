package cn.tianfu.databus.cli.report;

import java.util.Arrays;
import java.util.List;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.AccountabilityView;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus reports}: error reports from the bus's HTTP API, as the principal of the client config sees them: all
 * for the authority ({@code --as bus}), its own (as reporter or provider) for a department.
 */
@Command(name = "reports", mixinStandardHelpOptions = true,
        header = "List error reports (Art. 27): all for the authority (--as bus), those you filed or must answer for a department.")
public final class ReportsCommand extends ListCommand<ErrorReport> {

    @Mixin
    ClientOptions client;

    @Option(names = "--dept", paramLabel = "D", description = "Only reports department D filed or must answer.")
    String department;

    @Option(names = "--status", paramLabel = "S",
            description = "Only this status: OPEN, ANSWERED_CORRECTED, ANSWERED_REJECTED, ACCEPTED, DISPUTED.")
    String status;

    @Override
    protected Output output() {
        return client.output();
    }

    @Override
    protected List<ErrorReport> items() {
        if (status != null && Arrays.stream(ErrorReportStatus.values()).noneMatch(s -> s.name().equals(status))) {
            throw new IllegalArgumentException("--status '" + status + "' is not a report status; use one of "
                    + Arrays.toString(ErrorReportStatus.values()));
        }
        if (department != null) {
            Topics.checkDepartment(department);
        }
        return AccountabilityView.reports(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT).stream()
                .filter(r -> department == null || department.equals(r.getProvider()) || department.equals(r.getConsumer()))
                .filter(r -> status == null || status.equals(r.getStatus().name()))
                .toList();
    }

    @Override
    protected Table table() {
        return new Table("ID", "RESOURCE", "KEY", "FIELD", "CONSUMER", "PROVIDER", "STATUS", "REPORTED", "DUE", "LATE", "PROBLEM", "ANSWER");
    }

    @Override
    protected void addRows(Table table, ErrorReport r) {
        table.row(r.getId(), r.getResourceCode(), r.getRecordKey(), r.getField() == null ? "-" : r.getField(), r.getConsumer(),
                r.getProvider(), r.getStatus(), Times.format(r.getReportedAt()), Times.format(r.getDueAt()),
                r.getLate() ? "late" : "", r.getProblem(), r.getAnswerNote() == null ? "-" : r.getAnswerNote());
    }
}
