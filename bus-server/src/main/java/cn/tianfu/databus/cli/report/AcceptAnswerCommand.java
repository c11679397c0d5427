package cn.tianfu.databus.cli.report;

import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code databus accept-answer}: the reporter accepts the provider's answer to its error report. */
@Command(name = "accept-answer", mixinStandardHelpOptions = true,
        header = "Accept the provider's answer to an error report you filed (or open a dispute: 'databus dispute open').")
public final class AcceptAnswerCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REPORT-ID", description = "Id of the answered report.")
    String reportId;

    @Override
    public Integer call() {
        return client.submit(g -> g.acceptAnswer(reportId));
    }
}
