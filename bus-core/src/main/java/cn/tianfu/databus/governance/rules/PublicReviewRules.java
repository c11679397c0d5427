package cn.tianfu.databus.governance.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.governance.rules.Change.PublicRequestState;
import cn.tianfu.databus.schemas.DecidePublicReview;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.PublicReview;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import cn.tianfu.databus.schemas.RecordReviewOpinion;
import cn.tianfu.databus.schemas.RequestPublicReview;

/**
 * The review (复核) of a public request's answer (Art. 34, second paragraph): a requester who disputes the provider's
 * answer asks the authority for review, through the open-data platform, with the review token the filing gave it; the
 * authority has the city's expert committee give its opinion (评估意见) and decides within {@value #REVIEW_DAYS} calendar
 * days of it: the answer is UPHELD, or OVERTURNED and the provider is ordered to open the data. Every step is the
 * authority's (the bus principal's); a decision after the due time is accepted, marked late, and the deadlines app
 * raises the violation (Art. 46(五): 不按规定…复核…开放需求申请).
 *
 * <pre>{@code
 * PublicReviewRules.digest("k3J...");                                       // SHA-256 hex of a review token
 * PublicReviewRules.dueAt(Instant.parse("2026-11-16T02:00:00Z"));           // 2026-12-01T15:59:59.999Z
 * }</pre>
 */
public final class PublicReviewRules {

    /** Calendar days (Art. 34: 15日) the authority has to decide, counted from the day after the opinion's. */
    public static final int REVIEW_DAYS = 15;

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(WorkingDayCalendar.ZONE);

    private PublicReviewRules() {
    }

    /** The digest of a review token, as requests and commands carry it (SHA-256, lower-case hex). */
    public static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The decision's due time: the end of the {@value #REVIEW_DAYS}th calendar day after the opinion's day, Asia/Shanghai. */
    public static Instant dueAt(Instant opinionAt) {
        LocalDate day = LocalDate.ofInstant(opinionAt, WorkingDayCalendar.ZONE);
        return day.plusDays(REVIEW_DAYS + 1L).atStartOfDay(WorkingDayCalendar.ZONE).toInstant().minusMillis(1);
    }

