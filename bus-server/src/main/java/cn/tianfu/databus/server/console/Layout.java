package cn.tianfu.databus.server.console;

import java.util.List;
import java.util.Optional;

/** The frame of every console page: head, top bar (who is signed in, language, sign-out), menu, flash message, content. */
final class Layout {

    /** A page for a signed-in person. */
    String page(ConsoleRequest r, String title, String body) {
        Messages m = r.messages();
        StringBuilder out = new StringBuilder(4096);
        head(out, m, title);
        out.append("<header class=\"top\"><a class=\"brand\" href=\"").append(Console.PATH).append("/\">")
                .append(Html.esc(m.get("app.title"))).append("</a>");
        out.append("<span class=\"who\" id=\"signed-in\">").append(Html.esc(m.get("layout.signedInAs", r.caller().name()))).append("</span>");
        languages(out, m, r.ctx().path());
        out.append("<form class=\"logout\" method=\"post\" action=\"").append(Console.PATH).append("/logout\">").append(r.csrfField())
                .append("<button type=\"submit\" id=\"logout\">").append(Html.esc(m.get("layout.signOut"))).append("</button></form>");
        out.append("</header><div class=\"frame\"><nav class=\"menu\">");
        List<ConsolePages.MenuEntry> menu = r.menu();
        for (ConsolePages.Section section : ConsolePages.Section.values()) {
            List<ConsolePages.MenuEntry> entries = menu.stream().filter(e -> e.section() == section).toList();
            if (entries.isEmpty()) {
                continue;
            }
            out.append("<h3>").append(Html.esc(m.get(section.key()))).append("</h3><ul>");
            for (ConsolePages.MenuEntry e : entries) {
                String href = Console.PATH + e.path();
                boolean here = r.ctx().path().equals(href);
                out.append("<li><a href=\"").append(Html.esc(href)).append("\"").append(here ? " class=\"here\"" : "").append(">")
                        .append(Html.esc(m.get(e.labelKey()))).append("</a></li>");
            }
            out.append("</ul>");
        }
        out.append("</nav><main><h1>").append(Html.esc(title)).append("</h1>");
        Optional<Sessions.Flash> flash = r.session().takeFlash();
        flash.ifPresent(f -> out.append("<div id=\"flash\" class=\"").append(f.error() ? "error" : "notice").append("\">")
                .append(Html.esc(f.text())).append("</div>"));
        out.append(body).append("</main></div>");
        foot(out);
        return out.toString();
    }

    /** The sign-in page. */
    String login(Messages m, String csrf, String error, String next, String username) {
        StringBuilder out = new StringBuilder(2048);
        head(out, m, m.get("login.title"));
        out.append("<header class=\"top\"><span class=\"brand\">").append(Html.esc(m.get("app.title"))).append("</span>");
        languages(out, m, Console.PATH + "/login");
        out.append("</header><main class=\"login\"><h1>").append(Html.esc(m.get("login.title"))).append("</h1>");
        if (error != null) {
            out.append("<div class=\"error\" id=\"login-error\">").append(Html.esc(error)).append("</div>");
        }
        out.append("<form method=\"post\" action=\"").append(Console.PATH).append("/login\">")
                .append("<input type=\"hidden\" name=\"").append(Console.CSRF_FIELD).append("\" value=\"").append(Html.esc(csrf)).append("\">")
                .append("<input type=\"hidden\" name=\"next\" value=\"").append(Html.esc(next)).append("\">")
                .append("<label>").append(Html.esc(m.get("login.username")))
                .append("<input name=\"username\" id=\"username\" autocomplete=\"username\" required value=\"").append(Html.esc(username))
                .append("\"></label><label>").append(Html.esc(m.get("login.password")))
                .append("<input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" required></label>")
                .append("<button type=\"submit\" id=\"sign-in\">").append(Html.esc(m.get("login.submit"))).append("</button></form>")
                .append("<p class=\"hint\">").append(Html.esc(m.get("login.hint"))).append("</p></main>");
        foot(out);
        return out.toString();
    }

    /** A page without a session (an error before sign-in). */
    String bare(Messages m, String title, String body) {
        StringBuilder out = new StringBuilder(1024);
        head(out, m, title);
        out.append("<header class=\"top\"><span class=\"brand\">").append(Html.esc(m.get("app.title"))).append("</span></header><main><h1>")
                .append(Html.esc(title)).append("</h1>").append(body).append("</main>");
        foot(out);
        return out.toString();
    }

    private static void head(StringBuilder out, Messages m, String title) {
        out.append("<!DOCTYPE html><html lang=\"").append(m.language().equals("zh") ? "zh-CN" : "en").append("\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").append(Html.esc(title))
                .append(" - ").append(Html.esc(m.get("app.title"))).append("</title><link rel=\"stylesheet\" href=\"")
                .append(Console.PATH).append("/static/console.css\"><script src=\"").append(Console.PATH)
                .append("/static/console.js\" defer></script></head><body>");
    }

    private static void languages(StringBuilder out, Messages m, String path) {
        out.append("<span class=\"lang\">");
        for (String lang : Messages.LANGUAGES) {
            if (lang.equals(m.language())) {
                out.append("<b>").append(Html.esc(m.get("lang." + lang))).append("</b> ");
            } else {
                out.append("<a id=\"lang-").append(lang).append("\" href=\"").append(Html.esc(path)).append("?lang=").append(lang).append("\">")
                        .append(Html.esc(m.get("lang." + lang))).append("</a> ");
            }
        }
        out.append("</span>");
    }

    private static void foot(StringBuilder out) {
        out.append("</body></html>");
    }
}
