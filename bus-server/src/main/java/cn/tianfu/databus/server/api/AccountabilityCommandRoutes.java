package cn.tianfu.databus.server.api;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.ViolationActionKind;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * Error reports (Art. 27), disputes (Art. 28) and the authority's steps on violations (Art. 46) as commands sent with
 * the caller's own credentials, as {@code databus report-error}, {@code answer-report}, {@code accept-answer},
 * {@code dispute ...} and {@code violation ...} send them; governance decides who may take which step.
 * <ul>
 * <li>{@code POST /api/v1/reports} {@code {"resource","key","field"?,"problem","foundAt"?}}: a consumer reports a wrong record;</li>
 * <li>{@code POST /api/v1/reports/{id}/answer} {@code {"corrected":true,"note"?,"exchangeId"?}} or
 * {@code {"corrected":false,"reason"}}: the provider answers;</li>
 * <li>{@code POST /api/v1/reports/{id}/accept}: the reporter accepts the answer;</li>
 * <li>{@code POST /api/v1/disputes} {@code {"about":"request:ID|report:ID|grant:ID","statement"}}: a party opens a dispute;</li>
 * <li>{@code POST /api/v1/disputes/{id}/{step}} with step {@code message|settle|escalate} (a party), {@code refer|decide}
 * (the authority), {@code opinion} (the expert) and {@code {"text"?,"expert"?}};</li>
 * <li>{@code POST /api/v1/violations/{id}/order} {@code {"within": N or "yyyy-MM-dd","note"?}}, {@code /rectified},
 * {@code /escalate} {@code {"note"?}}: the authority.</li>
 * </ul>
 */
public final class AccountabilityCommandRoutes {

    private AccountabilityCommandRoutes() {
    }

