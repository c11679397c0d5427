package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.BusRuntime;

/**
 * The providing department's pages in a real headless Chromium against a whole bus ({@link BusRuntime}). In the
 * browser, the provider registers its resource from the definition file (a definition that does not validate is refused
 * first, with the text kept), finds it in the catalog and in "my resources", and updates it from the definition the
 * update form is prefilled with. The consumer requests access (API); the provider approves three fields with a service
 * limit, narrows the grant to two of them (a narrowing that changes nothing is refused on the page), rejects the
 * consumer's error report with a reason, answers a public request to open data, reads its violations and notices and
 * the comments page, and retires the resource after confirming. Another department cannot open the update form of
 * the resource, and forms posted without the session's CSRF token are refused (403) with nothing changed. Every page is
 * saved as a screenshot under {@code target/console-screenshots/provider/}.
 *
 * <p>The bus and the browser are shared with the other browser tests ({@link ConsoleBrowser}); the departments and
 * resources here are this class's own.
 *
 * <p>Needs {@code chromium} and {@code chromedriver}; without them the test is skipped, saying so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleProviderBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    // departments and a resource of this class's own on the bus the console's browser tests share
    private static final String PROVIDER = "psb2";
    private static final String CONSUMER = "hrss2";
    private static final String OTHER = "amr2";
    private static final String CODE = "10101-000002";
    private static final String PURPOSE = "社会保险待遇资格认证";

    private static String url;
    private static Path definitionFile;
    private static ConsoleBrowser console;
    private static WebDriver browser;
    private static String requestId;
    private static String grantId;

    @BeforeAll
    static void start() throws Exception {
        console = ConsoleBrowser.open("ConsoleProviderBrowserIT", Map.of(PROVIDER, "市公安局", CONSUMER, "市人力资源和社会保障局",
                OTHER, "市市场监督管理局"), Path.of("target/console-screenshots/provider"), "", 1400);
        browser = console.driver();
        url = console.url();
        // the provider's definition file, its own code and provider, without a record name of its own (the catalog
        // does not keep one)
        String yaml = Files.readString(Path.of("../examples/resources/psb-population.yaml"), StandardCharsets.UTF_8)
                .replace("code: 10101-000001\n", "code: " + CODE + "\n").replace("\nprovider: psb\n", "\nprovider: " + PROVIDER + "\n")
                .replace("recordName: Population\n", "");
        assertThat(yaml).contains("code: " + CODE, "provider: " + PROVIDER + "\n").doesNotContain("recordName");
        definitionFile = console.dir().resolve(PROVIDER + "-population.yaml");
        Files.writeString(definitionFile, yaml, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    @Order(1)
    void theProviderRegistersItsResourceFromTheDefinitionFile() throws Exception {
        // the bus may still be starting its apps: the API answers once governance does
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                .until(() -> console.api("GET", ApiPaths.CATALOG, null, PROVIDER).statusCode() == 200);
        console.signIn(PROVIDER, console.password(PROVIDER));
        assertThat(browser.findElement(By.tagName("nav")).getText()).contains("我的信息资源", "注册信息资源", "待答复的纠错",
                "待答复的开放申请", "开放数据的评价", "我的违规与通知");
        browser.get(url + "/console/resources/mine");
        assertThat(browser.findElement(By.id("resources-none")).getText()).isNotBlank();
        console.navigate(browser.findElement(By.id("register-link")));
        // a definition that does not validate: refused with every problem, the text kept
        String broken = Files.readString(definitionFile, StandardCharsets.UTF_8).replaceAll("(?m)^  conditions: .*\n", "");
        console.setValue(browser.findElement(By.id("definition")), broken);
        console.shot("register-form");
        console.navigate(browser.findElement(By.id("register")));
        assertThat(browser.findElement(By.id("form-error")).getText()).startsWith("总线拒绝了请求：").contains("sharing.conditions");
        assertThat(browser.findElement(By.id("definition")).getAttribute("value")).as("what was entered is kept").isEqualTo(broken);
        console.shot("register-refused");
        // the file chosen is used instead of the text
        browser.findElement(By.id("file")).sendKeys(definitionFile.toAbsolutePath().toString());
        console.navigate(browser.findElement(By.id("register")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("form-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/resources/mine");
        assertThat(browser.findElement(By.id("flash")).getText()).contains(CODE);
        WebElement row = browser.findElement(By.cssSelector("#my-resources tr[data-resource='" + CODE + "']"));
        assertThat(row.getText()).contains("人口基础信息", "有条件共享");
        assertThat(row.findElement(By.className("version")).getText()).isEqualTo("1");
        console.shot("my-resources");
        browser.get(url + "/console/catalog?provider=" + PROVIDER);
        assertThat(browser.findElement(By.id("catalog")).getText()).contains(CODE, "人口基础信息");
        console.shot("catalog");
    }

    @Test
    @Order(2)
    void theProviderUpdatesTheResourceFromItsPrefilledDefinition() throws Exception {
        browser.get(url + "/console/resources/mine");
        console.navigate(browser.findElement(By.cssSelector("#my-resources tr[data-resource='" + CODE + "'] a.edit")));
        WebElement definition = browser.findElement(By.id("definition"));
        String prefilled = definition.getAttribute("value");
        assertThat(prefilled).contains("code: \"" + CODE + "\"", "class: CONDITIONAL", "updateFrequency: REAL_TIME", "name: \"idNumber\"",
                "mask: ID_NUMBER");
        console.setValue(definition, prefilled.replace("updateFrequency: REAL_TIME", "updateFrequency: DAILY"));
        browser.findElement(By.id("update-reason")).sendKeys("改为每日更新");
        console.shot("update-form");
        console.navigate(browser.findElement(By.id("update")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("form-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/resources/mine");
        assertThat(browser.findElement(By.id("flash")).getText()).contains(CODE);
        assertThat(browser.findElement(By.cssSelector("#my-resources tr[data-resource='" + CODE + "'] .version")).getText()).isEqualTo("2");
        JsonNode entry = JSON.readTree(console.api("GET", ApiPaths.CATALOG + "/" + CODE, null, CONSUMER).body());
        assertThat(entry.path("updateFrequency").asText()).isEqualTo("DAILY");
        assertThat(entry.path("dataItems").size()).as("the items are unchanged").isGreaterThanOrEqualTo(5);
        console.shot("my-resources-updated");
    }

    @Test
    @Order(3)
    void theProviderApprovesWithAServiceLimitAndNarrowsTheGrant() throws Exception {
        HttpResponse<String> filed = console.api("POST", ApiPaths.REQUESTS, "{\"resource\":\"" + CODE + "\",\"purpose\":\"" + PURPOSE + "\"}", CONSUMER);
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(202);
        requestId = JSON.readTree(filed.body()).path("requestId").path("string").asText();
        browser.get(url + "/console/incoming/" + requestId);
        console.pick("idNumber", "name", "divisionCode");
        browser.findElement(By.id("rate-limit")).sendKeys("30");
        console.shot("decide-with-limits");
        console.navigate(browser.findElement(By.id("approve")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("decision-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/incoming");
        browser.get(url + "/console/grants/provided");
        WebElement row = browser.findElement(By.cssSelector("#provided-grants tr[data-grant]"));
        grantId = row.getAttribute("data-grant");
        assertThat(row.findElement(By.className("fields")).getText()).isEqualTo("idNumber, name, divisionCode");
        assertThat(row.findElement(By.className("limits")).getText()).isEqualTo("每分钟 30 次，每日 - 次");
        console.shot("grants-provided");
        console.navigate(row.findElement(By.className("narrow")));
        browser.findElement(By.id("narrow-reason")).sendKeys("只需核对姓名");
        console.navigate(browser.findElement(By.id("narrow")));
        assertThat(browser.findElement(By.id("narrow-error")).getText()).contains("没有收窄任何内容");
        assertThat(browser.findElement(By.id("narrow-reason")).getAttribute("value")).isEqualTo("只需核对姓名");
        console.shot("narrow-nothing");
        browser.findElement(By.id("field-divisionCode")).click();
        console.shot("narrow-form");
        console.navigate(browser.findElement(By.id("narrow")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("narrow-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/grants/provided");
        assertThat(browser.findElement(By.id("flash")).getText()).contains(grantId);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector("#provided-grants tr[data-grant='" + grantId + "'] .fields")).getText())
                    .isEqualTo("idNumber, name");
        });
        console.shot("grant-narrowed");
    }

    @Test
    @Order(4)
    void theProviderRejectsAnErrorReportWithAReason() throws Exception {
        HttpResponse<String> report = console.api("POST", ApiPaths.REPORTS, "{\"resource\":\"" + CODE + "\",\"key\":\"510104199001011234\","
                + "\"field\":\"name\",\"problem\":\"姓名有误\"}", CONSUMER);
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        String id = JSON.readTree(report.body()).path("subjectId").path("string").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            browser.get(url + "/console/reports/incoming");
            assertThat(browser.findElements(By.cssSelector("#reports tr[data-report='" + id + "']"))).hasSize(1);
        });
        WebElement row = browser.findElement(By.cssSelector("#reports tr[data-report='" + id + "']"));
        assertThat(row.getText()).contains("姓名有误", CONSUMER, "待答复");
        console.shot("reports");
        console.navigate(row.findElement(By.linkText(id)));
        browser.findElement(By.id("rejected-reason")).sendKeys("经核对户籍档案，姓名无误");
        console.shot("report-answer");
        console.navigate(browser.findElement(By.id("rejected")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("answer-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/reports/incoming");
        assertThat(browser.findElement(By.id("flash")).getText()).contains(id);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector("#reports tr[data-report='" + id + "'] .status")).getText()).isEqualTo("已驳回");
        });
        console.shot("reports-answered");
    }

    @Test
    @Order(5)
    void theProviderAnswersAPublicRequestToOpenData() throws Exception {
        HttpResponse<String> filed = console.anonymous("POST", "/open/requests", "{\"provider\":\"" + PROVIDER
                + "\",\"title\":\"各区常住人口数量\",\"name\":\"张三\",\"contact\":\"zhangsan@example.cn\"}");
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        String id = JSON.readTree(filed.body()).path("id").asText();
        assertThat(id).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            browser.get(url + "/console/public-requests");
            assertThat(browser.findElements(By.cssSelector("#public-requests tr[data-public-request='" + id + "']"))).hasSize(1);
        });
        assertThat(browser.findElement(By.id("public-requests")).getText()).contains("各区常住人口数量").doesNotContain("zhangsan@example.cn");
        console.shot("public-requests");
        console.navigate(browser.findElement(By.linkText(id)));
        browser.findElement(By.id("choice-refuse")).click();
        console.navigate(browser.findElement(By.id("public-answer")));
        assertThat(browser.findElement(By.id("answer-error")).getText()).isEqualTo("不予开放须说明原因。");
        browser.findElement(By.id("choice-refuse")).click();
        browser.findElement(By.id("public-reason")).sendKeys("涉及个人信息，仅提供统计数据");
        console.shot("public-request-answer");
        console.navigate(browser.findElement(By.id("public-answer")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("answer-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/public-requests");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector("#public-requests tr[data-public-request='" + id + "'] .status")).getText())
                    .isEqualTo("不予开放");
        });
        console.shot("public-requests-answered");
    }

    @Test
    @Order(6)
    void theProviderReadsItsDutiesAndTheCommentsPage() throws Exception {
        browser.get(url + "/console/duties");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("我的违规与通知");
        assertThat(browser.findElements(By.id("my-violations")).size() + browser.findElements(By.id("violations-none")).size()).isEqualTo(1);
        assertThat(browser.findElement(By.id("notices-none")).getText()).isEqualTo("本部门没有目录更新通知。");
        console.shot("duties");
        browser.get(url + "/console/comments");
        assertThat(browser.findElement(By.id("comments-none")).getText()).isEqualTo("本部门没有向社会开放的数据集。");
        console.shot("comments");
    }

    @Test
    @Order(7)
    void formsWithoutTheSessionsCsrfTokenAreRefusedAndNothingChanges() throws Exception {
        String cookie = console.sessionCookie();
        HttpResponse<String> retire = console.post(PATH("/resources/" + CODE + "/retire"), "reason=forged", cookie);
        assertThat(retire.statusCode()).isEqualTo(403);
        assertThat(retire.body()).contains("CSRF");
        HttpResponse<String> narrow = console.post(PATH("/grants/" + grantId + "/narrow"), "fields=idNumber&reason=forged&csrf=forged-token", cookie);
        assertThat(narrow.statusCode()).isEqualTo(403);
        HttpResponse<String> register = console.postMultipart(PATH("/resources/new"), "definition",
                Files.readString(definitionFile, StandardCharsets.UTF_8), cookie);
        assertThat(register.statusCode()).isEqualTo(403);
        JsonNode entry = JSON.readTree(console.api("GET", ApiPaths.CATALOG + "/" + CODE, null, PROVIDER).body());
        assertThat(entry.path("status").asText()).as("nothing was retired").isEqualTo("ACTIVE");
        JsonNode grants = JSON.readTree(console.api("GET", ApiPaths.GRANTS + "?role=provider", null, PROVIDER).body());
        assertThat(grants.get(0).path("allowedFields").path("array").size()).as("nothing was narrowed").isEqualTo(2);
    }

    @Test
    @Order(8)
    void anotherDepartmentCannotOpenTheResourcesUpdateForm() throws Exception {
        console.signOut();
        console.signIn(OTHER, console.password(OTHER));
        browser.get(url + "/console/resources/" + CODE + "/edit");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("错误 403");
        assertThat(browser.findElements(By.id("update-form"))).isEmpty();
        console.shot("update-of-another-department");
        assertThat(console.status(PATH("/resources/" + CODE + "/retire"), OTHER)).isEqualTo(403);
        assertThat(console.status(PATH("/resources/no-such-code/edit"), OTHER)).isEqualTo(404);
        assertThat(console.status(PATH("/grants/" + grantId + "/narrow"), OTHER)).isEqualTo(404);
        console.signOut();
    }

    @Test
    @Order(9)
    void theProviderRetiresTheResourceAfterConfirming() throws Exception {
        console.signIn(PROVIDER, console.password(PROVIDER));
        browser.get(url + "/console/resources/mine");
        console.navigate(browser.findElement(By.cssSelector("#my-resources tr[data-resource='" + CODE + "'] a.retire")));
        browser.findElement(By.id("retire-reason")).sendKeys("数据由新系统提供");
        console.shot("retire-form");
        WebElement page = browser.findElement(By.tagName("html"));
        browser.findElement(By.id("retire")).click();
        // console.js asks first
        browser.switchTo().alert().accept();
        console.awaitNextPage(page);
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("form-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/resources/mine");
        assertThat(browser.findElement(By.id("flash")).getText()).contains(CODE);
        WebElement row = browser.findElement(By.cssSelector("#my-resources tr[data-resource='" + CODE + "']"));
        assertThat(row.findElement(By.className("status")).getText()).isEqualTo("已停止提供");
        assertThat(row.findElements(By.cssSelector("a.edit"))).as("nothing left to update").isEmpty();
        console.shot("resource-retired");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode grants = JSON.readTree(console.api("GET", ApiPaths.GRANTS + "?role=consumer", null, CONSUMER).body());
            assertThat(grants.get(0).path("status").asText()).as("the grant ended with the resource").isNotEqualTo("ACTIVE");
        });
    }

    private static String PATH(String page) {
        return "/console" + page;
    }
}
