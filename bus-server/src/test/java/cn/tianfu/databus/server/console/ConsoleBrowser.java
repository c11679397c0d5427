package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.ServerConfig;

/**
 * A real headless Chromium on the web console of a whole bus ({@link BusRuntime}: broker, registry, every streams app,
 * the HTTP API and the console), for the console's browser tests: the driver, navigation that waits until the next page
 * is loaded, signing in and out, screenshots, and the bus's HTTP API and console routes called directly (as a
 * department, with the browser's session cookie, or anonymously).
 *
 * <p>The bus and the browser are started once and shared by the browser test classes of the JVM ({@link #USERS}); each
 * class works with departments and resources of its own, so none sees another's. They are stopped when every one of
 * those classes has closed its {@code ConsoleBrowser}, or else when the JVM exits. The bus's quality app evaluates
 * every resource every {@link #QUALITY_CHECK_INTERVAL_MS} ms, so a test waits seconds for a score, not a minute.
 *
 * <p>Needs {@code chromium} and {@code chromedriver} (Debian's {@code chromium} and {@code chromium-driver}); without
 * them {@link #open} skips the calling test, saying so.
 */
final class ConsoleBrowser implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration PAGE = Duration.ofSeconds(60);

    /** The test classes that share the bus and the browser: once all of them are done, both are stopped. */
    static final Set<String> USERS = Set.of("ConsoleBrowserIT", "ConsoleProviderBrowserIT", "ConsoleAuthorityBrowserIT");
    static final long QUALITY_CHECK_INTERVAL_MS = 2_000L;
    /** Where the shared browser saves downloaded files without asking. */
    static final Path DOWNLOADS = Path.of("target/console-downloads").toAbsolutePath();

    private static Shared shared;
    private static final Set<String> done = new HashSet<>();

    private final String test;
    private final ChromeDriver driver;
    private final BusRuntime bus;
    private final Path dir;
    private final String url;
    private final Map<String, DatabusClientConfig> principals;
    private final Path screenshots;
    private final String shotPrefix;
    private int shots;

    /** The bus, its data directory and the browser, shared by {@link #USERS}. */
    private record Shared(Path dir, BusRuntime bus, ChromeDriver driver) {

        static Shared start() throws IOException {
            Path dir = Files.createTempDirectory("databus-console-it-");
            Files.createDirectories(DOWNLOADS);
            BusRuntime bus = null;
            try {
                bus = startBus(dir, Map.of(ServerConfig.QUALITY_CHECK_INTERVAL_MS_CONFIG, QUALITY_CHECK_INTERVAL_MS));
                return new Shared(dir, bus, chromium());
            } catch (RuntimeException e) {
                if (bus != null) {
                    bus.close();
                }
                cn.tianfu.databus.testkit.SharedBus.deleteRecursively(dir);
                throw e;
            }
        }

        void stop() {
            try {
                driver.quit();
            } finally {
                bus.close();
                cn.tianfu.databus.testkit.SharedBus.deleteRecursively(dir);
            }
        }
    }

    /**
     * The shared browser on the shared bus (both started on first call) for the test class {@code test}, one of
     * {@link #USERS}, signed out, with the departments of {@code departments} (id to name, ids of this class's own)
     * added and the bus's own principal {@code bus}.
     *
     * @param screenshots where {@link #shot(String)} saves its pictures, created if missing
     * @param shotPrefix put before each picture's number ({@code authority-} gives {@code authority-01-name.png})
     * @param windowHeight the window's height for this class's pictures (its width is 1280)
     */
    static synchronized ConsoleBrowser open(String test, Map<String, String> departments, Path screenshots, String shotPrefix,
            int windowHeight) throws IOException {
        if (!USERS.contains(test)) {
            throw new IllegalArgumentException(test + " is not one of " + USERS);
        }
        Assumptions.assumeTrue(executable("chromium", "/usr/bin/chromium").isPresent()
                        && executable("chromedriver", "/usr/bin/chromedriver").isPresent(),
                test + " needs chromium and chromedriver (Debian packages chromium and chromium-driver): not found, skipped");
        if (shared == null) {
            shared = Shared.start();
            Shared started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopShared(started), "console-browser-stop"));
        }
        done.remove(test);
        Map<String, DatabusClientConfig> principals = new HashMap<>(ConsoleBrowser.departments(shared.bus(), shared.dir(), departments));
        principals.put("bus", ClientFiles.bus(shared.dir()));
        return new ConsoleBrowser(test, shared, principals, screenshots, shotPrefix, windowHeight);
    }

    private static synchronized void stopShared(Shared s) {
        if (shared == s) {
            shared = null;
            s.stop();
        }
    }

    private ConsoleBrowser(String test, Shared shared, Map<String, DatabusClientConfig> principals, Path screenshots, String shotPrefix,
            int windowHeight) throws IOException {
        this.test = test;
        this.driver = shared.driver();
        this.bus = shared.bus();
        this.dir = shared.dir();
        this.url = bus.endpoints().httpUrl();
        this.principals = principals;
        this.screenshots = Files.createDirectories(screenshots);
        this.shotPrefix = shotPrefix;
        driver.manage().deleteAllCookies();
        driver.get("about:blank");
        driver.manage().window().setSize(new Dimension(1280, windowHeight));
    }

    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("chromium", "/usr/bin/chromium").orElseThrow().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--lang=zh-CN");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", DOWNLOADS.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(executable("chromedriver", "/usr/bin/chromedriver").orElseThrow().toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(90));
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", DOWNLOADS.toString()));
        return driver;
    }

    /**
     * A whole bus ({@link BusRuntime}: broker, registry, every streams app, the HTTP API and the console) on free ports
     * with its data in {@code dir}, and {@code more} of its config keys.
     */
    private static BusRuntime startBus(Path dir, Map<String, ?> more) {
        Map<String, Object> props = new HashMap<>(more);
        props.put(ServerConfig.DATA_DIR_CONFIG, dir.toString());
        props.put(ServerConfig.KAFKA_PORT_CONFIG, 0);
        props.put(ServerConfig.REGISTRY_PORT_CONFIG, 0);
        props.put(ServerConfig.HTTP_PORT_CONFIG, 0);
        return BusRuntime.start(new ServerConfig(props));
    }

    /** Adds each department of {@code names} (id to name) to {@code bus}: their client configs, by id. */
    private static Map<String, DatabusClientConfig> departments(BusRuntime bus, Path dir, Map<String, String> names) {
        Map<String, DatabusClientConfig> configs = new HashMap<>();
        try (Departments departments = Departments.connect(bus.busConfig(), Duration.ofSeconds(30))) {
            names.forEach((id, name) -> configs.put(id, ClientFiles.ensureDepartment(departments, dir, bus.endpoints(), id, name,
                    Optional.empty())));
        }
        return configs;
    }

    BusRuntime bus() {
        return bus;
    }

    /** The shared bus's data directory (its client files are under it). */
    Path dir() {
        return dir;
    }

    DatabusClientConfig config(String principal) {
        return principals.get(principal);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** The console's base URL, e.g. {@code http://127.0.0.1:41234}. */
    String url() {
        return url;
    }

    String password(String principal) {
        return principals.get(principal).basicAuthUserInfo().orElseThrow().split(":", 2)[1];
    }

    /** Signs in through the sign-in form and waits for its answer: signed in as {@code user}, or the form's error shown. */
    void signIn(String user, String password) {
        driver.get(url + "/console/login");
        driver.findElement(By.id("username")).clear();
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        navigate(driver.findElement(By.id("sign-in")));
        await().atMost(PAGE).until(() -> !driver.findElements(By.id("login-error")).isEmpty()
                || driver.manage().getCookieNamed(Console.SESSION_COOKIE) != null
                && driver.findElements(By.id("signed-in")).stream().anyMatch(e -> e.getText().contains(user)));
    }

    /** Signs in as {@code principal} with its own password. */
    void signIn(String principal) {
        signIn(principal, password(principal));
    }

    void signOut() {
        navigate(driver.findElement(By.id("logout")));
        await().atMost(PAGE).until(() -> driver.getCurrentUrl().endsWith("/console/login"));
    }

    /** Clicks {@code target} and waits until the browser has left the page (the next one is loaded). */
    void navigate(WebElement target) {
        WebElement page = driver.findElement(By.tagName("html"));
        target.click();
        awaitNextPage(page);
    }

    /** Waits until {@code page} (the {@code html} element of the page before) is gone and the next one is loaded. */
    void awaitNextPage(WebElement page) {
        await().atMost(PAGE).until(() -> isStale(page) && "complete".equals(driver.executeScript("return document.readyState")));
    }

    static boolean isStale(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (StaleElementReferenceException e) {
            return true;
        }
    }

    /** Checks exactly {@code fields} among the data items of a decision form. */
    void pick(String... fields) {
        for (WebElement box : driver.findElements(By.cssSelector("#fields input[type=checkbox]"))) {
            boolean wanted = List.of(fields).contains(box.getAttribute("value"));
            if (box.isSelected() != wanted) {
                box.click();
            }
        }
    }

    /** Sets a text area's or an input's value as a paste would. */
    void setValue(WebElement element, String value) {
        driver.executeScript("arguments[0].value = arguments[1];", element, value);
    }

    /** Saves the page as {@code <prefix><nn>-<name>.png}, numbered in the order taken. */
    void shot(String name) throws IOException {
        Path file = screenshots.resolve(String.format("%s%02d-%s.png", shotPrefix, ++shots, name));
        Path taken = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(taken, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code name=value} of the browser's console session cookie. */
    String sessionCookie() {
        Cookie session = driver.manage().getCookieNamed(Console.SESSION_COOKIE);
        return Console.SESSION_COOKIE + "=" + session.getValue();
    }

    /** The status of a console page opened with the browser's session cookie (signed in as {@code dept}). */
    int status(String path, String dept) throws Exception {
        assertThat(driver.findElement(By.id("signed-in")).getText()).contains(dept);
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).header("Cookie", sessionCookie()).timeout(PAGE).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** A form posted to {@code path}, with {@code cookie} (none when null). */
    HttpResponse<String> post(String path, String form, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(PAGE)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A multipart form (one text part) posted to {@code path} with {@code cookie}. */
    HttpResponse<String> postMultipart(String path, String name, String value, String cookie) throws Exception {
        String boundary = "----databus-it";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n--"
                + boundary + "--\r\n";
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(PAGE)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(multipart, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A call of the bus's HTTP API as {@code principal} (basic authentication). */
    HttpResponse<String> api(String method, String path, String body, String principal) throws IOException, InterruptedException {
        String auth = "Basic " + Base64.getEncoder().encodeToString(principals.get(principal).basicAuthUserInfo().orElseThrow()
                .getBytes(StandardCharsets.UTF_8));
        return send(method, path, body, Optional.of(auth));
    }

    /** A call of the bus's HTTP API with no credentials (the public's routes). */
    HttpResponse<String> anonymous(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, Optional.empty());
    }

    private HttpResponse<String> send(String method, String path, String body, Optional<String> auth)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(PAGE).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        auth.ifPresent(a -> b.header("Authorization", a));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Done with the browser: signed out (its cookies deleted). The shared bus and browser are stopped when every class
     * of {@link #USERS} is done.
     */
    @Override
    public void close() {
        driver.manage().deleteAllCookies();
        synchronized (ConsoleBrowser.class) {
            done.add(test);
            if (done.containsAll(USERS) && shared != null) {
                stopShared(shared);
            }
        }
    }

    /** {@code name} on the PATH, or at {@code fallback}. */
    private static Optional<Path> executable(String name, String fallback) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        Path p = Path.of(fallback);
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
}
