package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.demo.SampleData;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.server.BusRuntime;

/**
 * The using department's and the authority's remaining pages in a real headless Chromium against a whole bus
 * ({@link BusRuntime}). The authority adds a department on its page and the form's answer is the department's client
 * file, with which the department then signs in; it adds an expert the same way and gives a catalogue-update notice. A
 * consumer requests access to a conditional resource and withdraws the request; with a grant on an unconditional one it
 * queries a record under the service exchange (the proof downloaded as a file) and verifies a claim, reports an error
 * in the record, and opens a dispute about its grant, which it escalates; the authority refers the dispute to the
 * expert and decides it. The authority records the committee's opinion on a public request under review and overturns
 * the provider's refusal, and the quality page shows the quality app's score of a resource. Every page is saved as a
 * screenshot under {@code target/console-screenshots/authority-*}.
 *
 * <p>The bus and the browser are shared with the other browser tests ({@link ConsoleBrowser}); the departments and
 * resources here are this class's own.
 *
 * <p>Needs {@code chromium} and {@code chromedriver} (Debian's {@code chromium} and {@code chromium-driver}); without
 * them the test is skipped, saying so.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAuthorityBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    // departments and resources of this class's own on the bus the console's browser tests share
    private static final String POPULATION_PROVIDER = "psb3";
    private static final String POPULATION_CODE = "10101-000003";
    private static final String PROVIDER = "amr3";
    private static final String CONSUMER = "hrss3";
    private static final String ADDED = "mca";
    private static final String EXPERT = "law-prof";
    private static final String PURPOSE = "企业登记信息核验";

    private static Path downloads;
    private static String url;
    private static ResourceDefinition population;
    private static ResourceDefinition legalEntity;
    private static String creditCode;
    private static String entityName;
    private static GenericRecord entity;
    private static String grantId;
    private static String disputeId;
    private static String publicRequestId;
    private static ConsoleBrowser console;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        console = ConsoleBrowser.open("ConsoleAuthorityBrowserIT", Map.of(POPULATION_PROVIDER, "市公安局", PROVIDER, "市市场监督管理局",
                CONSUMER, "市人力资源和社会保障局"), Path.of("target/console-screenshots"), "authority-", 900);
        browser = console.driver();
        url = console.url();
        downloads = ConsoleBrowser.DOWNLOADS;
        try (var old = Files.list(downloads)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        // the fixture: a conditional resource (requests wait for its provider) and an unconditional one with records,
        // each of this class's own departments
        String populationYaml = Files.readString(Path.of("../examples/resources/psb-population.yaml"), StandardCharsets.UTF_8)
                .replace("code: 10101-000001\n", "code: " + POPULATION_CODE + "\n")
                .replace("\nprovider: psb\n", "\nprovider: " + POPULATION_PROVIDER + "\n");
        population = ResourceDefinitions.parse(populationYaml, "psb-population.yaml");
        assertThat(population.code()).isEqualTo(POPULATION_CODE);
        String entityYaml = Files.readString(Path.of("../examples/resources/amr-legal-entity.yaml"), StandardCharsets.UTF_8)
                .replace("\nprovider: amr\n", "\nprovider: " + PROVIDER + "\n");
        legalEntity = ResourceDefinitions.parse(entityYaml, "amr-legal-entity.yaml");
        assertThat(legalEntity.provider()).isEqualTo(PROVIDER);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> console.api("POST", ApiPaths.CATALOG, populationYaml, POPULATION_PROVIDER).statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> console.api("POST", ApiPaths.CATALOG, entityYaml, PROVIDER).statusCode() == 200);
        Schema schema = AvroSchemas.forResource(legalEntity);
        entity = new SampleData(20261208L).legalEntity(schema);
        creditCode = entity.get("creditCode").toString();
        entityName = entity.get("entityName").toString();
        try (Publisher publisher = Publisher.create(console.config(PROVIDER), legalEntity.code())) {
            publisher.upsert(creditCode, entity).get();
        }
        HttpResponse<String> granted = console.api("POST", ApiPaths.REQUESTS, "{\"resource\":\"" + legalEntity.code() + "\",\"purpose\":\""
                + PURPOSE + "\",\"method\":\"BOTH\"}", CONSUMER);
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(200);
        grantId = JSON.readTree(granted.body()).path("grantId").path("string").asText();
        // the record is served once the service exchange has it
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> console.api("GET", ApiPaths.query(legalEntity.code(), creditCode), null, CONSUMER).statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (console != null) {
            console.close();
        }
    }

    @Test
    @Order(1)
    void theAuthorityAddsADepartmentAndItsClientFileIsTheFormsAnswer() throws Exception {
        console.signIn("bus", console.password("bus"));
        browser.get(url + "/console/authority/departments");
        assertThat(browser.findElement(By.cssSelector("nav.menu")).getText()).contains("目录更新通知", "专家", "公开申请复核", "数据质量", "争议处理");
        browser.findElement(By.id("dept-id")).sendKeys(ADDED);
        browser.findElement(By.id("dept-name")).sendKeys("市民政局");
        console.shot("department-add");
        browser.findElement(By.id("dept-submit")).click();
        Path file = downloads.resolve(ADDED + ".properties");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(file) && Files.size(file) > 0);
        Properties client = new Properties();
        client.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        assertThat(client.getProperty(DatabusClientConfig.SASL_USERNAME_CONFIG)).isEqualTo(ADDED);
        String password = client.getProperty(DatabusClientConfig.SASL_PASSWORD_CONFIG);
        assertThat(password).isNotBlank();
        browser.get(url + "/console/authority/departments");
        assertThat(browser.findElement(By.id("departments")).getText()).contains(ADDED, "市民政局");
        assertThat(browser.getPageSource()).as("the password is shown nowhere").doesNotContain(password);
        console.shot("departments");
        // adding it again: governance's own refusal, on the page, with what was entered
        browser.findElement(By.id("dept-id")).sendKeys(ADDED);
        browser.findElement(By.id("dept-name")).sendKeys("市民政局");
        console.navigate(browser.findElement(By.id("dept-submit")));
        assertThat(browser.findElement(By.id("dept-error")).getText()).startsWith("总线拒绝了请求：").contains(ADDED);
        assertThat(browser.findElement(By.id("dept-id")).getAttribute("value")).isEqualTo(ADDED);
        console.signOut();
        // the department signs in with the password of the file it was handed
        console.signIn(ADDED, password);
        assertThat(browser.findElement(By.id("signed-in")).getText()).contains(ADDED);
        console.signOut();
    }

    @Test
    @Order(2)
    void theAuthorityAddsAnExpertAndGivesACatalogueUpdateNotice() throws Exception {
        console.signIn("bus", console.password("bus"));
        browser.get(url + "/console/authority/experts");
        browser.findElement(By.id("expert-id")).sendKeys(EXPERT);
        browser.findElement(By.id("expert-name")).sendKeys("李教授");
        browser.findElement(By.id("expert-submit")).click();
        Path file = downloads.resolve("expert-" + EXPERT + ".properties");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(file) && Files.size(file) > 0);
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("sasl.username=expert-" + EXPERT);
        browser.get(url + "/console/authority/experts");
        assertThat(browser.findElement(By.id("experts")).getText()).contains(EXPERT, "李教授");
        console.shot("experts");

        browser.get(url + "/console/authority/notices");
        new Select(browser.findElement(By.id("notice-department"))).selectByValue(POPULATION_PROVIDER);
        browser.findElement(By.id("notice-reason")).sendKeys("户籍管理职责调整，请更新人口基础信息目录");
        console.shot("notice-form");
        console.navigate(browser.findElement(By.id("notice-submit")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains("已通知 " + POPULATION_PROVIDER);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.id("notices")).getText()).contains(POPULATION_PROVIDER, "户籍管理职责调整");
        });
        console.shot("notices");
        console.signOut();
        JsonNode mine = JSON.readTree(console.api("GET", ApiPaths.NOTICES, null, POPULATION_PROVIDER).body());
        assertThat(mine.findValuesAsText("department")).as("the department sees its notice").contains(POPULATION_PROVIDER);
    }

    @Test
    @Order(3)
    void theConsumerRequestsAccessAndWithdrawsTheRequest() throws Exception {
        console.signIn(CONSUMER, console.password(CONSUMER));
        browser.get(url + "/console/requests/new?resource=" + population.code());
        browser.findElement(By.id("purpose")).sendKeys("社会保险待遇资格认证");
        console.navigate(browser.findElement(By.id("request-submit")));
        WebElement row = browser.findElement(By.cssSelector("#my-requests tr[data-request]"));
        String requestId = row.getAttribute("data-request");
        assertThat(row.findElement(By.className("status")).getText()).isEqualTo("待审批");
        row.findElement(By.name("reason")).sendKeys("需求已变更");
        console.shot("request-withdraw");
        WebElement page = browser.findElement(By.tagName("html"));
        row.findElement(By.cssSelector("form.withdraw button")).click();
        browser.switchTo().alert().accept();   // console.js asks first
        await().atMost(Duration.ofSeconds(60)).until(() -> ConsoleBrowser.isStale(page));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(requestId);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector("#my-requests tr[data-request='" + requestId + "'] .status")).getText())
                    .isEqualTo("已撤回");
        });
        assertThat(browser.findElements(By.cssSelector("#my-requests tr[data-request='" + requestId + "'] form"))).isEmpty();
        console.shot("request-withdrawn");
    }

    @Test
    @Order(4)
    void theConsumerQueriesARecordDownloadsTheProofAndVerifiesAClaim() throws Exception {
        browser.get(url + "/console/service?resource=" + legalEntity.code());
        browser.findElement(By.id("query-key")).sendKeys(creditCode);
        console.navigate(browser.findElement(By.id("query-submit")));
        assertThat(browser.findElement(By.id("record")).getText()).contains(creditCode, entityName);
        assertThat(browser.findElement(By.cssSelector("#record tr[data-field='establishedDate'] td:last-child")).getText())
                .isEqualTo(entity("establishedDate"));
        assertThat(browser.findElement(By.cssSelector("#record tr[data-field='registeredCapital'] td:last-child")).getText())
                .isEqualTo(entity("registeredCapital"));
        String jws = browser.findElement(By.id("proof")).getAttribute("value");
        assertThat(jws.split("\\.")).hasSize(3);
        console.shot("service-query");
        browser.findElement(By.id("proof-download")).click();
        Path proof = downloads.resolve(legalEntity.code() + "-proof.jws");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(proof) && Files.size(proof) > 0);
        assertThat(Files.readString(proof, StandardCharsets.US_ASCII)).isEqualTo(jws);

        assertThat(browser.findElement(By.id("verify-key")).getAttribute("value")).as("the key queried is kept").isEqualTo(creditCode);
        browser.findElement(By.id("verify-claims")).sendKeys("entityName=" + entityName + "\ndivisionCode=999999");
        console.navigate(browser.findElement(By.id("verify-submit")));
        assertThat(browser.findElement(By.cssSelector("#results tr[data-claim='entityName'] td:last-child")).getText()).isEqualTo("属实");
        assertThat(browser.findElement(By.cssSelector("#results tr[data-claim='divisionCode'] td:last-child")).getText()).isEqualTo("不属实");
        console.shot("service-verify");
    }

    @Test
    @Order(5)
    void theConsumerReportsAnErrorInARecordItReceived() throws Exception {
        browser.get(url + "/console/reports/mine");
        browser.findElement(By.id("report-resource")).sendKeys(legalEntity.code());
        browser.findElement(By.id("report-key")).sendKeys(creditCode);
        browser.findElement(By.id("report-field")).sendKeys("address");
        browser.findElement(By.id("report-problem")).sendKeys("住所已变更，与实际不符");
        console.shot("report-form");
        console.navigate(browser.findElement(By.id("report-submit")));
        assertThat(browser.getCurrentUrl()).as(() -> "refused: " + browser.findElements(By.id("report-error")).stream()
                .map(WebElement::getText).findFirst().orElse("")).endsWith("/console/reports/mine");
        assertThat(browser.findElement(By.id("flash")).getText()).startsWith("纠错报告");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.id("my-reports")).getText()).contains(creditCode, "住所已变更", "待答复");
        });
        console.shot("reports");
        browser.get(url + "/console/violations/mine");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("我的违规记录（第四十六条）");
        console.shot("violations");
    }

    @Test
    @Order(6)
    void theConsumerOpensADisputeAboutItsGrantAndEscalatesIt() throws Exception {
        browser.get(url + "/console/disputes");
        new Select(browser.findElement(By.id("dispute-about"))).selectByValue("grant");
        browser.findElement(By.id("dispute-subject")).sendKeys(grantId);
        browser.findElement(By.id("dispute-statement")).sendKeys("提供部门的数据更新不及时，影响核验");
        console.navigate(browser.findElement(By.id("dispute-submit")));
        assertThat(browser.findElement(By.id("flash")).getText()).as(() -> browser.findElement(By.tagName("main")).getText())
                .startsWith("争议");
        WebElement row = await().atMost(Duration.ofSeconds(60)).until(() -> {
            browser.navigate().refresh();
            return browser.findElements(By.cssSelector("#disputes tr[data-dispute]")).stream().findFirst().orElse(null);
        }, r -> r != null);
        disputeId = row.getAttribute("data-dispute");
        assertThat(row.findElement(By.className("status")).getText()).isEqualTo("协商中");
        console.shot("dispute-opened");
        row.findElement(By.cssSelector("form.step-escalate input[name=text]")).sendKeys("协商未果");
        console.navigate(row.findElement(By.cssSelector("form.step-escalate button")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(disputeId);
        statusBecomes("#disputes tr[data-dispute='" + disputeId + "'] .status", "已提请主管部门");
        console.shot("dispute-escalated");
        console.signOut();
    }

    @Test
    @Order(7)
    void theAuthorityRefersTheDisputeToTheExpertAndDecidesIt() throws Exception {
        console.signIn("bus", console.password("bus"));
        browser.get(url + "/console/disputes");
        assertThat(browser.findElements(By.id("dispute-form"))).as("the authority opens no dispute").isEmpty();
        WebElement row = browser.findElement(By.cssSelector("#disputes tr[data-dispute='" + disputeId + "']"));
        new Select(row.findElement(By.cssSelector("form.step-refer select"))).selectByValue(EXPERT);
        console.shot("disputes-board");
        console.navigate(row.findElement(By.cssSelector("form.step-refer button")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(disputeId);
        statusBecomes("#disputes tr[data-dispute='" + disputeId + "'] .status", "已提交专家");
        row = browser.findElement(By.cssSelector("#disputes tr[data-dispute='" + disputeId + "']"));
        assertThat(row.findElement(By.className("course")).getText()).contains(EXPERT);
        row.findElement(By.cssSelector("form.step-decide input[name=text]")).sendKeys("提供部门应按约定频率更新数据");
        console.navigate(row.findElement(By.cssSelector("form.step-decide button")));
        statusBecomes("#disputes tr[data-dispute='" + disputeId + "'] .status", "已决定");
        assertThat(browser.findElement(By.cssSelector("#disputes tr[data-dispute='" + disputeId + "'] .course")).getText())
                .contains("提供部门应按约定频率更新数据");
        console.shot("dispute-decided");
    }

    @Test
    @Order(8)
    void theAuthorityRecordsTheOpinionAndOverturnsARefusalUnderReview() throws Exception {
        HttpResponse<String> filed = console.anonymous("POST", "/open/requests", "{\"provider\":\"" + PROVIDER + "\",\"title\":\"公开企业年报\","
                + "\"name\":\"王五\",\"contact\":\"wang@example.cn\"}");
        assertThat(filed.statusCode()).as(filed.body()).isEqualTo(201);
        publicRequestId = JSON.readTree(filed.body()).path("id").asText();
        String token = JSON.readTree(filed.body()).path("reviewToken").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> console.api("POST", ApiPaths.PUBLIC_REQUESTS + "/" + publicRequestId + "/answer",
                "{\"refuse\":true,\"reason\":\"涉及商业秘密\"}", PROVIDER).statusCode() == 200);
        HttpResponse<String> asked = console.anonymous("POST", "/open/requests/" + publicRequestId + "/review",
                "{\"token\":\"" + token + "\",\"reason\":\"年报依法应当公示\"}");
        assertThat(asked.statusCode()).as(asked.body()).isBetween(200, 202);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.get(url + "/console/authority/public-requests");
            assertThat(browser.findElements(By.cssSelector("form.review-opinion"))).isNotEmpty();
        });
        assertThat(browser.findElement(By.id("public-requests")).getText()).contains(publicRequestId, "王五", "年报依法应当公示");
        console.shot("public-requests");
        browser.findElement(By.cssSelector("form.review-opinion input[name=text]")).sendKeys("年报属于应当公示的信息");
        console.navigate(browser.findElement(By.cssSelector("form.review-opinion button")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(publicRequestId);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.id("public-requests")).getText()).contains("年报属于应当公示的信息");
        });
        new Select(browser.findElement(By.cssSelector("form.review select[name=decision]"))).selectByValue("overturn");
        browser.findElement(By.cssSelector("form.review input[name=reason]")).sendKeys("依法应当公示，撤销不予开放的答复");
        console.navigate(browser.findElement(By.cssSelector("form.review button")));
        assertThat(browser.findElement(By.id("flash")).getText()).contains(publicRequestId, "撤销答复");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.id("public-requests")).getText()).contains("OVERTURNED");
        });
        assertThat(browser.findElements(By.cssSelector("#public-requests form.review"))).as("nothing left to decide").isEmpty();
        console.shot("public-request-reviewed");
    }

    @Test
    @Order(9)
    void theQualityPageShowsTheScoreOfAResource() throws Exception {
        // the quality app evaluates every resource every ConsoleBrowser.QUALITY_CHECK_INTERVAL_MS here (once a minute by default)
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            browser.get(url + "/console/authority/quality?dept=" + PROVIDER);
            assertThat(browser.findElement(By.id("quality")).getText()).contains(legalEntity.code());
        });
        String overall = browser.findElement(By.cssSelector("#quality tr:nth-child(2) td:nth-child(4)")).getText();
        assertThat(overall).matches("[01]\\.\\d{3}");
        console.shot("quality");
        // a department is refused the authority's pages
        console.signOut();
        console.signIn(CONSUMER, console.password(CONSUMER));
        assertThat(browser.findElement(By.cssSelector("nav.menu")).getText()).doesNotContain("数据质量").contains("争议", "数据纠错");
        browser.get(url + "/console/authority/quality");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("错误 403");
        console.signOut();
    }

    // ---- helpers

    /** A field of the published legal entity as a person reads it (a decimal with its scale, a date as yyyy-MM-dd). */
    private static String entity(String field) {
        Object v = entity.get(field);
        Schema schema = entity.getSchema().getField(field).schema();
        if (schema.getType() == Schema.Type.UNION) {
            schema = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        if (v instanceof java.nio.ByteBuffer bytes) {
            byte[] raw = new byte[bytes.remaining()];
            bytes.duplicate().get(raw);
            int scale = ((org.apache.avro.LogicalTypes.Decimal) schema.getLogicalType()).getScale();
            return new java.math.BigDecimal(new java.math.BigInteger(raw), scale).toPlainString();
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof Integer days) {
            return java.time.LocalDate.ofEpochDay(days).toString();
        }
        return String.valueOf(v);
    }

    private static void statusBecomes(String selector, String status) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector(selector)).getText()).isEqualTo(status);
        });
    }
}
