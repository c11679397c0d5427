package cn.tianfu.databus.governance.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.rules.Change.PublicRequestState;
import cn.tianfu.databus.schemas.AnswerPublicRequest;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.schemas.SubmitPublicRequest;

/**
 * Public requests to open data (申请开放, Art. 34): a citizen, company or other organisation asks, through the open-data
 * platform, for data outside the open catalogue, or catalogued but not opened, to be opened; the providing department
 * answers within {@value #ANSWER_DAYS} days of the request (calendar days: the article says 10日, where Art. 26 and 27
 * say 个工作日): it opens the data, agrees to open it by a date, or refuses with the reason. Unanswered by then, it is a
 * violation under Art. 46(五).
 *
 * <pre>{@code
 * PublicRequestRules.requestId("amr", 3);               // "amr.P3"
 * PublicRequestRules.dueAt(Instant.parse("2026-11-02T02:00:00Z"));   // 2026-11-12T15:59:59.999Z (end of 11-12, Shanghai)
 * }</pre>
 */
public final class PublicRequestRules {

    /** Days (calendar days, Art. 34: 10日) the provider has to answer, counted from the day after the request's. */
    public static final int ANSWER_DAYS = 10;
    /** Longest text accepted in a request's fields (title, description, name, organisation, contact). */
    public static final int MAX_TEXT = 2000;

    private static final Pattern ID = Pattern.compile("(" + Topics.DEPARTMENT_ID.pattern() + ")\\.P([1-9][0-9]{0,9})");
    private static final String ROUTE_PREFIX = "public-requests:";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(WorkingDayCalendar.ZONE);

    private PublicRequestRules() {
    }

    /** The id of the n-th public request to {@code provider}. */
    public static String requestId(String provider, long n) {
        return provider + ".P" + n;
    }

    /** Prefix of the ids of {@code provider}'s public requests. */
    public static String idPrefix(String provider) {
        return provider + ".P";
    }

    /** The provider a request id names; empty when it is not a public request id. */
    public static Optional<String> providerOf(String requestId) {
        if (requestId == null) {
            return Optional.empty();
        }
        Matcher m = ID.matcher(requestId);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The key one provider's public requests are decided under, in order (governance's routing key). */
    public static String routingKey(String provider) {
        return ROUTE_PREFIX + provider;
    }

    /**
     * The due time of a request filed at {@code filedAt}: the end of the {@value #ANSWER_DAYS}th calendar day after
     * the day of filing, Asia/Shanghai ("自申请之日起10日内").
     */
    public static Instant dueAt(Instant filedAt) {
        LocalDate filed = LocalDate.ofInstant(filedAt, WorkingDayCalendar.ZONE);
        return filed.plusDays(ANSWER_DAYS + 1L).atStartOfDay(WorkingDayCalendar.ZONE).toInstant().minusMillis(1);
    }

    /**
     * Filing a request: only the bus (the open-data platform, on {@code cmd.bus}) submits for the public; the provider
     * must be a department of the bus; the title, the requester's name and contact are required. Accepted, the request
     * is PENDING with its due time, and the provider is told on its reply topic.
     *
     * @param providerKnown whether the provider is one of the bus's departments
     * @param earlier       the provider's earlier requests (their count numbers the new one)
     */
    public static Decision submit(String sender, SubmitPublicRequest s, boolean providerKnown, List<PublicRequest> earlier,
                                  Instant now) {
        if (!Principals.BUS_PRINCIPAL.equals(sender)) {
            return Decision.refused(Answer.refused(null, "public requests to open data are filed by the open-data"
                    + " platform for the public (Art. 34); department '" + sender + "' cannot file one"));
        }
        String provider = s.getProvider();
        if (provider == null || provider.isBlank()) {
            return Decision.refused(Answer.invalid(null, "the request names no department to ask"));
        }
        for (String[] field : new String[][] {{"title", s.getTitle()}, {"requesterName", s.getRequesterName()},
                {"requesterContact", s.getRequesterContact()}}) {
            if (field[1] == null || field[1].isBlank()) {
                return Decision.refused(Answer.invalid(null, "the request has no " + field[0]));
            }
        }
        for (String[] field : new String[][] {{"title", s.getTitle()}, {"description", s.getDescription()},
                {"requesterName", s.getRequesterName()}, {"requesterOrganization", s.getRequesterOrganization()},
                {"requesterContact", s.getRequesterContact()}}) {
            if (field[1] != null && field[1].length() > MAX_TEXT) {
                return Decision.refused(Answer.invalid(null, field[0] + " is longer than " + MAX_TEXT + " characters"));
            }
        }
        String code = s.getResourceCode();
        if (code != null && !Topics.RESOURCE_CODE.matcher(code).matches()) {
            return Decision.refused(Answer.invalid(null, "resource code '" + code + "' is invalid"));
        }
        if (!providerKnown) {
            return Decision.refused(Answer.notFound(null, "there is no department '" + provider + "' on the bus"));
        }
        long n = 1;
        for (PublicRequest r : earlier) {
            n = Math.max(n, number(r.getId()) + 1);
        }
        String id = requestId(provider, n);
        Instant due = dueAt(now);
        PublicRequest request = PublicRequest.newBuilder()
                .setId(id)
                .setProvider(provider)
                .setResourceCode(code)
                .setTitle(s.getTitle())
                .setDescription(s.getDescription())
                .setRequesterName(s.getRequesterName())
                .setRequesterOrganization(s.getRequesterOrganization())
                .setRequesterContact(s.getRequesterContact())
                .setReviewTokenDigest(s.getReviewTokenDigest())
                .setFiledAt(now)
                .setDueAt(due)
                .setStatus(PublicRequestStatus.PENDING)
                .build();
        String what = code == null ? "'" + s.getTitle() + "'" : code + " ('" + s.getTitle() + "')";
        return Decision.accepted(new Answer(Outcome.PENDING, "public request " + id + " filed: " + provider
                        + " must answer by " + LOCAL.format(due) + " Asia/Shanghai (" + ANSWER_DAYS + " days, Art. 34)",
                        code, null, null, id),
                new PublicRequestState(request),
                new Change.Notice(provider, "public:" + id, new Answer(Outcome.PENDING, "a public request to open data: "
                        + what + "; answer it by " + LOCAL.format(due) + " Asia/Shanghai (" + ANSWER_DAYS + " days,"
                        + " Art. 34) with: databus public-requests answer " + id + " --opened | --will-open-by DATE |"
                        + " --refuse --reason ...", code, null, null, id)));
    }

