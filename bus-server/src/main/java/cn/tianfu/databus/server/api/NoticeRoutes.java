package cn.tianfu.databus.server.api;

import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.CatalogNotice;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * Notices to update a catalogue (Art. 14), as {@code databus notices} and {@code databus notice catalog-update}:
 * <ul>
 * <li>{@code GET /api/v1/notices?dept=D}: the calling department's notices, every department's for the authority,
 * oldest due first (CatalogNotice, Avro JSON);</li>
 * <li>{@code POST /api/v1/notices} {@code {"department","reason"}}: the authority gives the notice (a command on
 * {@code cmd.bus}, sent with the bus's own credentials; governance refuses it from a department, 403).</li>
 * </ul>
 */
public final class NoticeRoutes {

    private NoticeRoutes() {
    }

    /** Adds the routes; the notices are read with {@code bus}. */
    public static void register(JavalinConfig config, ApiCalls calls, DatabusClientConfig bus) {
        CompactedTopicReader<CatalogNotice> notices = CompactedViews.open(config, bus, Topics.CATALOG_NOTICES,
                CatalogNotice.class, CatalogNotice::getId, "databus-http-notices");
        config.routes.get(ApiPaths.NOTICES, ctx -> {
            Authenticator.Caller caller = calls.caller(ctx);
            String dept = ctx.queryParam("dept");
            List<CatalogNotice> list = notices.refresh().values().stream()
                    .filter(n -> caller.admin() || n.getDepartment().equals(caller.name()))
                    .filter(n -> dept == null || dept.isBlank() || n.getDepartment().equals(dept))
                    .sorted(Comparator.comparing(CatalogNotice::getDueAt).thenComparing(CatalogNotice::getId))
                    .toList();
            ApiCalls.sendJson(ctx, AvroJson.encode(list, CatalogNotice.class));
        });
        config.routes.post(ApiPaths.NOTICES, ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            String department = ApiCalls.required(body, "department", "the department that must update its catalogue");
            String reason = ApiCalls.required(body, "reason", "what changed: the law or the department's duties");
            try {
                Topics.checkDepartment(department);
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, e.getMessage());
            }
            calls.commandOfAnyCaller(ctx, g -> g.noticeCatalogUpdate(department, reason));
        });
    }
}
