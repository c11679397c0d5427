package cn.tianfu.databus.server.console.consumer;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

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
 * A using department's pages (Art. 25–26, 30): request access with a stated purpose, follow its requests (status, due
 * date and the working days left, counted on governance's calendar) and see its grants with the records delivered. The
 * request is {@code POST /api/v1/requests} as the department.
 */
public final class ConsumerPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/requests/new", r -> requestForm(r, r.query("resource").orElse(""), "", "", null))
                .post("/requests", ConsumerPages::request)
                .get("/requests/mine", ConsumerPages::myRequests)
                .get("/grants/mine", ConsumerPages::myGrants)
                .post("/requests/{id}/withdraw", ConsumerPages::withdraw)
                .post("/grants/{id}/give-up", ConsumerPages::giveUp)
                .menu(ConsolePages.Section.CONSUMER, "/requests/new", "menu.requestNew", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.CONSUMER, "/requests/mine", "menu.requestsMine", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.CONSUMER, "/grants/mine", "menu.grantsMine", ConsolePages.Audience.DEPARTMENT);
    }

    private static void requestForm(ConsoleRequest r, String resource, String purpose, String legalBasis, String error) {
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"request-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<form method=\"post\" action=\"").append(r.href("/requests")).append("\" id=\"request-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("request.resource"))).append("<input name=\"resource\" id=\"resource\" required value=\"")
                .append(Html.esc(resource)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("request.purpose"))).append("<textarea name=\"purpose\" id=\"purpose\" required>")
                .append(Html.esc(purpose)).append("</textarea></label>")
                .append("<label>").append(Html.esc(r.t("request.legalBasis"))).append("<input name=\"legalBasis\" id=\"legal-basis\" value=\"")
                .append(Html.esc(legalBasis)).append("\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("request.hint"))).append("</p>")
                .append("<button type=\"submit\" id=\"request-submit\">").append(Html.esc(r.t("request.submit"))).append("</button></form>");
        r.render(error == null ? 200 : 400, "request.title", b.toString());
    }

    private static void request(ConsoleRequest r) {
        String resource = r.form("resource").orElse("");
        String purpose = r.form("purpose").orElse("");
        String legalBasis = r.form("legalBasis").orElse("");
        if (resource.isEmpty() || purpose.isEmpty()) {
            requestForm(r, resource, purpose, legalBasis, r.t("request.missing"));
            return;
        }
        ObjectNode body = ApiClient.object().put("resource", resource).put("purpose", purpose);
        if (!legalBasis.isEmpty()) {
            body.put("legalBasis", legalBasis);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.REQUESTS, body);
        if (answer.status() == 200) {
            r.flash(r.t("request.granted", ApiClient.text(answer.body(), "grantId")), false);
            r.redirect("/grants/mine");
        } else if (answer.status() == 202) {
            r.flash(r.t("request.pending", ApiClient.text(answer.body(), "requestId")), false);
            r.redirect("/requests/mine");
        } else {
            requestForm(r, resource, purpose, legalBasis, r.t("error.api", answer.message()));
        }
    }

    private static void myRequests(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.REQUESTS + "?role=mine");
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        Instant now = r.services().clock().instant();
        StringBuilder b = new StringBuilder();
        if (answer.body().size() == 0) {
            b.append("<p id=\"requests-none\">").append(Html.esc(r.t("requests.none"))).append("</p>");
            r.render("requests.mineTitle", b.toString());
            return;
        }
        b.append("<table id=\"my-requests\"><tr>");
        for (String h : List.of("request.id", "request.resource", "grant.provider", "request.purpose", "request.status", "request.filed",
                "request.due", "request.daysLeft", "request.decision", "request.withdraw")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        List<JsonNode> rows = new java.util.ArrayList<>();
        answer.body().forEach(rows::add);
        java.util.Collections.reverse(rows);   // the newest first
        for (JsonNode q : rows) {
            String status = q.path("status").asText();
            Instant due = ApiClient.instant(q, "dueAt");
            boolean pending = status.equals("PENDING");
            boolean late = pending && Deadlines.overdue(now, due);
            String id = q.path("requestId").asText();
            b.append("<tr data-request=\"").append(Html.esc(id)).append("\"").append(late ? " class=\"overdue\"" : "").append("><td>")
                    .append(Html.esc(id)).append("</td><td><a href=\"").append(r.href("/catalog/" + Html.url(q.path("resourceCode").asText())))
                    .append("\">").append(Html.esc(q.path("resourceCode").asText())).append("</a></td><td>")
                    .append(Html.esc(q.path("provider").asText())).append("</td><td>").append(Html.esc(q.path("purpose").asText()))
                    .append("</td><td class=\"status\">").append(Html.esc(Enums.label(r, "requestStatus", status))).append("</td><td>")
                    .append(Html.esc(Deadlines.dateTime(ApiClient.instant(q, "filedAt")))).append("</td><td class=\"due\">")
                    .append(Html.esc(Deadlines.date(due))).append("</td><td class=\"days-left\">");
            if (pending && due != null) {
                int left = Deadlines.workingDaysLeft(r.services().calendar().get(), now, due);
                b.append(Html.esc(left >= 0 ? r.t("request.daysLeftValue", left) : r.t("request.overdueBy", -left)));
            }
            b.append("</td><td>").append(Html.esc(ApiClient.text(q, "decisionReason")));
            String grant = ApiClient.text(q, "grantId");
            if (!grant.isEmpty()) {
                b.append(" ").append(Html.esc(r.t("request.grantIs", grant)));
            }
            b.append("</td><td>");
            if (pending) {
                b.append("<form class=\"inline withdraw\" method=\"post\" action=\"").append(r.href("/requests/" + Html.url(id) + "/withdraw"))
                        .append("\" data-confirm=\"").append(Html.esc(r.t("request.withdrawConfirm", id))).append("\">").append(r.csrfField())
                        .append("<input name=\"reason\" placeholder=\"").append(Html.esc(r.t("request.withdrawReason"))).append("\"> ")
                        .append("<button type=\"submit\" class=\"danger\">").append(Html.esc(r.t("request.withdraw"))).append("</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        r.render("requests.mineTitle", b.toString());
    }

    private static void myGrants(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.GRANTS + "?role=consumer");
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        StringBuilder b = new StringBuilder();
        if (answer.body().size() == 0) {
            b.append("<p id=\"grants-none\">").append(Html.esc(r.t("grants.none"))).append("</p>");
            r.render("grants.mineTitle", b.toString());
            return;
        }
        b.append("<table id=\"my-grants\"><tr>");
        for (String h : List.of("grant.id", "request.resource", "grant.provider", "grant.purpose", "grant.fields", "grant.filter",
                "grant.status", "grant.until", "grant.delivered", "grant.giveUp")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        String me = r.caller().name();
        for (JsonNode g : answer.body()) {
            String resource = g.path("resourceCode").asText();
            List<String> fields = ApiClient.strings(g, "allowedFields");
            Instant until = ApiClient.instant(g, "validUntil");
            OptionalLong delivered = r.services().deliveries().count(me, resource);
            b.append("<tr data-grant=\"").append(Html.esc(g.path("grantId").asText())).append("\"><td>").append(Html.esc(g.path("grantId").asText()))
                    .append("</td><td><a href=\"").append(r.href("/catalog/" + Html.url(resource))).append("\">").append(Html.esc(resource))
                    .append("</a></td><td>").append(Html.esc(g.path("provider").asText())).append("</td><td>")
                    .append(Html.esc(g.path("purpose").asText())).append("</td><td class=\"fields\">")
                    .append(Html.esc(fields.isEmpty() ? r.t("grant.allFields") : String.join(", ", fields))).append("</td><td class=\"filter\">")
                    .append(Html.esc(ApiClient.text(g, "rowFilter"))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "grantStatus", g.path("status").asText()))).append("</td><td>")
                    .append(Html.esc(until == null ? r.t("grant.noEnd") : Deadlines.date(until))).append("</td><td class=\"delivered\">")
                    .append(delivered.isPresent() ? delivered.getAsLong() : "").append("</td><td>");
            String grantId = g.path("grantId").asText();
            if (g.path("status").asText().equals("ACTIVE")) {
                b.append("<form class=\"inline give-up\" method=\"post\" action=\"").append(r.href("/grants/" + Html.url(grantId) + "/give-up"))
                        .append("\" data-confirm=\"").append(Html.esc(r.t("grant.giveUpConfirm", grantId))).append("\">").append(r.csrfField())
                        .append("<input name=\"reason\" required placeholder=\"").append(Html.esc(r.t("grant.giveUpReason"))).append("\"> ")
                        .append("<button type=\"submit\" class=\"danger\">").append(Html.esc(r.t("grant.giveUp"))).append("</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table><p class=\"hint\">").append(Html.esc(r.t("grants.deliveredHint"))).append("</p>");
        r.render("grants.mineTitle", b.toString());
    }

    /** {@code POST /api/v1/requests/{id}/withdraw} as the department (governance refuses another's or a decided request). */
    private static void withdraw(ConsoleRequest r) {
        String id = r.path("id");
        ObjectNode body = ApiClient.object();
        r.form("reason").ifPresent(reason -> body.put("reason", reason));
        ApiClient.Answer answer = r.apiPost(ApiPaths.REQUESTS + "/" + Html.url(id) + "/withdraw", body);
        r.flash(answer.ok() ? r.t("request.withdrawn", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/requests/mine");
    }

    /** The consumer gives up a grant it receives: {@code POST /api/v1/grants/{id}/revoke}, as {@code databus revoke} does. */
    private static void giveUp(ConsoleRequest r) {
        String id = r.path("id");
        String reason = r.form("reason").orElse("");
        if (reason.isEmpty()) {
            r.flash(r.t("grant.giveUpNeedsReason"), true);
            r.redirect("/grants/mine");
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.GRANTS + "/" + Html.url(id) + "/revoke", ApiClient.object().put("reason", reason));
        r.flash(answer.ok() ? r.t("grant.givenUp", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/grants/mine");
    }
}
