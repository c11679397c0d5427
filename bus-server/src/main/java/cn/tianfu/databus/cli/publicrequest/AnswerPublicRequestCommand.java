package cn.tianfu.databus.cli.publicrequest;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus public-requests answer}: the provider answers a public request to open data (Art. 34). */
@Command(name = "answer", mixinStandardHelpOptions = true,
        header = "Answer a public request to open data: --opened, --will-open-by DATE, or --refuse --reason.")
public final class AnswerPublicRequestCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of the request, e.g. amr.P1.")
    String requestId;

    @Option(names = "--opened", description = "The data is open now (it appears in the open catalogue).")
    boolean opened;

    @Option(names = "--will-open-by", paramLabel = "yyyy-MM-dd", description = "Agreed: the data will be open by this date.")
    String willOpenBy;

    @Option(names = "--refuse", description = "Refused (needs --reason).")
    boolean refuse;

    @Option(names = "--reason", paramLabel = "TEXT", description = "With --refuse: why (the requester is told); otherwise a note.")
    String reason;

    @Option(names = "--resource", paramLabel = "CODE", description = "The resource opened or to be opened, when another than the one asked for.")
    String resource;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int given = (opened ? 1 : 0) + (willOpenBy != null ? 1 : 0) + (refuse ? 1 : 0);
        if (given != 1) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --opened, --will-open-by and --refuse");
        }
        if (refuse && (reason == null || reason.isBlank())) {
            throw new ParameterException(spec.commandLine(), "--refuse needs --reason: the requester is told why (Art. 34)");
        }
        Optional<LocalDate> by = Optional.empty();
        if (willOpenBy != null) {
            try {
                by = Optional.of(LocalDate.parse(willOpenBy));
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), "--will-open-by: '" + willOpenBy + "' is no date yyyy-MM-dd");
            }
        }
        PublicRequestStatus status = opened ? PublicRequestStatus.OPENED
                : refuse ? PublicRequestStatus.REFUSED : PublicRequestStatus.WILL_OPEN;
        Optional<LocalDate> openBy = by;
        return client.submit(g -> g.answerPublicRequest(requestId, status, Optional.ofNullable(reason),
                Optional.ofNullable(resource), openBy));
    }
}
