package cn.tianfu.databus.server.api;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.catalog.ResourceDefinitionException;
import cn.tianfu.databus.catalog.ResourceDefinitions;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * The catalog over HTTP, as {@code databus catalog} does it: every department browses and reads the whole catalog
 * (Art. 12); a provider registers, updates and retires its own resources through governance, which refuses a resource
 * of another department (403) or a code another department provides (Art. 17–18).
 * <ul>
 * <li>{@code GET /api/v1/catalog?search=T&category=C&provider=D}: entries, by code;</li>
 * <li>{@code GET /api/v1/catalog/{code}}: one entry (404 when unknown);</li>
 * <li>{@code POST /api/v1/catalog}: register the resource the body defines (the definition file's YAML, or the same as JSON);</li>
 * <li>{@code PUT /api/v1/catalog/{code}?reason=T}: update it from a changed definition;</li>
 * <li>{@code POST /api/v1/catalog/{code}/retire} with {@code {"reason": "..."}}: retire it.</li>
 * </ul>
 */
public final class CatalogRoutes {

    private final ApiCalls calls;

    private CatalogRoutes(ApiCalls calls) {
        this.calls = calls;
    }

    /** Adds the routes. */
    public static void register(JavalinConfig config, ApiCalls calls) {
        CatalogRoutes routes = new CatalogRoutes(calls);
        config.routes.get(ApiPaths.CATALOG, routes::browse);
        config.routes.get(ApiPaths.CATALOG + "/{code}", routes::show);
        config.routes.post(ApiPaths.CATALOG, ctx -> {
            ResourceDefinition definition = provided(ctx, calls);
            calls.command(ctx, governance -> governance.register(definition));
        });
        config.routes.put(ApiPaths.CATALOG + "/{code}", ctx -> {
            ResourceDefinition definition = provided(ctx, calls);
            if (!definition.code().equals(ctx.pathParam("code"))) {
                throw new HttpResponseException(400, "the definition is of resource " + definition.code() + ", not of "
                        + ctx.pathParam("code"));
            }
            Optional<String> reason = Optional.ofNullable(ctx.queryParam("reason")).filter(s -> !s.isBlank());
            calls.command(ctx, governance -> governance.update(definition, reason));
        });
        config.routes.post(ApiPaths.CATALOG + "/{code}/retire", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String reason = ApiCalls.required(body, "reason", "say why the resource is retired");
            String code = ctx.pathParam("code");
            calls.command(ctx, governance -> governance.retire(code, reason));
        });
    }

    private void browse(Context ctx) {
        String search = ctx.queryParam("search");
        String provider = ctx.queryParam("provider");
        Category category = category(ctx.queryParam("category"));
        List<CatalogEntry> entries = calls.catalog(c -> search == null || search.isBlank() ? c.all() : c.search(search));
        List<CatalogEntry> selected = entries.stream()
                .filter(e -> provider == null || provider.isBlank() || e.getProvider().equals(provider))
                .filter(e -> category == null || e.getCategory() == category)
                .toList();
        ApiCalls.sendJson(ctx, AvroJson.encode(selected, CatalogEntry.class));
    }

    private void show(Context ctx) {
        String code = ctx.pathParam("code");
        Optional<CatalogEntry> entry = calls.catalog(c -> c.byCode(code));
        ApiCalls.sendJson(ctx, ApiCalls.encode(entry.orElseThrow(() -> new HttpResponseException(404,
                "no resource " + code + " in the catalog; GET " + ApiPaths.CATALOG + " lists them all"))));
    }

    private static Category category(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Category.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, "category '" + value + "' is unknown: use one of "
                    + String.join(", ", Arrays.stream(Category.values()).map(Enum::name).toList()));
        }
    }

    /**
     * The body's definition of a resource the caller provides: the SDK sends only its own department's definitions
     * (one data, one source, Art. 17-18), so another department's is refused here (403) as the client would refuse it.
     */
    private static ResourceDefinition provided(Context ctx, ApiCalls calls) {
        String caller = calls.caller(ctx).name();
        ResourceDefinition definition = definition(ctx);
        if (!definition.provider().equals(caller)) {
            throw new HttpResponseException(403, "the definition is of a resource provided by " + definition.provider()
                    + ", but the caller is " + caller + ": only the provider registers or changes a resource");
        }
        return definition;
    }

    /** The body as a resource definition (YAML, of which JSON is a part); 400 listing every problem. */
    private static ResourceDefinition definition(Context ctx) {
        String body = ctx.body();
        if (body == null || body.isBlank()) {
            throw new HttpResponseException(400, "the body must be a resource definition (YAML or JSON), as 'databus catalog"
                    + " register' reads from a file");
        }
        try {
            return ResourceDefinitions.parse(body, "request body");
        } catch (ResourceDefinitionException e) {
            throw new HttpResponseException(400, e.getMessage());
        }
    }
}
