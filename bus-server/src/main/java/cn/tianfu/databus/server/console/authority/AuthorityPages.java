package cn.tianfu.databus.server.console.authority;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleException;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Enums;
import cn.tianfu.databus.server.console.Html;

/**
 * The public data authority's pages (the bus's own principal): the departments, the deadlines and violations board
 * (violations with the authority's steps, overdue requests, catalogue-update notices), the dead letters, the
 * working-day calendars and the monthly report. Each reads and acts through the HTTP API's authority routes.
 */
public final class AuthorityPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/authority/departments", AuthorityPages::departments)
                .get("/authority/board", AuthorityPages::board)
                .post("/authority/violations/{id}/{step}", AuthorityPages::violationStep)
                .get("/authority/deadletters", AuthorityPages::deadLetters)
                .get("/authority/calendars", AuthorityPages::calendars)
                .get("/authority/monthly", AuthorityPages::monthly)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/departments", "menu.authority.departments", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/board", "menu.authority.board", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/deadletters", "menu.authority.deadletters", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/calendars", "menu.authority.calendars", ConsolePages.Audience.AUTHORITY)
                .menu(ConsolePages.Section.AUTHORITY, "/authority/monthly", "menu.authority.monthly", ConsolePages.Audience.AUTHORITY);
    }

    private static JsonNode read(ConsoleRequest r, String path) {
        ApiClient.Answer answer = r.apiGet(path);
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        return answer.body();
    }

    private static void departments(ConsoleRequest r) {
        departments(r, AuthorityAdminPages.departmentForm(r, "", "", "", null), 200);
    }

    /** The departments, then {@code form} (adding one, with what was entered and the error, if any). */
    static void departments(ConsoleRequest r, String form, int status) {
        JsonNode list = read(r, ApiPaths.DEPARTMENTS);
        StringBuilder b = new StringBuilder();
        Table t = new Table(b, "departments", r, "authority.dept.id", "authority.dept.name", "authority.dept.code", "authority.dept.created");
        for (JsonNode d : list) {
            t.row(d.path("id").asText(), d.path("name").asText(), ApiClient.text(d, "code"), ApiClient.text(d, "created"));
        }
        t.end(r, "authority.none");
        b.append(form);
        r.render(status, "authority.departments.title", b.toString());
    }

    private static void board(ConsoleRequest r) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>").append(Html.esc(r.t("authority.board.violations"))).append("</h2>");
        Table v = new Table(b, "violations", r, "authority.violation.id", "authority.violation.department", "authority.violation.duty",
                "authority.violation.subject", "authority.violation.due", "authority.violation.status", "authority.violation.rectifyBy",
                "authority.violation.act");
        for (JsonNode x : read(r, ApiPaths.VIOLATIONS)) {
            String id = x.path("id").asText();
            String status = x.path("status").asText();
            v.rowHtml(Html.esc(id), Html.esc(x.path("department").asText()), Html.esc(x.path("duty").asText()),
                    Html.esc(x.path("subjectId").asText()), Html.esc(time(ApiClient.instant(x, "dueAt"))),
                    Html.esc(Enums.label(r, "violationStatus", status)), Html.esc(time(ApiClient.instant(x, "rectifyBy"))),
                    actions(r, id, status));
        }
        v.end(r, "authority.none");

        b.append("<h2>").append(Html.esc(r.t("authority.board.requests"))).append("</h2>");
        Table q = new Table(b, "overdue-requests", r, "authority.request.id", "authority.request.provider", "authority.request.consumer",
                "authority.request.due", "authority.request.overdue");
        for (JsonNode x : read(r, ApiPaths.REQUESTS + "?role=all")) {
            if (x.path("status").asText().equals("PENDING")) {
                q.row(x.path("requestId").asText(), x.path("provider").asText(), x.path("consumer").asText(),
                        time(ApiClient.instant(x, "dueAt")), time(ApiClient.instant(x, "overdueAt")));
            }
        }
        q.end(r, "authority.none");

        b.append("<h2>").append(Html.esc(r.t("authority.board.notices"))).append("</h2>");
        Table n = new Table(b, "notices", r, "authority.notice.id", "authority.notice.department", "authority.notice.reason",
                "authority.notice.due", "authority.notice.status");
        for (JsonNode x : read(r, ApiPaths.NOTICES)) {
            n.row(x.path("id").asText(), x.path("department").asText(), x.path("reason").asText(),
                    time(ApiClient.instant(x, "dueAt")), x.path("status").asText());
        }
        n.end(r, "authority.none");
        r.render("authority.board.title", b.toString());
    }

    /** The authority's next steps on a violation of {@code status}, as forms. */
    private static String actions(ConsoleRequest r, String id, String status) {
        StringBuilder b = new StringBuilder();
        String base = "/authority/violations/" + Html.url(id) + "/";
        if (status.equals("OPEN")) {
            b.append("<form method=\"post\" class=\"inline\" action=\"").append(r.href(base + "order")).append("\">").append(r.csrfField())
                    .append("<input name=\"within\" size=\"4\" value=\"10\" aria-label=\"").append(Html.esc(r.t("authority.violation.within")))
                    .append("\"><button type=\"submit\">").append(Html.esc(r.t("authority.violation.order"))).append("</button></form>");
        } else if (status.equals("RECTIFICATION_ORDERED")) {
            for (String step : new String[] {"rectified", "escalate"}) {
                b.append("<form method=\"post\" class=\"inline\" action=\"").append(r.href(base + step)).append("\">").append(r.csrfField())
                        .append("<button type=\"submit\">").append(Html.esc(r.t("authority.violation." + step))).append("</button></form>");
            }
        }
        return b.toString();
    }

    private static void violationStep(ConsoleRequest r) {
        String step = r.path("step");
        if (!step.equals("order") && !step.equals("rectified") && !step.equals("escalate")) {
            throw new ConsoleException(404, "error.notFound");
        }
        ObjectNode body = ApiClient.object();
        r.form("within").ifPresent(w -> body.put("within", w));
        r.form("note").ifPresent(n -> body.put("note", n));
        ApiClient.Answer answer = r.apiPost(ApiPaths.VIOLATIONS + "/" + Html.url(r.path("id")) + "/" + step, body);
        r.flash(answer.message(), !answer.ok());
        r.redirect("/authority/board");
    }

    private static void deadLetters(ConsoleRequest r) {
        String reason = r.query("reason").orElse("");
        String limit = r.query("limit").orElse("50");
        JsonNode answer = read(r, ApiPaths.DEADLETTERS + "?reason=" + Html.url(reason) + "&limit=" + Html.url(limit));
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/authority/deadletters")).append("\"><label>")
                .append(Html.esc(r.t("authority.deadletter.reason"))).append("<input name=\"reason\" id=\"reason\" value=\"")
                .append(Html.esc(reason)).append("\"></label><label>").append(Html.esc(r.t("authority.deadletter.limit")))
                .append("<input name=\"limit\" id=\"limit\" size=\"5\" value=\"").append(Html.esc(limit)).append("\"></label>")
                .append("<button type=\"submit\">").append(Html.esc(r.t("catalog.go"))).append("</button></form>");
        Table t = new Table(b, "deadletters", r, "authority.deadletter.time", "authority.deadletter.component",
                "authority.deadletter.reason", "authority.deadletter.source", "authority.deadletter.message");
        for (JsonNode d : answer.path("deadLetters")) {
            String source = d.path("sourceTopic").isNull() ? "-" : d.path("sourceTopic").asText()
                    + (d.path("sourcePartition").isNull() ? "" : "/" + d.path("sourcePartition").asText())
                    + (d.path("sourceOffset").isNull() ? "" : "@" + d.path("sourceOffset").asText());
            t.row(d.path("time").asText(), d.path("component").asText(), d.path("reason").asText(), source, d.path("message").asText());
        }
        t.end(r, "authority.none");
        if (answer.path("unreadable").asInt() > 0) {
            b.append("<p>").append(Html.esc(r.t("authority.deadletter.unreadable", answer.path("unreadable").asInt()))).append("</p>");
        }
        r.render("authority.deadletters.title", b.toString());
    }

    private static void calendars(ConsoleRequest r) {
        StringBuilder b = new StringBuilder();
        Table t = new Table(b, "calendars", r, "authority.calendar.region", "authority.calendar.year", "authority.calendar.kind",
                "authority.calendar.daysOff", "authority.calendar.makeUpDays", "authority.calendar.source");
        for (JsonNode c : read(r, ApiPaths.CALENDARS)) {
            t.row(c.path("region").asText(), c.path("year").asText(), c.path("kind").asText(),
                    Integer.toString(c.path("daysOff").size()), Integer.toString(c.path("makeUpDays").size()), ApiClient.text(c, "source"));
        }
        t.end(r, "authority.none");
        String days = r.query("days").orElse("10");
        String from = r.query("from").orElse("");
        b.append("<h2>").append(Html.esc(r.t("authority.calendar.due"))).append("</h2><form class=\"search\" method=\"get\" action=\"")
                .append(r.href("/authority/calendars")).append("\"><label>").append(Html.esc(r.t("authority.calendar.days")))
                .append("<input name=\"days\" id=\"days\" size=\"4\" value=\"").append(Html.esc(days)).append("\"></label><label>")
                .append(Html.esc(r.t("authority.calendar.from"))).append("<input name=\"from\" id=\"from\" placeholder=\"yyyy-MM-dd\" value=\"")
                .append(Html.esc(from)).append("\"></label><button type=\"submit\" id=\"due-go\">").append(Html.esc(r.t("catalog.go")))
                .append("</button></form>");
        if (r.query("days").isPresent()) {
            ApiClient.Answer due = r.apiGet(ApiPaths.CALENDARS + "/due?days=" + Html.url(days) + (from.isEmpty() ? "" : "&from=" + Html.url(from)));
            if (due.ok()) {
                b.append("<p id=\"due\">").append(Html.esc(r.t("authority.calendar.dueIs", due.body().path("days").asText(),
                        due.body().path("from").asText(), due.body().path("due").asText()))).append("</p>");
            } else {
                b.append("<div class=\"error\">").append(Html.esc(due.message())).append("</div>");
            }
        }
        r.render("authority.calendars.title", b.toString());
    }

    private static void monthly(ConsoleRequest r) {
        String month = r.query("month").orElse(java.time.YearMonth.from(r.services().clock().instant()
                .atZone(java.time.ZoneId.of("Asia/Shanghai"))).toString());
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/authority/monthly")).append("\"><label>")
                .append(Html.esc(r.t("authority.monthly.month"))).append("<input name=\"month\" id=\"month\" placeholder=\"YYYY-MM\" value=\"")
                .append(Html.esc(month)).append("\"></label><button type=\"submit\" id=\"month-go\">").append(Html.esc(r.t("catalog.go")))
                .append("</button> <a href=\"").append(Html.esc(ApiPaths.MONTHLY_REPORT + "?format=html&month=" + Html.url(month)))
                .append("\">").append(Html.esc(r.t("authority.monthly.html"))).append("</a></form>");
        JsonNode report = read(r, ApiPaths.MONTHLY_REPORT + "?month=" + Html.url(month));
        Table t = new Table(b, "monthly", r, "authority.monthly.department", "authority.monthly.received", "authority.monthly.decided",
                "authority.monthly.onTime", "authority.monthly.median", "authority.monthly.overdue", "authority.monthly.violations",
                "authority.monthly.byClause", "authority.monthly.reports", "authority.monthly.reportsOnTime", "authority.monthly.disputes");
        for (JsonNode d : report.path("departments")) {
            StringBuilder clauses = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = d.path("violationsByClause").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                clauses.append(clauses.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue().asText());
            }
            t.row(d.path("department").asText(), d.path("requestsReceived").asText(), d.path("requestsDecided").asText(),
                    d.path("onTimePercent").isNull() ? "-" : d.path("onTimePercent").asText() + "%",
                    d.path("medianDecisionWorkingDays").isNull() ? "-" : d.path("medianDecisionWorkingDays").asText(),
                    d.path("overdue").asText(), d.path("violations").asText(), clauses.toString(),
                    d.path("errorReportsReceived").asText(), d.path("errorReportsAnsweredOnTime").asText(),
                    d.path("disputes").asText() + " (" + d.path("disputesOpen").asText() + ")");
        }
        t.end(r, "authority.none");
        r.render("authority.monthly.title", b.toString());
    }

    private static String time(java.time.Instant at) {
        return at == null ? "-" : at.atZone(java.time.ZoneId.of("Asia/Shanghai")).toLocalDateTime().toString().replace('T', ' ');
    }

    /** A table of text cells with headers from message keys, and a line when it has no row. */
    static final class Table {
        private final StringBuilder b;
        private final String id;
        private boolean empty = true;

        Table(StringBuilder b, String id, ConsoleRequest r, String... headers) {
            this.b = b;
            this.id = id;
            b.append("<table id=\"").append(id).append("\"><tr>");
            for (String h : headers) {
                b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
            }
            b.append("</tr>");
        }

        void row(String... cells) {
            String[] html = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                html[i] = Html.esc(cells[i] == null || cells[i].isEmpty() ? "-" : cells[i]);
            }
            rowHtml(html);
        }

        void rowHtml(String... cells) {
            empty = false;
            b.append("<tr>");
            for (String c : cells) {
                b.append("<td>").append(c).append("</td>");
            }
            b.append("</tr>");
        }

        void end(ConsoleRequest r, String noneKey) {
            b.append("</table>");
            if (empty) {
                b.append("<p id=\"").append(id).append("-none\">").append(Html.esc(r.t(noneKey))).append("</p>");
            }
        }
    }
}
