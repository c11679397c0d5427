package cn.tianfu.databus.opendata.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.ModelFactory;
import org.apache.jena.rdf.model.Property;
import org.apache.jena.rdf.model.Resource;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.vocabulary.RDF;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.ExchangeLogEntry;
import cn.tianfu.databus.schemas.ExchangeMode;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.testing.LogCopy;

/**
 * Open data end to end on the shared bus: the real governance app and sharing router and the bus's HTTP API. A
 * department opens two resources (its personal item refused first), publishes records, and an anonymous client reads
 * them through the CKAN Action API, the DCAT documents (parsed by Apache Jena) and the CSV and JSON downloads; the
 * exchange log names the deliveries mode OPEN, and the catalog history keeps every version. The steps build on each
 * other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenDataIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of("../examples/resources/amr-legal-entity.yaml");
    private static final String DCAT = "http://www.w3.org/ns/dcat#";
    private static final String DCT = "http://purl.org/dc/terms/";

    private static SharedBus bus;
    private static Path dir;
    private static String dept;
    private static String code;
    private static String code2;
    private static DatabusClientConfig provider;
    private static KafkaStreams governance;
    private static KafkaStreams router;
    private static LogCopy logCopy;
    private static HttpApi http;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        bus = SharedBus.get();
        dir = Files.createTempDirectory("databus-open-it-");
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        dept = "od" + suffix;
        code = "10201-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        code2 = "10201-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        provider = bus.addDepartment(dept);
        governance = GovernanceApp.create(new GovernanceConfig(bus.streamsAppConfig(Map.of(
                GovernanceConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                GovernanceConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                GovernanceConfig.STATE_DIR_CONFIG, dir.resolve("governance").toString(),
                GovernanceConfig.APPLICATION_ID_CONFIG, "governance-open-it-" + suffix))));
        logCopy = LogCopy.create(bus, "open-it");
        router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(logCopy.router(Map.of(
                RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                RouterConfig.STATE_DIR_CONFIG, dir.resolve("router").toString(),
                RouterConfig.DATA_DIR_CONFIG, dir.resolve("data").toString(),
                RouterConfig.APPLICATION_ID_CONFIG, "router-open-it-" + suffix,
                RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                "streams.commit.interval.ms", 200,
                "streams.main.consumer.metadata.max.age.ms", 1000)))));
        governance.start();
        router.start();
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        await().atMost(Duration.ofSeconds(60)).until(() -> governance.state() == KafkaStreams.State.RUNNING
                && router.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (router != null) {
            router.close(Duration.ofSeconds(10));
        }
        if (governance != null) {
            governance.close(Duration.ofSeconds(10));
        }
        SharedBus.deleteRecursively(dir);
    }

    private static ResourceDefinition definition(String resourceCode, String openFields) throws Exception {
        String yaml = Files.readString(EXAMPLE)
                .replaceFirst("(?m)^code: .*$", "code: " + resourceCode)
                .replaceFirst("(?m)^provider: .*$", "provider: " + dept)
                .replaceFirst("(?m)^  fields: .*$", "  fields: " + openFields);
        return ResourceDefinitions.parse(yaml, EXAMPLE.getFileName().toString());
    }

    private static CommandResult register(ResourceDefinition def) throws Exception {
        try (GovernanceClient client = GovernanceClient.create(provider)) {
            return client.register(def).get(60, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http.url() + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode action(String name, String query) throws Exception {
        HttpResponse<String> r = get("/api/3/action/" + name + (query.isEmpty() ? "" : "?" + query));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.has("help")).as(r.body()).isTrue();
        return body;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void personal_items_are_refused_and_public_ones_opened_with_the_review_recorded() throws Exception {
        CommandResult refused = register(definition(code, "[creditCode, entityName, legalRepresentative]"));
        assertThat(refused.getOutcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.getMessage()).contains("legalRepresentative").contains("PERSONAL").contains("never opened");

        CommandResult ok = register(definition(code, "[creditCode, entityName, registeredCapital, establishedDate, address]"));
        assertThat(ok.getOutcome()).as(ok.getMessage()).isEqualTo(Outcome.ACCEPTED);
        assertThat(ok.getMessage()).contains("opened to the public").contains(Topics.open(code));
        CommandResult second = register(definition(code2, "[creditCode, entityName]"));
        assertThat(second.getOutcome()).as(second.getMessage()).isEqualTo(Outcome.ACCEPTED);

        AvroDeserializer<CatalogEntry> entries = AvroDeserializer.specific(CatalogEntry.class);
        entries.configure(bus.serdeConfig(), false);
        CatalogEntry entry = bus.awaitRecords(Topics.CATALOG, entries, r -> r.key().equals(code), Duration.ofSeconds(30))
                .get(0).value();
        assertThat(entry.getOpenFields()).containsExactly("creditCode", "entityName", "registeredCapital",
                "establishedDate", "address");
        assertThat(entry.getConfidentialityReview().getReviewedBy()).isEqualTo("User:" + dept);
        assertThat(entry.getConfidentialityReview().getStatement()).contains("保密审查");
    }

    @Test
    @Order(2)
    void published_records_are_downloadable_as_csv_and_json_with_only_the_open_fields() throws Exception {
        Schema schema = AvroSchemas.forResource(definition(code, "[creditCode]"));
        try (Publisher p = Publisher.create(provider, code)) {
            p.upsert("91510100MA00000001", record(schema, "91510100MA00000001", "成都甲公司", "张三", "100.50",
                    LocalDate.of(2020, 1, 2), "高新区天府大道 1 号")).get(30, TimeUnit.SECONDS);
            p.upsert("91510100MA00000002", record(schema, "91510100MA00000002", "乙, \"丙\" 合伙", "李四", "7.00",
                    LocalDate.of(2021, 5, 6), "锦江区\n红星路")).get(30, TimeUnit.SECONDS);
            p.upsert("91510100MA00000003", record(schema, "91510100MA00000003", "丁公司", "王五", "1.00",
                    LocalDate.of(2022, 7, 8), "武侯区")).get(30, TimeUnit.SECONDS);
            p.delete("91510100MA00000003").get(30, TimeUnit.SECONDS);
            p.upsert("91510100MA00000001", record(schema, "91510100MA00000001", "成都甲有限公司", "张三", "100.50",
                    LocalDate.of(2020, 1, 2), "高新区天府大道 1 号")).get(30, TimeUnit.SECONDS);
        }
        String expected = "creditCode,entityName,registeredCapital,establishedDate,address\r\n"
                + "91510100MA00000001,成都甲有限公司,100.50,2020-01-02,高新区天府大道 1 号\r\n";
        String quoted = "91510100MA00000002,\"乙, \"\"丙\"\" 合伙\",7.00,2021-05-06,\"锦江区\n红星路\"\r\n";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> csv = get("/open/" + code + ".csv");
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.body().lines().filter(l -> l.startsWith("9151")).count()).isEqualTo(2);
            assertThat(csv.body()).startsWith("creditCode,entityName,registeredCapital,establishedDate,address\r\n")
                    .contains(expected.substring(expected.indexOf("\r\n") + 2)).contains(quoted)
                    .doesNotContain("张三").doesNotContain("丁公司").doesNotContain("成都甲公司,");
        });
        HttpResponse<String> csv = get("/open/" + code + ".csv");
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        String etag = csv.headers().firstValue("ETag").orElseThrow();
        assertThat(csv.headers().firstValue("Last-Modified")).isPresent();
        assertThat(get("/open/" + code + ".csv", "If-None-Match", etag).statusCode()).isEqualTo(304);

        HttpResponse<String> json = get("/open/" + code + ".json");
        assertThat(json.statusCode()).isEqualTo(200);
        JsonNode rows = JSON.readTree(json.body());
        assertThat(rows).hasSize(2);
        JsonNode first = rows.get(0).get("creditCode").asText().endsWith("1") ? rows.get(0) : rows.get(1);
        assertThat(first.get("entityName").asText()).isEqualTo("成都甲有限公司");
        assertThat(first.get("registeredCapital").asText()).isEqualTo("100.50");
        assertThat(first.has("legalRepresentative")).isFalse();

        assertThat(get("/open/" + code + ".xml").statusCode()).isEqualTo(404);
        assertThat(get("/open/10201-nothere.csv").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void every_open_delivery_is_logged_as_mode_open() {
        AvroDeserializer<ExchangeLogEntry> log = AvroDeserializer.specific(ExchangeLogEntry.class);
        log.configure(bus.serdeConfig(), false);
        List<ExchangeLogEntry> open = bus.awaitRecords(logCopy.logTopic(), log,
                        r -> r.value().getResourceCode().equals(code), Duration.ofSeconds(30))
                .stream().map(r -> r.value()).toList();
        assertThat(open).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getMode()).isEqualTo(ExchangeMode.OPEN);
            assertThat(e.getConsumer()).isEqualTo("public");
            assertThat(e.getGrantId()).isEqualTo(code + ".O1");
            assertThat(e.getDeliveryTopic()).isEqualTo(Topics.open(code));
        });
    }

    @Test
    @Order(4)
    void ckan_actions_answer_in_ckans_envelope_with_paging_and_facets() throws Exception {
        JsonNode list = action("package_list", "");
        assertThat(list.get("success").asBoolean()).isTrue();
        assertThat(list.get("result")).extracting(JsonNode::asText).contains(code, code2);

        JsonNode show = action("package_show", "id=" + code);
        JsonNode pkg = show.get("result");
        assertThat(pkg.get("id").asText()).isEqualTo(code);
        assertThat(pkg.get("title").asText()).isEqualTo("法人基础信息");
        assertThat(pkg.get("organization").get("name").asText()).isEqualTo(dept);
        assertThat(pkg.get("resources")).hasSize(2);
        assertThat(pkg.get("resources").get(0).get("url").asText()).isEqualTo(http.url() + "/open/" + code + ".csv");
        assertThat(pkg.get("resources").get(0).get("format").asText()).isEqualTo("CSV");
        assertThat(pkg.get("download_count").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(pkg.get("metadata_modified").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");

        // the same action at the unversioned path, and as a POST with a JSON body
        HttpResponse<String> unversioned = get("/api/action/package_show?id=" + code);
        assertThat(JSON.readTree(unversioned.body()).get("result").get("id").asText()).isEqualTo(code);
        HttpResponse<String> posted = CLIENT.send(HttpRequest.newBuilder(URI.create(http.url() + "/api/3/action/package_search"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"fq\": \"organization:" + dept + "\", \"rows\": 5}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(posted.body()).get("result").get("count").asInt()).isEqualTo(2);

        JsonNode page1 = action("package_search", "fq=" + q("organization:" + dept) + "&rows=1&start=0&sort="
                + q("name asc") + "&facet.field=" + q("[\"organization\",\"tags\"]")).get("result");
        JsonNode page2 = action("package_search", "fq=" + q("organization:" + dept) + "&rows=1&start=1&sort="
                + q("name asc")).get("result");
        assertThat(page1.get("count").asInt()).isEqualTo(2);
        assertThat(page1.get("results")).hasSize(1);
        assertThat(page2.get("results")).hasSize(1);
        String a = page1.get("results").get(0).get("name").asText();
        String b = page2.get("results").get(0).get("name").asText();
        assertThat(List.of(a, b)).containsExactly(code.compareTo(code2) < 0 ? code : code2, code.compareTo(code2) < 0 ? code2 : code);
        assertThat(page1.get("facets").get("organization").get(dept).asInt()).isEqualTo(2);
        assertThat(page1.get("search_facets").get("tags").get("items").findValuesAsText("name")).contains("基础", "名称");

        JsonNode org = action("organization_show", "id=" + dept).get("result");
        assertThat(org.get("package_count").asInt()).isEqualTo(2);
        assertThat(action("organization_list", "").get("result")).extracting(JsonNode::asText).contains(dept);
        assertThat(action("tag_list", "").get("result")).extracting(JsonNode::asText).contains("统一社会信用代码");
        JsonNode res = action("resource_show", "id=" + code + "-json").get("result");
        assertThat(res.get("format").asText()).isEqualTo("JSON");

        HttpResponse<String> missing = get("/api/3/action/package_show?id=10201-nothere");
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode notFound = JSON.readTree(missing.body());
        assertThat(notFound.get("success").asBoolean()).isFalse();
        assertThat(notFound.get("error").get("__type").asText()).isEqualTo("Not Found Error");
        HttpResponse<String> bad = get("/api/3/action/package_search?rows=-1");
        assertThat(bad.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(bad.body()).get("error").get("__type").asText()).isEqualTo("Validation Error");
        assertThat(JSON.readTree(bad.body()).get("error").get("rows").get(0).asText()).isEqualTo("Must be a natural number");
        // the department routes still need credentials
        assertThat(get("/api/v1/grants").statusCode()).isEqualTo(401);
    }

    @Test
    @Order(5)
    void dcat_documents_parse_as_rdf_with_the_expected_triples() throws Exception {
        HttpResponse<String> ttl = get("/catalog.ttl");
        HttpResponse<String> jsonld = get("/catalog.jsonld");
        assertThat(ttl.statusCode()).isEqualTo(200);
        assertThat(jsonld.statusCode()).isEqualTo(200);
        Model fromTurtle = ModelFactory.createDefaultModel();
        RDFDataMgr.read(fromTurtle, new StringReader(ttl.body()), http.url(), Lang.TURTLE);
        Model fromJsonLd = ModelFactory.createDefaultModel();
        RDFDataMgr.read(fromJsonLd, new StringReader(jsonld.body()), http.url(), Lang.JSONLD);
        assertThat(fromTurtle.isIsomorphicWith(fromJsonLd)).isTrue();

        Model m = fromTurtle;
        Resource catalog = m.createResource(http.url() + "/catalog");
        Resource dataset = m.createResource(http.url() + "/dataset/" + code);
        assertThat(m.contains(catalog, RDF.type, m.createResource(DCAT + "Catalog"))).isTrue();
        assertThat(m.contains(catalog, p(m, DCAT + "dataset"), dataset)).isTrue();
        assertThat(m.contains(dataset, RDF.type, m.createResource(DCAT + "Dataset"))).isTrue();
        assertThat(m.contains(dataset, p(m, DCT + "title"), m.createLiteral("法人基础信息", "zh"))).isTrue();
        assertThat(m.contains(dataset, p(m, DCT + "identifier"), code)).isTrue();
        assertThat(m.contains(dataset, p(m, DCT + "accrualPeriodicity"),
                m.createResource("http://publications.europa.eu/resource/authority/frequency/DAILY"))).isTrue();
        assertThat(m.contains(dataset, p(m, DCT + "publisher"), m.createResource(http.url() + "/organization/" + dept))).isTrue();
        assertThat(m.contains(dataset, p(m, DCAT + "theme"), m.createResource(http.url() + "/theme/BASIC"))).isTrue();
        assertThat(m.getProperty(dataset, p(m, DCT + "modified")).getLiteral().getDatatypeURI())
                .isEqualTo("http://www.w3.org/2001/XMLSchema#dateTime");
        Resource csv = m.createResource(http.url() + "/dataset/" + code + "/csv");
        assertThat(m.contains(dataset, p(m, DCAT + "distribution"), csv)).isTrue();
        assertThat(m.contains(csv, RDF.type, m.createResource(DCAT + "Distribution"))).isTrue();
        assertThat(m.contains(csv, p(m, DCAT + "downloadURL"), m.createResource(http.url() + "/open/" + code + ".csv"))).isTrue();
        assertThat(m.contains(csv, p(m, DCAT + "mediaType"),
                m.createResource("http://www.iana.org/assignments/media-types/text/csv"))).isTrue();
    }

    @Test
    @Order(6)
    void the_catalog_history_keeps_every_version() throws Exception {
        try (GovernanceClient client = GovernanceClient.create(provider)) {
            for (String summary : List.of("第二版摘要", "第三版摘要")) {
                String yaml = Files.readString(EXAMPLE)
                        .replaceFirst("(?m)^code: .*$", "code: " + code2)
                        .replaceFirst("(?m)^provider: .*$", "provider: " + dept)
                        .replaceFirst("(?m)^summary: .*$", "summary: " + summary)
                        .replaceFirst("(?m)^  fields: .*$", "  fields: [creditCode, entityName]");
                CommandResult r = client.update(ResourceDefinitions.parse(yaml, "x.yaml"), Optional.of("摘要修订"))
                        .get(60, TimeUnit.SECONDS);
                assertThat(r.getOutcome()).as(r.getMessage()).isEqualTo(Outcome.ACCEPTED);
            }
        }
        AvroDeserializer<CatalogEntry> entries = AvroDeserializer.specific(CatalogEntry.class);
        entries.configure(bus.serdeConfig(), false);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<CatalogEntry> history = bus.awaitRecords(Topics.CATALOG_HISTORY, entries, r -> r.key().equals(code2),
                    Duration.ofSeconds(30)).stream().map(r -> r.value()).toList();
            assertThat(history).extracting(CatalogEntry::getCatalogVersion).containsExactly(1, 2, 3);
            assertThat(history).extracting(CatalogEntry::getSummary).endsWith("第二版摘要", "第三版摘要");
        });
    }

    @Test
    @Order(7)
    void the_catalog_exported_as_xlsx_imports_back_and_problems_name_their_row_and_column() throws Exception {
        Path config = dir.resolve(dept + ".properties");
        java.util.Properties props = new java.util.Properties();
        provider.originalsStrings().forEach(props::setProperty);
        try (var w = Files.newBufferedWriter(config)) {
            props.store(w, null);
        }
        Path exported = dir.resolve("catalog.xlsx");
        Run export = cli("catalog", "export", "--format", "xlsx", "--out", exported.toString(), "--config", config.toString());
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).contains("Exported ");
        Run csv = cli("catalog", "export", "--format", "csv", "--config", config.toString());
        assertThat(csv.out()).contains("信息资源代码,信息资源分类,信息资源名称").contains(code2);

        // keep the department's own rows (copied into a new workbook); the second resource gets a new summary
        Path mine = dir.resolve("mine.xlsx");
        Path broken = dir.resolve("broken.xlsx");
        List<List<String>> rows = new java.util.ArrayList<>();
        List<String> header = new java.util.ArrayList<>();
        try (var in = Files.newInputStream(exported); var wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(in)) {
            var sheet = wb.getSheetAt(0);
            sheet.getRow(0).forEach(c -> header.add(c.getStringCellValue()));
            for (int r = 1; r <= sheet.getLastRowNum(); r++) {
                List<String> row = new java.util.ArrayList<>();
                for (int c = 0; c < header.size(); c++) {
                    var cell = sheet.getRow(r).getCell(c);
                    row.add(cell == null ? "" : cell.getStringCellValue());
                }
                if (row.get(header.indexOf("信息资源提供方")).equals(dept)) {
                    rows.add(row);
                }
            }
        }
        assertThat(rows).hasSize(2);
        int codeCol = header.indexOf("信息资源代码");
        int row2 = rows.get(0).get(codeCol).equals(code2) ? 0 : 1;
        rows.get(row2).set(header.indexOf("信息资源摘要"), "第四版摘要");
        writeWorkbook(mine, header, rows);
        int brokenIndex = 1 - row2;
        int brokenRow = brokenIndex + 1;
        rows.get(brokenIndex).set(header.indexOf("共享属性"), "随便共享");
        writeWorkbook(broken, header, rows);
        Run bad = cli("catalog", "import", broken.toString(), "--config", config.toString());
        assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(1);
        assertThat(bad.err()).contains("row " + (brokenRow + 1) + ", column 共享属性: '随便共享' is not one of")
                .contains("nothing was sent");
        Run dry = cli("catalog", "import", mine.toString(), "--dry-run", "--config", config.toString());
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("would update " + code2).contains("nothing was sent");
        Run imported = cli("catalog", "import", mine.toString(), "--config", config.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("update " + code2 + ": ACCEPTED").contains("Imported 2 row(s)");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Run history = cli("catalog", "history", code2, "--json", "--config", config.toString());
            assertThat(history.exit()).as(history.err()).isZero();
            JsonNode versions = JSON.readTree(history.out());
            JsonNode last = versions.get(versions.size() - 1);
            assertThat(last.get("catalogVersion").asInt()).isEqualTo(4);
            assertThat(last.get("summary").asText()).isEqualTo("第四版摘要");
            assertThat(last.get("openFields")).extracting(JsonNode::asText).containsExactly("creditCode", "entityName");
        });
        Run table = cli("catalog", "history", code2, "--config", config.toString());
        assertThat(table.out()).contains("VERSION").contains("confidentiality review by User:" + dept);
    }

    record Run(int exit, String out, String err) {
    }

    static void writeWorkbook(Path file, List<String> header, List<List<String>> rows) throws Exception {
        try (var wb = new org.apache.poi.xssf.usermodel.XSSFWorkbook(); var out = Files.newOutputStream(file)) {
            var sheet = wb.createSheet("信息资源目录");
            List<List<String>> all = new java.util.ArrayList<>();
            all.add(header);
            all.addAll(rows);
            for (int r = 0; r < all.size(); r++) {
                var row = sheet.createRow(r);
                for (int c = 0; c < all.get(r).size(); c++) {
                    row.createCell(c).setCellValue(all.get(r).get(c));
                }
            }
            wb.write(out);
        }
    }

    static Run cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = cn.tianfu.databus.cli.DatabusCli.run(args, new java.io.PrintWriter(out), new java.io.PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Property p(Model m, String iri) {
        return m.createProperty(iri);
    }

    private static GenericRecord record(Schema schema, String creditCode, String name, String rep, String capital,
                                        LocalDate established, String address) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("creditCode", creditCode);
        r.put("entityName", name);
        r.put("legalRepresentative", rep);
        Schema capitalSchema = nonNull(schema.getField("registeredCapital").schema());
        r.put("registeredCapital", new Conversions.DecimalConversion().toBytes(new BigDecimal(capital), capitalSchema,
                LogicalTypes.decimal(18, 2)));
        r.put("establishedDate", (int) established.toEpochDay());
        r.put("registrationStatus", "存续");
        r.put("address", address);
        r.put("divisionCode", "510107");
        return r;
    }

    private static Schema nonNull(Schema s) {
        return s.getType() == Schema.Type.UNION ? s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL)
                .findFirst().orElseThrow() : s;
    }
}
