package cn.tianfu.databus.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.DisputeStatus;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.ErrorReportStatus;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * The HTTP API's error reports and disputes, read from {@code bus.error-reports} and {@code bus.disputes} with the bus's
 * own principal and answered by caller: the authority (the bus) sees all; a department the reports and disputes it is a
 * party to; an expert the disputes referred to it.
 * <ul>
 * <li>{@code GET /api/v1/reports?dept=D&status=S}: error reports, in reporting order;</li>
 * <li>{@code GET /api/v1/disputes?dept=D&status=S}: disputes, in opening order.</li>
 * </ul>
 * {@code dept} narrows to the records a department is party to, {@code status} to one status (400 for an unknown one).
 * Bodies are JSON arrays in Avro's JSON encoding of {@code ErrorReport} / {@code Dispute}.
 */
final class AccountabilityRoutes implements AutoCloseable {

    private final CompactedTopicReader<ErrorReport> reports;
    private final CompactedTopicReader<Dispute> disputes;

    AccountabilityRoutes(DatabusClientConfig bus, Duration timeout) {
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-accountability");
        AvroSerde<ErrorReport> r = AvroSerde.specific(ErrorReport.class);
        r.configure(bus.serdeConfig(), false);
        AvroSerde<Dispute> d = AvroSerde.specific(Dispute.class);
        d.configure(bus.serdeConfig(), false);
        this.reports = new CompactedTopicReader<>(Topics.ERROR_REPORTS, consumer, r.deserializer(), ErrorReport::getId, timeout);
        this.disputes = new CompactedTopicReader<>(Topics.DISPUTES, consumer, d.deserializer(), Dispute::getId, timeout);
    }

    /** Adds the routes; {@code callerAttribute} names the request attribute the authentication step set. */
    void register(RoutesConfig routes, String callerAttribute) {
        routes.get(ApiPaths.REPORTS, ctx -> {
            Authenticator.Caller caller = ctx.attribute(callerAttribute);
            String me = caller.name();
            String dept = ctx.queryParam("dept");
            String status = status(ctx, Arrays.stream(ErrorReportStatus.values()).map(Enum::name).toList());
            Predicate<ErrorReport> mine = r -> caller.admin() || r.getProvider().equals(me) || r.getConsumer().equals(me);
            List<ErrorReport> list = reports.refresh().values().stream()
                    .filter(mine)
                    .filter(r -> dept == null || r.getProvider().equals(dept) || r.getConsumer().equals(dept))
                    .filter(r -> status == null || r.getStatus().name().equals(status))
                    .sorted(Comparator.comparing(ErrorReport::getReportedAt).thenComparing(ErrorReport::getId))
                    .toList();
            send(ctx, AvroJson.encode(list, ErrorReport.class));
        });
        routes.get(ApiPaths.DISPUTES, ctx -> {
            Authenticator.Caller caller = ctx.attribute(callerAttribute);
            String me = caller.name();
            String dept = ctx.queryParam("dept");
            String status = status(ctx, Arrays.stream(DisputeStatus.values()).map(Enum::name).toList());
            Predicate<Dispute> mine = d -> caller.admin() || d.getProvider().equals(me) || d.getConsumer().equals(me)
                    || Principals.isExpert(me) && d.getExpert() != null && me.equals(Principals.expertPrincipal(d.getExpert()));
            List<Dispute> list = disputes.refresh().values().stream()
                    .filter(mine)
                    .filter(d -> dept == null || d.getProvider().equals(dept) || d.getConsumer().equals(dept))
                    .filter(d -> status == null || d.getStatus().name().equals(status))
                    .sorted(Comparator.comparing(Dispute::getOpenedAt).thenComparing(Dispute::getId))
                    .toList();
            send(ctx, AvroJson.encode(list, Dispute.class));
        });
    }

    private static String status(Context ctx, List<String> known) {
        String status = ctx.queryParam("status");
        if (status == null || status.isBlank()) {
            return null;
        }
        if (!known.contains(status)) {
            throw new HttpResponseException(400, "status '" + status + "' is unknown: use one of " + String.join(", ", known));
        }
        return status;
    }

    private static void send(Context ctx, String json) {
        ctx.status(200).contentType("application/json").result(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        reports.close();
        disputes.close();
    }
}
