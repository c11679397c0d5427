package cn.tianfu.databus.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.registry.SchemaRegistryException.Kind;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API ({@code java.net.http}, no other HTTP
 * library). Works against the bus's embedded registry, Confluent Schema Registry and Apicurio's Confluent-compatible
 * API ({@code .../apis/ccompat/v7}): give the URL up to the path the {@code /subjects} resource hangs from.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = HttpSchemaRegistryClient.builder("http://registry-1:8081,http://registry-2:8081")
 *         .basicAuth("psb", secret)
 *         .requestTimeout(Duration.ofSeconds(10))
 *         .build();
 * }</pre>
 *
 * <p>With several URLs, a call that gets no answer from one tries the next; when none answers it throws a retriable
 * {@link SchemaRegistryException} of kind {@link Kind#UNREACHABLE} naming every URL tried. Schemas by id and ids by
 * (subject, schema) are cached for the life of the client (ids are immutable in the registry), so a serializer or
 * deserializer in steady state makes no HTTP call. Thread-safe.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {

    /** The registry's media type; sent as Content-Type and preferred in Accept. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private final List<URI> baseUrls;
    private final Optional<String> authorization;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    private HttpSchemaRegistryClient(Builder b) {
        this.baseUrls = b.urls;
        this.authorization = b.user == null ? Optional.empty() : Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((b.user + ":" + b.password).getBytes(StandardCharsets.UTF_8)));
        this.requestTimeout = b.requestTimeout;
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (b.sslContext != null) {
            http.sslContext(b.sslContext);
        }
        this.http = http.build();
    }

    /**
     * A builder for a client of the registry at {@code urls}: one URL, or several separated by commas (tried in
     * order). Each must be {@code http://} or {@code https://}.
     */
    public static Builder builder(String urls) {
        Objects.requireNonNull(urls, "urls");
        return builder(Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** A builder for a client of the registry at {@code urls}, tried in order. */
    public static Builder builder(List<String> urls) {
        return new Builder(urls);
    }

    /** The registry URLs this client calls, in the order tried. */
    public List<URI> urls() {
        return baseUrls;
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = cachedId(subject, schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(answer, "id");
        remember(subject, schema, id);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null);
        Schema schema = parseSchema(answer, "schema id " + id);
        schemasById.putIfAbsent(id, schema);
        return schemasById.get(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return registered(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null), subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return registered(call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null), subject);
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        try {
            JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema));
            RegisteredSchema found = registered(answer, subject);
            remember(subject, schema, found.id());
            return Optional.of(found);
        } catch (SchemaRegistryException e) {
            if (e.kind() == Kind.SUBJECT_NOT_FOUND || e.kind() == Kind.SCHEMA_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> subjects() {
        JsonNode answer = call("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        answer.forEach(n -> subjects.add(n.asText()));
        subjects.sort(null);
        return List.copyOf(subjects);
    }

    @Override
    public List<Integer> versions(String subject) {
        return intList(call("GET", "/subjects/" + encode(subject) + "/versions", null));
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        JsonNode answer;
        try {
            answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true",
                    schemaBody(schema));
        } catch (SchemaRegistryException e) {
            if (e.kind() == Kind.SUBJECT_NOT_FOUND || e.kind() == Kind.VERSION_NOT_FOUND) {
                return CompatibilityResult.ok();   // nothing to be incompatible with
            }
            throw e;
        }
        if (!answer.has("is_compatible")) {
            throw unexpected("compatibility answer without is_compatible: " + answer);
        }
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(n -> messages.add(n.asText()));
        return new CompatibilityResult(answer.get("is_compatible").asBoolean(), messages);
    }

    @Override
    public String compatibility(Optional<String> subject) {
        if (subject.isPresent()) {
            try {
                return level(call("GET", "/config/" + encode(subject.get()) + "?defaultToGlobal=true", null));
            } catch (SchemaRegistryException e) {
                // registries that ignore defaultToGlobal answer "not configured" for a subject without its own level
                if (e.kind() != Kind.SUBJECT_LEVEL_NOT_CONFIGURED && e.kind() != Kind.SUBJECT_NOT_FOUND) {
                    throw e;
                }
            }
        }
        return level(call("GET", "/config", null));
    }

    @Override
    public void setCompatibility(Optional<String> subject, String level) {
        String checked = checkLevel(level);
        String path = subject.map(s -> "/config/" + encode(s)).orElse("/config");
        call("PUT", path, write(Map.of("compatibility", checked)));
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        String path = "/subjects/" + encode(subject);
        List<Integer> deleted = List.of();
        try {
            deleted = intList(call("DELETE", path, null));
        } catch (SchemaRegistryException e) {
            if (!permanent || e.kind() != Kind.SUBJECT_SOFT_DELETED) {
                throw e;
            }
        } finally {
            idsBySubject.remove(subject);
        }
        if (permanent) {
            deleted = intList(call("DELETE", path + "?permanent=true", null));
        }
        return deleted;
    }

    @Override
    public int deleteVersion(String subject, int version, boolean permanent) {
        String path = "/subjects/" + encode(subject) + "/versions/" + version;
        int deleted = version;
        try {
            deleted = call("DELETE", path, null).asInt(version);
        } catch (SchemaRegistryException e) {
            if (!permanent || e.kind() != Kind.VERSION_SOFT_DELETED) {
                throw e;
            }
        } finally {
            idsBySubject.remove(subject);
        }
        if (permanent) {
            deleted = call("DELETE", path + "?permanent=true", null).asInt(version);
        }
        return deleted;
    }

    /** Nothing to release: the JDK's HTTP client frees its connections when unreachable. */
    @Override
    public void close() {
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    private JsonNode call(String method, String pathAndQuery, String body) {
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (URI base : baseUrls) {
            URI uri = URI.create(base + pathAndQuery);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(requestTimeout)
                    .header("Accept", ACCEPT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE);
            }
            authorization.ifPresent(a -> request.header("Authorization", a));
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                last = e;
                failures.add(base + " (" + describe(e) + ")");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(Kind.UNREACHABLE, SchemaRegistryException.NO_ANSWER,
                        SchemaRegistryException.NO_ANSWER,
                        "interrupted while calling the schema registry at " + base + " (" + method + " " + pathAndQuery + ")", e);
            }
            return answer(method, uri, response);
        }
        throw new SchemaRegistryException(Kind.UNREACHABLE, SchemaRegistryException.NO_ANSWER, SchemaRegistryException.NO_ANSWER,
                "schema registry unreachable at " + String.join(", ", failures) + " for " + method + " " + pathAndQuery
                        + ": check schema.registry.url and that the registry is running; retrying may succeed", last);
    }

    private JsonNode answer(String method, URI uri, HttpResponse<String> response) {
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.body();
        JsonNode body = null;
        try {
            body = text.isBlank() ? json.nullNode() : json.readTree(text);
        } catch (JsonProcessingException e) {
            if (status < 300) {
                throw unexpected("schema registry at " + uri + " answered " + method + " with a body that is not JSON: "
                        + abbreviate(text));
            }
        }
        if (status >= 200 && status < 300) {
            return body;
        }
        int errorCode = body != null && body.path("error_code").canConvertToInt() ? body.path("error_code").asInt() : status;
        String message = body != null && body.hasNonNull("message") ? body.get("message").asText() : abbreviate(text);
        Kind kind = Kind.of(status, errorCode);
        throw new SchemaRegistryException(kind, status, errorCode, "schema registry refused " + method + " " + uri
                + " with HTTP " + status + " (error " + errorCode + "): " + message + hint(kind));
    }

    private static String hint(Kind kind) {
        return switch (kind) {
            case INCOMPATIBLE -> "; change the schema so it stays compatible (e.g. add fields with defaults) or have the"
                    + " subject's compatibility level changed";
            case INVALID_SCHEMA -> "; fix the schema so it parses as Avro";
            case UNAUTHORIZED -> "; check the registry credentials (basic.auth.user.info)";
            case SERVER_ERROR -> "; the registry failed, retrying may succeed";
            default -> "";
        };
    }

    private static String describe(IOException e) {
        String kind = e instanceof java.net.http.HttpTimeoutException ? "timed out" : e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    // ---- JSON and schemas --------------------------------------------------------------------------------------

    private String schemaBody(Schema schema) {
        return write(Map.of("schema", schema.toString(), "schemaType", "AVRO"));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private RegisteredSchema registered(JsonNode answer, String subject) {
        int id = requiredInt(answer, "id");
        Schema schema = schemasById.computeIfAbsent(id, i -> parseSchema(answer, "schema id " + i));
        String answeredSubject = answer.hasNonNull("subject") ? answer.get("subject").asText() : subject;
        return new RegisteredSchema(answeredSubject, id, requiredInt(answer, "version"), schema);
    }

    private Schema parseSchema(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw unexpected(what + " is a " + type + " schema; the bus reads only Avro");
        }
        if (!answer.hasNonNull("schema")) {
            throw unexpected("answer for " + what + " has no schema: " + abbreviate(answer.toString()));
        }
        try {
            return new Schema.Parser().parse(answer.get("schema").asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(Kind.UNEXPECTED, 200, 0,
                    "the registry's " + what + " does not parse as Avro: " + e.getMessage(), e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode n = answer.path(field);
        if (!n.canConvertToInt()) {
            throw unexpected("schema registry answer has no '" + field + "': " + abbreviate(answer.toString()));
        }
        return n.asInt();
    }

    private static List<Integer> intList(JsonNode answer) {
        if (!answer.isArray()) {
            throw unexpected("schema registry answered " + abbreviate(answer.toString()) + " where a list of versions was expected");
        }
        List<Integer> list = new ArrayList<>();
        answer.forEach(n -> list.add(n.asInt()));
        return List.copyOf(list);
    }

    private static String level(JsonNode answer) {
        // Confluent answers GET with compatibilityLevel and PUT with compatibility
        JsonNode n = answer.hasNonNull("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.path("compatibility");
        if (!n.isTextual()) {
            throw unexpected("schema registry config answer has no compatibility level: " + abbreviate(answer.toString()));
        }
        return n.asText();
    }

    static String checkLevel(String level) {
        if (level == null || !LEVELS.contains(level)) {
            throw new IllegalArgumentException("compatibility level '" + level + "' is not one of " + LEVELS);
        }
        return level;
    }

    private static SchemaRegistryException unexpected(String message) {
        return new SchemaRegistryException(Kind.UNEXPECTED, 200, 0, message);
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- cache -------------------------------------------------------------------------------------------------

    private Integer cachedId(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.get(subject);
        return ids == null ? null : ids.get(schema);
    }

    private void remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
    }

    /** Options of an {@link HttpSchemaRegistryClient}; every setter checks its argument at once. */
    public static final class Builder {
        private final List<URI> urls;
        private String user;
        private String password;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private SSLContext sslContext;

        private Builder(List<String> urls) {
            Objects.requireNonNull(urls, "urls");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("schema registry url is required, e.g. http://localhost:8081");
            }
            List<URI> parsed = new ArrayList<>();
            for (String url : urls) {
                parsed.add(parseUrl(url));
            }
            this.urls = List.copyOf(parsed);
        }

        /** HTTP basic authentication with every call. */
        public Builder basicAuth(String user, String password) {
            if (user == null || user.isEmpty() || user.contains(":")) {
                throw new IllegalArgumentException("basic auth user must be non-empty and contain no ':'");
            }
            this.user = user;
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** HTTP basic authentication from {@code user:password} (as {@code basic.auth.user.info}); nothing when empty. */
        public Builder basicAuth(java.util.Optional<String> userInfo) {
            userInfo.filter(i -> !i.isEmpty()).ifPresent(i -> {
                int colon = i.indexOf(':');
                if (colon < 1) {
                    throw new IllegalArgumentException("basic auth user info must be user:password");
                }
                basicAuth(i.substring(0, colon), i.substring(colon + 1));
            });
            return this;
        }

        /** How long to wait for a connection to the registry (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the registry's answer to one call (default 30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** TLS settings for {@code https://} registries (default: the JVM's). */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        public HttpSchemaRegistryClient build() {
            return new HttpSchemaRegistryClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        static URI parseUrl(String url) {
            URI uri;
            try {
                uri = URI.create(url.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schema registry url '" + url + "' is not a URL: " + e.getMessage());
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("schema registry url '" + url + "' must be http:// or https:// with a host");
            }
            if (uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("schema registry url '" + uri.getHost()
                        + "' must not carry credentials; use basic auth instead");
            }
            String s = uri.toString();
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            return URI.create(s);
        }
    }
}