    /**
     * The provider's answer: only the request's provider; only a PENDING request (one answer per request); OPENED,
     * WILL_OPEN with a date not in the past, or REFUSED with the reason. An answer after the due time is accepted and
     * recorded as late (the violation stands). After the authority overturned the answer on review
     * ({@link PublicReviewRules#decide}), the provider answers once more, OPENED or WILL_OPEN.
     */
    public static Decision answer(String sender, AnswerPublicRequest a, PublicRequest request, Instant now) {
        if (request == null) {
            return Decision.refused(Answer.notFound(null, "there is no public request '" + a.getRequestId() + "'"));
        }
        String id = request.getId();
        if (!request.getProvider().equals(sender)) {
            return Decision.refused(Answer.refused(request.getResourceCode(), "public request " + id + " asks "
                    + request.getProvider() + "; only its provider may answer it").subject(id));
        }
        boolean ordered = PublicReviewRules.orderedToOpen(request);
        if (request.getStatus() != PublicRequestStatus.PENDING && !ordered) {
            return Decision.refused(Answer.refused(request.getResourceCode(), "public request " + id + " was already"
                    + " answered (" + request.getStatus() + ")").subject(id));
        }
        if (ordered && a.getStatus() == PublicRequestStatus.REFUSED) {
            return Decision.refused(Answer.refused(request.getResourceCode(), "the authority overturned the answer to"
                    + " public request " + id + " on review: answer OPENED or WILL_OPEN").subject(id));
        }
        String text = a.getAnswer() == null || a.getAnswer().isBlank() ? null : a.getAnswer();
        LocalDate today = LocalDate.ofInstant(now, WorkingDayCalendar.ZONE);
        switch (a.getStatus()) {
            case PENDING -> {
                return Decision.refused(Answer.invalid(request.getResourceCode(), "PENDING is no answer: answer OPENED,"
                        + " WILL_OPEN with a date, or REFUSED with the reason").subject(id));
            }
            case REFUSED -> {
                if (text == null) {
                    return Decision.refused(Answer.invalid(request.getResourceCode(), "a refusal must give its reason"
                            + " (Art. 34: 不同意的说明理由)").subject(id));
                }
            }
            case WILL_OPEN -> {
                if (a.getOpenBy() == null) {
                    return Decision.refused(Answer.invalid(request.getResourceCode(), "WILL_OPEN needs the date the data"
                            + " will be open by").subject(id));
                }
                if (a.getOpenBy().isBefore(today)) {
                    return Decision.refused(Answer.invalid(request.getResourceCode(), "the date " + a.getOpenBy()
                            + " is in the past (today is " + today + " in Asia/Shanghai)").subject(id));
                }
            }
            case OPENED -> { }
            default -> throw new IllegalStateException("unknown status " + a.getStatus());
        }
        String code = a.getResourceCode() != null ? a.getResourceCode() : request.getResourceCode();
        boolean late = ordered ? request.getAnsweredLate() : now.isAfter(request.getDueAt());
        PublicRequest answered = PublicRequest.newBuilder(request)
                .setStatus(a.getStatus())
                .setAnsweredAt(now)
                .setAnsweredBy(sender)
                .setAnswer(text)
                .setOpenedResourceCode(a.getStatus() == PublicRequestStatus.REFUSED ? null : code)
                .setOpenBy(a.getStatus() == PublicRequestStatus.WILL_OPEN ? a.getOpenBy() : null)
                .setAnsweredLate(late)
                .setReview(ordered ? cn.tianfu.databus.schemas.PublicReview.newBuilder(request.getReview())
                        .setOrderAnsweredAt(now).build() : request.getReview())
                .build();
        return Decision.accepted(new Answer(Outcome.ACCEPTED, "public request " + id + " answered "
                        + a.getStatus() + (late ? ", late: it was due by " + LOCAL.format(request.getDueAt())
                        + " Asia/Shanghai" : ""), request.getResourceCode(), null, null, id),
                new PublicRequestState(answered));
    }

    /** The public status of a request, in words (no personal data). */
    public static String statusLine(PublicRequest r, Instant now) {
        return switch (r.getStatus()) {
            case PENDING -> now.isAfter(r.getDueAt()) ? "PENDING (OVERDUE: due " + r.getDueAt() + ")"
                    : "PENDING (due " + r.getDueAt() + ")";
            case OPENED -> "OPENED" + (r.getOpenedResourceCode() == null ? "" : " as " + r.getOpenedResourceCode());
            case WILL_OPEN -> "WILL_OPEN by " + r.getOpenBy();
            case REFUSED -> "REFUSED: " + r.getAnswer();
        };
    }

    private static long number(String id) {
        Matcher m = ID.matcher(id);
        return m.matches() ? Long.parseLong(m.group(2)) : 0;
    }
}
