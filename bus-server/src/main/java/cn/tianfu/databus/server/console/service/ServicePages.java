package cn.tianfu.databus.server.console.service;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.ConsoleFeature;
import cn.tianfu.databus.server.console.ConsolePages;
import cn.tianfu.databus.server.console.ConsoleRequest;
import cn.tianfu.databus.server.console.Html;

/**
 * The service exchange for a using department with a SERVICE grant (Art. 21, 23): query one record by its key
 * ({@code GET /api/v1/query/{resource}/{key}}, optionally with the bus's signed proof) and verify claims about a record
 * ({@code POST /api/v1/verify/{resource}}, always with a proof). Each is a form, so every exchange (which the bus logs)
 * is a deliberate act, not a reload; the answer is shown on the page and the proof (a JWS) is offered as a download.
 */
public final class ServicePages implements ConsoleFeature {

    @Override
    public void register(ConsolePages pages) {
        pages.get("/service", r -> page(r, r.query("resource").orElse(""), r.query("key").orElse(""), "", null))
                .post("/service/query", ServicePages::query)
                .post("/service/verify", ServicePages::verify)
                .post("/service/proof", ServicePages::proof)
                .menu(ConsolePages.Section.CONSUMER, "/service", "menu.service", ConsolePages.Audience.DEPARTMENT);
    }

