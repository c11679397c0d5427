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
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
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
 * A real headless Chromium on the web console of a bus, for the console's browser tests: the driver, navigation that
 * waits until the next page is loaded, signing in and out, screenshots, and the bus's HTTP API and console routes
 * called directly (as a department, with the browser's session cookie, or anonymously).
 *
 * <p>Needs {@code chromium} and {@code chromedriver} (Debian's {@code chromium} and {@code chromium-driver});
 * {@link #assumeInstalled(String)} skips the calling test, saying so, when they are missing.
 */
final class ConsoleBrowser implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration PAGE = Duration.ofSeconds(60);

    private final ChromeDriver driver;
    private final String url;
    private final Map<String, DatabusClientConfig> principals;
    private final Path screenshots;
    private final String shotPrefix;
    private int shots;

    /**
     * Opens Chromium on the console at {@code url}.
     *
     * @param principals the client config of each principal the test acts as, by name (their passwords sign in)
     * @param screenshots where {@link #shot(String)} saves its pictures, created if missing
     * @param shotPrefix put before each picture's number ({@code authority-} gives {@code authority-01-name.png})
     * @param windowHeight the window's height (its width is 1280)
     * @param downloads where the browser saves downloaded files without asking; empty: the browser's default
     */
    ConsoleBrowser(String url, Map<String, DatabusClientConfig> principals, Path screenshots, String shotPrefix, int windowHeight,
            Optional<Path> downloads) throws IOException {
        this.url = url;
        this.principals = new HashMap<>(principals);
        this.screenshots = Files.createDirectories(screenshots);
        this.shotPrefix = shotPrefix;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("chromium", "/usr/bin/chromium").orElseThrow().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280," + windowHeight, "--lang=zh-CN");
        downloads.ifPresent(d -> options.setExperimentalOption("prefs", Map.of("download.default_directory", d.toString(),
                "download.prompt_for_download", false)));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(executable("chromedriver", "/usr/bin/chromedriver").orElseThrow().toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(90));
        downloads.ifPresent(d -> driver.executeCdpCommand("Browser.setDownloadBehavior",
                Map.of("behavior", "allow", "downloadPath", d.toString())));
    }

    /** Skips the calling test, naming it, unless {@code chromium} and {@code chromedriver} are installed. */
    static void assumeInstalled(String test) {
        Assumptions.assumeTrue(executable("chromium", "/usr/bin/chromium").isPresent()
                        && executable("chromedriver", "/usr/bin/chromedriver").isPresent(),
                test + " needs chromium and chromedriver (Debian packages chromium and chromium-driver): not found, skipped");
    }

    /**
     * A whole bus ({@link BusRuntime}: broker, registry, every streams app, the HTTP API and the console) on free ports
     * with its data in {@code dir}, and {@code more} of its config keys.
     */
    static BusRuntime startBus(Path dir, Map<String, ?> more) {
        Map<String, Object> props = new HashMap<>(more);
        props.put(ServerConfig.DATA_DIR_CONFIG, dir.toString());
        props.put(ServerConfig.KAFKA_PORT_CONFIG, 0);
        props.put(ServerConfig.REGISTRY_PORT_CONFIG, 0);
        props.put(ServerConfig.HTTP_PORT_CONFIG, 0);
        return BusRuntime.start(new ServerConfig(props));
    }

    /** Adds each department of {@code names} (id to name) to {@code bus}: their client configs, by id. */
    static Map<String, DatabusClientConfig> departments(BusRuntime bus, Path dir, Map<String, String> names) {
        Map<String, DatabusClientConfig> configs = new HashMap<>();
        try (Departments departments = Departments.connect(bus.busConfig(), Duration.ofSeconds(30))) {
            names.forEach((id, name) -> configs.put(id, ClientFiles.ensureDepartment(departments, dir, bus.endpoints(), id, name,
                    Optional.empty())));
        }
        return configs;
    }

    ChromeDriver driver() {
        return driver;
    }

    /** The console's base URL, e.g. {@code http://127.0.0.1:41234}. */
    String url() {
        return url;
    }

    /** Adds a principal the test acts as (e.g. one the test itself created). */
    void addPrincipal(String name, DatabusClientConfig config) {
        principals.put(name, config);
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
                .POST(HttpRequest.BodyPublishers.ofString(multipart, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
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

    private HttpResponse<String> send(String method, String path, String body, Optional<String> auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(PAGE).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        auth.ifPresent(a -> b.header("Authorization", a));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        driver.quit();
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
