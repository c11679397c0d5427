package cn.tianfu.databus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.registry.SchemaRegistryException.Kind;
import cn.tianfu.databus.registry.StubRegistry.Answer;

class HttpSchemaRegistryClientTest {

    private static final Schema PERSON = SchemaBuilder.record("Person").namespace("cn.tianfu.test").fields()
            .requiredString("name").optionalInt("age").endRecord();
    private static final String SUBJECT = "src.psb.population-value";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StubRegistry stub;

    @AfterEach
    void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    private HttpSchemaRegistryClient client() {
        return HttpSchemaRegistryClient.builder(stub.url()).requestTimeout(Duration.ofSeconds(5)).build();
    }

    private static String schemaAnswer(Schema schema) throws IOException {
        return JSON.writeValueAsString(java.util.Map.of("schema", schema.toString()));
    }

    @Test
    void registerPostsTheSchemaAsRegistryJsonAndCachesTheId() throws Exception {
        stub = new StubRegistry(r -> Answer.ok("{\"id\":7}"));
        var client = client();

        assertThat(client.register(SUBJECT, PERSON)).isEqualTo(7);
        assertThat(client.register(SUBJECT, PERSON)).isEqualTo(7);
        assertThat(client.schemaById(7)).isEqualTo(PERSON);

        assertThat(stub.requests).hasSize(1);
        var request = stub.requests.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).isEqualTo("/subjects/" + SUBJECT + "/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("schemaType").asText()).isEqualTo("AVRO");
        assertThat(new Schema.Parser().parse(body.get("schema").asText())).isEqualTo(PERSON);
    }

    @Test
    void schemaByIdIsFetchedOnce() throws Exception {
        String answer = schemaAnswer(PERSON);
        stub = new StubRegistry(r -> Answer.ok(answer));
        var client = client();

        for (int i = 0; i < 3; i++) {
            assertThat(client.schemaById(12)).isEqualTo(PERSON);
        }
        assertThat(stub.requests).extracting(StubRegistry.Request::uri).containsExactly("/schemas/ids/12");
    }

    @Test
    void versionsAndSubjectsAreParsed() throws Exception {
        String version = JSON.writeValueAsString(java.util.Map.of("subject", SUBJECT, "id", 3, "version", 2,
                "schema", PERSON.toString()));
        stub = new StubRegistry(r -> switch (r.uri()) {
            case "/subjects" -> Answer.ok("[\"b-value\",\"a-value\"]");
            case "/subjects/" + SUBJECT + "/versions" -> Answer.ok("[1,2]");
            case "/subjects/" + SUBJECT + "/versions/latest", "/subjects/" + SUBJECT + "/versions/2" -> Answer.ok(version);
            default -> Answer.error(404, 40401, "Subject not found.");
        });
        var client = client();

        assertThat(client.subjects()).containsExactly("a-value", "b-value");
        assertThat(client.versions(SUBJECT)).containsExactly(1, 2);
        assertThat(client.latest(SUBJECT)).isEqualTo(new RegisteredSchema(SUBJECT, 3, 2, PERSON));
        assertThat(client.version(SUBJECT, 2)).isEqualTo(new RegisteredSchema(SUBJECT, 3, 2, PERSON));
    }

