package cn.tianfu.databus.server.console.provider;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

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
 * A department's own duties as the authority sees them, read-only: its violations (Art. 46, {@code GET
 * /api/v1/violations} as the department: what was due, the status, the date to rectify by) and the notices to update its
 * catalogue (Art. 14, {@code GET /api/v1/notices}). The authority's steps on them are the authority's pages.
 */
public final class DutyPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/duties", DutyPages::duties)
                .menu(ConsolePages.Section.PROVIDER, "/duties", "menu.duties", ConsolePages.Audience.DEPARTMENT);
    }

    private static void duties(ConsoleRequest r) {
        ApiClient.Answer violations = r.apiGet(ApiPaths.VIOLATIONS);
        if (!violations.ok()) {
            throw new ConsoleException(violations.status(), "error.api", violations.message());
        }
        ApiClient.Answer notices = r.apiGet(ApiPaths.NOTICES);
        if (!notices.ok()) {
            throw new ConsoleException(notices.status(), "error.api", notices.message());
        }
        Instant now = r.services().clock().instant();
        StringBuilder b = new StringBuilder("<h2>").append(Html.esc(r.t("duties.violations"))).append("</h2>");
        if (violations.body().size() == 0) {
            b.append("<p id=\"violations-none\">").append(Html.esc(r.t("duties.noViolations"))).append("</p>");
        } else {
            b.append("<table id=\"my-violations\"><tr>");
            for (String h : List.of("duties.violation", "duties.duty", "duties.subject", "duties.description", "duties.wasDue", "request.status",
                    "duties.rectifyBy")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode v : violations.body()) {
                String status = v.path("status").asText();
                Instant rectifyBy = ApiClient.instant(v, "rectifyBy");
                boolean late = status.equals("RECTIFICATION_ORDERED") && rectifyBy != null && Deadlines.overdue(now, rectifyBy);
                b.append("<tr data-violation=\"").append(Html.esc(v.path("id").asText())).append("\"").append(late ? " class=\"overdue\"" : "")
                        .append("><td>").append(Html.esc(v.path("id").asText())).append("</td><td>")
                        .append(Html.esc(Enums.label(r, "duty", v.path("duty").asText()))).append("</td><td>")
                        .append(Html.esc(v.path("subjectId").asText())).append("</td><td>").append(Html.esc(v.path("description").asText()))
                        .append("</td><td>").append(Html.esc(Deadlines.dateTime(ApiClient.instant(v, "dueAt")))).append("</td><td class=\"status\">")
                        .append(Html.esc(Enums.label(r, "violationStatus", status))).append("</td><td>")
                        .append(Html.esc(Deadlines.date(rectifyBy))).append("</td></tr>");
            }
            b.append("</table>");
        }
        b.append("<h2>").append(Html.esc(r.t("duties.notices"))).append("</h2>");
        if (notices.body().size() == 0) {
            b.append("<p id=\"notices-none\">").append(Html.esc(r.t("duties.noNotices"))).append("</p>");
        } else {
            b.append("<table id=\"my-notices\"><tr>");
            for (String h : List.of("duties.notice", "duties.reason", "duties.issued", "request.due", "request.status")) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
            for (JsonNode n : notices.body()) {
                String status = n.path("status").asText();
                Instant due = ApiClient.instant(n, "dueAt");
                boolean late = status.equals("OPEN") && Deadlines.overdue(now, due);
                b.append("<tr data-notice=\"").append(Html.esc(n.path("id").asText())).append("\"").append(late ? " class=\"overdue\"" : "")
                        .append("><td>").append(Html.esc(n.path("id").asText())).append("</td><td>").append(Html.esc(n.path("reason").asText()))
                        .append("</td><td>").append(Html.esc(Deadlines.dateTime(ApiClient.instant(n, "issuedAt")))).append("</td><td class=\"due\">")
                        .append(Html.esc(Deadlines.date(due))).append("</td><td class=\"status\">")
                        .append(Html.esc(Enums.label(r, "noticeStatus", status))).append("</td></tr>");
            }
            b.append("</table>");
            b.append("<p class=\"hint\">").append(Html.esc(r.t("duties.noticeHint"))).append("</p>");
        }
        r.render("duties.title", b.toString());
    }
}
