package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.auth.LoginGuard;
import io.javalin.Javalin;

/**
 * The console's sign-in, session and CSRF rules over real HTTP (Javalin on a free port), with a page and a form of a
 * feature registered for the test, an authenticator backed by one department's password and a pinned clock.
 */
class ConsoleSessionTest {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-02T01:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private final AtomicInteger posted = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private Javalin app;
    private String url;

    @BeforeEach
    void start() {
        Authenticator departments = (user, password) -> "psb".equals(user) && "right-password".equals(password)
                ? Optional.of(Authenticator.Caller.of(user)) : Optional.empty();
        ConsoleFeature feature = pages -> pages
                .get("/things", r -> r.render("home.title", "<form method=\"post\" action=\"/console/things\">" + r.csrfField() + "</form>"))
                .post("/things", r -> {
                    posted.incrementAndGet();
                    r.redirect("/things");
                })
                .menu(ConsolePages.Section.CATALOG, "/things", "menu.catalog", ConsolePages.Audience.DEPARTMENT)
                .menu(ConsolePages.Section.AUTHORITY, "/things", "menu.incoming", ConsolePages.Audience.AUTHORITY);
        app = Javalin.create(config -> Console.register(config, new LoginGuard(departments), new ApiClient(() -> null),
                new ConsoleServices(clock, () -> null, ConsoleServices.Deliveries.UNKNOWN),
                new Console.Settings(Duration.ofMinutes(30), clock), List.of(feature))).start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void theRootLeadsToTheSignInPageWhichSetsItsOwnCsrfCookie() throws Exception {
        HttpResponse<String> root = get("/", null);
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
        HttpResponse<String> console = get("/console/", null);
        assertThat(console.headers().firstValue("Location")).hasValue("/console/login");
        HttpResponse<String> login = get("/console/login", null);
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("<html lang=\"zh-CN\"", "登录");
        assertThat(login.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(Console.LOGIN_COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/console"));
        assertThat(login.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(get("/console/login?lang=en", null).body()).contains("<html lang=\"en\"", "Sign in");
    }

    @Test
    void aSignInNeedsTheFormsTokenAndTheRightPassword() throws Exception {
        Login login = loginPage();
        assertThat(post("/console/login", "username=psb&password=right-password", login.cookie).statusCode())
                .as("without the form's token").isEqualTo(403);
        assertThat(post("/console/login", "username=psb&password=right-password&csrf=" + login.token, null).statusCode())
                .as("without the cookie it must match").isEqualTo(403);
        HttpResponse<String> wrong = post("/console/login", "username=psb&password=wrong&csrf=" + login.token, login.cookie);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("账号或密码不正确").doesNotContain("wrong");
        assertThat(wrong.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(Console.SESSION_COOKIE + "="));
        HttpResponse<String> right = post("/console/login", "username=psb&password=right-password&csrf=" + login.token
                + "&next=" + URLEncoder.encode("https://elsewhere.example/", StandardCharsets.UTF_8), login.cookie);
        assertThat(right.statusCode()).isEqualTo(303);
        assertThat(right.headers().firstValue("Location")).as("never sent elsewhere").hasValue("/console/");
        assertThat(right.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(Console.SESSION_COOKIE + "=").contains("HttpOnly", "SameSite=Strict").doesNotContain("Secure"));
    }

    @Test
    void failedSignInsAreThrottledByTheLoginGuard() throws Exception {
        Login login = loginPage();
        for (int i = 0; i < LoginGuard.FREE_FAILURES_PER_USER; i++) {
            assertThat(post("/console/login", "username=psb&password=wrong&csrf=" + login.token, login.cookie).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = post("/console/login", "username=psb&password=wrong&csrf=" + login.token, login.cookie);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void everyFormNeedsTheSessionsCsrfToken() throws Exception {
        String session = signIn();
        HttpResponse<String> page = get("/console/things", session);
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as("the page's form carries the token").isTrue();
        String token = m.group(1);
        assertThat(post("/console/things", "", session).statusCode()).isEqualTo(403);
        assertThat(post("/console/things", "csrf=forged", session).statusCode()).isEqualTo(403);
        assertThat(post("/console/things", "csrf=" + token, null).statusCode()).as("without a session").isEqualTo(403);
        assertThat(posted).as("no refused form reached its handler").hasValue(0);
        HttpResponse<String> done = post("/console/things", "csrf=" + token, session);
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(posted).hasValue(1);

        String other = signIn();
        assertThat(post("/console/things", "csrf=" + token, other).statusCode()).as("another session's token").isEqualTo(403);
        assertThat(posted).hasValue(1);
    }

    @Test
    void theMenuShowsOnlyTheEntriesRegisteredForTheCaller() throws Exception {
        String body = get("/console/things", signIn()).body();
        assertThat(body).contains("浏览目录").doesNotContain("待审批的申请").doesNotContain("主管部门");
    }

    @Test
    void aSessionEndsAfterTheIdleTimeoutAndOnSignOut() throws Exception {
        String session = signIn();
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertThat(get("/console/things", session).statusCode()).isEqualTo(200);
        now.set(now.get().plus(Duration.ofMinutes(31)));
        HttpResponse<String> expired = get("/console/things", session);
        assertThat(expired.statusCode()).isEqualTo(303);
        assertThat(expired.headers().firstValue("Location")).hasValue("/console/login?next=%2Fconsole%2Fthings");

        String again = signIn();
        String token = csrfOf(get("/console/things", again).body());
        assertThat(post("/console/logout", "", again).statusCode()).as("sign-out is a form too").isEqualTo(403);
        assertThat(post("/console/logout", "csrf=" + token, again).statusCode()).isEqualTo(303);
        assertThat(get("/console/things", again).statusCode()).isEqualTo(303);
    }

    // ---- helpers

    private record Login(String token, String cookie) {
    }

    private Login loginPage() throws Exception {
        HttpResponse<String> page = get("/console/login", null);
        String cookie = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(Console.LOGIN_COOKIE + "="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
        return new Login(csrfOf(page.body()), cookie);
    }

    private String signIn() throws Exception {
        Login login = loginPage();
        HttpResponse<String> r = post("/console/login", "username=psb&password=right-password&csrf=" + login.token, login.cookie);
        assertThat(r.statusCode()).isEqualTo(303);
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(Console.SESSION_COOKIE + "="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
    }

    private static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(String path, String form, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
