package cn.tianfu.databus.server.service;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.service.ServiceException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The service exchange's HTTP endpoints (authenticated department; {@code docs/service.md}):
 * <ul>
 * <li>{@code GET /api/v1/query/{resource}/{key}[?proof=true]}: the record as the caller's grant delivers it (200), or
 *     404 for a key without a record or hidden by the grant's filter alike;</li>
 * <li>{@code POST /api/v1/verify/{resource}} with {@code {"key": ..., "claims": {"field": value, ...}}}: per claim
 *     true/false, with a signed proof;</li>
 * <li>{@code GET /api/v1/keys}: the bus's public signing key as a JWK set.</li>
 * </ul>
 * Refusals: 400/403 with the reason, 429 with {@code Retry-After} over a grant's limits, 503 when the bus cannot answer
 * (or cannot log the answer). A request for a key another node owns is forwarded to that node's HTTP API once.
 */
public final class ServiceRoutes {

    /** Marks a request one node forwarded to the owner of the key. */
    public static final String FORWARDED_HEADER = "X-Databus-Forwarded";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceRoutes() {
    }

    /**
     * Registers the endpoints.
     *
     * @param routes  the API's routes
     * @param service the service exchange
     * @param caller  the authenticated department of a request
     */
    public static void register(RoutesConfig routes, ServiceExchange service, Function<Context, String> caller) {
        register(routes, service, caller, ServiceForwarder.plain());
    }

    /**
     * Registers the endpoints, forwarding requests for keys other nodes own with {@code forwarder} (HTTPS with the
     * bus's CA when the nodes run TLS).
     */
    public static void register(RoutesConfig routes, ServiceExchange service, Function<Context, String> caller,
                                ServiceForwarder forwarder) {
        routes.get(ApiPaths.KEYS, ctx -> ctx.status(200).contentType("application/jwk-set+json")
                .result(service.jwks().getBytes(StandardCharsets.UTF_8)));
        routes.get(ApiPaths.QUERY + "/{resource}/{key}", ctx -> {
            String resource = ctx.pathParam("resource");
            String key = ctx.pathParam("key");
            if (forward(ctx, service.route(resource, key, forwarded(ctx)), forwarder)) {
                return;
            }
            reply(ctx, service.query(caller.apply(ctx), resource, key, "true".equalsIgnoreCase(ctx.queryParam("proof"))));
        });
        routes.post(ApiPaths.VERIFY + "/{resource}", ctx -> {
            String resource = ctx.pathParam("resource");
            VerifyBody body = VerifyBody.parse(ctx.bodyAsBytes());
            if (forward(ctx, service.route(resource, body.key(), forwarded(ctx)), forwarder)) {
                return;
            }
            reply(ctx, service.verify(caller.apply(ctx), resource, body.key(), body.claims()));
        });
        routes.exception(ServiceException.class, (e, ctx) -> {
            if (e instanceof ServiceExchange.Limited limited) {
                ctx.header("Retry-After", Long.toString(limited.retryAfterSeconds()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error_code", e.kind().status());
            body.put("message", e.getMessage());
            if (e instanceof ServiceExchange.Limited limited) {
                body.put("resetAt", limited.resetAt().toString());
            }
            ctx.status(e.kind().status()).json(body);
        });
    }

    /** A verification's body. */
    record VerifyBody(String key, Map<String, Object> claims) {
        static VerifyBody parse(byte[] bytes) {
            JsonNode node;
            try {
                node = JSON.readTree(bytes);
            } catch (IOException e) {
                throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "the body is not JSON: " + e.getMessage());
            }
            if (node == null || !node.isObject() || !node.path("key").isTextual() || !node.path("claims").isObject()) {
                throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "a verification's body is {\"key\": \"...\","
                        + " \"claims\": {\"field\": value, ...}}");
            }
            Map<String, Object> claims = JSON.convertValue(node.get("claims"), new TypeReference<LinkedHashMap<String, Object>>() {
            });
            return new VerifyBody(node.get("key").asText(), claims);
        }
    }

    private static boolean forwarded(Context ctx) {
        return ctx.header(FORWARDED_HEADER) != null;
    }

    private static void reply(Context ctx, ServiceExchange.Reply reply) {
        reply.headers().forEach(ctx::header);
        ctx.status(reply.status()).json(reply.body());
    }

    /** Forwards the request to the key's owner and relays its answer; false when it is answered here. */
    private static boolean forward(Context ctx, OwnerRouting.Decision decision, ServiceForwarder forwarder) {
        if (decision instanceof OwnerRouting.Local) {
            return false;
        }
        if (decision instanceof OwnerRouting.Unavailable u) {
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, u.reason());
        }
        OwnerRouting.Forward f = (OwnerRouting.Forward) decision;
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        HttpResponse<byte[]> response = forwarder.send(f.owner(), ctx.path() + query, ctx.header("Authorization"),
                "POST".equals(ctx.method().name()) ? ctx.bodyAsBytes() : null);
        for (String name : new String[] {"Content-Type", "Retry-After", "X-Databus-Exchange-Id"}) {
            response.headers().firstValue(name).ifPresent(v -> ctx.header(name, v));
        }
        ctx.status(response.statusCode()).result(response.body());
        return true;
    }
}
