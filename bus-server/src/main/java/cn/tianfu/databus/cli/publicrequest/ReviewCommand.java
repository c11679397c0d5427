package cn.tianfu.databus.cli.publicrequest;

import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.AuthorityOptions;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code databus public-requests review ID --uphold|--overturn --reason ...}: the authority's result of the review of a
 * public request's answer (复核结果, Art. 34), after the expert committee's opinion; overturned, the provider is ordered
 * to open the data.
 */
@Command(name = "review", mixinStandardHelpOptions = true,
        header = "Decide the review of a public request's answer: --uphold or --overturn (the provider must open), with --reason.")
public final class ReviewCommand implements Callable<Integer> {

    @Mixin
    AuthorityOptions authority;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of the request under review, e.g. amr.P1.")
    String requestId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    static final class Choice {
        @Option(names = "--uphold", required = true, description = "The provider's answer stands.")
        boolean uphold;

        @Option(names = "--overturn", required = true, description = "The answer is overturned: the provider must open the data.")
        boolean overturn;
    }

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (the requester sees it on the status page).")
    String reason;

    @Override
    public Integer call() {
        PublicReviewDecision decision = choice.overturn ? PublicReviewDecision.OVERTURNED : PublicReviewDecision.UPHELD;
        return authority.submit(g -> g.decidePublicReview(requestId, decision, reason));
    }
}
