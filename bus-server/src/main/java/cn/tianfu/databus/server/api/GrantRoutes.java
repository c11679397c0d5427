package cn.tianfu.databus.server.api;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.contract.ApiPaths;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * Changing a grant after it was given:
 * <ul>
 * <li>{@code POST /api/v1/grants/{id}/revoke} with {@code {"reason": "..."}}, as {@code databus revoke} does it: the
 * provider revokes a grant on its resource, or the consumer gives up a grant it receives; governance refuses anyone
 * else (403);</li>
 * <li>{@code POST /api/v1/grants/{id}/narrow} with {@code {"fields"?, "filter"?, "clear"?, "reason"}}, as
 * {@code databus narrow} does it: the provider narrows an active grant on its resource (fewer fields, a row filter joined
 * to the grant's with {@code &&}, fewer items in clear); at least one of the three, and a reason. Governance refuses
 * anyone but the provider (403) and a change that widens the grant (400).</li>
 * </ul>
 */
public final class GrantRoutes {

    private GrantRoutes() {
    }

    /** Adds the route. */
    public static void register(JavalinConfig config, ApiCalls calls) {
        config.routes.post(ApiPaths.GRANTS + "/{id}/revoke", ctx -> {
            calls.caller(ctx);
            String reason = ApiCalls.required(ApiCalls.body(ctx), "reason", "the other department is told why");
            String id = ctx.pathParam("id");
            calls.command(ctx, governance -> governance.revoke(id, reason));
        });
        config.routes.post(ApiPaths.GRANTS + "/{id}/narrow", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            Optional<List<String>> fields = ApiCalls.list(body, "fields");
            Optional<String> filter = ApiCalls.text(body, "filter").filter(s -> !s.isBlank());
            Optional<List<String>> clear = ApiCalls.list(body, "clear");
            if (fields.isEmpty() && filter.isEmpty() && clear.isEmpty()) {
                throw new HttpResponseException(400, "narrowing needs 'fields', 'filter' or 'clear'");
            }
            if (fields.isPresent() && fields.get().isEmpty()) {
                throw new HttpResponseException(400, "'fields' must name at least the key fields: to end the grant, revoke it");
            }
            String reason = ApiCalls.required(body, "reason", "the consumer is told why its grant is narrowed");
            String id = ctx.pathParam("id");
            calls.command(ctx, governance -> governance.narrow(id, fields, filter, clear, reason));
        });
    }
}