    /** Adds the routes. */
    public static void register(JavalinConfig config, ApiCalls calls) {
        config.routes.post(ApiPaths.REPORTS, ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String resource = ApiCalls.required(body, "resource", "the code of the resource the record belongs to");
            String key = ApiCalls.required(body, "key", "the key of the record found wrong");
            String problem = ApiCalls.required(body, "problem", "say what is wrong");
            Optional<String> field = ApiCalls.text(body, "field");
            Optional<Instant> foundAt = ApiCalls.time(body, "foundAt", false);
            calls.command(ctx, g -> g.reportError(resource, key, field, problem, foundAt));
        });
        config.routes.post(ApiPaths.REPORTS + "/{id}/answer", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            JsonNode corrected = body.get("corrected");
            if (corrected == null || !corrected.isBoolean()) {
                throw new HttpResponseException(400, "'corrected' is required: true (the record was corrected and published"
                        + " again) or false (the report is rejected, with a reason)");
            }
            Optional<String> note = ApiCalls.text(body, "note");
            Optional<String> reason = ApiCalls.text(body, "reason").filter(s -> !s.isBlank());
            Optional<String> exchangeId = ApiCalls.text(body, "exchangeId");
            if (!corrected.asBoolean() && reason.isEmpty()) {
                throw new HttpResponseException(400, "a rejection needs 'reason': the reporter is told why");
            }
            if (!corrected.asBoolean() && (note.isPresent() || exchangeId.isPresent())) {
                throw new HttpResponseException(400, "'note' and 'exchangeId' go with a correction; a rejection gives 'reason'");
            }
            String id = ctx.pathParam("id");
            Optional<String> text = corrected.asBoolean() ? note : reason;
            calls.command(ctx, g -> g.answerReport(id, corrected.asBoolean(), text, exchangeId));
        });
        config.routes.post(ApiPaths.REPORTS + "/{id}/accept", ctx -> {
            calls.caller(ctx);
            String id = ctx.pathParam("id");
            calls.command(ctx, g -> g.acceptAnswer(id));
        });

        config.routes.post(ApiPaths.DISPUTES, ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String about = ApiCalls.required(body, "about", "request:<request-id>, report:<report-id> or grant:<grant-id>");
            String statement = ApiCalls.required(body, "statement", "say what is disputed and why");
            int colon = about.indexOf(':');
            DisputeSubject subject = colon <= 0 ? null : switch (about.substring(0, colon)) {
                case "request" -> DisputeSubject.REQUEST;
                case "report" -> DisputeSubject.REPORT;
                case "grant" -> DisputeSubject.GRANT;
                default -> null;
            };
            if (subject == null || colon == about.length() - 1) {
                throw new HttpResponseException(400, "'about' '" + about + "' is not request:<id>, report:<id> or grant:<id>");
            }
            String subjectId = about.substring(colon + 1);
            calls.command(ctx, g -> g.openDispute(subject, subjectId, statement));
        });
        config.routes.post(ApiPaths.DISPUTES + "/{id}/{step}", ctx -> {
            calls.caller(ctx);
            DisputeAction action = disputeAction(ctx.pathParam("step"));
            JsonNode body = ApiCalls.body(ctx);
            Optional<String> text = ApiCalls.text(body, "text").filter(s -> !s.isBlank());
            Optional<String> expert = ApiCalls.text(body, "expert").filter(s -> !s.isBlank());
            switch (action) {
                case MESSAGE, OPINION, DECIDE -> {
                    if (text.isEmpty()) {
                        throw new HttpResponseException(400, "'text' is required: the " + ctx.pathParam("step") + "'s words");
                    }
                }
                case REFER -> {
                    if (expert.isEmpty()) {
                        throw new HttpResponseException(400, "'expert' is required: the id of the expert to refer the dispute to");
                    }
                }
                default -> {
                }
            }
            if (action != DisputeAction.REFER && expert.isPresent()) {
                throw new HttpResponseException(400, "'expert' goes only with the step refer");
            }
            String id = ctx.pathParam("id");
            calls.commandOfAnyCaller(ctx, g -> g.disputeStep(id, action, text, expert));
        });

        config.routes.post(ApiPaths.VIOLATIONS + "/{id}/order", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String id = ctx.pathParam("id");
            Optional<String> note = ApiCalls.text(body, "note");
            JsonNode within = body.get("within");
            if (within != null && within.isIntegralNumber()) {
                int days = within.asInt();
                calls.commandOfAnyCaller(ctx, g -> g.orderRectification(id, days, note));
                return;
            }
            String w = ApiCalls.required(body, "within", "working days from now (a number) or the date to rectify by").trim();
            if (w.matches("\\d{1,4}")) {
                int days = Integer.parseInt(w);
                calls.commandOfAnyCaller(ctx, g -> g.orderRectification(id, days, note));
                return;
            }
            Instant by;
            try {
                by = new Times.End().convert(w);
            } catch (RuntimeException e) {
                throw new HttpResponseException(400, "'within' '" + w + "' is neither a number of working days nor a date: "
                        + e.getMessage());
            }
            calls.commandOfAnyCaller(ctx, g -> g.orderRectification(id, by, note));
        });
        config.routes.post(ApiPaths.VIOLATIONS + "/{id}/rectified", ctx -> close(ctx, calls, ViolationActionKind.RECTIFIED));
        config.routes.post(ApiPaths.VIOLATIONS + "/{id}/escalate", ctx -> close(ctx, calls, ViolationActionKind.ESCALATE));
    }

    private static void close(io.javalin.http.Context ctx, ApiCalls calls, ViolationActionKind kind) {
        calls.caller(ctx);
        Optional<String> note = ApiCalls.text(ApiCalls.body(ctx), "note");
        String id = ctx.pathParam("id");
        calls.commandOfAnyCaller(ctx, g -> g.closeViolation(id, kind, note));
    }

    private static DisputeAction disputeAction(String step) {
        return switch (step) {
            case "message" -> DisputeAction.MESSAGE;
            case "settle", "withdraw" -> DisputeAction.SETTLE;
            case "escalate" -> DisputeAction.ESCALATE;
            case "refer" -> DisputeAction.REFER;
            case "opinion" -> DisputeAction.OPINION;
            case "decide" -> DisputeAction.DECIDE;
            default -> throw new HttpResponseException(404, "no dispute step '" + step + "': use message, settle, escalate,"
                    + " refer, opinion or decide");
        };
    }
}
