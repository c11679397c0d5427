package cn.tianfu.databus.server.console.resources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import io.javalin.http.UploadedFile;

/**
 * A providing department's own resources (Art. 12–18), as {@code databus catalog register|update|retire} does it: the
 * list of its resources; registering one from its definition (the YAML of a definition file, typed or pasted into the
 * form, or the file uploaded), {@code POST /api/v1/catalog}; updating one, {@code PUT /api/v1/catalog/{code}}, from its
 * definition prefilled as the catalog holds it; retiring one with a reason, {@code POST /api/v1/catalog/{code}/retire}.
 * Governance checks the definition and its schema; its refusal is shown on the form with the text kept.
 */
public final class ResourcePages implements ConsoleFeature {

    /** The largest definition accepted from the form (a definition file is a few kilobytes). */
    static final int MAX_DEFINITION = 256 * 1024;
    private static final String YAML = "application/yaml; charset=utf-8";

    @Override
    public void register(ConsolePages pages) {
        pages.get("/resources/mine", ResourcePages::mine)
                .get("/resources/new", r -> registerForm(r, "", null))
                .post("/resources/new", ResourcePages::register)
                .get("/resources/{code}/edit", r -> updateForm(r, null, "", null))
                .post("/resources/{code}/edit", ResourcePages::update)
                .get("/resources/{code}/retire", r -> retireForm(r, "", null))
                .post("/resources/{code}/retire", ResourcePages::retire)
                .menu(ConsolePages.Section.PROVIDER, "/resources/mine", "menu.resourcesMine", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.PROVIDER, "/resources/new", "menu.resourceNew", ConsolePages.Audience.DEPARTMENT);
    }

