package cn.tianfu.databus.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The registry over real HTTP on a real in-JVM broker. Every test uses its own subjects, so tests are independent of
 * each other and of what else the shared broker's {@code _schemas} topic holds.
 */
class RegistryServerIT {

    private static final String V1_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SchemaRegistryServer server;
    private static final List<SchemaRegistryServer> extra = new ArrayList<>();

    @BeforeAll
    static void startRegistry() {
        server = start(0);
    }

    @AfterAll
    static void stopRegistry() {
        extra.forEach(SchemaRegistryServer::close);
        if (server != null) {
            server.close();
        }
    }

    private static SchemaRegistryServer start(int port) {
        var s = new SchemaRegistryServer(new RegistryServerConfig(SharedBus.get().withRegistryKafkaSecurity(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBus.get().bootstrapServers(),
                // a log of its own: other tests in this JVM register schemas through the shared registry
                RegistryServerConfig.TOPIC_CONFIG, "_schemas.registry-it",
                RegistryServerConfig.LISTEN_PORT_CONFIG, port,
                RegistryServerConfig.TIMEOUT_MS_CONFIG, 20_000))));
        s.start();
        return s;
    }

    // ---------------------------------------------------------------- schemas used by the tests

    private static String person(String extraFields) {
        return "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"cn.tianfu.it\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}"
                + extraFields + "]}";
    }

    private static final String V1 = person("");
    private static final String V2_OPTIONAL = person(",{\"name\":\"age\",\"type\":[\"null\",\"int\"],\"default\":null}");
    private static final String V2_REQUIRED = person(",{\"name\":\"age\",\"type\":\"int\"}");

    private static String subject() {
        return Subjects.valueSubject("it-" + UUID.randomUUID());
    }

    private static ObjectNode schemaBody(String schema) {
        return JSON.createObjectNode().put("schema", schema);
    }

    private static int register(String subject, String schema) {
        Response r = post("/subjects/" + subject + "/versions", schemaBody(schema));
        assertThat(r.status).as("register: %s", r.body).isEqualTo(200);
        return r.json().get("id").asInt();
    }

    // ---------------------------------------------------------------- register

    @Test
    void registerReturnsAGlobalIdSharedByTheSameSchemaInAnySubject() {
        String a = subject();
        String b = subject();
        int id = register(a, V1);
        // the same schema written differently (whitespace, field order of the JSON object) is the same schema
        String v1Reformatted = "{ \"namespace\" : \"cn.tianfu.it\", \"name\": \"Person\", \"type\": \"record\","
                + " \"fields\": [ { \"type\": \"string\", \"name\": \"id\" } ] }";

        assertThat(register(b, v1Reformatted)).isEqualTo(id);
        assertThat(register(a, V1)).isEqualTo(id);
        assertThat(get("/subjects/" + a + "/versions").json()).hasSize(1);
        assertThat(register(a, V2_OPTIONAL)).isNotEqualTo(id);
        assertThat(get("/subjects/" + a + "/versions").json().toString()).isEqualTo("[1,2]");
    }

    @Test
    void registerAcceptsAnExplicitAvroTypeAndEmptyReferences() {
        ObjectNode body = schemaBody(V1).put("schemaType", "AVRO");
        body.putArray("references");

        Response r = post("/subjects/" + subject() + "/versions", body);

        assertThat(r.status).isEqualTo(200);
        assertThat(r.json().get("id").asInt()).isPositive();
    }

    @Test
    void registerOfAnIncompatibleSchemaIs409() {
        String s = subject();
        register(s, V1);

        Response r = post("/subjects/" + s + "/versions", schemaBody(V2_REQUIRED));

        assertError(r, 409, 409);
        assertThat(r.json().get("message").asText()).contains("incompatible").contains("BACKWARD");
    }

    @Test
    void registerOfAnInvalidSchemaIs42201() {
        assertError(post("/subjects/" + subject() + "/versions", schemaBody("{\"type\":\"recrod\",\"name\":\"X\"}")), 422, 42201);
        assertError(post("/subjects/" + subject() + "/versions", JSON.createObjectNode().put("schemaa", V1)), 422, 42201);
    }

    @Test
    void schemaTypesOtherThanAvroAre42201() {
        Response r = post("/subjects/" + subject() + "/versions", schemaBody("{\"type\":\"object\"}").put("schemaType", "JSON"));

        assertError(r, 422, 42201);
        assertThat(r.json().get("message").asText()).contains("AVRO");
        assertThat(get("/schemas/types").json().toString()).isEqualTo("[\"AVRO\"]");
    }

    // ---------------------------------------------------------------- lookup

    @Test
    void lookupFindsTheVersionOfARegisteredSchema() {
        String s = subject();
        int id = register(s, V1);
        register(s, V2_OPTIONAL);

        JsonNode found = post("/subjects/" + s, schemaBody(V1)).json();

        assertThat(found.get("subject").asText()).isEqualTo(s);
        assertThat(found.get("id").asInt()).isEqualTo(id);
        assertThat(found.get("version").asInt()).isEqualTo(1);
        assertThat(found.get("schema").asText()).isEqualTo(get("/schemas/ids/" + id).json().get("schema").asText());
    }

    @Test
    void lookupUnderAnUnknownSubjectIs40401() {
        assertError(post("/subjects/" + subject(), schemaBody(V1)), 404, 40401);
    }

    @Test
    void lookupOfASchemaNotUnderTheSubjectIs40403() {
        String s = subject();
        register(s, V1);

        assertError(post("/subjects/" + s, schemaBody(V2_OPTIONAL)), 404, 40403);
    }

    // ---------------------------------------------------------------- schemas by id

    @Test
    void schemaByIdReturnsTheSchemaAndItsSubjectVersions() {
        String a = subject();
        String b = subject();
        int id = register(a, V1);
        register(b, V1);

        JsonNode schema = get("/schemas/ids/" + id).json();
        JsonNode versions = get("/schemas/ids/" + id + "/versions").json();

        assertThat(parse(schema.get("schema").asText())).isEqualTo(parse(V1));
        assertThat(versions.findValuesAsText("subject")).contains(a, b);
        assertThat(versions.findValuesAsText("version")).containsOnly("1");
    }

    @Test
    void unknownSchemaIdIs40403() {
        assertError(get("/schemas/ids/" + Integer.MAX_VALUE), 404, 40403);
    }

    // ---------------------------------------------------------------- subjects and versions

    @Test
    void subjectsListsLiveSubjectsAndWithDeletedAlsoSoftDeletedOnes() {
        String live = subject();
        String gone = subject();
        register(live, V1);
        register(gone, V1);
        delete("/subjects/" + gone);

        assertThat(texts(get("/subjects").json())).contains(live).doesNotContain(gone);
        assertThat(texts(get("/subjects?deleted=true").json())).contains(live, gone);
    }

    @Test
    void versionsListsLiveVersionsAndWithDeletedAlsoSoftDeletedOnes() {
        String s = subject();
        register(s, V1);
        register(s, V2_OPTIONAL);
        delete("/subjects/" + s + "/versions/1");

        assertThat(get("/subjects/" + s + "/versions").json().toString()).isEqualTo("[2]");
        assertThat(get("/subjects/" + s + "/versions?deleted=true").json().toString()).isEqualTo("[1,2]");
        assertError(get("/subjects/" + subject() + "/versions"), 404, 40401);
    }

    @Test
    void versionByNumberAndLatest() {
        String s = subject();
        int id1 = register(s, V1);
        int id2 = register(s, V2_OPTIONAL);

        JsonNode first = get("/subjects/" + s + "/versions/1").json();
        JsonNode latest = get("/subjects/" + s + "/versions/latest").json();

        assertThat(first.get("subject").asText()).isEqualTo(s);
        assertThat(first.get("version").asInt()).isEqualTo(1);
        assertThat(first.get("id").asInt()).isEqualTo(id1);
        assertThat(parse(first.get("schema").asText())).isEqualTo(parse(V1));
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(id2);
        assertThat(get("/subjects/" + s + "/versions/-1").json().get("version").asInt()).isEqualTo(2);
    }

    @Test
    void rawSchemaOfAVersion() {
        String s = subject();
        register(s, V1);

        Response r = get("/subjects/" + s + "/versions/latest/schema");

        assertThat(r.status).isEqualTo(200);
        assertThat(parse(r.body)).isEqualTo(parse(V1));
    }

    @Test
    void unknownVersionIs40402() {
        String s = subject();
        register(s, V1);

        assertError(get("/subjects/" + s + "/versions/7"), 404, 40402);
    }

    @Test
    void invalidVersionIs42202() {
        String s = subject();
        register(s, V1);

        assertError(get("/subjects/" + s + "/versions/first"), 422, 42202);
        assertError(get("/subjects/" + s + "/versions/0"), 422, 42202);
    }

    // ---------------------------------------------------------------- compatibility

    @Test
    void compatibilityTellsWhetherASchemaMayFollow() {
        String s = subject();
        register(s, V1);

        JsonNode ok = post("/compatibility/subjects/" + s + "/versions/latest", schemaBody(V2_OPTIONAL)).json();
        JsonNode bad = post("/compatibility/subjects/" + s + "/versions/1?verbose=true", schemaBody(V2_REQUIRED)).json();

        assertThat(ok.get("is_compatible").asBoolean()).isTrue();
        assertThat(ok.has("messages")).isFalse();
        assertThat(bad.get("is_compatible").asBoolean()).isFalse();
        assertThat(bad.get("messages")).isNotEmpty();
        assertThat(bad.get("messages").get(0).asText()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("age");
        // nothing was registered by the checks
        assertThat(get("/subjects/" + s + "/versions").json().toString()).isEqualTo("[1]");
    }

    @Test
    void compatibilityFollowsTheSubjectLevel() {
        String s = subject();
        register(s, V1);
        put("/config/" + s, JSON.createObjectNode().put("compatibility", "FORWARD"));

        JsonNode required = post("/compatibility/subjects/" + s + "/versions/latest", schemaBody(V2_REQUIRED)).json();

        assertThat(required.get("is_compatible").asBoolean()).isTrue();
        assertThat(register(s, V2_REQUIRED)).isPositive();
    }

    @Test
    void compatibilityAgainstUnknownSubjectOrVersion() {
        String s = subject();
        assertError(post("/compatibility/subjects/" + s + "/versions/latest", schemaBody(V1)), 404, 40401);
        register(s, V1);
        assertError(post("/compatibility/subjects/" + s + "/versions/5", schemaBody(V1)), 404, 40402);
    }

    // ---------------------------------------------------------------- config

    @Test
    void globalConfigReadsAndWrites() {
        String before = get("/config").json().get("compatibilityLevel").asText();
        try {
            Response put = put("/config", JSON.createObjectNode().put("compatibility", "FULL"));

            assertThat(put.status).isEqualTo(200);
            assertThat(put.json().get("compatibility").asText()).isEqualTo("FULL");
            assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL");
        } finally {
            put("/config", JSON.createObjectNode().put("compatibility", before));
        }
        assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo(before);
    }

    @Test
    void invalidCompatibilityLevelIs42203() {
        assertError(put("/config", JSON.createObjectNode().put("compatibility", "SIDEWAYS")), 422, 42203);
        assertError(put("/config/" + subject(), JSON.createObjectNode().put("compatibility", "SIDEWAYS")), 422, 42203);
    }

    @Test
    void subjectConfigReadsWritesAndDeletes() {
        String s = subject();
        register(s, V1);
        String global = get("/config").json().get("compatibilityLevel").asText();

        assertError(get("/config/" + s), 404, 40408);
        assertThat(get("/config/" + s + "?defaultToGlobal=true").json().get("compatibilityLevel").asText()).isEqualTo(global);

        assertThat(put("/config/" + s, JSON.createObjectNode().put("compatibility", "NONE")).json().get("compatibility").asText())
                .isEqualTo("NONE");
        assertThat(get("/config/" + s).json().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(register(s, person(",{\"name\":\"x\",\"type\":\"long\"}"))).isPositive();

        assertThat(delete("/config/" + s).json().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertError(get("/config/" + s), 404, 40408);
        assertError(delete("/config/" + s), 404, 40408);
        assertError(delete("/config/" + subject()), 404, 40401);
    }

    // ---------------------------------------------------------------- deletes

    @Test
    void softDeleteOfASubjectHidesItButKeepsItsIdResolvable() {
        String s = subject();
        int id = register(s, person(",{\"name\":\"soft\",\"type\":\"int\",\"default\":0}"));
        register(s, person(",{\"name\":\"soft\",\"type\":\"int\",\"default\":0},{\"name\":\"more\",\"type\":\"int\",\"default\":0}"));

        Response deleted = delete("/subjects/" + s);

        assertThat(deleted.status).isEqualTo(200);
        assertThat(deleted.json().toString()).isEqualTo("[1,2]");
        assertError(get("/subjects/" + s + "/versions/1"), 404, 40401);
        assertError(post("/subjects/" + s, schemaBody(person(",{\"name\":\"soft\",\"type\":\"int\",\"default\":0}"))), 404, 40401);
        assertThat(get("/subjects/" + s + "/versions/1?deleted=true").json().get("id").asInt()).isEqualTo(id);
        assertThat(get("/schemas/ids/" + id).status).isEqualTo(200);
    }

    @Test
    void softDeletingASoftDeletedSubjectIs40404() {
        String s = subject();
        register(s, V1);
        delete("/subjects/" + s);

        assertError(delete("/subjects/" + s), 404, 40404);
    }

    @Test
    void permanentDeleteOfASubjectNeedsASoftDeleteFirst() {
        String s = subject();
        register(s, V1);

        assertError(delete("/subjects/" + s + "?permanent=true"), 404, 40405);
        delete("/subjects/" + s);
        Response gone = delete("/subjects/" + s + "?permanent=true");

        assertThat(gone.status).isEqualTo(200);
        assertThat(gone.json().toString()).isEqualTo("[1]");
        assertThat(texts(get("/subjects?deleted=true").json())).doesNotContain(s);
        assertError(delete("/subjects/" + s), 404, 40401);
    }

    @Test
    void deleteOfAVersionIsSoftThenPermanent() {
        String s = subject();
        register(s, V1);
        register(s, V2_OPTIONAL);

        assertError(delete("/subjects/" + s + "/versions/1?permanent=true"), 404, 40407);
        Response soft = delete("/subjects/" + s + "/versions/1");
        assertThat(soft.status).isEqualTo(200);
        assertThat(soft.body).isEqualTo("1");
        assertError(delete("/subjects/" + s + "/versions/1"), 404, 40406);
        assertError(get("/subjects/" + s + "/versions/1"), 404, 40402);

        assertThat(delete("/subjects/" + s + "/versions/1?permanent=true").body).isEqualTo("1");
        assertThat(get("/subjects/" + s + "/versions?deleted=true").json().toString()).isEqualTo("[2]");
        assertError(delete("/subjects/" + s + "/versions/9"), 404, 40402);
        assertError(delete("/subjects/" + subject() + "/versions/1"), 404, 40401);
    }

    // ---------------------------------------------------------------- protocol details

    @Test
    void answersWithTheRegistryContentTypeAndAcceptsTheUsualRequestTypes() {
        String s = subject();
        for (String type : List.of(V1_TYPE, "application/vnd.schemaregistry+json", "application/json")) {
            Response r = send("POST", "/subjects/" + s + "/versions", schemaBody(V1).toString(), type);
            assertThat(r.status).as(type).isEqualTo(200);
            assertThat(r.contentType).startsWith(V1_TYPE);
        }
        Response refused = send("POST", "/subjects/" + s + "/versions", schemaBody(V1).toString(), "text/plain");
        assertError(refused, 415, 415);
    }

    @Test
    void malformedJsonIsAClearError() {
        Response r = send("POST", "/subjects/" + subject() + "/versions", "{\"schema\":", V1_TYPE);

        assertError(r, 400, 400);
    }

    @Test
    void rootAndMetadataEndpointsClientsCall() {
        assertThat(get("/").json().toString()).isEqualTo("{}");
        JsonNode metadata = get("/v1/metadata/id").json();
        assertThat(metadata.at("/scope/clusters/kafka-cluster").asText()).isNotBlank();
        assertThat(server.isReady()).isTrue();
    }

    @Test
    void unknownPathsAnswerWithAJsonError() {
        assertError(get("/no/such/thing"), 404, 404);
    }

    // ---------------------------------------------------------------- instances, restarts, ports

    @Test
    void aNewInstanceOnTheSameBrokerReplaysTheSameIdsAndVersions() {
        String s = subject();
        int id1 = register(s, V1);
        int id2 = register(s, V2_OPTIONAL);
        delete("/subjects/" + s + "/versions/1");

        SchemaRegistryServer second = start(0);
        extra.add(second);

        assertThat(second.isReady()).isTrue();
        assertThat(get(second, "/subjects/" + s + "/versions/latest").json().get("id").asInt()).isEqualTo(id2);
        assertThat(get(second, "/subjects/" + s + "/versions").json().toString()).isEqualTo("[2]");
        assertThat(get(second, "/subjects/" + s + "/versions/1?deleted=true").json().get("id").asInt()).isEqualTo(id1);
        assertThat(get(second, "/schemas/ids/" + id1).json().get("schema").asText())
                .isEqualTo(get("/schemas/ids/" + id1).json().get("schema").asText());

        // a schema registered through the second instance gets a new id, and the first instance learns it
        String other = subject();
        Response viaSecond = send(second, "POST", "/subjects/" + other + "/versions",
                schemaBody(person(",{\"name\":\"second\",\"type\":\"string\",\"default\":\"\"}")).toString(), V1_TYPE);
        int id3 = viaSecond.json().get("id").asInt();
        assertThat(id3).isNotIn(id1, id2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(get("/subjects/" + other + "/versions/1").json().path("id").asInt()).isEqualTo(id3));
        int id4 = register(subject(), person(",{\"name\":\"first\",\"type\":\"string\",\"default\":\"\"}"));
        assertThat(id4).isNotIn(id1, id2, id3);

        second.close();
        assertThat(second.isReady()).isFalse();
    }

    @Test
    void aPortAlreadyInUseFailsWithATypedError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            var blocked = new SchemaRegistryServer(new RegistryServerConfig(SharedBus.get().withRegistryKafkaSecurity(Map.of(
                    RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBus.get().bootstrapServers(),
                    RegistryServerConfig.LISTEN_PORT_CONFIG, taken.getLocalPort()))));
            try {
                assertThatThrownBy(blocked::start)
                        .isInstanceOfSatisfying(RegistryPortInUseException.class,
                                e -> assertThat(e.port()).isEqualTo(taken.getLocalPort()))
                        .hasMessageContaining("already in use")
                        .hasMessageContaining(RegistryServerConfig.LISTEN_PORT_CONFIG);
                assertThat(blocked.isReady()).isFalse();
            } finally {
                blocked.close();
            }
        }
    }

    @Test
    void anUnreachableKafkaFailsTheStartWithARetriableError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        var orphan = new SchemaRegistryServer(new RegistryServerConfig(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort,
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0,
                RegistryServerConfig.TIMEOUT_MS_CONFIG, 1500)));
        try {
            assertThatThrownBy(orphan::start)
                    .isInstanceOfSatisfying(RegistryServerException.class, e -> assertThat(e.isRetriable()).isTrue())
                    .hasMessageContaining("127.0.0.1:" + closedPort);
            assertThat(orphan.isReady()).isFalse();
        } finally {
            orphan.close();
        }
    }

    // ---------------------------------------------------------------- HTTP helpers

    private record Response(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private static void assertError(Response r, int status, int code) {
        assertThat(r.status).as("status of %s", r.body).isEqualTo(status);
        assertThat(r.json().get("error_code").asInt()).as("error_code of %s", r.body).isEqualTo(code);
        assertThat(r.json().get("message").asText()).isNotBlank();
        assertThat(r.contentType).startsWith(V1_TYPE);
    }

    private static Response get(String path) {
        return send(server, "GET", path, null, null);
    }

    private static Response get(SchemaRegistryServer target, String path) {
        return send(target, "GET", path, null, null);
    }

    private static Response post(String path, JsonNode body) {
        return send("POST", path, body.toString(), V1_TYPE);
    }

    private static Response put(String path, JsonNode body) {
        return send("PUT", path, body.toString(), V1_TYPE);
    }

    private static Response delete(String path) {
        return send(server, "DELETE", path, null, null);
    }

    private static Response send(String method, String path, String body, String contentType) {
        return send(server, method, path, body, contentType);
    }

    private static Response send(SchemaRegistryServer target, String method, String path, String body, String contentType) {
        var builder = HttpRequest.newBuilder(URI.create(target.url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", V1_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
