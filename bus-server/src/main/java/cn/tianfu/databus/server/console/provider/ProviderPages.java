package cn.tianfu.databus.server.console.provider;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * A providing department's pages (Art. 26): the requests on its resources, pending ones first by due date and overdue
 * ones in red; one request with the decision form (the resource's data items to pick, a row filter, an end date); and
 * the grants on its resources with revocation. A decision is {@code POST /api/v1/requests/{id}/decision} as the
 * department, so governance type-checks the row filter against the resource's schema and its refusal is shown on the
 * form with what was entered.
 */
public final class ProviderPages implements ConsoleFeature {

    /** What the decision form had, to show again when governance refuses it. */
    private record Entered(List<String> fields, String filter, String until, String reason, String rate, String daily) {
    }

    /** What the narrowing form had, to show again when governance refuses it. */
    private record Narrowing(List<String> fields, String filter, List<String> clear, String reason) {
    }

    @Override
    public void register(ConsolePages pages) {
        pages.get("/incoming", ProviderPages::incoming)
                .get("/incoming/{id}", r -> request(r, null, null))
                .post("/incoming/{id}/decision", ProviderPages::decide)
                .get("/grants/provided", ProviderPages::provided)
                .post("/grants/{id}/revoke", ProviderPages::revoke)
                .get("/grants/{id}/narrow", r -> narrowForm(r, null, null))
                .post("/grants/{id}/narrow", ProviderPages::narrow)
                .menu(ConsolePages.Section.PROVIDER, "/incoming", "menu.incoming", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.PROVIDER, "/grants/provided", "menu.grantsProvided", ConsolePages.Audience.DEPARTMENT);
    }

    private static void incoming(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.REQUESTS + "?role=incoming");
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        Instant now = r.services().clock().instant();
        List<JsonNode> pending = new ArrayList<>();
        List<JsonNode> decided = new ArrayList<>();
        answer.body().forEach(q -> (q.path("status").asText().equals("PENDING") ? pending : decided).add(q));
        pending.sort(Comparator.comparing((JsonNode q) -> {
            Instant due = ApiClient.instant(q, "dueAt");
            return due == null ? Instant.MAX : due;
        }).thenComparing(q -> q.path("requestId").asText()));
        java.util.Collections.reverse(decided);
        StringBuilder b = new StringBuilder("<h2>").append(Html.esc(r.t("incoming.pending"))).append("</h2>");
        if (pending.isEmpty()) {
            b.append("<p id=\"incoming-none\">").append(Html.esc(r.t("incoming.none"))).append("</p>");
        } else {
            b.append("<table id=\"incoming\"><tr>");
            for (String h : List.of("request.id", "request.resource", "grant.consumer", "request.purpose", "request.filed", "request.due",
                    "request.daysLeft")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode q : pending) {
                Instant due = ApiClient.instant(q, "dueAt");
                boolean late = Deadlines.overdue(now, due);
                String id = q.path("requestId").asText();
                b.append("<tr data-request=\"").append(Html.esc(id)).append("\"").append(late ? " class=\"overdue\"" : "").append("><td><a href=\"")
                        .append(r.href("/incoming/" + Html.url(id))).append("\">").append(Html.esc(id)).append("</a></td><td>")
                        .append(Html.esc(q.path("resourceCode").asText())).append("</td><td>").append(Html.esc(q.path("consumer").asText()))
                        .append("</td><td>").append(Html.esc(q.path("purpose").asText())).append("</td><td>")
                        .append(Html.esc(Deadlines.dateTime(ApiClient.instant(q, "filedAt")))).append("</td><td class=\"due\">")
                        .append(Html.esc(Deadlines.date(due))).append("</td><td class=\"days-left\">");
                if (due != null) {
                    int left = Deadlines.workingDaysLeft(r.services().calendar().get(), now, due);
                    b.append(Html.esc(left >= 0 && !late ? r.t("request.daysLeftValue", left) : r.t("request.overdueBy", Math.max(0, -left))));
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
        }
        if (!decided.isEmpty()) {
            b.append("<h2>").append(Html.esc(r.t("incoming.decided"))).append("</h2><table id=\"decided\"><tr>");
            for (String h : List.of("request.id", "request.resource", "grant.consumer", "request.purpose", "request.status", "request.decision")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode q : decided) {
                String id = q.path("requestId").asText();
                b.append("<tr data-request=\"").append(Html.esc(id)).append("\"><td><a href=\"").append(r.href("/incoming/" + Html.url(id)))
                        .append("\">").append(Html.esc(id)).append("</a></td><td>").append(Html.esc(q.path("resourceCode").asText()))
                        .append("</td><td>").append(Html.esc(q.path("consumer").asText())).append("</td><td>")
                        .append(Html.esc(q.path("purpose").asText())).append("</td><td>")
                        .append(Html.esc(Enums.label(r, "requestStatus", q.path("status").asText()))).append("</td><td>")
                        .append(Html.esc(Deadlines.dateTime(ApiClient.instant(q, "decidedAt")))).append(" ")
                        .append(Html.esc(ApiClient.text(q, "decisionReason"))).append("</td></tr>");
            }
            b.append("</table>");
        }
        r.render("incoming.title", b.toString());
    }

    /** One incoming request: only its provider opens it here (another department gets 403, an unknown id 404). */
    private static JsonNode incomingRequest(ConsoleRequest r, String id) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.REQUESTS + "/" + Html.url(id));
        if (answer.status() == 404) {
            throw new ConsoleException(404, "error.notFound");
        }
        if (answer.status() == 403) {
            throw new ConsoleException(403, "error.forbidden", answer.message());
        }
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        if (!answer.body().path("provider").asText().equals(r.caller().name())) {
            throw new ConsoleException(403, "error.forbidden", r.t("incoming.notProvider", id));
        }
        return answer.body();
    }

    private static void request(ConsoleRequest r, Entered entered, String error) {
        String id = r.path("id");
        JsonNode q = incomingRequest(r, id);
        Instant now = r.services().clock().instant();
        Instant due = ApiClient.instant(q, "dueAt");
        String status = q.path("status").asText();
        String resource = q.path("resourceCode").asText();
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"decision-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<dl class=\"fields\" id=\"request\">");
        field(b, r.t("request.id"), id);
        field(b, r.t("request.resource"), resource);
        field(b, r.t("grant.consumer"), q.path("consumer").asText());
        field(b, r.t("request.purpose"), q.path("purpose").asText());
        field(b, r.t("request.legalBasis"), ApiClient.text(q, "legalBasis"));
        List<String> requested = ApiClient.strings(q, "requestedFields");
        field(b, r.t("request.fields"), requested.isEmpty() ? r.t("grant.allFields") : String.join(", ", requested));
        field(b, r.t("request.status"), Enums.label(r, "requestStatus", status));
        field(b, r.t("request.filed"), Deadlines.dateTime(ApiClient.instant(q, "filedAt")));
        if (due != null) {
            boolean late = status.equals("PENDING") && Deadlines.overdue(now, due);
            b.append("<dt>").append(Html.esc(r.t("request.due"))).append("</dt><dd id=\"due\"").append(late ? " class=\"overdue\"" : "").append(">")
                    .append(Html.esc(Deadlines.date(due)));
            if (status.equals("PENDING")) {
                int left = Deadlines.workingDaysLeft(r.services().calendar().get(), now, due);
                b.append(" (").append(Html.esc(left >= 0 && !late ? r.t("request.daysLeftValue", left) : r.t("request.overdueBy", Math.max(0, -left))))
                        .append(")");
            }
            b.append("</dd>");
        }
        field(b, r.t("request.decision"), ApiClient.text(q, "decisionReason"));
        field(b, r.t("grant.id"), ApiClient.text(q, "grantId"));
        b.append("</dl>");
        if (status.equals("PENDING")) {
            decisionForm(r, id, resource, requested, entered, b);
        }
        r.render(error == null ? 200 : 400, "incoming.requestTitle", b.toString());
    }

    private static void decisionForm(ConsoleRequest r, String id, String resource, List<String> requested, Entered entered, StringBuilder b) {
        ApiClient.Answer entry = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(resource));
        String action = r.href("/incoming/" + Html.url(id) + "/decision");
        b.append("<h2>").append(Html.esc(r.t("decide.approveTitle"))).append("</h2><form method=\"post\" action=\"").append(action)
                .append("\" id=\"approve-form\">").append(r.csrfField()).append("<input type=\"hidden\" name=\"approve\" value=\"true\">")
                .append("<fieldset id=\"fields\"><legend>").append(Html.esc(r.t("decide.fields"))).append("</legend>");
        if (entry.ok()) {
            for (JsonNode item : entry.body().path("dataItems")) {
                String name = item.path("name").asText();
                boolean checked = entered != null ? entered.fields().contains(name) : requested.isEmpty() || requested.contains(name);
                b.append("<label class=\"check\"><input type=\"checkbox\" name=\"fields\" value=\"").append(Html.esc(name)).append("\" id=\"field-")
                        .append(Html.esc(name)).append("\"").append(checked ? " checked" : "").append("> ").append(Html.esc(name)).append(" ")
                        .append(Html.esc(item.path("displayName").asText()))
                        .append(item.path("key").asBoolean() ? " <span class=\"key\">" + Html.esc(r.t("decide.keyField")) + "</span>" : "")
                        .append(" <span class=\"hint\">")
                        .append(Html.esc(item.path("type").asText())).append(", ")
                        .append(Html.esc(Enums.label(r, "sensitivity", item.path("sensitivity").asText()))).append("</span></label>");
            }
        }
        b.append("</fieldset><label>").append(Html.esc(r.t("decide.filter"))).append("<input name=\"filter\" id=\"filter\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.filter())).append("\" placeholder=\"divisionCode.startsWith('5101')\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("decide.filterHint"))).append("</p>")
                .append("<label>").append(Html.esc(r.t("decide.until"))).append("<input type=\"date\" name=\"until\" id=\"until\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.until())).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("decide.reason"))).append("<input name=\"reason\" id=\"approve-reason\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.reason())).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("decide.rateLimit"))).append("<input type=\"number\" min=\"1\" name=\"rateLimit\" id=\"rate-limit\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.rate())).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("decide.dailyLimit"))).append("<input type=\"number\" min=\"1\" name=\"dailyLimit\" id=\"daily-limit\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.daily())).append("\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("decide.limitsHint"))).append("</p>")
                .append("<button type=\"submit\" id=\"approve\">").append(Html.esc(r.t("decide.approve"))).append("</button></form>");
        b.append("<h2>").append(Html.esc(r.t("decide.rejectTitle"))).append("</h2><form method=\"post\" action=\"").append(action)
                .append("\" id=\"reject-form\">").append(r.csrfField()).append("<input type=\"hidden\" name=\"approve\" value=\"false\">")
                .append("<label>").append(Html.esc(r.t("decide.rejectReason"))).append("<input name=\"reason\" id=\"reject-reason\" required></label>")
                .append("<button type=\"submit\" class=\"danger\" id=\"reject\">").append(Html.esc(r.t("decide.reject"))).append("</button></form>");
    }

    private static void decide(ConsoleRequest r) {
        String id = r.path("id");
        incomingRequest(r, id);   // 403 / 404 before anything is sent
        boolean approve = r.form("approve").orElse("").equals("true");
        String reason = r.form("reason").orElse("");
        ObjectNode body = ApiClient.object().put("approve", approve);
        Entered entered = null;
        if (approve) {
            List<String> fields = r.formList("fields");
            String filter = r.form("filter").orElse("");
            String until = r.form("until").orElse("");
            String rate = r.form("rateLimit").orElse("");
            String daily = r.form("dailyLimit").orElse("");
            entered = new Entered(fields, filter, until, reason, rate, daily);
            if (fields.isEmpty()) {
                request(r, entered, r.t("decide.noFields"));
                return;
            }
            for (String limit : List.of(rate, daily)) {
                if (!limit.isEmpty() && !limit.matches("[1-9][0-9]{0,17}")) {
                    request(r, entered, r.t("decide.badLimit", limit));
                    return;
                }
            }
            if (!rate.isEmpty()) {
                body.put("rateLimit", Long.parseLong(rate));
            }
            if (!daily.isEmpty()) {
                body.put("dailyLimit", Long.parseLong(daily));
            }
            ArrayNode list = body.putArray("fields");
            fields.forEach(list::add);
            if (!filter.isEmpty()) {
                body.put("filter", filter);
            }
            if (!until.isEmpty()) {
                body.put("until", until);
            }
        }
        if (!reason.isEmpty()) {
            body.put("reason", reason);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.REQUESTS + "/" + Html.url(id) + "/decision", body);
        if (answer.ok()) {
            r.flash(approve ? r.t("decide.approved", id, ApiClient.text(answer.body(), "grantId")) : r.t("decide.rejected", id), false);
            r.redirect("/incoming");
            return;
        }
        request(r, entered, r.t("error.api", answer.message()));
    }

    private static void provided(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.GRANTS + "?role=provider");
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        StringBuilder b = new StringBuilder();
        if (answer.body().size() == 0) {
            b.append("<p id=\"grants-none\">").append(Html.esc(r.t("grants.none"))).append("</p>");
            r.render("grants.providedTitle", b.toString());
            return;
        }
        b.append("<table id=\"provided-grants\"><tr>");
        for (String h : List.of("grant.id", "request.resource", "grant.consumer", "grant.purpose", "grant.fields", "grant.filter", "grant.status",
                "grant.until", "grant.limits", "grant.revoke")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode g : answer.body()) {
            String id = g.path("grantId").asText();
            List<String> fields = ApiClient.strings(g, "allowedFields");
            Instant until = ApiClient.instant(g, "validUntil");
            String status = g.path("status").asText();
            b.append("<tr data-grant=\"").append(Html.esc(id)).append("\"><td>").append(Html.esc(id)).append("</td><td>")
                    .append(Html.esc(g.path("resourceCode").asText())).append("</td><td>").append(Html.esc(g.path("consumer").asText()))
                    .append("</td><td>").append(Html.esc(g.path("purpose").asText())).append("</td><td class=\"fields\">")
                    .append(Html.esc(fields.isEmpty() ? r.t("grant.allFields") : String.join(", ", fields))).append("</td><td class=\"filter\">")
                    .append(Html.esc(ApiClient.text(g, "rowFilter"))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "grantStatus", status))).append("</td><td>")
                    .append(Html.esc(until == null ? r.t("grant.noEnd") : Deadlines.date(until))).append("</td><td class=\"limits\">")
                    .append(Html.esc(limits(r, g))).append("</td><td>");
            if (status.equals("ACTIVE")) {
                b.append("<a class=\"narrow\" href=\"").append(r.href("/grants/" + Html.url(id) + "/narrow")).append("\">")
                        .append(Html.esc(r.t("narrow.link"))).append("</a> ");
                b.append("<form class=\"inline\" method=\"post\" action=\"").append(r.href("/grants/" + Html.url(id) + "/revoke"))
                        .append("\" data-confirm=\"").append(Html.esc(r.t("grant.revokeConfirm", id))).append("\">").append(r.csrfField())
                        .append("<input name=\"reason\" required placeholder=\"").append(Html.esc(r.t("grant.revokeReason"))).append("\"> ")
                        .append("<button type=\"submit\" class=\"danger\">").append(Html.esc(r.t("grant.revoke"))).append("</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        r.render("grants.providedTitle", b.toString());
    }

    private static void revoke(ConsoleRequest r) {
        String id = r.path("id");
        String reason = r.form("reason").orElse("");
        if (reason.isEmpty()) {
            r.flash(r.t("grant.revokeNeedsReason"), true);
            r.redirect("/grants/provided");
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.GRANTS + "/" + Html.url(id) + "/revoke", ApiClient.object().put("reason", reason));
        r.flash(answer.ok() ? r.t("grant.revoked", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/grants/provided");
    }

    /** The grant's service limits: per minute and per day, or the bus's defaults. */
    private static String limits(ConsoleRequest r, JsonNode g) {
        String rate = ApiClient.text(g, "rateLimit");
        String daily = ApiClient.text(g, "dailyLimit");
        if (rate.isEmpty() && daily.isEmpty()) {
            return r.t("grant.defaultLimits");
        }
        return r.t("grant.limitsValue", rate.isEmpty() ? "-" : rate, daily.isEmpty() ? "-" : daily);
    }

    /** An active grant on one of the signed-in department's resources; 404 for any other grant. */
    private static JsonNode providedGrant(ConsoleRequest r, String id) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.GRANTS + "?role=provider");
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        for (JsonNode g : answer.body()) {
            if (g.path("grantId").asText().equals(id)) {
                return g;
            }
        }
        throw new ConsoleException(404, "error.notFound");
    }

    private static void narrowForm(ConsoleRequest r, Narrowing entered, String error) {
        String id = r.path("id");
        JsonNode g = providedGrant(r, id);
        String resource = g.path("resourceCode").asText();
        List<String> allowed = ApiClient.strings(g, "allowedFields");
        List<String> clear = ApiClient.strings(g, "clearFields");
        ApiClient.Answer entry = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(resource));
        List<JsonNode> items = new ArrayList<>();
        if (entry.ok()) {
            entry.body().path("dataItems").forEach(items::add);
        }
        if (allowed.isEmpty()) {
            items.forEach(i -> allowed.add(i.path("name").asText()));
        }
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"narrow-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<dl class=\"fields\" id=\"grant\">");
        field(b, r.t("grant.id"), id);
        field(b, r.t("request.resource"), resource);
        field(b, r.t("grant.consumer"), g.path("consumer").asText());
        field(b, r.t("grant.purpose"), g.path("purpose").asText());
        field(b, r.t("grant.fields"), String.join(", ", allowed));
        field(b, r.t("grant.filter"), ApiClient.text(g, "rowFilter"));
        field(b, r.t("narrow.clearNow"), String.join(", ", clear));
        field(b, r.t("grant.status"), Enums.label(r, "grantStatus", g.path("status").asText()));
        b.append("</dl>");
        if (!g.path("status").asText().equals("ACTIVE")) {
            r.render(error == null ? 200 : 400, "narrow.title", b.toString());
            return;
        }
        b.append("<p class=\"hint\">").append(Html.esc(r.t("narrow.intro"))).append("</p><form method=\"post\" action=\"")
                .append(r.href("/grants/" + Html.url(id) + "/narrow")).append("\" id=\"narrow-form\">").append(r.csrfField())
                .append("<fieldset id=\"fields\"><legend>").append(Html.esc(r.t("narrow.fields"))).append("</legend>");
        for (JsonNode item : items) {
            String name = item.path("name").asText();
            if (!allowed.contains(name)) {
                continue;
            }
            boolean checked = entered == null || entered.fields().contains(name);
            b.append("<label class=\"check\"><input type=\"checkbox\" name=\"fields\" value=\"").append(Html.esc(name))
                    .append("\" id=\"field-").append(Html.esc(name)).append("\"").append(checked ? " checked" : "").append("> ")
                    .append(Html.esc(name)).append(" ").append(Html.esc(item.path("displayName").asText()))
                    .append(item.path("key").asBoolean() ? " <span class=\"key\">" + Html.esc(r.t("decide.keyField")) + "</span>" : "")
                    .append("</label>");
        }
        b.append("</fieldset>");
        if (!clear.isEmpty()) {
            b.append("<fieldset id=\"clear\"><legend>").append(Html.esc(r.t("narrow.clear"))).append("</legend>");
            for (String name : clear) {
                boolean checked = entered == null || entered.clear().contains(name);
                b.append("<label class=\"check\"><input type=\"checkbox\" name=\"clear\" value=\"").append(Html.esc(name))
                        .append("\" id=\"clear-").append(Html.esc(name)).append("\"").append(checked ? " checked" : "").append("> ")
                        .append(Html.esc(name)).append("</label>");
            }
            b.append("</fieldset>");
        }
        b.append("<label>").append(Html.esc(r.t("narrow.filter"))).append("<input name=\"filter\" id=\"filter\" value=\"")
                .append(Html.esc(entered == null ? "" : entered.filter())).append("\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("narrow.filterHint"))).append("</p>")
                .append("<label>").append(Html.esc(r.t("narrow.reason"))).append("<input name=\"reason\" id=\"narrow-reason\" required value=\"")
                .append(Html.esc(entered == null ? "" : entered.reason())).append("\"></label>")
                .append("<button type=\"submit\" id=\"narrow\">").append(Html.esc(r.t("narrow.submit"))).append("</button></form>");
        r.render(error == null ? 200 : 400, "narrow.title", b.toString());
    }

    private static void narrow(ConsoleRequest r) {
        String id = r.path("id");
        JsonNode g = providedGrant(r, id);
        List<String> allowed = ApiClient.strings(g, "allowedFields");
        if (allowed.isEmpty()) {
            // every field of the resource is allowed now
            ApiClient.Answer entry = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(g.path("resourceCode").asText()));
            entry.body().path("dataItems").forEach(i -> allowed.add(i.path("name").asText()));
        }
        List<String> clearNow = ApiClient.strings(g, "clearFields");
        List<String> fields = r.formList("fields");
        List<String> clear = r.formList("clear");
        String filter = r.form("filter").orElse("");
        String reason = r.form("reason").orElse("");
        Narrowing entered = new Narrowing(fields, filter, clear, reason);
        if (fields.isEmpty()) {
            narrowForm(r, entered, r.t("decide.noFields"));
            return;
        }
        boolean fewerFields = !new java.util.HashSet<>(fields).containsAll(allowed);
        boolean fewerClear = !new java.util.HashSet<>(clear).containsAll(clearNow);
        if (!fewerFields && !fewerClear && filter.isEmpty()) {
            narrowForm(r, entered, r.t("narrow.nothing"));
            return;
        }
        if (reason.isEmpty()) {
            narrowForm(r, entered, r.t("narrow.needsReason"));
            return;
        }
        ObjectNode body = ApiClient.object();
        if (fewerFields) {
            ArrayNode list = body.putArray("fields");
            fields.forEach(list::add);
        }
        if (fewerClear) {
            ArrayNode list = body.putArray("clear");
            clear.forEach(list::add);
        }
        if (!filter.isEmpty()) {
            body.put("filter", filter);
        }
        body.put("reason", reason);
        ApiClient.Answer answer = r.apiPost(ApiPaths.GRANTS + "/" + Html.url(id) + "/narrow", body);
        if (!answer.ok()) {
            narrowForm(r, entered, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("narrow.done", id), false);
        r.redirect("/grants/provided");
    }

    private static void field(StringBuilder b, String label, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        b.append("<dt>").append(Html.esc(label)).append("</dt><dd>").append(Html.esc(value)).append("</dd>");
    }
}
