package cn.tianfu.databus.server.metrics;

import java.nio.charset.StandardCharsets;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.contract.ApiPaths;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * {@code GET /metrics}: {@link BusMetrics} in the Prometheus text format, for the authority's Prometheus, which scrapes
 * with the bus's own credentials (HTTP basic); a department gets 403: the metrics name every department's resources.
 */
public final class MetricsRoutes {

    private MetricsRoutes() {
    }

    /** Adds the route; the caller is the request attribute {@code callerAttribute}. */
    public static void register(JavalinConfig config, BusMetrics metrics, String callerAttribute) {
        config.events.serverStopped(metrics::close);
        config.routes.get(ApiPaths.METRICS, ctx -> {
            Authenticator.Caller caller = ctx.attribute(callerAttribute);
            if (caller == null || !caller.admin()) {
                throw new HttpResponseException(403, "the metrics are the authority's: scrape with the bus's own credentials");
            }
            ctx.status(200).contentType(BusMetrics.contentType()).result(metrics.scrape().getBytes(StandardCharsets.UTF_8));
        });
    }
}
