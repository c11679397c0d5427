package cn.tianfu.databus.cli.report;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Times;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus report-error}: a consumer reports an error in a record it received (校核, Art. 27). */
@Command(name = "report-error", mixinStandardHelpOptions = true,
        header = "Report an error in a record you received (Art. 27): the provider must answer within 10 working days.")
public final class ReportErrorCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "RESOURCE", description = "Code of the resource the record belongs to.")
    String resource;

    @Option(names = "--key", required = true, paramLabel = "K", description = "Key of the record found wrong.")
    String key;

    @Option(names = "--field", paramLabel = "F", description = "The data item found wrong, if one.")
    String field;

    @Option(names = "--problem", required = true, paramLabel = "TEXT", description = "What is wrong.")
    String problem;

    @Option(names = "--found-at", paramLabel = "TIME", converter = Times.Start.class,
            description = "When the problem was found, yyyy-MM-dd or an ISO date-time with offset (default: now); report"
                    + " within 5 working days of it, a later report is flagged late.")
    Instant foundAt;

    @Override
    public Integer call() {
        return client.submit(g -> g.reportError(resource, key, Optional.ofNullable(field), problem, Optional.ofNullable(foundAt)));
    }
}
