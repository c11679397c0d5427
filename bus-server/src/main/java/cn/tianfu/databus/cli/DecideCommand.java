package cn.tianfu.databus.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.Approval;
import cn.tianfu.databus.governance.client.GovernanceClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus decide}: the provider approves (possibly narrowed) or rejects a pending request. */
@Command(name = "decide", mixinStandardHelpOptions = true,
        header = "Decide a pending request on a resource you provide: --approve (optionally narrowed) or --reject --reason.")
public final class DecideCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of the pending request ('databus requests --incoming').")
    String requestId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Decision decision;

    static final class Decision {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Approve approve;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Reject reject;
    }

    static final class Approve {
        @Option(names = "--approve", required = true, description = "Approve: a grant is created.")
        boolean approve;

        @Option(names = "--fields", paramLabel = "ITEM", split = ",", description = "Data items allowed (default: as requested).")
        List<String> fields;

        @Option(names = "--filter", paramLabel = "EXPR", description = "CEL row filter a record must satisfy, e.g. \"divisionCode.startsWith('5101')\".")
        String filter;

        @Option(names = "--clear", paramLabel = "ITEM", split = ",", description = "Personal data items delivered unmasked.")
        List<String> clear;

        @Option(names = "--from", paramLabel = "DATE", converter = Times.Start.class,
                description = "Start of validity: yyyy-MM-dd (start of day, Asia/Shanghai) or an ISO date-time with offset.")
        Instant from;

        @Option(names = "--until", paramLabel = "DATE", converter = Times.End.class,
                description = "End of validity: yyyy-MM-dd (end of that day, Asia/Shanghai) or an ISO date-time with offset.")
        Instant until;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Remark given to the requester.")
        String reason;
    }

    static final class Reject {
        @Option(names = "--reject", required = true, description = "Reject the request.")
        boolean reject;

        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why; given to the requester.")
        String reason;
    }

    @Override
    public Integer call() {
        DatabusClientConfig config = client.clientConfig();
        try (GovernanceClient governance = client.governance(config)) {
            if (decision.reject != null) {
                return client.output().result(governance.await(governance.reject(requestId, decision.reject.reason), client.timeout));
            }
            Approve a = decision.approve;
            Approval approval = Approval.asRequested();
            if (a.fields != null) {
                approval = approval.withFields(a.fields);
            }
            if (a.filter != null) {
                approval = approval.withFilter(a.filter);
            }
            if (a.clear != null) {
                approval = approval.withClearFields(a.clear);
            }
            if (a.from != null) {
                approval = approval.from(a.from);
            }
            if (a.until != null) {
                approval = approval.until(a.until);
            }
            if (a.reason != null) {
                approval = approval.withReason(a.reason);
            }
            return client.output().result(governance.await(governance.approve(requestId, approval), client.timeout));
        }
    }
}
