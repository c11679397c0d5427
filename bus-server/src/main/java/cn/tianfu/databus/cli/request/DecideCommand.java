package cn.tianfu.databus.cli.request;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.governance.client.Approval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus decide}: the provider approves (possibly narrowed) or rejects a pending request. */
@Command(name = "decide", mixinStandardHelpOptions = true,
        header = "Decide a pending request on a resource you provide: --approve (optionally narrowed) or --reject --reason.")
public final class DecideCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of the pending request ('databus requests --incoming').")
    String requestId;

    @Option(names = "--approve", description = "Approve: a grant is created, narrowed by the options below.")
    boolean approve;

    @Option(names = "--reject", description = "Reject the request (needs --reason).")
    boolean reject;

    @Option(names = "--fields", paramLabel = "ITEM", split = ",", description = "With --approve: data items allowed (default: as requested).")
    List<String> fields;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "With --approve: CEL row filter a record must satisfy, e.g. \"divisionCode.startsWith('5101')\".")
    String filter;

    @Option(names = "--clear", paramLabel = "ITEM", split = ",", description = "With --approve: personal data items delivered unmasked.")
    List<String> clear;

    @Option(names = "--from", paramLabel = "DATE", converter = Times.Start.class,
            description = "With --approve: start of validity, yyyy-MM-dd (start of day, Asia/Shanghai) or an ISO date-time with offset.")
    Instant from;

    @Option(names = "--until", paramLabel = "DATE", converter = Times.End.class,
            description = "With --approve: end of validity, yyyy-MM-dd (end of that day, Asia/Shanghai) or an ISO date-time with offset.")
    Instant until;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why: required to reject, optional remark on an approval; given to the requester.")
    String reason;

    @Option(names = "--rate-limit", paramLabel = "N",
            description = "With --approve: at most N answers per minute of the service exchange under the grant (default: the bus's service.rate.limit.per.minute).")
    Long rateLimit;

    @Option(names = "--daily-limit", paramLabel = "M",
            description = "With --approve: at most M answers per day (Asia/Shanghai) of the service exchange under the grant (default: the bus's service.daily.limit).")
    Long dailyLimit;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (approve == reject) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --approve and --reject");
        }
        if (reject && (reason == null || reason.isBlank())) {
            throw new ParameterException(spec.commandLine(), "--reject needs --reason: the requester is told why");
        }
        if (reject && (fields != null || filter != null || clear != null || from != null || until != null
                || rateLimit != null || dailyLimit != null)) {
            throw new ParameterException(spec.commandLine(), "--fields, --filter, --clear, --from and --until narrow an approval;"
                    + " they do not go with --reject");
        }
        if (reject) {
            return client.submit(governance -> governance.reject(requestId, reason));
        }
        Approval approval = Approval.asRequested();
        if (fields != null) {
            approval = approval.withFields(fields);
        }
        if (filter != null) {
            approval = approval.withFilter(filter);
        }
        if (clear != null) {
            approval = approval.withClearFields(clear);
        }
        if (from != null) {
            approval = approval.from(from);
        }
        if (until != null) {
            approval = approval.until(until);
        }
        if (reason != null) {
            approval = approval.withReason(reason);
        }
        if (rateLimit != null || dailyLimit != null) {
            approval = approval.withLimits(rateLimit, dailyLimit);
        }
        Approval decided = approval;
        return client.submit(governance -> governance.approve(requestId, decided));
    }
}
