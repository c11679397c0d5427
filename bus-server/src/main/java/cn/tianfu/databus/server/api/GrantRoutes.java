package cn.tianfu.databus.server.api;

import cn.tianfu.databus.contract.ApiPaths;
import io.javalin.config.JavalinConfig;

/**
 * {@code POST /api/v1/grants/{id}/revoke} with {@code {"reason": "..."}}, as {@code databus revoke} does it: the provider
 * revokes a grant on its resource, or the consumer gives up a grant it receives; governance refuses anyone else (403).
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
    }
}