    private static void mine(ConsoleRequest r) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.CATALOG + "?provider=" + Html.url(r.caller().name()));
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        StringBuilder b = new StringBuilder("<p><a id=\"register-link\" href=\"").append(r.href("/resources/new")).append("\">")
                .append(Html.esc(r.t("resources.registerLink"))).append("</a></p>");
        if (answer.body().size() == 0) {
            b.append("<p id=\"resources-none\">").append(Html.esc(r.t("resources.none"))).append("</p>");
            r.render("resources.mineTitle", b.toString());
            return;
        }
        b.append("<table id=\"my-resources\"><tr>");
        for (String h : List.of("catalog.code", "catalog.name", "catalog.sharingClass", "catalog.status", "catalog.version",
                "resources.changed", "resources.actions")) {
            b.append("<th>").append(Html.esc(r.t(h))).append("</th>");
        }
        b.append("</tr>");
        for (JsonNode e : answer.body()) {
            String code = e.path("code").asText();
            String status = e.path("status").asText();
            b.append("<tr data-resource=\"").append(Html.esc(code)).append("\"><td><a href=\"").append(r.href("/catalog/" + Html.url(code)))
                    .append("\">").append(Html.esc(code)).append("</a></td><td>").append(Html.esc(e.path("name").asText()))
                    .append("</td><td>").append(Html.esc(Enums.label(r, "sharingClass", e.path("sharingClass").asText())))
                    .append("</td><td class=\"status\">").append(Html.esc(Enums.label(r, "resourceStatus", status)))
                    .append("</td><td class=\"version\">").append(Html.esc(e.path("catalogVersion").asText())).append("</td><td>")
                    .append(Html.esc(Deadlines.dateTime(ApiClient.instant(e, "lastChanged")))).append("</td><td>");
            if (!status.equals("RETIRED")) {
                b.append("<a class=\"edit\" href=\"").append(r.href("/resources/" + Html.url(code) + "/edit")).append("\">")
                        .append(Html.esc(r.t("resources.update"))).append("</a> <a class=\"retire\" href=\"")
                        .append(r.href("/resources/" + Html.url(code) + "/retire")).append("\">").append(Html.esc(r.t("resources.retire")))
                        .append("</a>");
            } else {
                b.append(Html.esc(ApiClient.text(e, "retiredReason")));
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        r.render("resources.mineTitle", b.toString());
    }

    private static void registerForm(ConsoleRequest r, String definition, String error) {
        StringBuilder b = new StringBuilder();
        error(b, error);
        b.append("<p class=\"hint\">").append(Html.esc(r.t("resources.definitionHint"))).append("</p>")
                .append("<form method=\"post\" enctype=\"multipart/form-data\" action=\"").append(r.href("/resources/new"))
                .append("\" id=\"register-form\">").append(r.csrfField());
        definitionFields(r, b, definition);
        b.append("<button type=\"submit\" id=\"register\">").append(Html.esc(r.t("resources.registerButton"))).append("</button></form>");
        r.render(error == null ? 200 : 400, "resources.registerTitle", b.toString());
    }

    private static void register(ConsoleRequest r) {
        String definition = definition(r);
        if (definition.isBlank()) {
            registerForm(r, definition, r.t("resources.noDefinition"));
            return;
        }
        ApiClient.Answer answer = r.apiPostText(ApiPaths.CATALOG, definition, YAML);
        if (!answer.ok()) {
            registerForm(r, definition, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("resources.registered", ApiClient.text(answer.body(), "resourceCode"), answer.message()), false);
        r.redirect("/resources/mine");
    }

    /** A resource of the signed-in department: 404 when unknown, 403 when another department provides it. */
    private static JsonNode own(ConsoleRequest r, String code) {
        ApiClient.Answer answer = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(code));
        if (answer.status() == 404) {
            throw new ConsoleException(404, "error.notFound");
        }
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        if (!answer.body().path("provider").asText().equals(r.caller().name())) {
            throw new ConsoleException(403, "error.forbidden", r.t("resources.notProvider", code));
        }
        return answer.body();
    }

    private static void updateForm(ConsoleRequest r, String definition, String reason, String error) {
        String code = r.path("code");
        JsonNode entry = own(r, code);
        StringBuilder b = new StringBuilder();
        error(b, error);
        b.append("<p>").append(Html.esc(r.t("resources.updateIntro", code, entry.path("name").asText(), entry.path("catalogVersion").asText())))
                .append("</p><form method=\"post\" enctype=\"multipart/form-data\" action=\"").append(r.href("/resources/" + Html.url(code) + "/edit"))
                .append("\" id=\"update-form\">").append(r.csrfField());
        definitionFields(r, b, definition == null ? DefinitionYaml.of(entry) : definition);
        b.append("<label>").append(Html.esc(r.t("resources.updateReason"))).append("<input name=\"reason\" id=\"update-reason\" value=\"")
                .append(Html.esc(reason)).append("\"></label>")
                .append("<button type=\"submit\" id=\"update\">").append(Html.esc(r.t("resources.updateButton"))).append("</button></form>");
        r.render(error == null ? 200 : 400, "resources.updateTitle", b.toString());
    }

    private static void update(ConsoleRequest r) {
        String code = r.path("code");
        own(r, code);
        String definition = definition(r);
        String reason = r.form("reason").orElse("");
        if (definition.isBlank()) {
            updateForm(r, definition, reason, r.t("resources.noDefinition"));
            return;
        }
        String path = ApiPaths.CATALOG + "/" + Html.url(code) + (reason.isEmpty() ? "" : "?reason=" + Html.url(reason));
        ApiClient.Answer answer = r.apiPutText(path, definition, YAML);
        if (!answer.ok()) {
            updateForm(r, definition, reason, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("resources.updated", code, answer.message()), false);
        r.redirect("/resources/mine");
    }

    private static void retireForm(ConsoleRequest r, String reason, String error) {
        String code = r.path("code");
        JsonNode entry = own(r, code);
        StringBuilder b = new StringBuilder();
        error(b, error);
        b.append("<p>").append(Html.esc(r.t("resources.retireIntro", code, entry.path("name").asText()))).append("</p>")
                .append("<form method=\"post\" action=\"").append(r.href("/resources/" + Html.url(code) + "/retire"))
                .append("\" id=\"retire-form\" data-confirm=\"").append(Html.esc(r.t("resources.retireConfirm", code))).append("\">")
                .append(r.csrfField()).append("<label>").append(Html.esc(r.t("resources.retireReason")))
                .append("<input name=\"reason\" id=\"retire-reason\" required value=\"").append(Html.esc(reason)).append("\"></label>")
                .append("<button type=\"submit\" class=\"danger\" id=\"retire\">").append(Html.esc(r.t("resources.retire")))
                .append("</button></form>");
        r.render(error == null ? 200 : 400, "resources.retireTitle", b.toString());
    }

    private static void retire(ConsoleRequest r) {
        String code = r.path("code");
        own(r, code);
        String reason = r.form("reason").orElse("");
        if (reason.isEmpty()) {
            retireForm(r, reason, r.t("resources.retireNeedsReason"));
            return;
        }
        ApiClient.Answer answer = r.apiPost(ApiPaths.CATALOG + "/" + Html.url(code) + "/retire", ApiClient.object().put("reason", reason));
        if (!answer.ok()) {
            retireForm(r, reason, r.t("error.api", answer.message()));
            return;
        }
        r.flash(r.t("resources.retired", code), false);
        r.redirect("/resources/mine");
    }

    private static void definitionFields(ConsoleRequest r, StringBuilder b, String definition) {
        b.append("<label>").append(Html.esc(r.t("resources.definition")))
                .append("<textarea name=\"definition\" id=\"definition\" rows=\"24\" spellcheck=\"false\">").append(Html.esc(definition))
                .append("</textarea></label><label>").append(Html.esc(r.t("resources.file")))
                .append("<input type=\"file\" name=\"file\" id=\"file\" accept=\".yaml,.yml,.json\"></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("resources.fileHint"))).append("</p>");
    }

    /** The uploaded file when one was chosen, otherwise the text area; a file too large is refused on the form. */
    private static String definition(ConsoleRequest r) {
        UploadedFile file = r.ctx().uploadedFile("file");
        if (file != null && file.size() > 0) {
            if (file.size() > MAX_DEFINITION) {
                throw new ConsoleException(413, "resources.tooLarge", MAX_DEFINITION / 1024);
            }
            try (InputStream in = file.content()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConsoleException(400, "resources.unreadable", file.filename());
            }
        }
        String text = r.ctx().formParam("definition");
        if (text != null && text.length() > MAX_DEFINITION) {
            throw new ConsoleException(413, "resources.tooLarge", MAX_DEFINITION / 1024);
        }
        return text == null ? "" : text;
    }

    private static void error(StringBuilder b, String error) {
        if (error != null) {
            b.append("<div class=\"error\" id=\"form-error\">").append(Html.esc(error)).append("</div>");
        }
    }
}
