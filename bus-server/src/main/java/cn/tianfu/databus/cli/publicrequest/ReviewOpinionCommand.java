package cn.tianfu.databus.cli.publicrequest;

import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.AuthorityOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code databus public-requests review-opinion ID --text ...}: the authority records the expert committee's opinion on
 * the review of a public request's answer (Art. 34); its decision is due within 15 days of it.
 */
@Command(name = "review-opinion", mixinStandardHelpOptions = true,
        header = "Record the expert committee's opinion on a review: the decision is due within 15 days of it (Art. 34).")
public final class ReviewOpinionCommand implements Callable<Integer> {

    @Mixin
    AuthorityOptions authority;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of the request under review, e.g. amr.P1.")
    String requestId;

    @Option(names = "--text", paramLabel = "TEXT", required = true, description = "The committee's opinion (评估意见).")
    String text;

    @Override
    public Integer call() {
        return authority.submit(g -> g.recordReviewOpinion(requestId, text));
    }
}
