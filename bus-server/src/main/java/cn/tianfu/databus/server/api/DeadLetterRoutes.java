package cn.tianfu.databus.server.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.server.DeadLetterReader;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * {@code GET /api/v1/deadletters?reason=R&limit=N}: what the bus rejected, as {@code databus deadletters} lists it, for
 * the authority only (the bus's own credentials; 403 for a department): {@code {"deadLetters": [...], "unreadable": n}},
 * the {@code limit} (default 50, at most 1000) most recent, oldest first, without the rejected bytes.
 */
public final class DeadLetterRoutes {

    private static final int MAX_LIMIT = 1000;

    private DeadLetterRoutes() {
    }

    /** Adds the route; the dead letters are read with {@code bus}. */
    public static void register(JavalinConfig config, ApiCalls calls, DatabusClientConfig bus) {
        config.routes.get(ApiPaths.DEADLETTERS, ctx -> {
            calls.authority(ctx, "the dead letters");
            Optional<String> reason = Optional.ofNullable(ctx.queryParam("reason")).filter(s -> !s.isBlank());
            int limit = limit(ctx.queryParam("limit"));
            DeadLetterReader.Listing listing;
            try {
                DeadLetterReader.check(reason, limit);
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, "reason " + e.getMessage());
            }
            listing = DeadLetterReader.read(bus, reason, limit, "databus-http-deadletters");
            List<Map<String, Object>> letters = listing.letters().stream().map(DeadLetterReader::toMap).toList();
            ctx.status(200).json(Map.of("deadLetters", letters, "unreadable", listing.unreadable()));
        });
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new HttpResponseException(400, "limit must be 1 to " + MAX_LIMIT + ", was " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new HttpResponseException(400, "limit must be a whole number, was '" + value + "'");
        }
    }
}
