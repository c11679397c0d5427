package cn.tianfu.databus.server.console.catalog;

import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleException;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Enums;
import cn.tianfu.databus.server.console.Html;

/**
 * The catalog (Art. 12–16), as every department reads it: search and browse by category and provider, and one resource
 * with its data items, sensitivity, sharing class, conditions or the reason it is not shared; its provider also sees who
 * receives it. Read through {@code GET /api/v1/catalog} and, for the provider, {@code GET /api/v1/grants?role=provider}.
 */
public final class CatalogPages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/catalog", CatalogPages::browse)
                .get("/catalog/{code}", CatalogPages::resource)
                .menu(ConsolePages.Section.CATALOG, "/catalog", "menu.catalog", ConsolePages.Audience.ANYONE);
    }

    private static void browse(ConsoleRequest r) {
        String search = r.query("search").orElse("");
        String provider = r.query("provider").orElse("");
        String category = r.query("category").orElse("");
        ApiClient.Answer all = r.apiGet(ApiPaths.CATALOG);
        ApiClient.Answer found = search.isEmpty() && provider.isEmpty() && category.isEmpty() ? all
                : r.apiGet(ApiPaths.CATALOG + "?search=" + Html.url(search) + "&provider=" + Html.url(provider) + "&category=" + Html.url(category));
        if (!found.ok()) {
            throw new ConsoleException(found.status(), "error.api", found.message());
        }
        TreeSet<String> providers = new TreeSet<>();
        all.body().forEach(e -> providers.add(e.path("provider").asText()));

        StringBuilder b = new StringBuilder();
        b.append("<form class=\"search\" method=\"get\" action=\"").append(r.href("/catalog")).append("\">")
                .append("<label>").append(Html.esc(r.t("catalog.search"))).append("<input name=\"search\" id=\"search\" value=\"")
                .append(Html.esc(search)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("catalog.category"))).append("<select name=\"category\" id=\"category\"><option value=\"\">")
                .append(Html.esc(r.t("catalog.any"))).append("</option>");
        for (Category c : Category.values()) {
            b.append("<option value=\"").append(c.name()).append("\"").append(c.name().equals(category) ? " selected" : "").append(">")
                    .append(Html.esc(Enums.label(r, "category", c.name()))).append("</option>");
        }
        b.append("</select></label><label>").append(Html.esc(r.t("catalog.provider"))).append("<select name=\"provider\" id=\"provider\"><option value=\"\">")
                .append(Html.esc(r.t("catalog.any"))).append("</option>");
        for (String p : providers) {
            b.append("<option value=\"").append(Html.esc(p)).append("\"").append(p.equals(provider) ? " selected" : "").append(">")
                    .append(Html.esc(p)).append("</option>");
        }
        b.append("</select></label><button type=\"submit\" id=\"search-go\">").append(Html.esc(r.t("catalog.go"))).append("</button></form>");

        if (found.body().size() == 0) {
            b.append("<p id=\"catalog-empty\">").append(Html.esc(r.t("catalog.none"))).append("</p>");
        } else {
            b.append("<table id=\"catalog\"><tr><th>").append(Html.esc(r.t("catalog.code"))).append("</th><th>").append(Html.esc(r.t("catalog.name")))
                    .append("</th><th>").append(Html.esc(r.t("catalog.category"))).append("</th><th>").append(Html.esc(r.t("catalog.provider")))
                    .append("</th><th>").append(Html.esc(r.t("catalog.sharingClass"))).append("</th><th>").append(Html.esc(r.t("catalog.status")))
                    .append("</th></tr>");
            for (JsonNode e : found.body()) {
                String code = e.path("code").asText();
                b.append("<tr><td><a href=\"").append(r.href("/catalog/" + Html.url(code))).append("\">").append(Html.esc(code)).append("</a></td><td>")
                        .append(Html.esc(e.path("name").asText())).append("</td><td>")
                        .append(Html.esc(Enums.label(r, "category", e.path("category").asText()))).append("</td><td>")
                        .append(Html.esc(e.path("provider").asText())).append("</td><td>")
                        .append(Html.esc(Enums.label(r, "sharingClass", e.path("sharingClass").asText()))).append("</td><td>")
                        .append(Html.esc(Enums.label(r, "resourceStatus", e.path("status").asText()))).append("</td></tr>");
            }
            b.append("</table>");
        }
        r.render("catalog.title", b.toString());
    }

    private static void resource(ConsoleRequest r) {
        String code = r.path("code");
        ApiClient.Answer answer = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(code));
        if (answer.status() == 404) {
            throw new ConsoleException(404, "error.notFound");
        }
        if (!answer.ok()) {
            throw new ConsoleException(answer.status(), "error.api", answer.message());
        }
        JsonNode e = answer.body();
        String sharingClass = e.path("sharingClass").asText();
        String provider = e.path("provider").asText();
        StringBuilder b = new StringBuilder();
        b.append("<dl class=\"fields\" id=\"resource\">");
        field(b, r.t("catalog.code"), code);
        field(b, r.t("catalog.name"), e.path("name").asText());
        field(b, r.t("catalog.provider"), provider + " (" + e.path("providerCode").asText() + ")");
        field(b, r.t("catalog.category"), Enums.label(r, "category", e.path("category").asText()));
        field(b, r.t("catalog.summary"), e.path("summary").asText());
        field(b, r.t("catalog.sharingClass"), Enums.label(r, "sharingClass", sharingClass));
        if (sharingClass.equals("NOT_SHARED")) {
            field(b, r.t("catalog.reasonNotShared"), ApiClient.text(e, "reasonNotShared"));
        } else if (sharingClass.equals("CONDITIONAL")) {
            field(b, r.t("catalog.conditions"), ApiClient.text(e, "sharingConditions"));
        }
        field(b, r.t("catalog.method"), Enums.label(r, "sharingMethod", e.path("sharingMethod").asText()));
        field(b, r.t("catalog.usage"), ApiClient.text(e, "usageRequirements"));
        field(b, r.t("catalog.frequency"), e.path("updateFrequency").asText());
        field(b, r.t("catalog.status"), Enums.label(r, "resourceStatus", e.path("status").asText()));
        field(b, r.t("catalog.version"), e.path("catalogVersion").asText());
        b.append("</dl>");

        b.append("<h2>").append(Html.esc(r.t("catalog.items"))).append("</h2><table id=\"items\"><tr><th>")
                .append(Html.esc(r.t("item.name"))).append("</th><th>").append(Html.esc(r.t("item.displayName"))).append("</th><th>")
                .append(Html.esc(r.t("item.type"))).append("</th><th>").append(Html.esc(r.t("item.sensitivity"))).append("</th><th>")
                .append(Html.esc(r.t("item.mask"))).append("</th><th>").append(Html.esc(r.t("item.description"))).append("</th></tr>");
        for (JsonNode item : e.path("dataItems")) {
            String sensitivity = item.path("sensitivity").asText();
            b.append("<tr><td>").append(Html.esc(item.path("name").asText())).append(item.path("key").asBoolean() ? " <span class=\"key\">" + Html.esc(r.t("item.key")) + "</span>" : "")
                    .append("</td><td>").append(Html.esc(item.path("displayName").asText())).append("</td><td>")
                    .append(Html.esc(item.path("type").asText())).append("</td><td class=\"sensitivity-").append(Html.esc(sensitivity)).append("\">")
                    .append(Html.esc(Enums.label(r, "sensitivity", sensitivity))).append("</td><td>")
                    .append(Html.esc(item.path("mask").asText())).append("</td><td>")
                    .append(Html.esc(ApiClient.text(item, "description"))).append("</td></tr>");
        }
        b.append("</table>");

        if (provider.equals(r.caller().name())) {
            receivers(r, code, b);
        } else if (ConsolePages.Audience.DEPARTMENT.test(r.caller()) && !sharingClass.equals("NOT_SHARED")
                && e.path("status").asText().equals("ACTIVE")) {
            b.append("<p><a id=\"request-access\" href=\"").append(r.href("/requests/new?resource=" + Html.url(code))).append("\">")
                    .append(Html.esc(r.t("catalog.request"))).append("</a></p>");
        }
        r.render("catalog.resourceTitle", b.toString());
    }

    /** Who receives the provider's resource: the grants on it (only the provider sees them). */
    private static void receivers(ConsoleRequest r, String code, StringBuilder b) {
        ApiClient.Answer grants = r.apiGet(ApiPaths.GRANTS + "?role=provider");
        b.append("<h2>").append(Html.esc(r.t("catalog.receivers"))).append("</h2>");
        if (!grants.ok()) {
            b.append("<div class=\"error\">").append(Html.esc(grants.message())).append("</div>");
            return;
        }
        List<JsonNode> on = new java.util.ArrayList<>();
        grants.body().forEach(g -> {
            if (g.path("resourceCode").asText().equals(code) && g.path("status").asText().equals("ACTIVE")) {
                on.add(g);
            }
        });
        if (on.isEmpty()) {
            b.append("<p id=\"receivers-none\">").append(Html.esc(r.t("catalog.noReceivers"))).append("</p>");
            return;
        }
        b.append("<table id=\"receivers\"><tr><th>").append(Html.esc(r.t("grant.consumer"))).append("</th><th>")
                .append(Html.esc(r.t("grant.purpose"))).append("</th><th>").append(Html.esc(r.t("grant.fields"))).append("</th><th>")
                .append(Html.esc(r.t("grant.id"))).append("</th></tr>");
        for (JsonNode g : on) {
            List<String> fields = ApiClient.strings(g, "allowedFields");
            b.append("<tr><td>").append(Html.esc(g.path("consumer").asText())).append("</td><td>").append(Html.esc(g.path("purpose").asText()))
                    .append("</td><td>").append(Html.esc(fields.isEmpty() ? r.t("grant.allFields") : String.join(", ", fields)))
                    .append("</td><td>").append(Html.esc(g.path("grantId").asText())).append("</td></tr>");
        }
        b.append("</table>");
    }

    private static void field(StringBuilder b, String label, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        b.append("<dt>").append(Html.esc(label)).append("</dt><dd>").append(Html.esc(value)).append("</dd>");
    }
}
