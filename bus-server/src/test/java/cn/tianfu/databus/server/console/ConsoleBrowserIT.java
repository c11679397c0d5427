package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.demo.SampleData;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.server.BusRuntime;

/**
 * The web console in a real headless Chromium against a whole bus ({@link BusRuntime}: broker, registry, every streams
 * app, the HTTP API and the console). The fixture registers a conditionally shared resource of the provider and
 * publishes residents of two divisions; then, in the browser: the consumer signs in and requests access with a purpose;
 * the provider sees the pending request with its due date, is shown governance's refusal of a filter that does not
 * type-check, and approves two fields (the key and the name) with a row filter on a third; the consumer sees the grant
 * and the records first delivered to it (masked, and only those the filter lets through); the provider revokes the
 * grant. A wrong password is refused on the page, a form posted without the session's CSRF token is refused (403), and
 * a department cannot open another's incoming request by its URL.
 * Every page is saved as a screenshot under {@code target/console-screenshots/}.
 *
 * <p>The bus and the browser are shared with the other browser tests ({@link ConsoleBrowser}); the departments and
 * resources here are this class's own.
 *
 * <p>Needs {@code chromium} and {@code chromedriver} (Debian's {@code chromium} and {@code chromium-driver}); without
 * them the test is skipped, saying so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER = "psb";
    private static final String CONSUMER = "hrss";
    private static final String OTHER = "amr";
    private static final String IN_FILTER = "510104";
    private static final int RESIDENTS_IN = 3;
    private static final int RESIDENTS_OUT = 2;
    private static final String PURPOSE = "社会保险待遇资格认证";

    private static String url;
    private static ResourceDefinition population;
    private static ConsoleBrowser console;
    private static WebDriver browser;
    private static String requestId;

    @BeforeAll
    static void start() throws Exception {
        console = ConsoleBrowser.open("ConsoleBrowserIT", Map.of(PROVIDER, "市公安局", CONSUMER, "市人力资源和社会保障局",
                OTHER, "市市场监督管理局"), Path.of("target/console-screenshots"), "", 900);
        browser = console.driver();
        url = console.url();
        // the fixture: the provider registers its resource through the API and publishes residents of two divisions
        String yaml = Files.readString(Path.of("../examples/resources/psb-population.yaml"), StandardCharsets.UTF_8);
        population = ResourceDefinitions.parse(yaml, "psb-population.yaml");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> console.api("POST", ApiPaths.CATALOG, yaml, PROVIDER).statusCode() == 200);
        Schema schema = AvroSchemas.forResource(population);
        SampleData data = new SampleData(20261207L);
        Instant updated = Instant.parse("2026-11-02T02:00:00Z");
        try (Publisher publisher = Publisher.create(console.config(PROVIDER), population.code())) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < RESIDENTS_IN + RESIDENTS_OUT; i++) {
                GenericRecord resident = data.resident(schema, i < RESIDENTS_IN ? IN_FILTER : "510105", updated);
                sends.add(publisher.upsert(resident.get("idNumber").toString(), resident));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get();
        }
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    @Order(1)
    void theRootLeadsToTheSignInPageAndAWrongPasswordIsRefused() throws Exception {
        browser.get(url + "/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("登录");
        console.shot("sign-in");
        console.signIn(CONSUMER, "not-the-password");
        assertThat(browser.findElement(By.id("login-error")).getText()).isEqualTo("账号或密码不正确。");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        console.shot("sign-in-wrong-password");
        browser.get(url + "/console/login?lang=en");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in");
        browser.get(url + "/console/login?lang=zh");
    }

    @Test
    @Order(2)
    void theConsumerFindsTheResourceAndRequestsAccessWithAPurpose() throws Exception {
        console.signIn(CONSUMER, console.password(CONSUMER));
        assertThat(browser.findElement(By.id("signed-in")).getText()).contains(CONSUMER);
        Cookie session = browser.manage().getCookieNamed(Console.SESSION_COOKIE);
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        browser.get(url + "/console/catalog?provider=" + PROVIDER);
        assertThat(browser.findElement(By.id("catalog")).getText()).contains(population.code(), "人口基础信息");
        console.shot("catalog");
        console.navigate(browser.findElement(By.linkText(population.code())));
        String resource = browser.findElement(By.id("resource")).getText();
        assertThat(resource).contains("有条件共享");
        assertThat(browser.findElement(By.id("items")).getText()).contains("idNumber", "公民身份号码", "个人信息");
        assertThat(browser.findElements(By.id("receivers"))).as("who receives it is the provider's to see").isEmpty();
        console.shot("resource");
        console.navigate(browser.findElement(By.id("request-access")));
        assertThat(browser.findElement(By.id("resource")).getAttribute("value")).isEqualTo(population.code());
        browser.findElement(By.id("purpose")).sendKeys(PURPOSE);
        console.shot("request-form");
        console.navigate(browser.findElement(By.id("request-submit")));
        assertThat(browser.getCurrentUrl()).endsWith("/console/requests/mine");
        assertThat(browser.findElement(By.id("flash")).getText()).contains("等待提供部门审批");
        WebElement row = browser.findElement(By.cssSelector("#my-requests tr[data-request]"));
        requestId = row.getAttribute("data-request");
        assertThat(row.findElement(By.className("status")).getText()).isEqualTo("待审批");
        JsonNode filed = JSON.readTree(console.api("GET", ApiPaths.REQUESTS + "/" + requestId, null, CONSUMER).body());
        String due = cn.tianfu.databus.server.console.Deadlines.date(Instant.ofEpochMilli(filed.path("dueAt").path("long").asLong()));
        assertThat(row.findElement(By.className("due")).getText()).isEqualTo(due);
        assertThat(row.findElement(By.className("days-left")).getText()).matches("还剩 (9|10) 个工作日");
        console.shot("my-requests");
        console.signOut();
    }

    @Test
    @Order(3)
    void aDepartmentCannotOpenAnotherDepartmentsIncomingRequest() throws Exception {
        console.signIn(OTHER, console.password(OTHER));
        browser.get(url + "/console/incoming/" + requestId);
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("错误 403");
        assertThat(browser.findElements(By.id("approve-form"))).isEmpty();
        console.shot("incoming-of-another-department");
        assertThat(console.status(PATH("/incoming/" + requestId), OTHER)).isEqualTo(403);
        assertThat(console.status(PATH("/incoming/no-such-request"), OTHER)).isEqualTo(404);
        console.signOut();
        // the consumer is a party to the request, but it is not the consumer's to decide
        console.signIn(CONSUMER, console.password(CONSUMER));
        assertThat(console.status(PATH("/incoming/" + requestId), CONSUMER)).isEqualTo(403);
        console.signOut();
    }

    @Test
    @Order(4)
    void theProviderSeesThePendingRequestAndAFilterThatDoesNotTypeCheckIsRefused() throws Exception {
        console.signIn(PROVIDER, console.password(PROVIDER));
        browser.get(url + "/console/incoming");
        WebElement row = browser.findElement(By.cssSelector("#incoming tr[data-request='" + requestId + "']"));
        JsonNode filed = JSON.readTree(console.api("GET", ApiPaths.REQUESTS + "/" + requestId, null, PROVIDER).body());
        String due = cn.tianfu.databus.server.console.Deadlines.date(Instant.ofEpochMilli(filed.path("dueAt").path("long").asLong()));
        assertThat(row.findElement(By.className("due")).getText()).isEqualTo(due);
        assertThat(row.getAttribute("class")).as("not overdue").doesNotContain("overdue");
        assertThat(row.getText()).contains(CONSUMER, PURPOSE);
        console.shot("incoming");
        console.navigate(row.findElement(By.linkText(requestId)));
        assertThat(browser.findElement(By.id("due")).getText()).startsWith(due);
        console.pick("idNumber", "name");
        browser.findElement(By.id("filter")).sendKeys("divisionCode +");
        console.navigate(browser.findElement(By.id("approve")));
        String refusal = browser.findElement(By.id("decision-error")).getText();
        assertThat(refusal).startsWith("总线拒绝了请求：");
        assertThat(browser.findElement(By.id("filter")).getAttribute("value")).as("what was entered is kept").isEqualTo("divisionCode +");
        assertThat(browser.findElement(By.id("field-name")).isSelected()).isTrue();
        assertThat(browser.findElement(By.id("field-mobile")).isSelected()).isFalse();
        console.shot("decide-filter-refused");
        JsonNode still = JSON.readTree(console.api("GET", ApiPaths.REQUESTS + "/" + requestId, null, PROVIDER).body());
        assertThat(still.path("status").asText()).isEqualTo("PENDING");
    }

    @Test
    @Order(5)
    void aFormWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
        String cookie = console.sessionCookie();
        String form = "approve=true&fields=idNumber&fields=name&fields=mobile";
        HttpResponse<String> without = console.post(PATH("/incoming/" + requestId + "/decision"), form, cookie);
        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(without.body()).contains("CSRF");
        HttpResponse<String> wrong = console.post(PATH("/incoming/" + requestId + "/decision"), form + "&csrf=forged-token", cookie);
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> noSession = console.post(PATH("/grants/x/revoke"), "reason=x&csrf=forged-token", null);
        assertThat(noSession.statusCode()).isEqualTo(403);
        JsonNode still = JSON.readTree(console.api("GET", ApiPaths.REQUESTS + "/" + requestId, null, PROVIDER).body());
        assertThat(still.path("status").asText()).as("nothing was decided").isEqualTo("PENDING");
    }

    @Test
    @Order(6)
    void theProviderApprovesTwoFieldsWithARowFilter() throws Exception {
        browser.get(url + "/console/incoming/" + requestId);
        console.pick("idNumber", "name");
        browser.findElement(By.id("filter")).sendKeys("divisionCode == '" + IN_FILTER + "'");
        console.shot("decide");
        console.navigate(browser.findElement(By.id("approve")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("decision-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/incoming");
        assertThat(browser.findElement(By.id("flash")).getText()).contains("已批准申请 " + requestId);
        assertThat(browser.findElement(By.id("decided")).getText()).contains(requestId, "已批准");
        console.shot("incoming-decided");
        browser.get(url + "/console/grants/provided");
        WebElement grant = browser.findElement(By.cssSelector("#provided-grants tr[data-grant]"));
        assertThat(grant.findElement(By.className("fields")).getText()).isEqualTo("idNumber, name");
        console.shot("grants-provided");
        browser.get(url + "/console/catalog/" + population.code());
        assertThat(browser.findElement(By.id("receivers")).getText()).contains(CONSUMER, PURPOSE);
        console.shot("resource-receivers");
        console.signOut();
    }

    @Test
    @Order(7)
    void theConsumerSeesTheGrantAndTheRecordsFirstDeliveredMasked() throws Exception {
        console.signIn(CONSUMER, console.password(CONSUMER));
        browser.get(url + "/console/grants/mine");
        WebElement grant = browser.findElement(By.cssSelector("#my-grants tr[data-grant]"));
        assertThat(grant.findElement(By.className("fields")).getText()).isEqualTo("idNumber, name");
        assertThat(grant.findElement(By.className("filter")).getText()).isEqualTo("divisionCode == '" + IN_FILTER + "'");
        assertThat(grant.findElement(By.className("status")).getText()).isEqualTo("有效");
        // the backfill: the residents the filter lets through, and only those
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector("#my-grants tr[data-grant] .delivered")).getText())
                    .isEqualTo(Integer.toString(RESIDENTS_IN));
        });
        console.shot("my-grants");
        browser.get(url + "/console/requests/mine?lang=en");
        assertThat(browser.findElement(By.cssSelector("#my-requests tr[data-request] .status")).getText()).isEqualTo("Approved");
        console.shot("my-requests-en");
        browser.get(url + "/console/requests/mine?lang=zh");
        console.signOut();
        browser.get(url + "/console/grants/mine");
        assertThat(browser.getCurrentUrl()).as("signed out: back to the sign-in page").contains("/console/login");
    }

    @Test
    @Order(8)
    void theProviderRevokesTheGrantAfterConfirming() throws Exception {
        console.signIn(PROVIDER, console.password(PROVIDER));
        browser.get(url + "/console/grants/provided");
        WebElement grant = browser.findElement(By.cssSelector("#provided-grants tr[data-grant]"));
        String id = grant.getAttribute("data-grant");
        grant.findElement(By.name("reason")).sendKeys("核验工作结束");
        WebElement page = browser.findElement(By.tagName("html"));
        grant.findElement(By.cssSelector("button[type=submit]")).click();
        // console.js asks first
        browser.switchTo().alert().accept();
        await().atMost(Duration.ofSeconds(60)).until(() -> ConsoleBrowser.isStale(page));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(id);
        assertThat(browser.findElement(By.cssSelector("#provided-grants tr[data-grant] .status")).getText()).isEqualTo("已撤销");
        assertThat(browser.findElements(By.cssSelector("#provided-grants tr[data-grant] form"))).as("nothing left to revoke").isEmpty();
        console.shot("grant-revoked");
    }

    private static String PATH(String page) {
        return "/console" + page;
    }
}
