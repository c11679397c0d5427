package cn.tianfu.databus.server.console.audit;

import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleException;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Html;

/**
 * The auditor's pages (an auditor, or the bus's own principal): verify the exchange log (a job whose page follows its
 * progress per partition, then shows each partition's result), trace one record, and a consumer's report. Each calls
 * the HTTP API's audit routes, which read the log with the signed-in principal's own credentials.
 */
public final class AuditPages implements ConsoleFeature {

    /** Auditors and the authority. */
    private static final Predicate<Authenticator.Caller> AUDIENCE = ConsolePages.Audience.AUDITOR.or(ConsolePages.Audience.AUTHORITY);

    @Override
    public void register(ConsolePages pages) {
        pages.get("/audit/verify", AuditPages::verifyStart)
                .post("/audit/verify", AuditPages::verify)
                .get("/audit/verify/{id}", AuditPages::verifyJob)
                .get("/audit/trace", AuditPages::trace)
                .get("/audit/report", AuditPages::report)
                .menu(ConsolePages.Section.AUDIT, "/audit/verify", "menu.audit.verify", AUDIENCE)
                .menu(ConsolePages.Section.AUDIT, "/audit/trace", "menu.audit.trace", AUDIENCE)
                .menu(ConsolePages.Section.AUDIT, "/audit/report", "menu.audit.report", AUDIENCE);
    }

    private static void verifyStart(ConsoleRequest r) {
        StringBuilder b = new StringBuilder();
        b.append("<p>").append(Html.esc(r.t("audit.verify.intro"))).append("</p><form method=\"post\" action=\"")
                .append(r.href("/audit/verify")).append("\">").append(r.csrfField())
                .append("<label><input type=\"checkbox\" name=\"allowUncovered\" id=\"allowUncovered\" value=\"true\"> ")
                .append(Html.esc(r.t("audit.verify.allowUncovered"))).append("</label>")
                .append("<button type=\"submit\" id=\"verify-start\">").append(Html.esc(r.t("audit.verify.start"))).append("</button></form>");
        r.render("audit.verify.title", b.toString());
    }

    private static void verify(ConsoleRequest r) {
        var body = ApiClient.object();
        body.put("allowUncovered", r.form("allowUncovered").isPresent());
        ApiClient.Answer answer = r.apiPost(ApiPaths.AUDIT + "/verify", body);
        if (answer.status() == 409) {
            r.flash(answer.message(), true);
            r.redirect("/audit/verify");
            return;
        }
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        r.redirect("/audit/verify/" + Html.url(answer.body().path("id").asText()));
    }

