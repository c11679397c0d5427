package cn.tianfu.databus.server.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.auth.LoginGuard;
import cn.tianfu.databus.server.console.catalog.CatalogPages;
import cn.tianfu.databus.server.console.consumer.ConsumerPages;
import cn.tianfu.databus.server.console.provider.ProviderPages;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * The bus's web console, served on the HTTP API's port under {@value #PATH} (and {@code GET /} leads to it):
 * server-rendered HTML pages in Chinese or English, for a department (or the bus's own principal, or an auditor) signed
 * in with its own credentials. Sign-in goes through the API's {@link Authenticator} and {@link LoginGuard} (so failed
 * sign-ins are throttled with the API's); the session lives on the server ({@link Sessions}); every form carries the
 * session's CSRF token and every POST without it is refused (403). Pages read and act through the HTTP API as the
 * signed-in principal ({@link ApiClient}), so they follow exactly the API's rules. See docs/console.md.
 *
 * <p>Each feature registers its own pages and menu entries ({@link ConsoleFeature}); the menu shows an entry only when a
 * feature registered it, for the principals it is meant for.
 */
public final class Console {

    /** The console's root path. */
    public static final String PATH = "/console";
    /** The session cookie. */
    static final String SESSION_COOKIE = "databus_console";
    /** The cookie holding the sign-in form's CSRF token before there is a session. */
    static final String LOGIN_COOKIE = "databus_console_login";
    /** The cookie remembering the language. */
    static final String LANG_COOKIE = "databus_console_lang";
    /** The form field of the CSRF token. */
    public static final String CSRF_FIELD = "csrf";

    /** The console's features, each registering its pages: add a feature with one line here. */
    static final List<ConsoleFeature> FEATURES = List.of(
            new CatalogPages(),
            new ConsumerPages(),
            new ProviderPages(),
            new cn.tianfu.databus.server.console.authority.AuthorityPages(),
            new cn.tianfu.databus.server.console.audit.AuditPages(),
            new cn.tianfu.databus.server.console.resources.ResourcePages(),
            new cn.tianfu.databus.server.console.provider.AnswerPages(),
            new cn.tianfu.databus.server.console.provider.DutyPages(),
            new cn.tianfu.databus.server.console.service.ServicePages(),
            new cn.tianfu.databus.server.console.reports.ReportPages(),
            new cn.tianfu.databus.server.console.disputes.DisputePages(),
            new cn.tianfu.databus.server.console.authority.AuthorityAdminPages());

    private static final Logger LOG = LoggerFactory.getLogger(Console.class);
    private static final Map<String, String> STATIC = Map.of("console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    /**
     * How the console keeps sessions.
     *
     * @param idleTimeout how long a session lasts without a request (default 30 minutes)
     * @param clock       the clock sessions expire on and pages count days by
     */
    public record Settings(Duration idleTimeout, InstantSource clock) {
        /** 30 minutes idle, on the system clock. */
        public static final Settings DEFAULT = new Settings(Duration.ofMinutes(30), InstantSource.system());
    }

    private final Sessions sessions;
    private final LoginGuard guard;
    private final ApiClient api;
    private final ConsoleServices services;
    private final Layout layout = new Layout();
    private final List<ConsolePages.MenuEntry> menu = new ArrayList<>();

    private Console(Sessions sessions, LoginGuard guard, ApiClient api, ConsoleServices services) {
        this.sessions = sessions;
        this.guard = guard;
        this.api = api;
        this.services = services;
    }

    /**
     * Adds the console's routes: sign-in and sign-out, the static files, {@code GET /} leading here, and every page of
     * {@code features}.
     *
     * @param guard    the API's login guard (sign-ins are throttled together with the API's logins)
     * @param api      the HTTP API as the console calls it
     * @param services what pages read besides the API
     */
    public static Console register(JavalinConfig config, LoginGuard guard, ApiClient api, ConsoleServices services, Settings settings) {
        return register(config, guard, api, services, settings, FEATURES);
    }

    static Console register(JavalinConfig config, LoginGuard guard, ApiClient api, ConsoleServices services, Settings settings,
            List<ConsoleFeature> features) {
        Console console = new Console(new Sessions(settings.idleTimeout(), settings.clock()), guard, api, services);
        config.routes.get("/", ctx -> ctx.redirect(PATH + "/", HttpStatus.FOUND));
        // Javalin ignores trailing slashes: this is /console/ too
        config.routes.get(PATH, ctx -> console.anonymous(ctx, () -> console.home(ctx)));
        config.routes.get(PATH + "/login", ctx -> console.anonymous(ctx, () -> console.loginPage(ctx, null, 200)));
        config.routes.post(PATH + "/login", ctx -> console.anonymous(ctx, () -> console.login(ctx)));
        config.routes.post(PATH + "/logout", ctx -> console.anonymous(ctx, () -> console.logout(ctx)));
        config.routes.get(PATH + "/static/{file}", console::serveStatic);
        for (ConsoleFeature feature : features) {
            ConsolePages pages = new ConsolePages();
            feature.register(pages);
            console.menu.addAll(pages.menu());
            for (ConsolePages.Route route : pages.routes()) {
                String path = PATH + route.path();
                if (route.method().equals("GET")) {
                    config.routes.get(path, ctx -> console.page(ctx, route.page(), false));
                } else {
                    config.routes.post(path, ctx -> console.page(ctx, route.page(), true));
                }
            }
        }
        return console;
    }

    /** The sessions (for tests and for ending a principal's sessions). */
    public Sessions sessions() {
        return sessions;
    }

    ApiClient api() {
        return api;
    }

    ConsoleServices services() {
        return services;
    }

    Layout layout() {
        return layout;
    }

    List<ConsolePages.MenuEntry> menu() {
        return List.copyOf(menu);
    }

    // ---- one page request

    private void page(Context ctx, ConsolePages.Page page, boolean form) {
        Messages messages = language(ctx);
        headers(ctx);
        Optional<Sessions.Session> session = sessions.find(cookie(ctx, SESSION_COOKIE));
        if (session.isEmpty()) {
            if (form) {
                // no session: nothing can prove the form is the person's own
                errorPage(ctx, messages, null, 403, messages.get("error.csrf"));
            } else {
                ctx.redirect(PATH + "/login?next=" + Html.url(ctx.path()), HttpStatus.SEE_OTHER);
            }
            return;
        }
        ConsoleRequest request = new ConsoleRequest(ctx, session.get(), messages, this);
        if (form && !session.get().csrfMatches(ctx.formParam(CSRF_FIELD))) {
            LOG.warn("console: a form to {} from {} without the session's CSRF token was refused", ctx.path(), ctx.req().getRemoteAddr());
            errorPage(ctx, messages, request, 403, messages.get("error.csrf"));
            return;
        }
        try {
            page.handle(request);
        } catch (ConsoleException e) {
            if (e.status() == 401) {
                sessions.close(session.get().id());
                clearCookie(ctx, SESSION_COOKIE);
                ctx.redirect(PATH + "/login", HttpStatus.SEE_OTHER);
                return;
            }
            errorPage(ctx, messages, request, e.status(), messages.get(e.key(), e.args()));
        } catch (Exception e) {
            LOG.error("console page {} failed", ctx.path(), e);
            errorPage(ctx, messages, request, 500, messages.get("error.internal"));
        }
    }

    private void anonymous(Context ctx, Runnable page) {
        headers(ctx);
        page.run();
    }

    private void home(Context ctx) {
        Optional<Sessions.Session> session = sessions.find(cookie(ctx, SESSION_COOKIE));
        if (session.isEmpty()) {
            ctx.redirect(PATH + "/login", HttpStatus.FOUND);
            return;
        }
        Messages messages = language(ctx);
        ConsoleRequest request = new ConsoleRequest(ctx, session.get(), messages, this);
        List<ConsolePages.MenuEntry> mine = request.menu();
        if (!mine.isEmpty()) {
            ctx.redirect(PATH + mine.get(0).path(), HttpStatus.FOUND);
            return;
        }
        request.render("home.title", "<p>" + Html.esc(messages.get("home.nothing")) + "</p>");
    }

    // ---- sign-in and sign-out

    private void loginPage(Context ctx, String error, int status) {
        Messages messages = language(ctx);
        String token = cookie(ctx, LOGIN_COOKIE);
        if (token == null || token.isEmpty()) {
            token = Sessions.Tokens.random();
            setCookie(ctx, LOGIN_COOKIE, token, -1);
        }
        String next = Optional.ofNullable(ctx.queryParam("next")).orElse(Optional.ofNullable(ctx.formParam("next")).orElse(""));
        ctx.status(status).contentType("text/html; charset=utf-8")
                .result(layout.login(messages, token, error, safeNext(next), ctx.formParam("username")).getBytes(StandardCharsets.UTF_8));
    }

    private void login(Context ctx) {
        Messages messages = language(ctx);
        if (!Sessions.Tokens.equal(cookie(ctx, LOGIN_COOKIE), ctx.formParam(CSRF_FIELD))) {
            LOG.warn("console: a sign-in from {} without the form's CSRF token was refused", ctx.req().getRemoteAddr());
            errorPage(ctx, messages, null, 403, messages.get("error.csrf"));
            return;
        }
        String username = Optional.ofNullable(ctx.formParam("username")).orElse("").trim();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        if (username.isEmpty() || password.isEmpty() || username.contains(":")) {
            loginPage(ctx, messages.get("login.missing"), 400);
            return;
        }
        String header = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        LoginGuard.Outcome outcome = guard.check(header, ctx.req().getRemoteAddr());
        if (outcome instanceof LoginGuard.Accepted accepted) {
            Sessions.Session session = sessions.open(accepted.caller(), new Authenticator.Basic(username, password));
            setCookie(ctx, SESSION_COOKIE, session.id(), -1);
            clearCookie(ctx, LOGIN_COOKIE);
            LOG.info("console: {} signed in from {}", accepted.caller().name(), ctx.req().getRemoteAddr());
            ctx.redirect(safeNext(Optional.ofNullable(ctx.formParam("next")).orElse("")), HttpStatus.SEE_OTHER);
        } else if (outcome instanceof LoginGuard.Throttled throttled) {
            ctx.header("Retry-After", throttled.retryAfterSeconds());
            loginPage(ctx, messages.get("login.throttled", throttled.retryAfterSeconds()), 429);
        } else {
            loginPage(ctx, messages.get("login.failed"), 401);
        }
    }

    private void logout(Context ctx) {
        Optional<Sessions.Session> session = sessions.find(cookie(ctx, SESSION_COOKIE));
        if (session.isEmpty() || !session.get().csrfMatches(ctx.formParam(CSRF_FIELD))) {
            Messages messages = language(ctx);
            errorPage(ctx, messages, null, 403, messages.get("error.csrf"));
            return;
        }
        sessions.close(session.get().id());
        clearCookie(ctx, SESSION_COOKIE);
        ctx.redirect(PATH + "/login", HttpStatus.SEE_OTHER);
    }

    /** Only a path of the console itself, so the sign-in page cannot be made to send a person elsewhere. */
    static String safeNext(String next) {
        if (next != null && next.startsWith(PATH + "/") && !next.startsWith(PATH + "//") && !next.contains("\\")
                && !next.startsWith(PATH + "/login") && next.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return next;
        }
        return PATH + "/";
    }

    // ---- language, headers, cookies, errors, static files

    private static Messages language(Context ctx) {
        String asked = ctx.queryParam("lang");
        if (asked != null && Messages.LANGUAGES.contains(asked)) {
            setCookie(ctx, LANG_COOKIE, asked, 365L * 24 * 3600);
            return Messages.of(asked);
        }
        return Messages.of(cookie(ctx, LANG_COOKIE));
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
    }

    private void errorPage(Context ctx, Messages messages, ConsoleRequest request, int status, String text) {
        String body = "<div class=\"error\" id=\"error\">" + Html.esc(text) + "</div>"
                + "<p><a href=\"" + PATH + "/\">" + Html.esc(messages.get("error.back")) + "</a></p>";
        String title = messages.get("error.title", status);
        String page = request == null ? layout.bare(messages, title, body) : layout.page(request, title, body);
        ctx.status(status).contentType("text/html; charset=utf-8").result(page.getBytes(StandardCharsets.UTF_8));
    }

    private static String cookie(Context ctx, String name) {
        return ctx.cookie(name);
    }

    private static void setCookie(Context ctx, String name, String value, long maxAgeSeconds) {
        StringBuilder c = new StringBuilder(name).append('=').append(value).append("; Path=").append(PATH)
                .append("; HttpOnly; SameSite=Strict");
        if (maxAgeSeconds >= 0) {
            c.append("; Max-Age=").append(maxAgeSeconds);
        }
        if (ctx.req().isSecure()) {
            c.append("; Secure");
        }
        ctx.res().addHeader("Set-Cookie", c.toString());
    }

    private static void clearCookie(Context ctx, String name) {
        setCookie(ctx, name, "", 0);
    }

    private void serveStatic(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = STATIC.get(file);
        if (type == null) {
            ctx.status(404).result("");
            return;
        }
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream("console/static/" + file)) {
            if (in == null) {
                ctx.status(404).result("");
                return;
            }
            ctx.header("Cache-Control", "max-age=300").header("X-Content-Type-Options", "nosniff")
                    .contentType(type).result(in.readAllBytes());
        }
    }
}
