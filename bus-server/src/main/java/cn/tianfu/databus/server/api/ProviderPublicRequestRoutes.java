package cn.tianfu.databus.server.api;

import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.cli.publicrequest.PublicRequestsCommand;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * The public's requests to open data (Art. 34) for the provider that must answer them, as {@code databus
 * public-requests} and {@code public-requests answer}:
 * <ul>
 * <li>{@code GET /api/v1/public-requests?status=S}: the requests to the calling department (all of them for the
 * authority), oldest due first; the requester's name, organisation and contact only for the authority;</li>
 * <li>{@code POST /api/v1/public-requests/{id}/answer} {@code {"opened":true}}, {@code {"willOpenBy":"yyyy-MM-dd"}} or
 * {@code {"refuse":true,"reason"}}, with {@code "reason"} as a note and {@code "resource"} when another resource is
 * opened: the provider's answer, a command sent with its own credentials (governance refuses another department's, 403).</li>
 * </ul>
 */
public final class ProviderPublicRequestRoutes {

    private ProviderPublicRequestRoutes() {
    }

    /** Adds the routes; the requests are read with {@code bus}. */
    public static void register(JavalinConfig config, ApiCalls calls, DatabusClientConfig bus, InstantSource clock) {
        CompactedTopicReader<PublicRequest> requests = CompactedViews.open(config, bus, Topics.PUBLIC_REQUESTS,
                PublicRequest.class, PublicRequest::getId, "databus-http-public-requests");
        config.routes.get(ApiPaths.PUBLIC_REQUESTS, ctx -> {
            Authenticator.Caller caller = calls.caller(ctx);
            PublicRequestStatus status = status(ctx.queryParam("status"));
            Instant now = clock.instant();
            List<Map<String, Object>> list = requests.refresh().values().stream()
                    .filter(r -> caller.admin() || r.getProvider().equals(caller.name()))
                    .filter(r -> status == null || r.getStatus() == status)
                    .sorted(Comparator.comparing(PublicRequest::getDueAt).thenComparing(PublicRequest::getId))
                    .map(r -> caller.admin() ? PublicRequestsCommand.toMap(r, now) : withoutRequester(PublicRequestsCommand.toMap(r, now)))
                    .toList();
            ctx.status(200).json(list);
        });
        config.routes.post(ApiPaths.PUBLIC_REQUESTS + "/{id}/answer", ctx -> {
            calls.caller(ctx);
            JsonNode body = ApiCalls.body(ctx);
            boolean opened = flag(body, "opened");
            boolean refuse = flag(body, "refuse");
            Optional<String> willOpenBy = ApiCalls.text(body, "willOpenBy");
            int given = (opened ? 1 : 0) + (refuse ? 1 : 0) + (willOpenBy.isPresent() ? 1 : 0);
            if (given != 1) {
                throw new HttpResponseException(400, "give exactly one of \"opened\": true, \"willOpenBy\": \"yyyy-MM-dd\""
                        + " and \"refuse\": true");
            }
            Optional<String> reason = ApiCalls.text(body, "reason").filter(s -> !s.isBlank());
            if (refuse && reason.isEmpty()) {
                throw new HttpResponseException(400, "a refusal needs 'reason': the requester is told why (Art. 34)");
            }
            Optional<LocalDate> openBy;
            try {
                openBy = willOpenBy.map(LocalDate::parse);
            } catch (DateTimeParseException e) {
                throw new HttpResponseException(400, "'willOpenBy' '" + willOpenBy.get() + "' is no date yyyy-MM-dd");
            }
            PublicRequestStatus answer = opened ? PublicRequestStatus.OPENED
                    : refuse ? PublicRequestStatus.REFUSED : PublicRequestStatus.WILL_OPEN;
            Optional<String> resource = ApiCalls.text(body, "resource").filter(s -> !s.isBlank());
            String id = ctx.pathParam("id");
            calls.command(ctx, g -> g.answerPublicRequest(id, answer, reason, resource, openBy));
        });
    }

    private static boolean flag(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new HttpResponseException(400, "'" + name + "' must be true or false");
        }
        return v.asBoolean();
    }

    /**
     * A department sees a request without the requester's name, organisation and contact: it answers through the
     * platform, which tells the requester (Art. 34 needs no more); the authority sees them.
     */
    private static Map<String, Object> withoutRequester(Map<String, Object> request) {
        request.remove("requesterName");
        request.remove("requesterOrganization");
        request.remove("requesterContact");
        return request;
    }

    private static PublicRequestStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return PublicRequestStatus.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new HttpResponseException(400, "status '" + value + "' is unknown: use one of "
                    + String.join(", ", java.util.Arrays.stream(PublicRequestStatus.values()).map(Enum::name).toList()));
        }
    }
}