    private static void page(ConsoleRequest r, String resource, String key, String claims, String answer) {
        StringBuilder b = new StringBuilder();
        if (answer != null) {
            b.append(answer);
        }
        b.append("<h2>").append(Html.esc(r.t("service.queryTitle"))).append("</h2>")
                .append("<form method=\"post\" action=\"").append(r.href("/service/query")).append("\" id=\"query-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("request.resource"))).append("<input name=\"resource\" id=\"query-resource\" required value=\"")
                .append(Html.esc(resource)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("service.key"))).append("<input name=\"key\" id=\"query-key\" required value=\"")
                .append(Html.esc(key)).append("\"></label>")
                .append("<label class=\"check\"><input type=\"checkbox\" name=\"proof\" value=\"true\" id=\"query-proof\" checked> ")
                .append(Html.esc(r.t("service.withProof"))).append("</label>")
                .append("<button type=\"submit\" id=\"query-submit\">").append(Html.esc(r.t("service.query"))).append("</button></form>");
        b.append("<h2>").append(Html.esc(r.t("service.verifyTitle"))).append("</h2>")
                .append("<form method=\"post\" action=\"").append(r.href("/service/verify")).append("\" id=\"verify-form\">").append(r.csrfField())
                .append("<label>").append(Html.esc(r.t("request.resource"))).append("<input name=\"resource\" id=\"verify-resource\" required value=\"")
                .append(Html.esc(resource)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("service.key"))).append("<input name=\"key\" id=\"verify-key\" required value=\"")
                .append(Html.esc(key)).append("\"></label>")
                .append("<label>").append(Html.esc(r.t("service.claims"))).append("<textarea name=\"claims\" id=\"verify-claims\" required>")
                .append(Html.esc(claims)).append("</textarea></label>")
                .append("<p class=\"hint\">").append(Html.esc(r.t("service.claimsHint"))).append("</p>")
                .append("<button type=\"submit\" id=\"verify-submit\">").append(Html.esc(r.t("service.verify"))).append("</button></form>");
        r.render("service.title", b.toString());
    }

    private static void query(ConsoleRequest r) {
        String resource = r.form("resource").orElse("");
        String key = r.form("key").orElse("");
        if (resource.isEmpty() || key.isEmpty()) {
            page(r, resource, key, "", error(r.t("service.missing")));
            return;
        }
        boolean proof = r.form("proof").isPresent();
        ApiClient.Answer answer = r.apiGet(ApiPaths.query(resource, key) + (proof ? "?proof=true" : ""));
        StringBuilder b = new StringBuilder("<section id=\"query-answer\">");
        if (answer.ok()) {
            b.append("<p class=\"notice\">").append(Html.esc(r.t("service.found", resource, ApiClient.text(answer.body(), "grant"))))
                    .append("</p><table id=\"record\"><tr><th>").append(Html.esc(r.t("service.field"))).append("</th><th>")
                    .append(Html.esc(r.t("service.value"))).append("</th></tr>");
            Map<String, JsonNode> items = items(r, resource);
            for (Iterator<Map.Entry<String, JsonNode>> it = answer.body().path("record").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                b.append("<tr data-field=\"").append(Html.esc(f.getKey())).append("\"><td>").append(Html.esc(f.getKey())).append("</td><td>")
                        .append(Html.esc(shown(f.getValue(), items.get(f.getKey())))).append("</td></tr>");
            }
            b.append("</table>");
        } else {
            b.append("<div class=\"error\" id=\"query-error\">").append(Html.esc(r.t("error.api", answer.message()))).append("</div>");
        }
        proofDownload(r, b, answer.body().path("proof").asText(""), resource);
        b.append("</section>");
        page(r, resource, key, "", b.toString());
    }

    private static void verify(ConsoleRequest r) {
        String resource = r.form("resource").orElse("");
        String key = r.form("key").orElse("");
        String text = r.form("claims").orElse("");
        ObjectNode claims = ApiClient.object();
        for (String line : text.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                page(r, resource, key, text, error(r.t("service.badClaim", line.trim())));
                return;
            }
            String field = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            if (value.equals("true") || value.equals("false")) {
                claims.put(field, Boolean.parseBoolean(value));
            } else {
                claims.put(field, value);
            }
        }
        if (resource.isEmpty() || key.isEmpty() || claims.isEmpty()) {
            page(r, resource, key, text, error(r.t("service.missing")));
            return;
        }
        ObjectNode body = ApiClient.object().put("key", key);
        body.set("claims", claims);
        ApiClient.Answer answer = r.apiPost(ApiPaths.verify(resource), body);
        StringBuilder b = new StringBuilder("<section id=\"verify-answer\">");
        if (answer.ok()) {
            b.append("<p class=\"notice\">").append(Html.esc(r.t("service.verified", resource, ApiClient.text(answer.body(), "grant"),
                    ApiClient.text(answer.body(), "exchangeId")))).append("</p><table id=\"results\"><tr><th>")
                    .append(Html.esc(r.t("service.field"))).append("</th><th>").append(Html.esc(r.t("service.claimed"))).append("</th><th>")
                    .append(Html.esc(r.t("service.holds"))).append("</th></tr>");
            for (Iterator<Map.Entry<String, JsonNode>> it = answer.body().path("results").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                boolean holds = f.getValue().asBoolean();
                b.append("<tr data-claim=\"").append(Html.esc(f.getKey())).append("\"><td>").append(Html.esc(f.getKey())).append("</td><td>")
                        .append(Html.esc(claims.path(f.getKey()).asText())).append("</td><td class=\"")
                        .append(holds ? "holds" : "fails").append("\">").append(Html.esc(r.t(holds ? "service.yes" : "service.no")))
                        .append("</td></tr>");
            }
            b.append("</table>");
        } else {
            b.append("<div class=\"error\" id=\"verify-error\">").append(Html.esc(r.t("error.api", answer.message()))).append("</div>");
        }
        proofDownload(r, b, answer.body().path("proof").asText(""), resource);
        b.append("</section>");
        page(r, resource, key, text, b.toString());
    }

    /** The resource's data items by name, from its catalog entry (empty when it cannot be read). */
    private static Map<String, JsonNode> items(ConsoleRequest r, String resource) {
        Map<String, JsonNode> items = new java.util.HashMap<>();
        ApiClient.Answer entry = r.apiGet(ApiPaths.CATALOG + "/" + Html.url(resource));
        if (entry.ok()) {
            entry.body().path("dataItems").forEach(i -> items.put(i.path("name").asText(), i));
        }
        return items;
    }

    /**
     * A field's value as a person reads it: the answer carries a decimal as its unscaled bytes and a date as days since
     * 1970 (Avro's own encoding), shown here with the scale and as a date, as the catalog types the item.
     */
    static String shown(JsonNode value, JsonNode item) {
        if (value == null || value.isNull()) {
            return "";
        }
        String type = item == null ? "" : item.path("type").asText();
        try {
            if (type.equals("DECIMAL") && value.isTextual()) {
                String raw = value.asText();
                byte[] bytes = new byte[raw.length()];
                for (int i = 0; i < raw.length(); i++) {
                    bytes[i] = (byte) (raw.charAt(i) & 0xFF);
                }
                JsonNode scale = item.path("scale").isObject() ? item.path("scale").path("int") : item.path("scale");
                return bytes.length == 0 ? "" : new java.math.BigDecimal(new java.math.BigInteger(bytes), scale.asInt(0)).toPlainString();
            }
            if (type.equals("DATE") && value.isIntegralNumber()) {
                return java.time.LocalDate.ofEpochDay(value.asLong()).toString();
            }
            if (type.equals("TIMESTAMP") && value.isIntegralNumber()) {
                return cn.tianfu.databus.server.console.Deadlines.dateTime(java.time.Instant.ofEpochMilli(value.asLong()));
            }
        } catch (RuntimeException e) {
            // shown as the answer holds it
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** The proof as shown (to copy) and as a form that hands it back as a file. */
    private static void proofDownload(ConsoleRequest r, StringBuilder b, String jws, String resource) {
        if (jws.isEmpty()) {
            return;
        }
        b.append("<h3>").append(Html.esc(r.t("service.proof"))).append("</h3><p class=\"hint\">").append(Html.esc(r.t("service.proofHint")))
                .append("</p><textarea readonly id=\"proof\" rows=\"4\">").append(Html.esc(jws)).append("</textarea>")
                .append("<form method=\"post\" action=\"").append(r.href("/service/proof")).append("\" id=\"proof-form\">").append(r.csrfField())
                .append("<input type=\"hidden\" name=\"jws\" value=\"").append(Html.esc(jws)).append("\">")
                .append("<input type=\"hidden\" name=\"resource\" value=\"").append(Html.esc(resource)).append("\">")
                .append("<button type=\"submit\" id=\"proof-download\">").append(Html.esc(r.t("service.proofDownload"))).append("</button></form>");
    }

    /** Hands the proof shown on the page back as a file (nothing is looked up: the bus signed it; anyone may check it). */
    private static void proof(ConsoleRequest r) {
        String jws = r.form("jws").orElse("");
        if (!jws.matches("[A-Za-z0-9_\\-]+\\.[A-Za-z0-9_\\-]*\\.[A-Za-z0-9_\\-]+")) {
            page(r, r.form("resource").orElse(""), "", "", error(r.t("service.badProof")));
            return;
        }
        String name = r.form("resource").orElse("proof").replaceAll("[^A-Za-z0-9_.-]", "_");
        r.ctx().status(200).contentType("application/jose; charset=us-ascii")
                .header("Content-Disposition", "attachment; filename=\"" + name + "-proof.jws\"")
                .result(jws.getBytes(StandardCharsets.US_ASCII));
    }

    private static String error(String text) {
        return "<div class=\"error\" id=\"service-error\">" + Html.esc(text) + "</div>";
    }
}
