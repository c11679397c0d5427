package cn.tianfu.databus.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.JavalinConfig;

/**
 * {@code GET /api/v1/violations}: the violations (Art. 46) of the calling department, all of them for the bus
 * principal (the authority), oldest due first; a JSON array in Avro's JSON encoding of {@code Violation}. The bus reads
 * {@code bus.violations} with its own principal; departments have no ACL on it.
 */
final class ViolationRoutes {

    private ViolationRoutes() {
    }

    /** Adds the route to {@code config}; the caller is the request attribute {@code callerAttribute}. */
    static void register(JavalinConfig config, DatabusClientConfig bus, String callerAttribute) {
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-violations");
        AvroSerde<Violation> serde = AvroSerde.specific(Violation.class);
        serde.configure(bus.serdeConfig(), false);
        CompactedTopicReader<Violation> violations = new CompactedTopicReader<>(Topics.VIOLATIONS, consumer,
                serde.deserializer(), Violation::getId, Duration.ofSeconds(10));
        config.events.serverStopped(violations::close);
        config.routes.get(ApiPaths.VIOLATIONS, ctx -> {
            Authenticator.Caller caller = ctx.attribute(callerAttribute);
            String me = caller.name();
            List<Violation> mine = violations.refresh().values().stream()
                    .filter(v -> caller.admin() || v.getDepartment().equals(me))
                    .sorted(Comparator.comparing(Violation::getDueAt).thenComparing(Violation::getId))
                    .toList();
            ctx.status(200).contentType("application/json")
                    .result(AvroJson.encode(mine, Violation.class).getBytes(StandardCharsets.UTF_8));
        });
    }
}
