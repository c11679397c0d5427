package cn.tianfu.databus.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryException;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * Two registry instances on one broker take writes at the same time, from many threads each: every write is
 * serialized through the log, so both instances (and one started afterwards) agree on every id and version, the same
 * schema has one id, no id is used twice, and of two competing deletes exactly one succeeds.
 */
class RegistryClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String V1_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int THREADS_PER_NODE = 4;

    private static final List<SchemaRegistryServer> servers = new ArrayList<>();

    @AfterAll
    static void stop() {
        servers.forEach(SchemaRegistryServer::close);
    }

    private static SchemaRegistryServer start(String topic) {
        var s = new SchemaRegistryServer(new RegistryServerConfig(SharedBus.get().withRegistryKafkaSecurity(Map.of(
                RegistryServerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBus.get().bootstrapServers(),
                RegistryServerConfig.TOPIC_CONFIG, topic,
                RegistryServerConfig.LISTEN_PORT_CONFIG, 0,
                RegistryServerConfig.TIMEOUT_MS_CONFIG, 60_000))));
        servers.add(s);
        s.start();
        return s;
    }

    @BeforeAll
    static void broker() {
        SharedBus.get();
    }

    /** A record schema with optional fields, so any two of one family are BACKWARD compatible in either order. */
    private static String schema(String name, List<String> fields) {
        StringBuilder sb = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"cn.tianfu.cluster\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}");
        for (String f : fields) {
            sb.append(",{\"name\":\"").append(f).append("\",\"type\":[\"null\",\"string\"],\"default\":null}");
        }
        return sb.append("]}").toString();
    }

    @Test
    void concurrentRegistrationsThroughTwoInstancesAgreeOnEveryIdAndVersion() throws Exception {
        String topic = "_schemas.cluster-it-" + UUID.randomUUID();
        SchemaRegistryServer a = start(topic);
        SchemaRegistryServer b = start(topic);
        String run = UUID.randomUUID().toString().substring(0, 8);

        // every thread registers the same shared schemas under the same shared subjects, plus schemas of its own
        // under its own subject and under one subject all threads share
        List<String> sharedSubjects = List.of("shared-a-" + run + "-value", "shared-b-" + run + "-value");
        List<String> sharedSchemas = new ArrayList<>();
        for (int j = 0; j < 6; j++) {
            sharedSchemas.add(schema("Shared", List.of("f" + j)));
        }
        String mixedSubject = "mixed-" + run + "-value";
        int threads = 2 * THREADS_PER_NODE;
        int ownPerThread = 5;

        Map<String, Set<Integer>> idsBySchema = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SchemaRegistryServer node = t % 2 == 0 ? a : b;
            int thread = t;
            done.add(pool.submit((Callable<Void>) () -> {
                List<String[]> work = new ArrayList<>();
                for (String subject : sharedSubjects) {
                    for (String s : sharedSchemas) {
                        work.add(new String[] {subject, s});
                    }
                }
                for (int j = 0; j < ownPerThread; j++) {
                    String own = schema("Own", List.of("g" + thread + "_" + j));
                    work.add(new String[] {"own-" + run + "-" + thread + "-value", own});
                    work.add(new String[] {mixedSubject, own});
                }
                Collections.shuffle(work);
                go.await();
                for (String[] w : work) {
                    int id = register(node, w[0], w[1]);
                    idsBySchema.computeIfAbsent(w[1], k -> ConcurrentHashMap.newKeySet()).add(id);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();

        // the same schema got one id wherever and through whichever instance it was registered
        idsBySchema.forEach((s, ids) -> assertThat(ids).as("ids of %s", s).hasSize(1));
        // different schemas got different ids
        Map<Integer, String> schemaById = new HashMap<>();
        idsBySchema.forEach((s, ids) -> {
            String before = schemaById.put(ids.iterator().next(), s);
            assertThat(before).as("id %s used for two schemas", ids).isNull();
        });
        assertThat(schemaById).hasSize(sharedSchemas.size() + threads * ownPerThread);

        List<String> subjects = new ArrayList<>(sharedSubjects);
        subjects.add(mixedSubject);
        for (int t = 0; t < threads; t++) {
            subjects.add("own-" + run + "-" + t + "-value");
        }
        // reads are answered from each instance's own copy: the other instance's last writes reach it a moment later
        int expectedVersions = 2 * sharedSchemas.size() + 2 * threads * ownPerThread;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, TreeMap<Integer, Integer>> onA = listing(a, subjects);
            assertThat(onA.values().stream().mapToInt(Map::size).sum()).isEqualTo(expectedVersions);
            assertThat(listing(b, subjects)).isEqualTo(onA);
        });
        Map<String, TreeMap<Integer, Integer>> onA = listing(a, subjects);

        // one version per distinct schema, numbered 1..n, no schema twice in a subject
        for (String subject : sharedSubjects) {
            assertThat(onA.get(subject).keySet()).containsExactlyElementsOf(range(sharedSchemas.size()));
            assertThat(new HashSet<>(onA.get(subject).values())).hasSize(sharedSchemas.size());
        }
        assertThat(onA.get(mixedSubject).keySet()).containsExactlyElementsOf(range(threads * ownPerThread));
        assertThat(new HashSet<>(onA.get(mixedSubject).values())).hasSize(threads * ownPerThread);
        for (var e : onA.entrySet()) {
            for (var v : e.getValue().entrySet()) {
                JsonNode version = get(a, "/subjects/" + e.getKey() + "/versions/" + v.getKey());
                assertThat(schemaById.get(v.getValue())).isNotNull();
                assertThat(new Schema.Parser().parse(version.get("schema").asText()))
                        .isEqualTo(new Schema.Parser().parse(schemaById.get(v.getValue())));
            }
        }

        // an instance started afterwards replays the very same state
        SchemaRegistryServer c = start(topic);
        assertThat(listing(c, subjects)).isEqualTo(onA);
        for (var e : schemaById.entrySet()) {
            assertThat(new Schema.Parser().parse(get(c, "/schemas/ids/" + e.getKey()).get("schema").asText()))
                    .isEqualTo(new Schema.Parser().parse(e.getValue()));
        }
    }

    @Test
    void theProjectsClientSeesOneOrderOfWritesMadeThroughBothInstances() throws Exception {
        String topic = "_schemas.cluster-client-it-" + UUID.randomUUID();
        SchemaRegistryServer a = start(topic);
        SchemaRegistryServer b = start(topic);
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (var clientA = HttpSchemaRegistryClient.builder(a.url()).requestTimeout(Duration.ofSeconds(90)).build();
             var clientB = HttpSchemaRegistryClient.builder(b.url()).requestTimeout(Duration.ofSeconds(90)).build()) {
            String subject = "client-" + run + "-value";
            List<Schema> schemas = new ArrayList<>();
            for (int j = 0; j < 8; j++) {
                schemas.add(new Schema.Parser().parse(schema("Client", List.of("h" + j))));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                // both instances register all schemas at once, in opposite orders
                List<Schema> reversed = new ArrayList<>(schemas);
                Collections.reverse(reversed);
                Future<List<Integer>> viaA = pool.submit(() -> registerAll(clientA, subject, schemas));
                Future<List<Integer>> viaB = pool.submit(() -> registerAll(clientB, subject, reversed));
                List<Integer> idsA = viaA.get(3, TimeUnit.MINUTES);
                List<Integer> idsB = new ArrayList<>(viaB.get(3, TimeUnit.MINUTES));
                Collections.reverse(idsB);
                assertThat(idsB).isEqualTo(idsA);
                assertThat(new HashSet<>(idsA)).hasSize(schemas.size());
                assertThat(clientA.versions(subject)).containsExactlyElementsOf(range(schemas.size()));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(clientB.versions(subject)).isEqualTo(clientA.versions(subject)));
                for (int v = 1; v <= schemas.size(); v++) {
                    var ra = clientA.version(subject, v);
                    var rb = clientB.version(subject, v);
                    assertThat(rb.id()).isEqualTo(ra.id());
                    assertThat(rb.schema()).isEqualTo(ra.schema());
                    assertThat(clientB.schemaById(ra.id())).isEqualTo(ra.schema());
                }

                // compatibility set through both at once: both instances end on the same one of the two
                Future<?> fullA = pool.submit(() -> clientA.setCompatibility(Optional.of(subject), "FULL"));
                Future<?> noneB = pool.submit(() -> clientB.setCompatibility(Optional.of(subject), "NONE"));
                fullA.get(2, TimeUnit.MINUTES);
                noneB.get(2, TimeUnit.MINUTES);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    String level = clientA.compatibility(Optional.of(subject));
                    assertThat(level).isIn("FULL", "NONE");
                    assertThat(clientB.compatibility(Optional.of(subject))).isEqualTo(level);
                });

                // the same soft delete through both at once: exactly one deletes, the other finds it deleted
                Future<Object> delA = pool.submit(() -> deleteOrError(clientA, subject));
                Future<Object> delB = pool.submit(() -> deleteOrError(clientB, subject));
                List<Object> outcomes = List.of(delA.get(2, TimeUnit.MINUTES), delB.get(2, TimeUnit.MINUTES));
                assertThat(outcomes).filteredOn(o -> o instanceof List).hasSize(1)
                        .first().isEqualTo(range(schemas.size()));
                assertThat(outcomes).filteredOn(o -> o instanceof SchemaRegistryException).hasSize(1)
                        .first().satisfies(e -> assertThat(((SchemaRegistryException) e).kind())
                                .isEqualTo(SchemaRegistryException.Kind.SUBJECT_SOFT_DELETED));
                assertThat(clientB.subjects()).doesNotContain(subject);
                assertThat(clientA.subjects()).doesNotContain(subject);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Integer> registerAll(HttpSchemaRegistryClient client, String subject, List<Schema> schemas) {
        List<Integer> ids = new ArrayList<>();
        for (Schema s : schemas) {
            ids.add(client.register(subject, s));
        }
        return ids;
    }

    private static Object deleteOrError(HttpSchemaRegistryClient client, String subject) {
        try {
            return client.deleteSubject(subject, false);
        } catch (SchemaRegistryException e) {
            return e;
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(i);
        }
        return out;
    }

    /** subject -> version -> id, as one instance answers. */
    private static Map<String, TreeMap<Integer, Integer>> listing(SchemaRegistryServer node, List<String> subjects) {
        Map<String, TreeMap<Integer, Integer>> out = new TreeMap<>();
        for (String subject : subjects) {
            TreeMap<Integer, Integer> versions = new TreeMap<>();
            for (JsonNode v : get(node, "/subjects/" + subject + "/versions")) {
                versions.put(v.asInt(), get(node, "/subjects/" + subject + "/versions/" + v.asInt()).get("id").asInt());
            }
            out.put(subject, versions);
        }
        return out;
    }

    private static int register(SchemaRegistryServer node, String subject, String schema) {
        String body = JSON.createObjectNode().put("schema", schema).toString();
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(node.url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", V1_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
        assertThat(r.statusCode()).as("register %s: %s", subject, r.body()).isEqualTo(200);
        return read(r).get("id").asInt();
    }

    private static JsonNode get(SchemaRegistryServer node, String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(node.url() + path)).GET());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return read(r);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
