package cn.tianfu.databus.server.console.disputes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

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
 * Disputes (Art. 28) on one page, {@code /console/disputes}, for both sides: a department opens a dispute about a
 * request, an error report or a grant it is party to ({@code POST /api/v1/disputes}) and takes its steps while the
 * parties negotiate (message, settle, escalate to the authority); the authority (the bus's own principal) sees every
 * dispute, refers an escalated one to an expert of the committee and decides it ({@code POST /api/v1/disputes/{id}/{step}}).
 * Governance decides who may take which step; a refusal is its own message, shown on the page.
 */
public final class DisputePages implements ConsoleFeature {

    /** The steps a page may send, each {@code POST /api/v1/disputes/{id}/<step>}. */
    private static final Set<String> STEPS = Set.of("message", "settle", "escalate", "refer", "decide");

    @Override
    public void register(ConsolePages pages) {
        pages.get("/disputes", r -> page(r, r.query("about").orElse("grant"), r.query("subject").orElse(""), "", null))
                .post("/disputes", DisputePages::open)
                .post("/disputes/{id}/{step}", DisputePages::step)
                .menu(ConsolePages.Section.CONSUMER, "/disputes", "menu.disputes", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.AUTHORITY, "/disputes", "menu.authority.disputes", ConsolePages.Audience.AUTHORITY);
    }

    private static JsonNode read(ConsoleRequest r, String path) {
        ApiClient.Answer answer = r.apiGet(path);
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        return answer.body();
    }

    private static void page(ConsoleRequest r, String about, String subject, String statement, String error) {
        boolean authority = r.caller().admin();
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<div class=\"error\" id=\"dispute-error\">").append(Html.esc(error)).append("</div>");
        }
        if (!authority) {
            b.append("<h2>").append(Html.esc(r.t("dispute.openTitle"))).append("</h2>")
                    .append("<form method=\"post\" action=\"").append(r.href("/disputes")).append("\" id=\"dispute-form\">").append(r.csrfField())
                    .append("<label>").append(Html.esc(r.t("dispute.about"))).append("<select name=\"about\" id=\"dispute-about\">");
            for (String kind : List.of("grant", "request", "report")) {
                b.append("<option value=\"").append(kind).append("\"").append(kind.equals(about) ? " selected" : "").append(">")
                        .append(Html.esc(r.t("dispute.subject." + kind))).append("</option>");
            }
            b.append("</select></label><label>").append(Html.esc(r.t("dispute.subjectId")))
                    .append("<input name=\"subject\" id=\"dispute-subject\" required value=\"").append(Html.esc(subject)).append("\"></label>")
                    .append("<label>").append(Html.esc(r.t("dispute.statement"))).append("<textarea name=\"statement\" id=\"dispute-statement\" required>")
                    .append(Html.esc(statement)).append("</textarea></label>")
                    .append("<button type=\"submit\" id=\"dispute-submit\">").append(Html.esc(r.t("dispute.open"))).append("</button></form>");
        }
        List<JsonNode> disputes = new ArrayList<>();
        read(r, ApiPaths.DISPUTES).forEach(disputes::add);
        Collections.reverse(disputes);   // the newest first
        List<String> experts = new ArrayList<>();
        if (authority && disputes.stream().anyMatch(d -> d.path("status").asText().equals("ESCALATED"))) {
            ApiClient.Answer list = r.apiGet(ApiPaths.EXPERTS);
            if (list.ok()) {
                list.body().forEach(e -> experts.add(e.path("id").asText()));
            }
        }
        b.append("<h2>").append(Html.esc(r.t(authority ? "dispute.allTitle" : "dispute.mineTitle"))).append("</h2>");
        if (disputes.isEmpty()) {
            b.append("<p id=\"disputes-none\">").append(Html.esc(r.t("dispute.none"))).append("</p>");
            r.render(error == null ? 200 : 400, "dispute.title", b.toString());
            return;
        }
        b.append("<table id=\"disputes\"><tr>");
        for (String h : List.of("dispute.id", "request.resource", "dispute.about", "dispute.openedBy", "dispute.otherParty",
                "dispute.statement", "dispute.openedAt", "dispute.status", "dispute.course", "dispute.act")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode d : disputes) {
            String id = d.path("id").asText();
            String status = d.path("status").asText();
            b.append("<tr data-dispute=\"").append(Html.esc(id)).append("\"><td>").append(Html.esc(id)).append("</td><td>")
                    .append(Html.esc(d.path("resourceCode").asText())).append("</td><td>")
                    .append(Html.esc(Enums.label(r, "disputeSubject", d.path("subject").asText()))).append(" ")
                    .append(Html.esc(d.path("subjectId").asText())).append("</td><td>").append(Html.esc(d.path("openedBy").asText()))
                    .append("</td><td>").append(Html.esc(d.path("otherParty").asText())).append("</td><td>")
                    .append(Html.esc(d.path("statement").asText())).append("</td><td>")
                    .append(Html.esc(Deadlines.dateTime(ApiClient.instant(d, "openedAt")))).append("</td><td class=\"status\">")
                    .append(Html.esc(Enums.label(r, "disputeStatus", status))).append("</td><td class=\"course\">");
            for (JsonNode m : d.path("messages")) {
                b.append("<div>").append(Html.esc(Deadlines.dateTime(ApiClient.instant(m, "at")))).append(" ")
                        .append(Html.esc(m.path("by").asText())).append(" (").append(Html.esc(Enums.label(r, "disputeAction", m.path("action").asText())))
                        .append("): ").append(Html.esc(m.path("text").asText())).append("</div>");
            }
            String expert = ApiClient.text(d, "expert");
            if (!expert.isEmpty()) {
                b.append("<div class=\"expert\">").append(Html.esc(r.t("dispute.referredTo", expert))).append("</div>");
            }
            String opinion = ApiClient.text(d, "opinion");
            if (!opinion.isEmpty()) {
                b.append("<div class=\"opinion\">").append(Html.esc(r.t("dispute.opinionIs", opinion))).append("</div>");
            }
            String decision = ApiClient.text(d, "decision");
            if (!decision.isEmpty()) {
                b.append("<div class=\"decision\">").append(Html.esc(r.t("dispute.decisionIs", decision))).append("</div>");
            }
            b.append("</td><td class=\"act\">");
            if (!authority && status.equals("NEGOTIATING")) {
                textStep(r, b, id, "message", true);
                textStep(r, b, id, "escalate", false);
                textStep(r, b, id, "settle", false);
            } else if (authority && status.equals("ESCALATED")) {
                b.append("<form class=\"inline step-refer\" method=\"post\" action=\"").append(r.href("/disputes/" + Html.url(id) + "/refer"))
                        .append("\">").append(r.csrfField()).append("<select name=\"expert\" required>");
                for (String e : experts) {
                    b.append("<option value=\"").append(Html.esc(e)).append("\">").append(Html.esc(e)).append("</option>");
                }
                b.append("</select> <button type=\"submit\">").append(Html.esc(r.t("dispute.step.refer"))).append("</button></form>");
                if (experts.isEmpty()) {
                    b.append("<p class=\"hint\">").append(Html.esc(r.t("dispute.noExperts"))).append("</p>");
                }
                textStep(r, b, id, "decide", true);
            } else if (authority && status.equals("REFERRED")) {
                textStep(r, b, id, "decide", true);
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        r.render(error == null ? 200 : 400, "dispute.title", b.toString());
    }

    /** A step's form: its text field (required for a message or a decision) and its button. */
    private static void textStep(ConsoleRequest r, StringBuilder b, String id, String step, boolean textRequired) {
        b.append("<form class=\"inline step-").append(step).append("\" method=\"post\" action=\"")
                .append(r.href("/disputes/" + Html.url(id) + "/" + step)).append("\">").append(r.csrfField())
                .append("<input name=\"text\"").append(textRequired ? " required" : "").append(" placeholder=\"")
                .append(Html.esc(r.t("dispute.text." + step))).append("\"> <button type=\"submit\">")
                .append(Html.esc(r.t("dispute.step." + step))).append("</button></form>");
    }

    private static void open(ConsoleRequest r) {
        String about = r.form("about").orElse("");
        String subject = r.form("subject").orElse("");
        String statement = r.form("statement").orElse("");
        if (!List.of("grant", "request", "report").contains(about) || subject.isEmpty() || statement.isEmpty()) {
            page(r, about, subject, statement, r.t("dispute.missing"));
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.DISPUTES, ApiClient.object().put("about", about + ":" + subject).put("statement", statement));
        if (!answer.ok()) {
            page(r, about, subject, statement, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("dispute.opened", ApiClient.text(answer.body(), "subjectId")), false);
        r.redirect("/disputes");
    }

    private static void step(ConsoleRequest r) {
        String id = r.path("id");
        String step = r.path("step");
        if (!STEPS.contains(step)) {
            throw new ConsoleException(404, "error.notFound");
        }
        ObjectNode body = ApiClient.object();
        r.form("text").ifPresent(text -> body.put("text", text));
        r.form("expert").ifPresent(expert -> body.put("expert", expert));
        ApiClient.Answer answer = r.apiPost(ApiPaths.DISPUTES + "/" + Html.url(id) + "/" + step, body);
        r.flash(answer.ok() ? r.t("dispute.stepDone", r.t("dispute.step." + step), id) : r.t("error.api", answer.message()), !answer.ok());
        r.redirect("/disputes");
    }
}
