package cn.tianfu.databus.cli.report;

import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus answer-report}: the provider answers an error report on its resource (Art. 27). */
@Command(name = "answer-report", mixinStandardHelpOptions = true,
        header = "Answer an error report on a resource you provide: --corrected (after publishing the corrected record)"
                + " or --rejected --reason.")
public final class AnswerReportCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REPORT-ID", description = "Id of the report, e.g. 101-000001.E1 ('databus reports').")
    String reportId;

    @Option(names = "--corrected", description = "The record was corrected and published again.")
    boolean corrected;

    @Option(names = "--rejected", description = "The record is right: reject the report (needs --reason).")
    boolean rejected;

    @Option(names = "--note", paramLabel = "TEXT", description = "With --corrected: what was corrected.")
    String note;

    @Option(names = "--reason", paramLabel = "TEXT", description = "With --rejected: why the record is right.")
    String reason;

    @Option(names = "--exchange-id", paramLabel = "ID", description = "With --corrected: exchange id of the re-delivery, if known.")
    String exchangeId;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (corrected == rejected) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --corrected and --rejected");
        }
        if (rejected && (reason == null || reason.isBlank())) {
            throw new ParameterException(spec.commandLine(), "--rejected needs --reason: the reporter is told why");
        }
        if (rejected && (note != null || exchangeId != null)) {
            throw new ParameterException(spec.commandLine(), "--note and --exchange-id go with --corrected; give --reason");
        }
        Optional<String> text = Optional.ofNullable(corrected ? note : reason);
        return client.submit(g -> g.answerReport(reportId, corrected, text, Optional.ofNullable(exchangeId)));
    }
}
