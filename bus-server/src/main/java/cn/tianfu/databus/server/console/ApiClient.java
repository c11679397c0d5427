package cn.tianfu.databus.server.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import cn.tianfu.databus.auth.Authenticator;

/**
 * How the console reads and acts: it calls the bus's own HTTP API (on the loopback listener) with the signed-in
 * principal's credentials, so a page sees exactly what the API answers that principal and a form is the very API call,
 * checked by the same authentication, governance path and rules.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than the API's own wait for governance's reply (30 s), so the API's 504 reaches the page. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(45);

    /** One answer of the API: its status and its body as JSON (missing when it is not JSON). */
    public record Answer(int status, JsonNode body) {
        /** Whether the API answered 2xx. */
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The API's message: governance's reply message or the error's. */
        public String message() {
            return body.path("message").asText("");
        }
    }

    private final Supplier<String> baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param baseUrl the API's URL on this machine, known once the server has started */
    public ApiClient(Supplier<String> baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** {@code GET path} as the session's principal. */
    public Answer get(Sessions.Session session, String path) {
        return send(session, HttpRequest.newBuilder(uri(path)).GET());
    }

    /** {@code POST path} with a JSON body, as the session's principal. */
    public Answer post(Sessions.Session session, String path, JsonNode body) {
        return send(session, HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)));
    }

    /** {@code POST path} with a text body of {@code contentType} (a resource definition's YAML), as the session's principal. */
    public Answer postText(Sessions.Session session, String path, String body, String contentType) {
        return send(session, HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** {@code PUT path} with a text body of {@code contentType}, as the session's principal. */
    public Answer putText(Sessions.Session session, String path, String body, String contentType) {
        return send(session, HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** An empty JSON object to fill in as a request body. */
    public static com.fasterxml.jackson.databind.node.ObjectNode object() {
        return JSON.createObjectNode();
    }

    private URI uri(String path) {
        String base = baseUrl.get();
        if (base == null) {
            throw new ConsoleException(503, "error.unavailable");
        }
        return URI.create(base + path);
    }

    private Answer send(Sessions.Session session, HttpRequest.Builder request) {
        Authenticator.Basic credentials = session.credentials();
        String basic = Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Basic " + basic).timeout(CALL_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConsoleException(503, "error.unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException(503, "error.unavailable");
        }
        if (response.statusCode() == 401) {
            // the password changed or the principal was removed since it signed in
            throw new ConsoleException(401, "error.signedOut");
        }
        JsonNode body;
        try {
            body = response.body() == null || response.body().isBlank() ? MissingNode.getInstance() : JSON.readTree(response.body());
        } catch (IOException e) {
            body = MissingNode.getInstance();
        }
        return new Answer(response.statusCode(), body);
    }

    /** A text member of an API record: plain, or an Avro union's {@code {"string": ...}}; empty when absent or null. */
    public static String text(JsonNode record, String field) {
        JsonNode v = record.path(field);
        if (v.isObject()) {
            v = v.elements().hasNext() ? v.elements().next() : MissingNode.getInstance();
        }
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    /** A timestamp member (epoch millis, plain or in a union); null when absent. */
    public static java.time.Instant instant(JsonNode record, String field) {
        JsonNode v = record.path(field);
        if (v.isObject()) {
            v = v.elements().hasNext() ? v.elements().next() : MissingNode.getInstance();
        }
        return v.isNumber() ? java.time.Instant.ofEpochMilli(v.asLong()) : null;
    }

    /** An array-of-strings member (plain or in a union); empty when absent or null. */
    public static java.util.List<String> strings(JsonNode record, String field) {
        JsonNode v = record.path(field);
        if (v.isObject()) {
            v = v.elements().hasNext() ? v.elements().next() : MissingNode.getInstance();
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        }
        return out;
    }
}
