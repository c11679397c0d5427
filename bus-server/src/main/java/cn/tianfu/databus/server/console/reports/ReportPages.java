package cn.tianfu.databus.server.console.reports;

import java.util.ArrayList;
import java.util.Collections;
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
 * A using department's error reports (Art. 27) and its violations (Art. 46): report a wrong record it received
 * ({@code POST /api/v1/reports}), follow its reports and the provider's answers ({@code GET /api/v1/reports}), accept an
 * answer ({@code POST /api/v1/reports/{id}/accept}) or dispute it (the dispute form, about the report), and see the
 * violations governance recorded against it ({@code GET /api/v1/violations}).
 */
public final class ReportPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/reports/mine", r -> reports(r, r.query("resource").orElse(""), r.query("key").orElse(""), "", "", null))
                .post("/reports", ReportPages::report)
                .post("/reports/{id}/accept", ReportPages::accept)
                .get("/violations/mine", ReportPages::violations)
                .menu(ConsolePages.Section.CONSUMER, "/reports/mine", "menu.reportsMine", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.CONSUMER, "/violations/mine", "menu.violationsMine", ConsolePages.Audience.DEPARTMENT);
    }

    private static JsonNode read(ConsoleRequest r, String path) {
        ApiClient.Answer answer = r.apiGet(path);
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        return answer.body();
    }

    private static void reports(ConsoleRequest r, String resource, String key, String field, String problem, String error) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>").append(Html.esc(r.t("report.newTitle"))).append("</h2>");
        if (error != null) {
            b.append("<div class=\"error\" id=\"report-error\">").append(Html.esc(error)).append("</div>");
        }
        b.append("<form method=\"post\" action=\"").append(r.href("/reports")).append("\" id=\"report-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("request.resource"))).append("<input name=\"resource\" id=\"report-resource\" required value=\"")
                .append(Html.esc(resource)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("report.key"))).append("<input name=\"key\" id=\"report-key\" required value=\"")
                .append(Html.esc(key)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("report.field"))).append("<input name=\"field\" id=\"report-field\" value=\"")
                .append(Html.esc(field)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("report.problem"))).append("<textarea name=\"problem\" id=\"report-problem\" required>")
                .append(Html.esc(problem)).append("</textarea></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("report.hint"))).append("</p>")
                .append("<button type=\"submit\" id=\"report-submit\">").append(Html.esc(r.t("report.submit"))).append("</button></form>");

        String me = r.caller().name();
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode x : read(r, ApiPaths.REPORTS)) {
            if (x.path("consumer").asText().equals(me)) {
                mine.add(x);
            }
        }
        Collections.reverse(mine);   // the newest first
        b.append("<h2>").append(Html.esc(r.t("report.mineTitle"))).append("</h2>");
        if (mine.isEmpty()) {
            b.append("<p id=\"reports-none\">").append(Html.esc(r.t("report.none"))).append("</p>");
        } else {
            b.append("<table id=\"my-reports\"><tr>");
            for (String h : List.of("report.id", "request.resource", "grant.provider", "report.key", "report.field", "report.problem",
                    "report.reported", "report.due", "report.status", "report.answer", "report.act")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode x : mine) {
                String id = x.path("id").asText();
                String status = x.path("status").asText();
                b.append("<tr data-report=\"").append(Html.esc(id)).append("\"><td>").append(Html.esc(id)).append("</td><td>")
                        .append(Html.esc(x.path("resourceCode").asText())).append("</td><td>").append(Html.esc(x.path("provider").asText()))
                        .append("</td><td>").append(Html.esc(x.path("recordKey").asText())).append("</td><td>")
                        .append(Html.esc(ApiClient.text(x, "field"))).append("</td><td>").append(Html.esc(x.path("problem").asText()))
                        .append("</td><td>").append(Html.esc(Deadlines.dateTime(ApiClient.instant(x, "reportedAt")))).append("</td><td>")
                        .append(Html.esc(Deadlines.date(ApiClient.instant(x, "dueAt")))).append("</td><td class=\"status\">")
                        .append(Html.esc(Enums.label(r, "reportStatus", status))).append("</td><td class=\"answer\">")
                        .append(Html.esc(ApiClient.text(x, "answerNote"))).append("</td><td>");
                if (status.startsWith("ANSWERED_")) {
                    b.append("<form class=\"inline accept\" method=\"post\" action=\"").append(r.href("/reports/" + Html.url(id) + "/accept"))
                            .append("\">").append(r.csrfField()).append("<button type=\"submit\">").append(Html.esc(r.t("report.accept")))
                            .append("</button></form> <a class=\"dispute\" href=\"")
                            .append(Html.esc(r.href("/disputes?about=report&subject=" + Html.url(id)))).append("\">")
                            .append(Html.esc(r.t("report.dispute"))).append("</a>");
                }
                b.append("</td></tr>");
            }
            b.append("</table>");
        }
        r.render(error == null ? 200 : 400, "report.title", b.toString());
    }

    private static void report(ConsoleRequest r) {
        String resource = r.form("resource").orElse("");
        String key = r.form("key").orElse("");
        String field = r.form("field").orElse("");
        String problem = r.form("problem").orElse("");
        if (resource.isEmpty() || key.isEmpty() || problem.isEmpty()) {
            reports(r, resource, key, field, problem, r.t("report.missing"));
            return;
        }
        ObjectNode body = ApiClient.object().put("resource", resource).put("key", key).put("problem", problem);
        if (!field.isEmpty()) {
            body.put("field", field);
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.REPORTS, body);
        if (!answer.ok()) {
            reports(r, resource, key, field, problem, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("report.filed", ApiClient.text(answer.body(), "subjectId")), false);
        r.redirect("/reports/mine");
    }

    private static void accept(ConsoleRequest r) {
        String id = r.path("id");
        ApiClient.Answer answer = r.apiPost(ApiPaths.REPORTS + "/" + Html.url(id) + "/accept", ApiClient.object());
        r.flash(answer.ok() ? r.t("report.accepted", id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/reports/mine");
    }

    private static void violations(ConsoleRequest r) {
        JsonNode list = read(r, ApiPaths.VIOLATIONS);
        StringBuilder b = new StringBuilder();
        if (list.size() == 0) {
            b.append("<p id=\"violations-none\">").append(Html.esc(r.t("violation.none"))).append("</p>");
            r.render("violation.mineTitle", b.toString());
            return;
        }
        b.append("<table id=\"my-violations\"><tr>");
        for (String h : List.of("authority.violation.id", "violation.clause", "authority.violation.duty", "authority.violation.subject",
                "violation.description", "authority.violation.due", "authority.violation.status", "authority.violation.rectifyBy")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode x : list) {
            b.append("<tr data-violation=\"").append(Html.esc(x.path("id").asText())).append("\"><td>").append(Html.esc(x.path("id").asText()))
                    .append("</td><td>").append(Html.esc(x.path("clause").asText())).append("</td><td>")
                    .append(Html.esc(x.path("duty").asText())).append("</td><td>").append(Html.esc(x.path("subjectId").asText()))
                    .append("</td><td>").append(Html.esc(x.path("description").asText())).append("</td><td>")
                    .append(Html.esc(Deadlines.dateTime(ApiClient.instant(x, "dueAt")))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "violationStatus", x.path("status").asText()))).append("</td><td>")
                    .append(Html.esc(Deadlines.date(ApiClient.instant(x, "rectifyBy")))).append("</td></tr>");
        }
        b.append("</table>");
        r.render("violation.mineTitle", b.toString());
    }
}
