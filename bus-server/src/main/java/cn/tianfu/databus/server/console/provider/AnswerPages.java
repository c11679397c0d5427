package cn.tianfu.databus.server.console.provider;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleException;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Deadlines;
import cn.tianfu.databus.server.console.Enums;
import cn.tianfu.databus.server.console.Html;

/**
 * What a providing department answers: error reports on its resources (Art. 27: corrected, or rejected with a reason,
 * {@code POST /api/v1/reports/{id}/answer}); the public's requests to open data addressed to it (Art. 34: opened, will
 * be opened by a date, or refused with a reason, {@code POST /api/v1/public-requests/{id}/answer}); and the public's
 * comments on its open datasets (Art. 35, {@code POST /api/v1/comments/{id}/answer}). Each answer is the API call as the
 * department; governance's refusal is shown on the form with what was entered.
 */
public final class AnswerPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/reports/incoming", AnswerPages::reports)
                .get("/reports/incoming/{id}", r -> report(r, null))
                .post("/reports/incoming/{id}/answer", AnswerPages::answerReport)
                .get("/public-requests", AnswerPages::publicRequests)
                .get("/public-requests/{id}", r -> publicRequest(r, null))
                .post("/public-requests/{id}/answer", AnswerPages::answerPublicRequest)
                .get("/comments", AnswerPages::comments)
                .post("/comments/{id}/answer", AnswerPages::answerComment)
                .menu(ConsolePages.Section.PROVIDER, "/reports/incoming", "menu.reportsIncoming", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.PROVIDER, "/public-requests", "menu.publicRequests", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.PROVIDER, "/comments", "menu.comments", ConsolePages.Audience.DEPARTMENT);
    }

    // ---- error reports (Art. 27)

    /** The error reports on the signed-in department's resources, open ones first. */
    private static List<JsonNode> reportsOnMine(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.REPORTS + "?dept=" + Html.url(r.caller().name()));
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        List<JsonNode> mine = new ArrayList<>();
        answer.body().forEach(e -> {
            if (e.path("provider").asText().equals(r.caller().name())) {
                mine.add(e);
            }
        });
        return mine;
    }

    private static void reports(ConsoleRequest r) {
        List<JsonNode> all = reportsOnMine(r);
        StringBuilder b = new StringBuilder();
        if (all.isEmpty()) {
            b.append("<p id=\"reports-none\">").append(Html.esc(r.t("reports.none"))).append("</p>");
            r.render("reports.title", b.toString());
            return;
        }
        Instant now = r.services().clock().instant();
        b.append("<table id=\"reports\"><tr>");
        for (String h : List.of("reports.id", "request.resource", "reports.key", "reports.field", "reports.problem", "grant.consumer",
                "reports.reported", "request.due", "request.status", "reports.answer")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode e : all) {
            String id = e.path("id").asText();
            String status = e.path("status").asText();
            Instant due = ApiClient.instant(e, "dueAt");
            boolean late = status.equals("OPEN") && due != null && Deadlines.overdue(now, due);
            b.append("<tr data-report=\"").append(Html.esc(id)).append("\"").append(late ? " class=\"overdue\"" : "").append("><td><a href=\"")
                    .append(r.href("/reports/incoming/" + Html.url(id))).append("\">").append(Html.esc(id)).append("</a></td><td>")
                    .append(Html.esc(e.path("resourceCode").asText())).append("</td><td>").append(Html.esc(e.path("recordKey").asText()))
                    .append("</td><td>").append(Html.esc(ApiClient.text(e, "field"))).append("</td><td>")
                    .append(Html.esc(e.path("problem").asText())).append("</td><td>").append(Html.esc(e.path("consumer").asText()))
                    .append("</td><td>").append(Html.esc(Deadlines.dateTime(ApiClient.instant(e, "reportedAt")))).append("</td><td class=\"due\">")
                    .append(Html.esc(Deadlines.date(due))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "reportStatus", status))).append("</td><td>")
                    .append(Html.esc(ApiClient.text(e, "answerNote"))).append("</td></tr>");
        }
        b.append("</table>");
        r.render("reports.title", b.toString());
    }

    private static void report(ConsoleRequest r, String error) {
        String id = r.path("id");
        JsonNode e = reportsOnMine(r).stream().filter(x -> x.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new ConsoleException(404, "error.notFound"));
        String status = e.path("status").asText();
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"answer-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<dl class=\"fields\" id=\"report\">");
        field(b, r.t("reports.id"), id);
        field(b, r.t("request.resource"), e.path("resourceCode").asText());
        field(b, r.t("reports.key"), e.path("recordKey").asText());
        field(b, r.t("reports.field"), ApiClient.text(e, "field"));
        field(b, r.t("reports.problem"), e.path("problem").asText());
        field(b, r.t("grant.consumer"), e.path("consumer").asText());
        field(b, r.t("reports.reported"), Deadlines.dateTime(ApiClient.instant(e, "reportedAt")));
        field(b, r.t("request.due"), Deadlines.date(ApiClient.instant(e, "dueAt")));
        field(b, r.t("request.status"), Enums.label(r, "reportStatus", status));
        field(b, r.t("reports.answer"), ApiClient.text(e, "answerNote"));
        b.append("</dl>");
        if (status.equals("OPEN")) {
            String action = r.href("/reports/incoming/" + Html.url(id) + "/answer");
            b.append("<h2>").append(Html.esc(r.t("reports.correctedTitle"))).append("</h2><form method=\"post\" action=\"").append(action)
                    .append("\" id=\"corrected-form\">").append(r.csrfField()).append("<input type=\"hidden\" name=\"corrected\" value=\"true\">")
                    .append("<label>").append(Html.esc(r.t("reports.note"))).append("<input name=\"note\" id=\"corrected-note\"></label>")
                    .append("<label>").append(Html.esc(r.t("reports.exchangeId"))).append("<input name=\"exchangeId\" id=\"exchange-id\"></label>")
                    .append("<button type=\"submit\" id=\"corrected\">").append(Html.esc(r.t("reports.corrected"))).append("</button></form>")
                    .append("<h2>").append(Html.esc(r.t("reports.rejectedTitle"))).append("</h2><form method=\"post\" action=\"").append(action)
                    .append("\" id=\"rejected-form\">").append(r.csrfField()).append("<input type=\"hidden\" name=\"corrected\" value=\"false\">")
                    .append("<label>").append(Html.esc(r.t("reports.reason"))).append("<input name=\"reason\" id=\"rejected-reason\" required></label>")
                    .append("<button type=\"submit\" class=\"danger\" id=\"rejected\">").append(Html.esc(r.t("reports.rejected")))
                    .append("</button></form>");
        }
        r.render(error == null ? 200 : 400, "reports.answerTitle", b.toString());
    }

    private static void answerReport(ConsoleRequest r) {
        String id = r.path("id");
        boolean corrected = r.form("corrected").orElse("").equals("true");
        ObjectNode body = ApiClient.object().put("corrected", corrected);
        if (corrected) {
            r.form("note").ifPresent(n -> body.put("note", n));
            r.form("exchangeId").ifPresent(x -> body.put("exchangeId", x));
        } else {
            String reason = r.form("reason").orElse("");
            if (reason.isEmpty()) {
                report(r, r.t("reports.needsReason"));
                return;
            }
            body.put("reason", reason);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.REPORTS + "/" + Html.url(id) + "/answer", body);
        if (!answer.ok()) {
            report(r, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t(corrected ? "reports.answeredCorrected" : "reports.answeredRejected", id), false);
        r.redirect("/reports/incoming");
    }

    // ---- public requests to open data (Art. 34)

    private static List<JsonNode> publicRequestsToMe(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.PUBLIC_REQUESTS);
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        List<JsonNode> out = new ArrayList<>();
        answer.body().forEach(out::add);
        return out;
    }

    private static void publicRequests(ConsoleRequest r) {
        List<JsonNode> all = publicRequestsToMe(r);
        StringBuilder b = new StringBuilder();
        if (all.isEmpty()) {
            b.append("<p id=\"public-requests-none\">").append(Html.esc(r.t("public.none"))).append("</p>");
            r.render("public.title", b.toString());
            return;
        }
        Instant now = r.services().clock().instant();
        b.append("<table id=\"public-requests\"><tr>");
        for (String h : List.of("public.id", "request.resource", "public.requestTitle", "request.filed", "request.due", "request.status",
                "public.answer")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode q : all) {
            String id = q.path("id").asText();
            String status = q.path("status").asText();
            Instant due = iso(q, "dueAt");
            boolean late = status.equals("PENDING") && due != null && Deadlines.overdue(now, due);
            b.append("<tr data-public-request=\"").append(Html.esc(id)).append("\"").append(late ? " class=\"overdue\"" : "")
                    .append("><td><a href=\"").append(r.href("/public-requests/" + Html.url(id))).append("\">").append(Html.esc(id))
                    .append("</a></td><td>").append(Html.esc(q.path("resource").asText(""))).append("</td><td>")
                    .append(Html.esc(q.path("title").asText())).append("</td><td>").append(Html.esc(Deadlines.dateTime(iso(q, "filedAt"))))
                    .append("</td><td class=\"due\">").append(Html.esc(Deadlines.date(due))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "publicStatus", status))).append("</td><td>")
                    .append(Html.esc(q.path("answer").asText(""))).append("</td></tr>");
        }
        b.append("</table>");
        r.render("public.title", b.toString());
    }

    private static void publicRequest(ConsoleRequest r, String error) {
        String id = r.path("id");
        JsonNode q = publicRequestsToMe(r).stream().filter(x -> x.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new ConsoleException(404, "error.notFound"));
        String status = q.path("status").asText();
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"answer-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<dl class=\"fields\" id=\"public-request\">");
        field(b, r.t("public.id"), id);
        field(b, r.t("request.resource"), q.path("resource").asText(""));
        field(b, r.t("public.requestTitle"), q.path("title").asText());
        field(b, r.t("public.description"), q.path("description").asText(""));
        field(b, r.t("request.filed"), Deadlines.dateTime(iso(q, "filedAt")));
        field(b, r.t("request.due"), Deadlines.date(iso(q, "dueAt")));
        field(b, r.t("request.status"), Enums.label(r, "publicStatus", status));
        field(b, r.t("public.summary"), q.path("summary").asText(""));
        field(b, r.t("public.answer"), q.path("answer").asText(""));
        b.append("</dl>");
        if (status.equals("PENDING")) {
            String action = r.href("/public-requests/" + Html.url(id) + "/answer");
            b.append("<form method=\"post\" action=\"").append(action).append("\" id=\"public-answer-form\">").append(r.csrfField())
                    .append("<fieldset><legend>").append(Html.esc(r.t("public.choice"))).append("</legend>");
            for (String choice : List.of("opened", "willOpen", "refuse")) {
                b.append("<label class=\"check\"><input type=\"radio\" name=\"choice\" value=\"").append(choice).append("\" id=\"choice-")
                        .append(choice).append("\"").append(choice.equals("opened") ? " checked" : "").append("> ")
                        .append(Html.esc(r.t("public.choice." + choice))).append("</label>");
            }
            b.append("</fieldset><label>").append(Html.esc(r.t("public.openBy")))
                    .append("<input type=\"date\" name=\"willOpenBy\" id=\"will-open-by\"></label><label>")
                    .append(Html.esc(r.t("public.openedResource"))).append("<input name=\"resource\" id=\"opened-resource\" value=\"")
                    .append(Html.esc(q.path("resource").asText(""))).append("\"></label><label>").append(Html.esc(r.t("public.reason")))
                    .append("<input name=\"reason\" id=\"public-reason\"></label>")
                    .append("<p class=\"hint\">").append(Html.esc(r.t("public.hint"))).append("</p>")
                    .append("<button type=\"submit\" id=\"public-answer\">").append(Html.esc(r.t("public.send"))).append("</button></form>");
        }
        r.render(error == null ? 200 : 400, "public.answerTitle", b.toString());
    }

    private static void answerPublicRequest(ConsoleRequest r) {
        String id = r.path("id");
        String choice = r.form("choice").orElse("");
        String reason = r.form("reason").orElse("");
        ObjectNode body = ApiClient.object();
        switch (choice) {
            case "opened" -> body.put("opened", true);
            case "willOpen" -> {
                String by = r.form("willOpenBy").orElse("");
                if (by.isEmpty()) {
                    publicRequest(r, r.t("public.needsDate"));
                    return;
                }
                body.put("willOpenBy", by);
            }
            case "refuse" -> {
                if (reason.isEmpty()) {
                    publicRequest(r, r.t("public.needsReason"));
                    return;
                }
                body.put("refuse", true);
            }
            default -> {
                publicRequest(r, r.t("public.needsChoice"));
                return;
            }
        }
        if (!reason.isEmpty()) {
            body.put("reason", reason);
        }
        r.form("resource").filter(x -> !choice.equals("refuse")).ifPresent(x -> body.put("resource", x));
        ApiClient.Answer answer = r.apiPost(ApiPaths.PUBLIC_REQUESTS + "/" + Html.url(id) + "/answer", body);
        if (!answer.ok()) {
            publicRequest(r, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("public.answered", id), false);
        r.redirect("/public-requests");
    }

    // ---- comments on open datasets (Art. 35)

    private static void comments(ConsoleRequest r) {
        ApiClient.Answer mine = r.apiGet(ApiPaths.CATALOG + "?provider=" + Html.url(r.caller().name()));
        if (!mine.ok()) {
            throw new ConsoleException(mine.status(), "error.api", mine.message());
        }
        StringBuilder b = new StringBuilder();
        int datasets = 0;
        for (JsonNode e : mine.body()) {
            if (!e.path("open").asBoolean(false) || e.path("status").asText().equals("RETIRED")) {
                continue;
            }
            datasets++;
            String code = e.path("code").asText();
            ApiClient.Answer list = r.apiGet("/open/datasets/" + Html.url(code) + "/comments?limit=100");
            b.append("<h2>").append(Html.esc(code)).append(" ").append(Html.esc(e.path("name").asText())).append("</h2>");
            if (!list.ok()) {
                b.append("<p class=\"error\">").append(Html.esc(r.t("error.api", list.message()))).append("</p>");
                continue;
            }
            if (list.body().path("comments").size() == 0) {
                b.append("<p class=\"hint\">").append(Html.esc(r.t("comments.none"))).append("</p>");
                continue;
            }
            b.append("<table class=\"comments\" data-dataset=\"").append(Html.esc(code)).append("\"><tr>");
            for (String h : List.of("comments.posted", "comments.name", "comments.rating", "comments.text", "comments.answer")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode c : list.body().path("comments")) {
                String id = c.path("id").asText();
                b.append("<tr data-comment=\"").append(Html.esc(id)).append("\"><td>").append(Html.esc(Deadlines.dateTime(iso(c, "postedAt"))))
                        .append("</td><td>").append(Html.esc(c.path("name").asText(""))).append("</td><td>")
                        .append(Html.esc(c.path("rating").asText())).append("</td><td>").append(Html.esc(c.path("text").asText()))
                        .append("</td><td>");
                if (c.path("answer").isTextual()) {
                    b.append(Html.esc(c.path("answer").asText()));
                } else {
                    b.append("<form class=\"inline\" method=\"post\" action=\"").append(r.href("/comments/" + Html.url(id) + "/answer"))
                            .append("\">").append(r.csrfField()).append("<input name=\"answer\" required placeholder=\"")
                            .append(Html.esc(r.t("comments.answer"))).append("\"> <button type=\"submit\">")
                            .append(Html.esc(r.t("comments.send"))).append("</button></form>");
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
        }
        if (datasets == 0) {
            b.append("<p id=\"comments-none\">").append(Html.esc(r.t("comments.noDatasets"))).append("</p>");
        }
        r.render("comments.title", b.toString());
    }

    private static void answerComment(ConsoleRequest r) {
        String id = r.path("id");
        String text = r.form("answer").orElse("");
        if (text.isEmpty()) {
            r.flash(r.t("comments.needsAnswer"), true);
            r.redirect("/comments");
            return;
        }
        ApiClient.Answer answer = r.apiPost("/api/v1/comments/" + Html.url(id) + "/answer", ApiClient.object().put("answer", text));
        r.flash(answer.ok() ? r.t("comments.answered", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/comments");
    }

    // ---- helpers

    /** An ISO-8601 instant member (the public requests' and comments' JSON); null when absent or not one. */
    private static Instant iso(JsonNode record, String field) {
        JsonNode v = record.path(field);
        if (!v.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void field(StringBuilder b, String label, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        b.append("<dt>").append(Html.esc(label)).append("</dt><dd>").append(Html.esc(value)).append("</dd>");
    }
}