    private static void verifyJob(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.AUDIT + "/verify/" + Html.url(r.path("id")));
        if (answer.status() == 404) {
            throw new ConsoleException(404, "error.notFound");
        }
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        JsonNode job = answer.body();
        String state = job.path("state").asText();
        StringBuilder b = new StringBuilder();
        if (state.equals("RUNNING")) {
            b.append("<meta http-equiv=\"refresh\" content=\"2\">");
        }
        b.append("<p id=\"verify-state\" class=\"state-").append(Html.esc(state)).append("\">")
                .append(Html.esc(r.t("audit.verify.state." + state, job.path("id").asText(), job.path("startedBy").asText())))
                .append("</p>");
        if (state.equals("DONE")) {
            boolean intact = job.path("intact").asBoolean();
            b.append("<p id=\"verify-verdict\" class=\"").append(intact ? "ok" : "error").append("\">")
                    .append(Html.esc(r.t(intact ? "audit.verify.intact" : "audit.verify.broken", job.path("entries").asText(),
                            job.path("checkpoints").asText()))).append("</p>");
        } else if (state.equals("FAILED")) {
            b.append("<div class=\"error\" id=\"verify-error\">").append(Html.esc(job.path("error").asText())).append("</div>");
        }
        b.append("<table id=\"partitions\"><tr>");
        for (String h : new String[] {"audit.partition", "audit.partition.progress", "audit.partition.state", "audit.partition.entries",
                "audit.partition.checkpoints", "audit.partition.uncovered", "audit.partition.firstBreak"}) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode p : job.path("partitions")) {
            long end = p.path("endOffset").asLong();
            long read = p.path("readTo").asLong();
            int percent = end == 0 ? 100 : (int) (read * 100 / end);
            String pstate = p.path("state").asText();
            JsonNode br = p.path("firstBreak");
            b.append("<tr><td>").append(p.path("partition").asInt()).append("</td><td><progress max=\"100\" value=\"").append(percent)
                    .append("\"></progress> ").append(read).append(" / ").append(end).append("</td><td>")
                    .append(Html.esc(r.t("audit.partition.state." + pstate))).append(p.has("intact")
                            ? " — " + Html.esc(r.t(p.path("intact").asBoolean() ? "audit.partition.intact" : "audit.partition.broken")) : "")
                    .append("</td><td>").append(Html.esc(p.path("entries").asText("-"))).append("</td><td>")
                    .append(Html.esc(p.path("checkpoints").asText("-"))).append("</td><td>")
                    .append(Html.esc(p.path("uncoveredEntries").asText("-"))).append("</td><td>")
                    .append(br.isMissingNode() ? "-" : Html.esc(r.t("audit.partition.breakAt", br.path("position").asText(),
                            br.path("logOffset").asText()) + ": " + br.path("message").asText()))
                    .append("</td></tr>");
        }
        b.append("</table>");
        if (job.hasNonNull("report")) {
            b.append("<pre id=\"verify-report\">").append(Html.esc(job.path("report").asText())).append("</pre>");
        }
        b.append("<p><a href=\"").append(r.href("/audit/verify")).append("\">").append(Html.esc(r.t("audit.verify.again"))).append("</a></p>");
        r.render("audit.verify.title", b.toString());
    }

    private static void trace(ConsoleRequest r) {
        String resource = r.query("resource").orElse("");
        String key = r.query("key").orElse("");
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/audit/trace")).append("\"><label>")
                .append(Html.esc(r.t("audit.trace.resource"))).append("<input name=\"resource\" id=\"resource\" value=\"").append(Html.esc(resource))
                .append("\"></label><label>").append(Html.esc(r.t("audit.trace.key"))).append("<input name=\"key\" id=\"key\" value=\"")
                .append(Html.esc(key)).append("\"></label><button type=\"submit\" id=\"trace-go\">").append(Html.esc(r.t("catalog.go")))
                .append("</button></form>");
        if (!resource.isEmpty() && !key.isEmpty()) {
            ApiClient.Answer answer = r.apiGet(ApiPaths.AUDIT + "/trace?resource=" + Html.url(resource) + "&key=" + Html.url(key));
            if (!answer.ok()) {
                b.append("<div class=\"error\">").append(Html.esc(answer.message())).append("</div>");
            } else {
                b.append("<table id=\"trace\"><tr>");
                for (String h : new String[] {"audit.trace.time", "audit.trace.consumer", "audit.trace.mode", "audit.trace.operation",
                        "audit.trace.grant", "audit.trace.purpose", "audit.trace.exchange"}) {
                    b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
                }
                b.append("</tr>");
                for (JsonNode e : answer.body().path("exchanges")) {
                    b.append("<tr>");
                    for (String f : new String[] {"time", "consumer", "mode", "operation", "grant", "purpose", "exchangeId"}) {
                        b.append("<td>").append(Html.esc(e.path(f).asText("-"))).append("</td>");
                    }
                    b.append("</tr>");
                }
                b.append("</table><p id=\"trace-count\">").append(Html.esc(r.t("audit.trace.count", answer.body().path("exchanges").size())))
                        .append("</p>");
            }
        }
        r.render("audit.trace.title", b.toString());
    }

    private static void report(ConsoleRequest r) {
        String consumer = r.query("consumer").orElse("");
        String from = r.query("from").orElse("");
        String to = r.query("to").orElse("");
        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/audit/report")).append("\"><label>")
                .append(Html.esc(r.t("audit.report.consumer"))).append("<input name=\"consumer\" id=\"consumer\" value=\"").append(Html.esc(consumer))
                .append("\"></label><label>").append(Html.esc(r.t("audit.report.from"))).append("<input name=\"from\" id=\"from\" placeholder=\"yyyy-MM-dd\" value=\"")
                .append(Html.esc(from)).append("\"></label><label>").append(Html.esc(r.t("audit.report.to")))
                .append("<input name=\"to\" id=\"to\" placeholder=\"yyyy-MM-dd\" value=\"").append(Html.esc(to))
                .append("\"></label><button type=\"submit\" id=\"report-go\">").append(Html.esc(r.t("catalog.go"))).append("</button></form>");
        if (!consumer.isEmpty()) {
            ApiClient.Answer answer = r.apiGet(ApiPaths.AUDIT + "/report?consumer=" + Html.url(consumer) + "&from=" + Html.url(from)
                    + "&to=" + Html.url(to));
            if (!answer.ok()) {
                b.append("<div class=\"error\">").append(Html.esc(answer.message())).append("</div>");
            } else {
                b.append("<table id=\"report\"><tr>");
                for (String h : new String[] {"audit.report.resource", "audit.report.mode", "audit.report.count", "audit.report.first",
                        "audit.report.last", "audit.report.purpose"}) {
                    b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
                }
                b.append("</tr>");
                for (JsonNode row : answer.body().path("rows")) {
                    b.append("<tr>");
                    for (String f : new String[] {"resource", "mode", "count", "first", "last", "purpose"}) {
                        b.append("<td>").append(Html.esc(row.path(f).isNull() ? "-" : row.path(f).asText("-"))).append("</td>");
                    }
                    b.append("</tr>");
                }
                b.append("</table><p id=\"report-total\">").append(Html.esc(r.t("audit.report.total", answer.body().path("total").asLong(),
                        consumer))).append("</p>");
            }
        }
        r.render("audit.report.title", b.toString());
    }
}