    @ParameterizedTest
    @CsvSource({
            "404, 40401, SUBJECT_NOT_FOUND",
            "404, 40402, VERSION_NOT_FOUND",
            "404, 40403, SCHEMA_NOT_FOUND",
            "409, 409, INCOMPATIBLE",
            "422, 42201, INVALID_SCHEMA",
            "422, 42203, INVALID_COMPATIBILITY_LEVEL",
            "401, 401, UNAUTHORIZED",
            "500, 50001, SERVER_ERROR",
            "404, 49999, UNEXPECTED"})
    void confluentErrorBodiesBecomeTypedErrors(int status, int code, Kind kind) throws Exception {
        stub = new StubRegistry(r -> Answer.error(status, code, "registry says no"));
        var client = client();

        assertThatThrownBy(() -> client.latest(SUBJECT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.httpStatus()).isEqualTo(status);
                    assertThat(e.errorCode()).isEqualTo(code);
                    assertThat(e.isRetriable()).isEqualTo(kind == Kind.SERVER_ERROR);
                })
                .hasMessageContaining("registry says no")
                .hasMessageContaining(stub.url() + "/subjects/" + SUBJECT + "/versions/latest");
    }

    @Test
    void errorWithoutRegistryBodyKeepsHttpStatus() throws Exception {
        stub = new StubRegistry(r -> new Answer(502, "<html>bad gateway</html>"));
        var client = client();

        assertThatThrownBy(() -> client.subjects())
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.SERVER_ERROR);
                    assertThat(e.errorCode()).isEqualTo(502);
                    assertThat(e.isRetriable()).isTrue();
                })
                .hasMessageContaining("bad gateway");
    }

    @Test
    void incompatibleRegistrationIsTypedAndSaysWhatToDo() throws Exception {
        stub = new StubRegistry(r -> Answer.error(409, 409, "Schema being registered is incompatible with an earlier schema"));
        var client = client();

        assertThatThrownBy(() -> client.register(SUBJECT, PERSON))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INCOMPATIBLE))
                .hasMessageContaining("incompatible with an earlier schema")
                .hasMessageContaining("add fields with defaults");
    }

    @Test
    void lookupIsEmptyWhenSchemaOrSubjectIsUnknown() throws Exception {
        String found = JSON.writeValueAsString(java.util.Map.of("subject", SUBJECT, "id", 4, "version", 1, "schema", PERSON.toString()));
        stub = new StubRegistry(r -> r.uri().equals("/subjects/known-value")
                ? Answer.ok(found)
                : r.uri().equals("/subjects/other-value") ? Answer.error(404, 40403, "Schema not found") : Answer.error(404, 40401, "Subject not found"));
        var client = client();

        assertThat(client.lookup("known-value", PERSON)).contains(new RegisteredSchema(SUBJECT, 4, 1, PERSON));
        assertThat(client.lookup("other-value", PERSON)).isEmpty();
        assertThat(client.lookup("missing-value", PERSON)).isEmpty();
        assertThat(stub.requests).allSatisfy(r -> assertThat(r.method()).isEqualTo("POST"));
    }

    @Test
    void compatibilityTestIsVerboseAndTrueForANewSubject() throws Exception {
        stub = new StubRegistry(r -> r.uri().startsWith("/compatibility/subjects/new-value/")
                ? Answer.error(404, 40401, "Subject 'new-value' not found.")
                : Answer.ok("{\"is_compatible\":false,\"messages\":[\"READER_FIELD_MISSING_DEFAULT_VALUE: age\"]}"));
        var client = client();

        assertThat(client.testCompatibility(SUBJECT, PERSON))
                .isEqualTo(new CompatibilityResult(false, List.of("READER_FIELD_MISSING_DEFAULT_VALUE: age")));
        assertThat(stub.requests.get(0).uri()).isEqualTo("/compatibility/subjects/" + SUBJECT + "/versions/latest?verbose=true");
        assertThat(client.testCompatibility("new-value", PERSON)).isEqualTo(CompatibilityResult.ok());
    }

    @Test
    void compatibilityLevelsFallBackToGlobalAndAreSetWithPut() throws Exception {
        stub = new StubRegistry(r -> switch (r.method() + " " + r.uri()) {
            case "GET /config" -> Answer.ok("{\"compatibilityLevel\":\"FULL\"}");
            case "GET /config/own-value?defaultToGlobal=true" -> Answer.ok("{\"compatibilityLevel\":\"NONE\"}");
            case "PUT /config/own-value", "PUT /config" -> Answer.ok(r.body());
            default -> Answer.error(404, 40408, "Subject does not have subject-level compatibility configured");
        });
        var client = client();

        assertThat(client.compatibility(Optional.empty())).isEqualTo("FULL");
        assertThat(client.compatibility(Optional.of("own-value"))).isEqualTo("NONE");
        assertThat(client.compatibility(Optional.of("plain-value"))).isEqualTo("FULL");

        client.setCompatibility(Optional.of("own-value"), "BACKWARD_TRANSITIVE");
        var put = stub.requests.get(stub.requests.size() - 1);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(JSON.readTree(put.body()).get("compatibility").asText()).isEqualTo("BACKWARD_TRANSITIVE");
        assertThatThrownBy(() -> client.setCompatibility(Optional.empty(), "SIDEWAYS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIDEWAYS");
    }

    @Test
    void permanentDeleteSoftDeletesFirstAndForgetsCachedIds() throws Exception {
        stub = new StubRegistry(r -> r.method().equals("POST") ? Answer.ok("{\"id\":5}") : Answer.ok("[1,2]"));
        var client = client();
        client.register(SUBJECT, PERSON);

        assertThat(client.deleteSubject(SUBJECT, true)).containsExactly(1, 2);
        client.register(SUBJECT, PERSON);

        assertThat(stub.requests).extracting(r -> r.method() + " " + r.uri()).containsExactly(
                "POST /subjects/" + SUBJECT + "/versions",
                "DELETE /subjects/" + SUBJECT,
                "DELETE /subjects/" + SUBJECT + "?permanent=true",
                "POST /subjects/" + SUBJECT + "/versions");
    }

    @Test
    void permanentDeleteOfASoftDeletedSubjectGoesOn() throws Exception {
        stub = new StubRegistry(r -> r.uri().endsWith("permanent=true") ? Answer.ok("[3]")
                : Answer.error(404, 40404, "Subject was soft deleted"));
        var client = client();

        assertThat(client.deleteSubject(SUBJECT, true)).containsExactly(3);
        assertThatThrownBy(() -> client.deleteSubject(SUBJECT, false))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.SUBJECT_SOFT_DELETED));
    }

    @Test
    void subjectsArePercentEncodedInPaths() throws Exception {
        stub = new StubRegistry(r -> Answer.ok("[1]"));
        client().versions("a subject/with:odd chars");
        assertThat(stub.requests.get(0).uri()).isEqualTo("/subjects/a%20subject%2Fwith%3Aodd%20chars/versions");
    }

    @Test
    void basicAuthIsSentWithEveryCall() throws Exception {
        stub = new StubRegistry(r -> Answer.ok("[]"));
        var client = HttpSchemaRegistryClient.builder(stub.url()).basicAuth("psb", "s3cret:x").build();

        client.subjects();

        String expected = "Basic " + Base64.getEncoder().encodeToString("psb:s3cret:x".getBytes(StandardCharsets.UTF_8));
        assertThat(stub.requests.get(0).authorization()).isEqualTo(expected);
    }

    @Test
    void unreachableRegistryIsRetriableAndNamesTheUrl() throws Exception {
        String dead = deadUrl();
        var client = HttpSchemaRegistryClient.builder(dead).connectTimeout(Duration.ofSeconds(2)).build();

        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
                    assertThat(e.isRetriable()).isTrue();
                    assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_ANSWER);
                })
                .hasMessageContaining(dead)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void nextUrlIsTriedWhenOneDoesNotAnswer() throws Exception {
        stub = new StubRegistry(r -> Answer.ok("[\"x-value\"]"));
        var client = HttpSchemaRegistryClient.builder(deadUrl() + "," + stub.url()).build();

        assertThat(client.subjects()).containsExactly("x-value");
    }

    @Test
    void slowRegistryTimesOutAsUnreachable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        stub = new StubRegistry(r -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.ok("[]");
        });
        var client = HttpSchemaRegistryClient.builder(stub.url()).requestTimeout(Duration.ofMillis(300)).build();
        try {
            assertThatThrownBy(client::subjects)
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
                    .hasMessageContaining("timed out");
        } finally {
            release.countDown();
        }
    }

    @Test
    void builderRejectsBadInputNamingIt() {
        assertThatThrownBy(() -> HttpSchemaRegistryClient.builder("ftp://registry")).hasMessageContaining("ftp://registry");
        assertThatThrownBy(() -> HttpSchemaRegistryClient.builder("")).hasMessageContaining("url is required");
        assertThatThrownBy(() -> HttpSchemaRegistryClient.builder("http://user:pw@registry:8081"))
                .hasMessageContaining("credentials").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> HttpSchemaRegistryClient.builder("http://r").requestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout");
        assertThat(HttpSchemaRegistryClient.builder("http://r:8081/apis/ccompat/v7/").build().urls())
                .extracting(Object::toString).containsExactly("http://r:8081/apis/ccompat/v7");
    }

    private static String deadUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
