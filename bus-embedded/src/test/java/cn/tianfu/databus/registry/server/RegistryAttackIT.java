package cn.tianfu.databus.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * The secured registry attacked from outside the SDK: a plain {@link HttpClient} with a department's own credentials, on a
 * registry of this test's own (its own topic and its own login throttle) authenticating with the shared bus's
 * principals.
 */
class RegistryAttackIT {

    private static final String V1_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PSB = "atk-psb";
    private static final String HRSS = "atk-hrss";

    private static SchemaRegistryServer registry;
    private static String bus;
    private static String psb;
    private static String hrss;

    @BeforeAll
    static void start() {
        registry = startRegistry("_schemas.attack-it");
        bus = SharedBus.get().registryUserInfo();
        psb = SharedBus.get().addDepartment(PSB).basicAuthUserInfo().orElseThrow();
        hrss = SharedBus.get().addDepartment(HRSS).basicAuthUserInfo().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static SchemaRegistryServer startRegistry(String topic) {
        var s = new SchemaRegistryServer(new RegistryServerConfig(SharedBus.get().withRegistryKafkaSecurity(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBus.get().bootstrapServers(),
                RegistryServerConfig.TOPIC_CONFIG, topic,
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0,
                RegistryServerConfig.TIMEOUT_MS_CONFIG, 20_000))), SharedBus.get().authenticator());
        s.start();
        return s;
    }