    /**
     * The requester asks for review: only through the open-data platform (the bus), with the token given at filing; only
     * of an answered request (an unanswered one is the provider's violation, not a review), once per request, with the
     * reason.
     */
    public static Decision request(String sender, RequestPublicReview r, PublicRequest request, Instant now) {
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(null, "a review of a public request is asked for through the open-data"
                    + " platform (Art. 34); department '" + sender + "' cannot ask for one"));
        }
        if (request == null) {
            return Decision.refused(Answer.notFound(null, "there is no public request '" + r.getRequestId() + "'"));
        }
        String id = request.getId();
        String code = request.getResourceCode();
        if (request.getReviewTokenDigest() == null || r.getReviewTokenDigest() == null
                || !MessageDigest.isEqual(request.getReviewTokenDigest().getBytes(StandardCharsets.US_ASCII),
                        r.getReviewTokenDigest().getBytes(StandardCharsets.US_ASCII))) {
            return Decision.refused(Answer.refused(code, "the review token does not match public request " + id
                    + ": only its requester, with the token its filing returned, may ask for review").subject(id));
        }
        if (request.getStatus() == PublicRequestStatus.PENDING) {
            return Decision.refused(Answer.refused(code, "public request " + id + " is not answered yet: there is no"
                    + " answer to review (an answer overdue is the provider's violation, which the authority sees)")
                    .subject(id));
        }
        if (request.getReview() != null) {
            return Decision.refused(Answer.refused(code, "a review of public request " + id + " was already asked for on "
                    + LOCAL.format(request.getReview().getRequestedAt()) + " Asia/Shanghai").subject(id));
        }
        String reason = blankToNull(r.getReason());
        if (reason == null) {
            return Decision.refused(Answer.invalid(code, "say why the answer is disputed (reason)").subject(id));
        }
        if (reason.length() > PublicRequestRules.MAX_TEXT) {
            return Decision.refused(Answer.invalid(code, "reason is longer than " + PublicRequestRules.MAX_TEXT
                    + " characters").subject(id));
        }
        PublicRequest asked = PublicRequest.newBuilder(request)
                .setReview(PublicReview.newBuilder().setRequestedAt(now).setReason(reason).build())
                .build();
        return Decision.accepted(new Answer(Outcome.PENDING, "review of public request " + id + " asked for: the"
                        + " authority has the expert committee give its opinion, then decides within " + REVIEW_DAYS
                        + " days of it (Art. 34)", code, null, null, id),
                new PublicRequestState(asked),
                new Change.Notice(Principals.BUS_PRINCIPAL, "review:" + id, new Answer(Outcome.PENDING, "the requester"
                        + " of public request " + id + " (" + request.getProvider() + ", answered " + request.getStatus()
                        + ") asks for review: record the expert committee's opinion with: databus public-requests"
                        + " review-opinion " + id + " --text ...", code, null, null, id)),
                new Change.Notice(request.getProvider(), "review:" + id, new Answer(Outcome.PENDING, "the requester of"
                        + " public request " + id + " asks the authority to review your answer (Art. 34)", code, null,
                        null, id)));
    }

    /** The authority records the expert committee's opinion, once, on a review asked for; the decision is due from it. */
    public static Decision opinion(String sender, RecordReviewOpinion o, PublicRequest request, Instant now) {
        Decision refused = authority(sender, o.getRequestId(), request);
        if (refused != null) {
            return refused;
        }
        String id = request.getId();
        String code = request.getResourceCode();
        PublicReview review = request.getReview();
        if (review.getOpinion() != null) {
            return Decision.refused(Answer.refused(code, "the expert committee's opinion on the review of " + id
                    + " was already recorded").subject(id));
        }
        String text = blankToNull(o.getOpinion());
        if (text == null) {
            return Decision.refused(Answer.invalid(code, "the opinion has no text").subject(id));
        }
        if (text.length() > PublicRequestRules.MAX_TEXT) {
            return Decision.refused(Answer.invalid(code, "the opinion is longer than " + PublicRequestRules.MAX_TEXT
                    + " characters").subject(id));
        }
        Instant due = dueAt(now);
        PublicRequest recorded = PublicRequest.newBuilder(request)
                .setReview(PublicReview.newBuilder(review).setOpinion(text).setOpinionAt(now).setOpinionBy(sender)
                        .setDueAt(due).build())
                .build();
        return Decision.accepted(new Answer(Outcome.ACCEPTED, "the expert committee's opinion on the review of " + id
                        + " recorded: decide it by " + LOCAL.format(due) + " Asia/Shanghai (" + REVIEW_DAYS + " days,"
                        + " Art. 34) with: databus public-requests review " + id + " --uphold | --overturn --reason ...",
                        code, null, null, id),
                new PublicRequestState(recorded));
    }

    /**
     * The authority decides a review, once, after the opinion, with the reason. OVERTURNED orders the provider to open the
     * data: it is told so, and may answer again, OPENED or WILL_OPEN ({@link PublicRequestRules#answer}). A decision after
     * the due time is accepted and marked late.
     */
    public static Decision decide(String sender, DecidePublicReview d, PublicRequest request, Instant now) {
        Decision refused = authority(sender, d.getRequestId(), request);
        if (refused != null) {
            return refused;
        }
        String id = request.getId();
        String code = request.getResourceCode();
        PublicReview review = request.getReview();
        if (review.getDecision() != null) {
            return Decision.refused(Answer.refused(code, "the review of " + id + " was already decided ("
                    + review.getDecision() + ")").subject(id));
        }
        if (review.getOpinion() == null) {
            return Decision.refused(Answer.refused(code, "the review of " + id + " has no opinion of the expert committee"
                    + " yet: record it first (Art. 34: 委托市公共数据专家咨询委员会提出评估意见)").subject(id));
        }
        String reason = blankToNull(d.getReason());
        if (reason == null) {
            return Decision.refused(Answer.invalid(code, "a review's result gives its reason").subject(id));
        }
        if (reason.length() > PublicRequestRules.MAX_TEXT) {
            return Decision.refused(Answer.invalid(code, "reason is longer than " + PublicRequestRules.MAX_TEXT
                    + " characters").subject(id));
        }
        boolean late = review.getDueAt() != null && now.isAfter(review.getDueAt());
        PublicRequest decided = PublicRequest.newBuilder(request)
                .setReview(PublicReview.newBuilder(review).setDecision(d.getDecision()).setDecidedAt(now)
                        .setDecidedBy(sender).setDecisionReason(reason).setDecidedLate(late).build())
                .build();
        String message = "review of public request " + id + ": the answer " + request.getStatus() + " is "
                + d.getDecision() + (late ? ", late: it was due by " + LOCAL.format(review.getDueAt()) + " Asia/Shanghai" : "");
        if (d.getDecision() == PublicReviewDecision.UPHELD) {
            return Decision.accepted(new Answer(Outcome.ACCEPTED, message, code, null, null, id),
                    new PublicRequestState(decided));
        }
        return Decision.accepted(new Answer(Outcome.ACCEPTED, message + "; " + request.getProvider() + " is ordered to"
                        + " open the data", code, null, null, id),
                new PublicRequestState(decided),
                new Change.Notice(request.getProvider(), "review-result:" + id, new Answer(Outcome.PENDING, "the"
                        + " authority overturned your answer to public request " + id + " on review (Art. 34): " + reason
                        + ". Open the data and answer again with: databus public-requests answer " + id
                        + " --opened | --will-open-by DATE", code, null, null, id)));
    }

    /** Whether the provider may answer {@code request} again: its answer was overturned on review and not yet followed. */
    static boolean orderedToOpen(PublicRequest request) {
        PublicReview review = request.getReview();
        return review != null && review.getDecision() == PublicReviewDecision.OVERTURNED
                && review.getOrderAnsweredAt() == null;
    }

    /** A review's state in words (no personal data), for the status page and the authority's list. */
    public static String statusLine(PublicReview review) {
        if (review == null) {
            return null;
        }
        if (review.getDecision() != null) {
            return review.getDecision() + (review.getDecidedLate() ? " (decided late)" : "") + ": "
                    + review.getDecisionReason();
        }
        if (review.getOpinion() != null) {
            return "OPINION RECORDED (decision due " + review.getDueAt() + ")";
        }
        return "REQUESTED (awaiting the expert committee's opinion)";
    }

    private static Decision authority(String sender, String requestId, PublicRequest request) {
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(null, "reviews of public requests are the public data authority's"
                    + " (Art. 34); department '" + sender + "' cannot record or decide one"));
        }
        if (request == null) {
            return Decision.refused(Answer.notFound(null, "there is no public request '" + requestId + "'"));
        }
        if (request.getReview() == null) {
            return Decision.refused(Answer.refused(request.getResourceCode(), "nobody asked for a review of public"
                    + " request " + request.getId()).subject(request.getId()));
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
