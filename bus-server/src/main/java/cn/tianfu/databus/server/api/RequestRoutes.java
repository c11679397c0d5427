package cn.tianfu.databus.server.api;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.governance.client.Approval;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.SharingMethod;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * Access requests over HTTP, as {@code databus request}, {@code withdraw} and {@code decide} do them (Art. 25–26):
 * <ul>
 * <li>{@code POST /api/v1/requests} with {@code {"resource", "purpose", "fields"?, "method"?, "legalBasis"?}}: request
 * access as the caller; 200 granted at once, 202 pending with the provider, 403 not shared;</li>
 * <li>{@code GET /api/v1/requests/{id}}: one request the caller is party to (403 for another department's);</li>
 * <li>{@code POST /api/v1/requests/{id}/withdraw} with {@code {"reason"?}}: withdraw the caller's pending request;</li>
 * <li>{@code POST /api/v1/requests/{id}/decision} with {@code {"approve": true, "fields"?, "filter"?, "clear"?, "from"?,
 * "until"?, "reason"?, "rateLimit"?, "dailyLimit"?}} or {@code {"approve": false, "reason"}}: the provider decides.</li>
 * </ul>
 * The rules are governance's: a request of another department, or on a resource the caller does not provide, is refused
 * with governance's own message.
 */
public final class RequestRoutes {

    private RequestRoutes() {
    }

    /**
     * Adds the routes; {@code byId} finds a request in {@code bus.requests}.
     */
    public static void register(JavalinConfig config, ApiCalls calls, Function<String, Optional<AccessRequest>> byId) {
        config.routes.post(ApiPaths.REQUESTS, ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String resource = ApiCalls.required(body, "resource", "the code of the resource requested");
            String purpose = ApiCalls.required(body, "purpose", "every grant carries its stated purpose (Art. 30)");
            Optional<List<String>> fields = ApiCalls.list(body, "fields");
            Optional<String> legalBasis = ApiCalls.text(body, "legalBasis");
            SharingMethod method = ApiCalls.text(body, "method").map(RequestRoutes::method)
                    .orElseGet(() -> calls.catalog(c -> c.byCode(resource))   // the method the catalog offers, as the CLI takes it
                            .map(e -> e.getSharingMethod()).orElse(SharingMethod.BOTH));
            calls.command(ctx, governance -> governance.request(resource, purpose, fields, method, legalBasis));
        });
        config.routes.get(ApiPaths.REQUESTS + "/{id}", ctx -> {
            Authenticator.Caller caller = calls.caller(ctx);
            String id = ctx.pathParam("id");
            AccessRequest request = byId.apply(id).orElseThrow(() -> new HttpResponseException(404, "there is no request '" + id + "'"));
            if (!caller.admin() && !request.getConsumer().equals(caller.name()) && !request.getProvider().equals(caller.name())) {
                throw new HttpResponseException(403, "request " + id + " is between " + request.getConsumer() + " and "
                        + request.getProvider() + ", not " + caller.name());
            }
            ApiCalls.sendJson(ctx, ApiCalls.encode(request));
        });
        config.routes.post(ApiPaths.REQUESTS + "/{id}/withdraw", ctx -> {
            calls.caller(ctx);
            Optional<String> reason = ApiCalls.text(ApiCalls.body(ctx), "reason");
            String id = ctx.pathParam("id");
            calls.command(ctx, governance -> governance.withdraw(id, reason));
        });
        config.routes.post(ApiPaths.REQUESTS + "/{id}/decision", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String id = ctx.pathParam("id");
            JsonNode approve = body.get("approve");
            if (approve == null || !approve.isBoolean()) {
                throw new HttpResponseException(400, "'approve' is required: true to approve (optionally narrowed), false to reject");
            }
            if (!approve.asBoolean()) {
                String reason = ApiCalls.required(body, "reason", "a rejection tells the requester why");
                for (String narrowing : List.of("fields", "filter", "clear", "from", "until", "rateLimit", "dailyLimit")) {
                    if (body.hasNonNull(narrowing)) {
                        throw new HttpResponseException(400, "'" + narrowing + "' narrows an approval; it does not go with a rejection");
                    }
                }
                calls.command(ctx, governance -> governance.reject(id, reason));
                return;
            }
            Approval approval = Approval.asRequested();
            Optional<List<String>> fields = ApiCalls.list(body, "fields");
            if (fields.isPresent()) {
                approval = approval.withFields(fields.get());
            }
            Optional<String> filter = ApiCalls.text(body, "filter");
            if (filter.isPresent()) {
                approval = approval.withFilter(filter.get());
            }
            Optional<List<String>> clear = ApiCalls.list(body, "clear");
            if (clear.isPresent()) {
                approval = approval.withClearFields(clear.get());
            }
            var from = ApiCalls.time(body, "from", false);
            if (from.isPresent()) {
                approval = approval.from(from.get());
            }
            var until = ApiCalls.time(body, "until", true);
            if (until.isPresent()) {
                approval = approval.until(until.get());
            }
            Optional<String> reason = ApiCalls.text(body, "reason");
            if (reason.isPresent()) {
                approval = approval.withReason(reason.get());
            }
            Optional<Long> rate = ApiCalls.positive(body, "rateLimit");
            Optional<Long> daily = ApiCalls.positive(body, "dailyLimit");
            if (rate.isPresent() || daily.isPresent()) {
                approval = approval.withLimits(rate.orElse(null), daily.orElse(null));
            }
            Approval decided = approval;
            calls.command(ctx, governance -> governance.approve(id, decided));
        });
    }

    private static SharingMethod method(String value) {
        try {
            return SharingMethod.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, "method '" + value + "' is unknown: use one of "
                    + String.join(", ", java.util.Arrays.stream(SharingMethod.values()).map(Enum::name).toList()));
        }
    }
}