    private static String record(String name, String... fields) {
        StringBuilder out = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"cn.tianfu.attack\",\"fields\":[");
        for (int i = 0; i < fields.length; i++) {
            out.append(i == 0 ? "" : ",").append("{\"name\":\"").append(fields[i]).append("\",\"type\":\"string\"}");
        }
        return out.append("]}").toString();
    }

    private static String body(String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    private static int registerAsBus(String subject, String schema) {
        Response r = send("POST", "/subjects/" + subject + "/versions", body(schema), bus);
        assertThat(r.status).as("register as the bus: %s", r.body).isEqualTo(200);
        return r.json().get("id").asInt();
    }

    // ---------------------------------------------------------------- write routes

    @Test
    void a_trailing_slash_does_not_turn_a_refused_registration_into_an_accepted_one() {
        String squatted = "dlv." + HRSS + ".slash-value";
        String mine = "src." + PSB + ".slash-value";
        for (String path : List.of("/subjects/" + squatted + "/versions", "/subjects/" + squatted + "/versions/",
                "/subjects/" + mine + "/versions", "/subjects/" + mine + "/versions/")) {
            Response r = send("POST", path, body(record("Slash", "id")), psb);
            assertError(r, 403, 40301);
        }
        assertError(send("GET", "/subjects/" + squatted + "/versions", null, bus), 404, 40401);
        assertError(send("GET", "/subjects/" + mine + "/versions", null, bus), 404, 40401);
    }

    @Test
    void every_write_route_is_the_buses_alone_with_or_without_a_trailing_slash() {
        String subject = "src." + PSB + ".writes-value";
        registerAsBus(subject, record("Writes", "id"));
        String level = JSON.createObjectNode().put("compatibility", "NONE").toString();
        List<String[]> writes = List.of(
                new String[] {"DELETE", "/subjects/" + subject},
                new String[] {"DELETE", "/subjects/" + subject + "?permanent=true"},
                new String[] {"DELETE", "/subjects/" + subject + "/versions/1"},
                new String[] {"DELETE", "/subjects/" + subject + "/versions/latest"},
                new String[] {"PUT", "/config"},
                new String[] {"PUT", "/config/" + subject},
                new String[] {"DELETE", "/config/" + subject});
        for (String[] w : writes) {
            for (String path : List.of(w[1], slashed(w[1]))) {
                Response r = send(w[0], path, w[0].equals("PUT") ? level : null, psb);
                assertThat(r.status).as("%s %s: %s", w[0], path, r.body).isEqualTo(403);
                assertThat(r.json().get("error_code").asInt()).isEqualTo(40301);
            }
        }
        assertThat(send("GET", "/subjects/" + subject + "/versions", null, bus).json().toString()).isEqualTo("[1]");
        assertThat(send("GET", "/config", null, bus).json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        // the reads and lookups stay open, and a trailing slash changes nothing for them either
        assertThat(send("GET", "/subjects/" + subject + "/versions/", null, psb).status).isEqualTo(200);
        assertThat(send("POST", "/compatibility/subjects/" + subject + "/versions/latest/", body(record("Writes", "id")), psb)
                .json().get("is_compatible").asBoolean()).isTrue();
        // re-registering the schema the bus registered gets its id, as a serializer with auto.register.schemas expects
        assertThat(send("POST", "/subjects/" + subject + "/versions/", body(record("Writes", "id")), psb).status).isEqualTo(200);
    }

    private static String slashed(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path + "/" : path.substring(0, q) + "/" + path.substring(q);
    }

    // ---------------------------------------------------------------- listing

    @Test
    void a_department_lists_and_reads_only_the_subjects_and_schemas_it_is_entitled_to() throws Exception {
        String source = "src." + HRSS + ".list-value";
        String theirs = "dlv." + HRSS + ".list-value";
        String ours = "dlv." + PSB + ".list-value";
        String theirCommands = Subjects.valueSubject(Topics.commands(HRSS));
        int sourceId = registerAsBus(source, record("ListSource", "id", "name", "idCard"));
        int theirId = registerAsBus(theirs, record("ListProjectedForHrss", "id", "idCard"));
        int ourId = registerAsBus(ours, record("ListProjectedForPsb", "id"));
        registerAsBus(theirCommands, record("ListCommand", "id"));

        List<String> listed = texts(send("GET", "/subjects", null, psb).json());
        assertThat(listed).contains(source, ours).doesNotContain(theirs, theirCommands);
        assertThat(texts(send("GET", "/subjects?deleted=true", null, psb).json())).doesNotContain(theirs, theirCommands);
        assertThat(texts(send("GET", "/subjects", null, bus).json())).contains(source, theirs, ours, theirCommands);
        assertThat(texts(send("GET", "/subjects", null, hrss).json())).contains(source, theirs, theirCommands).doesNotContain(ours);

        // another department's delivery subject and its schema answer as if they did not exist
        assertError(send("GET", "/subjects/" + theirs + "/versions", null, psb), 404, 40401);
        assertError(send("GET", "/subjects/" + theirs + "/versions/latest", null, psb), 404, 40401);
        assertError(send("GET", "/subjects/" + theirs + "/versions/1/schema", null, psb), 404, 40401);
        assertError(send("POST", "/subjects/" + theirs, body(record("ListProjectedForHrss", "id", "idCard")), psb), 404, 40401);
        assertError(send("POST", "/compatibility/subjects/" + theirs + "/versions/latest", body(record("X", "id")), psb), 404, 40401);
        assertError(send("GET", "/config/" + theirs + "?defaultToGlobal=true", null, psb), 404, 40401);
        assertError(send("GET", "/schemas/ids/" + theirId, null, psb), 404, 40403);
        assertError(send("GET", "/schemas/ids/" + theirId + "/schema", null, psb), 404, 40403);
        assertError(send("GET", "/schemas/ids/" + theirId + "/versions", null, psb), 404, 40403);
        assertError(send("GET", "/schemas/ids/" + theirId + "/subjects", null, psb), 404, 40403);
        assertThat(send("GET", "/schemas/ids/" + theirId, null, hrss).status).isEqualTo(200);
        assertThat(texts(send("GET", "/schemas/ids/" + theirId + "/subjects", null, bus).json())).containsExactly(theirs);

        // what a department's serde needs keeps working: the writer schema of its own deliveries, the catalogued source
        assertThat(send("GET", "/schemas/ids/" + ourId, null, psb).json().get("schema").asText()).contains("ListProjectedForPsb");
        assertThat(send("GET", "/schemas/ids/" + ourId + "/versions", null, psb).json().toString())
                .isEqualTo("[{\"subject\":\"" + ours + "\",\"version\":1}]");
        String[] user = psb.split(":", 2);
        try (var client = HttpSchemaRegistryClient.builder(registry.url()).basicAuth(user[0], user[1]).build()) {
            assertThat(client.schemaById(ourId).getName()).isEqualTo("ListProjectedForPsb");
            assertThat(client.latest(source).id()).isEqualTo(sourceId);
            Schema catalogued = new Schema.Parser().parse(record("ListSource", "id", "name", "idCard"));
            assertThat(client.lookup(source, catalogued)).isPresent();
            assertThat(client.subjects()).doesNotContain(theirs);
        }
    }

    // ---------------------------------------------------------------- login storm

    @Test
    void a_storm_of_bad_logins_is_throttled_and_a_good_client_keeps_being_served() throws Exception {
        // a registry of its own: the storm throttles the loopback address for this instance only
        try (SchemaRegistryServer target = startRegistry("_schemas.attack-it-storm")) {
            String[] good = hrss.split(":", 2);
            String cold = SharedBus.get().addDepartment("atk-cold").basicAuthUserInfo().orElseThrow();
            // the good client has logged in before (a running department's serializer has)
            assertThat(send(target, "GET", "/subjects", null, hrss).status).isEqualTo(200);

            int attempts = 200;
            List<Long> goodMillis = new ArrayList<>();
            List<Integer> goodStatus = new ArrayList<>();
            AtomicBoolean storming = new AtomicBoolean(true);
            ExecutorService goodThread = Executors.newSingleThreadExecutor();
            var goodRun = goodThread.submit(() -> {
                while (storming.get() || goodMillis.size() < 3) {
                    long t0 = System.nanoTime();
                    Response r = send(target, "GET", "/subjects", null, good[0] + ":" + good[1]);
                    synchronized (goodMillis) {
                        goodMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        goodStatus.add(r.status);
                    }
                }
            });

            long t0 = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> storm = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                // half a real department with wrong passwords, half unknown users
                String credentials = i % 2 == 0 ? PSB + ":wrong-" + i : "nobody-" + i + ":wrong";
                storm.add(HTTP.sendAsync(request(target, "GET", "/subjects", null, credentials),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            long stormMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            storming.set(false);
            goodRun.get(60, TimeUnit.SECONDS);
            goodThread.shutdown();

            int refused = 0;
            int throttled = 0;
            for (var f : storm) {
                int status = f.get().statusCode();
                assertThat(status).isIn(401, 429);
                if (status == 401) {
                    refused++;
                } else {
                    throttled++;
                    assertThat(f.get().headers().firstValue("Retry-After")).isPresent();
                }
            }
            List<Long> sorted = new ArrayList<>(goodMillis);
            sorted.sort(null);
            System.out.printf("login storm: %d bad logins in %d ms: %d refused after a password check, %d throttled (429);"
                    + " good client: %d calls, median %d ms, max %d ms%n", attempts, stormMillis, refused, throttled,
                    sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));

            // generous bounds: most bad logins never reached a password check, and the good client was always served
            assertThat(throttled).isGreaterThan(attempts / 2);
            assertThat(goodStatus).isNotEmpty().allMatch(s -> s == 200);
            // while the address is throttled, even the right password of a user not verified before waits
            assertThat(send(target, "GET", "/subjects", null, cold).status).isEqualTo(429);
        }
    }

    // ---------------------------------------------------------------- HTTP helpers

    private record Response(int status, String body) {
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
    }

    private static Response send(String method, String path, String body, String userInfo) {
        return send(registry, method, path, body, userInfo);
    }

    private static HttpRequest request(SchemaRegistryServer target, String method, String path, String body, String userInfo) {
        var builder = HttpRequest.newBuilder(URI.create(target.url() + path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", V1_TYPE)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", V1_TYPE);
        }
        return builder.build();
    }

    private static Response send(SchemaRegistryServer target, String method, String path, String body, String userInfo) {
        try {
            HttpResponse<String> r = HTTP.send(request(target, method, path, body, userInfo),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
