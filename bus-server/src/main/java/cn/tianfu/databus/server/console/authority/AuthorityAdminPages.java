package cn.tianfu.databus.server.console.authority;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleException;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Deadlines;
import cn.tianfu.databus.server.console.Html;

/**
 * What the public data authority administers from the console (the bus's own principal): adding a department (its
 * client config is the form's answer, a file downloaded once: the bus keeps only a verifier of the password), the
 * expert committee (list, add), catalogue-update notices (give one, see all), the review of providers' answers to the
 * public's requests (record the committee's opinion, uphold or overturn) and the quality evaluation of the resources.
 * Each reads and acts through the HTTP API's authority routes, which refuse anyone else (403).
 */
public final class AuthorityAdminPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.post("/authority/departments", AuthorityAdminPages::addDepartment)
                .get("/authority/experts", r -> experts(r, "", "", null))
                .post("/authority/experts", AuthorityAdminPages::addExpert)
                .get("/authority/notices", r -> notices(r, r.query("department").orElse(""), "", null))
                .post("/authority/notices", AuthorityAdminPages::notice)
                .get("/authority/public-requests", AuthorityAdminPages::publicRequests)
                .post("/authority/public-requests/{id}/review-opinion", AuthorityAdminPages::reviewOpinion)
                .post("/authority/public-requests/{id}/review", AuthorityAdminPages::review)
                .get("/authority/quality", AuthorityAdminPages::quality)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/notices", "menu.authority.notices", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/experts", "menu.authority.experts", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/public-requests", "menu.authority.publicRequests",
                        ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/quality", "menu.authority.quality", ConsolePages.Audience.AUTHORITY);
    }

    private static JsonNode read(ConsoleRequest r, String path) {
        ApiClient.Answer answer = r.apiGet(path);
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        return answer.body();
    }

    // ---- departments

    /** The form that adds a department, shown under the list of departments. */
    static String departmentForm(ConsoleRequest r, String id, String name, String code, String error) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>").append(Html.esc(r.t("authority.dept.addTitle"))).append("</h2>");
        if (error != null) {
            b.append("<div class=\"error\" id=\"dept-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<form method=\"post\" action=\"").append(r.href("/authority/departments")).append("\" id=\"dept-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("authority.dept.id"))).append("<input name=\"id\" id=\"dept-id\" required value=\"")
                .append(Html.esc(id)).append("\" pattern=\"[a-z][a-z0-9-]{1,31}\"></label>")
                .append("<label>").append(Html.esc(r.t("authority.dept.name"))).append("<input name=\"name\" id=\"dept-name\" required value=\"")
                .append(Html.esc(name)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("authority.dept.code"))).append("<input name=\"code\" id=\"dept-code\" value=\"")
                .append(Html.esc(code)).append("\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("authority.dept.addHint"))).append("</p>")
                .append("<button type=\"submit\" id=\"dept-submit\">").append(Html.esc(r.t("authority.dept.add"))).append("</button></form>");
        return b.toString();
    }

    private static void addDepartment(ConsoleRequest r) {
        String id = r.form("id").orElse("");
        String name = r.form("name").orElse("");
        String code = r.form("code").orElse("");
        if (id.isEmpty() || name.isEmpty()) {
            AuthorityPages.departments(r, departmentForm(r, id, name, code, r.t("authority.dept.missing")), 400);
            return;
        }
        ObjectNode body = ApiClient.object().put("id", id).put("name", name);
        if (!code.isEmpty()) {
            body.put("code", code);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.DEPARTMENTS, body);
        if (!answer.ok()) {
            AuthorityPages.departments(r, departmentForm(r, id, name, code, r.t("error.api", answer.message())), answer.status());
            return;
        }
        download(r, id + ".properties", answer.body().path("clientConfig").asText());
    }

    /** The answer to the form is the client config itself, as a file: its password is in it, and nowhere else. */
    private static void download(ConsoleRequest r, String file, String text) {
        r.ctx().status(200).contentType("text/plain; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + file.replaceAll("[^A-Za-z0-9_.-]", "_") + "\"")
                .result(text.getBytes(StandardCharsets.UTF_8));
    }

    // ---- experts

    private static void experts(ConsoleRequest r, String id, String name, String error) {
        StringBuilder b = new StringBuilder();
        AuthorityPages.Table t = new AuthorityPages.Table(b, "experts", r, "authority.expert.id", "authority.expert.principal",
                "authority.expert.name", "authority.expert.created");
        for (JsonNode e : read(r, ApiPaths.EXPERTS)) {
            t.row(e.path("id").asText(), e.path("principal").asText(), ApiClient.text(e, "name"), ApiClient.text(e, "created"));
        }
        t.end(r, "authority.none");
        b.append("<h2>").append(Html.esc(r.t("authority.expert.addTitle"))).append("</h2>");
        if (error != null) {
            b.append("<div class=\"error\" id=\"expert-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<form method=\"post\" action=\"").append(r.href("/authority/experts")).append("\" id=\"expert-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("authority.expert.id"))).append("<input name=\"id\" id=\"expert-id\" required value=\"")
                .append(Html.esc(id)).append("\" pattern=\"[a-z][a-z0-9-]{1,23}\"></label>")
                .append("<label>").append(Html.esc(r.t("authority.expert.name"))).append("<input name=\"name\" id=\"expert-name\" value=\"")
                .append(Html.esc(name)).append("\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("authority.expert.addHint"))).append("</p>")
                .append("<button type=\"submit\" id=\"expert-submit\">").append(Html.esc(r.t("authority.expert.add"))).append("</button></form>");
        r.render(error == null ? 200 : 400, "authority.experts.title", b.toString());
    }

    private static void addExpert(ConsoleRequest r) {
        String id = r.form("id").orElse("");
        String name = r.form("name").orElse("");
        if (id.isEmpty()) {
            experts(r, id, name, r.t("authority.expert.missing"));
            return;
        }
        ObjectNode body = ApiClient.object().put("id", id);
        if (!name.isEmpty()) {
            body.put("name", name);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.EXPERTS, body);
        if (!answer.ok()) {
            experts(r, id, name, r.t("error.api", answer.message()));
            return;
        }
        download(r, "expert-" + answer.body().path("expert").path("id").asText(id) + ".properties",
                answer.body().path("clientConfig").asText());
    }

    // ---- catalogue-update notices

    private static void notices(ConsoleRequest r, String department, String reason, String error) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>").append(Html.esc(r.t("authority.notice.giveTitle"))).append("</h2>");
        if (error != null) {
            b.append("<div class=\"error\" id=\"notice-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<form method=\"post\" action=\"").append(r.href("/authority/notices")).append("\" id=\"notice-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("authority.notice.department"))).append("<select name=\"department\" id=\"notice-department\" required>");
        for (JsonNode d : read(r, ApiPaths.DEPARTMENTS)) {
            String id = d.path("id").asText();
            b.append("<option value=\"").append(Html.esc(id)).append("\"").append(id.equals(department) ? " selected" : "").append(">")
                    .append(Html.esc(id)).append(" ").append(Html.esc(d.path("name").asText())).append("</option>");
        }
        b.append("</select></label><label>").append(Html.esc(r.t("authority.notice.reason")))
                .append("<textarea name=\"reason\" id=\"notice-reason\" required>").append(Html.esc(reason)).append("</textarea></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("authority.notice.hint"))).append("</p>")
                .append("<button type=\"submit\" id=\"notice-submit\">").append(Html.esc(r.t("authority.notice.give"))).append("</button></form>");
        b.append("<h2>").append(Html.esc(r.t("authority.board.notices"))).append("</h2>");
        AuthorityPages.Table n = new AuthorityPages.Table(b, "notices", r, "authority.notice.id", "authority.notice.department",
                "authority.notice.reason", "authority.notice.due", "authority.notice.status");
        for (JsonNode x : read(r, ApiPaths.NOTICES)) {
            n.row(x.path("id").asText(), x.path("department").asText(), x.path("reason").asText(),
                    Deadlines.dateTime(ApiClient.instant(x, "dueAt")), x.path("status").asText());
        }
        n.end(r, "authority.none");
        r.render(error == null ? 200 : 400, "authority.notices.title", b.toString());
    }

    private static void notice(ConsoleRequest r) {
        String department = r.form("department").orElse("");
        String reason = r.form("reason").orElse("");
        if (department.isEmpty() || reason.isEmpty()) {
            notices(r, department, reason, r.t("authority.notice.missing"));
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.NOTICES, ApiClient.object().put("department", department).put("reason", reason));
        if (!answer.ok()) {
            notices(r, department, reason, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("authority.notice.given", department, ApiClient.text(answer.body(), "subjectId")), false);
        r.redirect("/authority/notices");
    }

    // ---- the review of answers to the public's requests (Art. 34)

    private static void publicRequests(ConsoleRequest r) {
        StringBuilder b = new StringBuilder();
        AuthorityPages.Table t = new AuthorityPages.Table(b, "public-requests", r, "authority.public.id", "authority.public.provider",
                "authority.public.title2", "authority.public.requester", "authority.public.due", "authority.public.status",
                "authority.public.answer", "authority.public.review", "authority.public.act");
        for (JsonNode x : read(r, ApiPaths.PUBLIC_REQUESTS)) {
            String id = x.path("id").asText();
            String review = ApiClient.text(x, "review");
            boolean open = !review.isEmpty() && !review.startsWith("UPHELD") && !review.startsWith("OVERTURNED");
            StringBuilder act = new StringBuilder();
            if (open) {
                String base = "/authority/public-requests/" + Html.url(id) + "/";
                if (ApiClient.text(x, "reviewOpinion").isEmpty()) {
                    act.append("<form class=\"inline review-opinion\" method=\"post\" action=\"").append(r.href(base + "review-opinion"))
                            .append("\">").append(r.csrfField()).append("<input name=\"text\" required placeholder=\"")
                            .append(Html.esc(r.t("authority.public.opinionText"))).append("\"> <button type=\"submit\">")
                            .append(Html.esc(r.t("authority.public.recordOpinion"))).append("</button></form>");
                }
                act.append("<form class=\"inline review\" method=\"post\" action=\"").append(r.href(base + "review")).append("\">")
                        .append(r.csrfField()).append("<select name=\"decision\"><option value=\"uphold\">")
                        .append(Html.esc(r.t("authority.public.uphold"))).append("</option><option value=\"overturn\">")
                        .append(Html.esc(r.t("authority.public.overturn"))).append("</option></select> <input name=\"reason\" required placeholder=\"")
                        .append(Html.esc(r.t("authority.public.reviewReason"))).append("\"> <button type=\"submit\">")
                        .append(Html.esc(r.t("authority.public.decide"))).append("</button></form>");
            }
            String requester = ApiClient.text(x, "requesterName");
            String contact = ApiClient.text(x, "requesterContact");
            t.rowHtml(Html.esc(id), Html.esc(x.path("provider").asText()), Html.esc(x.path("title").asText()),
                    Html.esc(requester + (contact.isEmpty() ? "" : " (" + contact + ")")),
                    Html.esc(Deadlines.dateTime(java.time.Instant.parse(x.path("dueAt").asText()))), Html.esc(x.path("summary").asText()),
                    Html.esc(ApiClient.text(x, "answer")),
                    Html.esc(review + (ApiClient.text(x, "reviewReason").isEmpty() ? "" : " / " + ApiClient.text(x, "reviewReason"))
                            + (ApiClient.text(x, "reviewOpinion").isEmpty() ? "" : " / " + r.t("authority.public.opinionIs",
                                    ApiClient.text(x, "reviewOpinion")))),
                    act.toString());
        }
        t.end(r, "authority.none");
        r.render("authority.public.title", b.toString());
    }

    private static void reviewOpinion(ConsoleRequest r) {
        String id = r.path("id");
        String text = r.form("text").orElse("");
        if (text.isEmpty()) {
            r.flash(r.t("authority.public.missing"), true);
            r.redirect("/authority/public-requests");
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.PUBLIC_REQUESTS + "/" + Html.url(id) + "/review-opinion", ApiClient.object().put("text", text));
        r.flash(answer.ok() ? r.t("authority.public.opinionRecorded", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/authority/public-requests");
    }

    private static void review(ConsoleRequest r) {
        String id = r.path("id");
        String decision = r.form("decision").orElse("");
        String reason = r.form("reason").orElse("");
        if (reason.isEmpty() || !List.of("uphold", "overturn").contains(decision)) {
            r.flash(r.t("authority.public.missing"), true);
            r.redirect("/authority/public-requests");
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.PUBLIC_REQUESTS + "/" + Html.url(id) + "/review",
                ApiClient.object().put("decision", decision).put("reason", reason));
        r.flash(answer.ok() ? r.t("authority.public.decided", id, r.t("authority.public." + decision)) : r.t("error.api", answer.message()),
                !answer.ok());
        r.redirect("/authority/public-requests");
    }

    // ---- quality (Art. 41)

    private static void quality(ConsoleRequest r) {
        String resource = r.query("resource").orElse("");
        String dept = r.query("dept").orElse("");
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/authority/quality")).append("\"><label>")
                .append(Html.esc(r.t("request.resource"))).append("<input name=\"resource\" id=\"quality-resource\" value=\"")
                .append(Html.esc(resource)).append("\"></label><label>").append(Html.esc(r.t("grant.provider")))
                .append("<input name=\"dept\" id=\"quality-dept\" value=\"").append(Html.esc(dept)).append("\"></label>")
                .append("<button type=\"submit\" id=\"quality-go\">").append(Html.esc(r.t("catalog.go"))).append("</button></form>");
        JsonNode scores = read(r, ApiPaths.QUALITY + "?resource=" + Html.url(resource) + "&dept=" + Html.url(dept));
        AuthorityPages.Table t = new AuthorityPages.Table(b, "quality", r, "request.resource", "grant.provider", "authority.quality.name",
                "authority.quality.overall", "authority.quality.completeness", "authority.quality.validity", "authority.quality.timeliness",
                "authority.quality.availability", "authority.quality.records", "authority.quality.grants", "authority.quality.requests",
                "authority.quality.breaches", "authority.quality.violation", "authority.quality.evaluated");
        for (JsonNode s : scores) {
            List<String> breaches = ApiClient.strings(s, "breaches");
            t.row(s.path("resourceCode").asText(), s.path("provider").asText(), s.path("name").asText(), score(s, "overall"),
                    score(s, "completeness"), score(s, "validity"), score(s, "timeliness"), score(s, "availability"),
                    s.path("records").asText(), s.path("grantsActive").asText(), s.path("accessRequests").asText(),
                    String.join("; ", breaches), ApiClient.text(s, "violationId"),
                    Deadlines.dateTime(ApiClient.instant(s, "evaluatedAt")));
        }
        t.end(r, "authority.quality.none");
        b.append("<p class=\"hint\">").append(Html.esc(r.t("authority.quality.hint"))).append("</p>");
        r.render("authority.quality.title", b.toString());
    }

    /** A score (a union of null and double in the record's JSON) with three decimals; "-" when not evaluated. */
    private static String score(JsonNode s, String field) {
        JsonNode v = s.path(field);
        if (v.isObject()) {
            v = v.path("double");
        }
        return v.isNumber() ? String.format(Locale.ROOT, "%.3f", v.asDouble()) : "-";
    }
}
