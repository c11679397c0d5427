package cn.tianfu.databus.server.api;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import cn.tianfu.databus.contract.ApiPaths;
import io.javalin.config.JavalinConfig;

/** {@code GET /api/openapi.json}: the OpenAPI 3 document of the routes this server runs ({@link ApiDocument}), anonymous. */
public final class OpenApiRoutes {

    private OpenApiRoutes() {
    }

    /** Adds the route, documenting the given parts. */
    public static void register(JavalinConfig config, Set<ApiDocument.Feature> features) {
        String version = OpenApiRoutes.class.getPackage().getImplementationVersion();
        byte[] document = ApiDocument.openApi(features, version == null ? "dev" : version).getBytes(StandardCharsets.UTF_8);
        config.routes.get(ApiPaths.OPENAPI, ctx -> ctx.status(200).contentType("application/json").result(document));
    }
}
