package cn.tianfu.databus.sdk;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.security.BusAuthenticationException;
import cn.tianfu.databus.security.BusUnreachableException;

/**
 * A department's client of the bus's service exchange (its HTTP API, {@code docs/service.md}): one record of a
 * resource as the department's SERVICE (or BOTH) grant delivers it, or whether claims about a record hold, each answer
 * logged by the bus and provable with a signed statement.
 *
 * <pre>{@code
 * ServiceClient service = ServiceClient.create(DatabusClientConfig.load(Path.of("hrss.properties")));
 * Optional<ServiceClient.Answer> person = service.get("10101-000001", "510104199001011234");
 * ServiceClient.Verification v = service.verify("10101-000001", "510104199001011234", Map.of("gender", "1"));
 * boolean holds = v.results().get("gender");   // v.proof(): the signed statement (JWS)
 * }</pre>
 *
 * Refusals throw {@link Refused} with the bus's status and reason (403 without a grant, 429 over the grant's limits
 * with {@link Refused#retryAfterSeconds()}, ...). Thread-safe.
 */
public final class ServiceClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A query's answer.
     *
     * @param resource   the resource
     * @param grant      the grant it was answered under
     * @param exchangeId the exchange-log entry of the answer
     * @param record     the record as the grant delivers it (field → value)
     * @param proof      the signed statement, when asked for
     */
    public record Answer(String resource, String grant, String exchangeId, Map<String, Object> record,
                         Optional<String> proof) {
    }

    /**
     * A verification's answer.
     *
     * @param resource   the resource
     * @param grant      the grant it was answered under
     * @param exchangeId the exchange-log entry of the answer
     * @param results    per claim, whether it holds
     * @param proof      the signed statement (JWS compact serialization)
     */
    public record Verification(String resource, String grant, String exchangeId, Map<String, Boolean> results,
                               String proof) {
    }

    /** The bus refused the request: its HTTP status and reason. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final long retryAfterSeconds;

        Refused(int status, String message, long retryAfterSeconds) {
            super(message);
            this.status = status;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** The HTTP status: 400, 403, 429, 503, ... */
        public int status() {
            return status;
        }

        /** With 429: seconds until the grant's limit resets; otherwise 0. */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final HttpClient http;
    private final String base;
    private final String authorization;
    private final Duration timeout;

    private ServiceClient(String base, String authorization, Duration timeout) {
        this.base = base.replaceAll("/+$", "");
        this.authorization = authorization;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** A client for the department of {@code config} ({@code bus.http.url} and its credentials). */
    public static ServiceClient create(DatabusClientConfig config) {
        return create(config, Duration.ofSeconds(30));
    }

    /** As {@link #create(DatabusClientConfig)}, each request bounded by {@code timeout}. */
    public static ServiceClient create(DatabusClientConfig config, Duration timeout) {
        String base = config.httpUrl().orElseThrow(() -> new DatabusConfigException("client", List.of(
                DatabusClientConfig.HTTP_URL_CONFIG + " is required for the service exchange (the bus's HTTP API, e.g."
                        + " http://127.0.0.1:8080; 'databus dept add' writes it into the client config)")));
        String auth = config.basicAuthUserInfo()
                .map(i -> "Basic " + Base64.getEncoder().encodeToString(i.getBytes(StandardCharsets.UTF_8))).orElse(null);
        return new ServiceClient(base, auth, timeout);
    }

    /** The current record of {@code key} as the grant delivers it; empty when there is none under the grant. */
    public Optional<Answer> get(String resource, String key) {
        return get(resource, key, false);
    }

    /**
     * As {@link #get(String, String)}; with {@code proof}, the answer carries a signed statement. A missing record
     * answered with a proof is still empty here: use {@link #getWithProof} to keep the proof of "no record".
     */
    public Optional<Answer> get(String resource, String key, boolean proof) {
        Response r = send(HttpRequest.newBuilder(URI.create(base + ApiPaths.query(resource, key) + (proof ? "?proof=true" : ""))).GET());
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode b = r.body();
        return Optional.of(new Answer(b.path("resource").asText(), b.path("grant").asText(), r.exchangeId(),
                JSON.convertValue(b.get("record"), new TypeReference<LinkedHashMap<String, Object>>() {
                }), b.hasNonNull("proof") ? Optional.of(b.get("proof").asText()) : Optional.empty()));
    }

    /** The signed statement of a query answer (found or not): the proof only. */
    public String getWithProof(String resource, String key) {
        Response r = send(HttpRequest.newBuilder(URI.create(base + ApiPaths.query(resource, key) + "?proof=true")).GET());
        return r.body().path("proof").asText();
    }

    /** Whether each claim (field → value) about the record of {@code key} holds under the grant; with a proof. */
    public Verification verify(String resource, String key, Map<String, ?> claims) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("key", key);
        body.put("claims", claims);
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("claims must be JSON values: " + e.getMessage(), e);
        }
        Response r = send(HttpRequest.newBuilder(URI.create(base + ApiPaths.verify(resource)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json)));
        JsonNode b = r.body();
        return new Verification(b.path("resource").asText(), b.path("grant").asText(), b.path("exchangeId").asText(),
                JSON.convertValue(b.get("results"), new TypeReference<LinkedHashMap<String, Boolean>>() {
                }), b.path("proof").asText());
    }

    /** The bus's public signing key as a JWK set (JSON text), to check proofs with. */
    public String publicKeys() {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + ApiPaths.KEYS)).GET();
        return send(request).raw();
    }

    private record Response(int status, JsonNode body, String raw, String exchangeId) {
    }

    private Response send(HttpRequest.Builder request) {
        request.timeout(timeout).header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException | ConnectException e) {
            throw new BusUnreachableException("the bus's HTTP API at " + built.uri().getAuthority() + " did not answer"
                    + " within " + timeout.toSeconds() + " s: is the bus running, and is "
                    + DatabusClientConfig.HTTP_URL_CONFIG + " right?", e);
        } catch (IOException e) {
            throw new BusUnreachableException("cannot reach the bus's HTTP API at " + built.uri().getAuthority() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusUnreachableException("interrupted while asking the bus", e);
        }
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.nullNode();
        }
        int status = response.statusCode();
        if (status == 401) {
            throw new BusAuthenticationException("the bus's HTTP API refused the department's credentials: check"
                    + " sasl.username and sasl.password in the client config", null);
        }
        if (status >= 400 && status != 404) {
            long retry = response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L);
            throw new Refused(status, body.path("message").asText("HTTP " + status), retry);
        }
        return new Response(status, body, response.body(),
                response.headers().firstValue("X-Databus-Exchange-Id").orElse(null));
    }
}
