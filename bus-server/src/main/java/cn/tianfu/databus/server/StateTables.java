package cn.tianfu.databus.server;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

/**
 * The raw {@code bus.requests} and {@code bus.grants}, read with the bus's own principal for the HTTP API, which answers
 * each department only its own part. Each call reads on to the topics' current end, so an answer includes everything
 * governance committed before it.
 */
final class StateTables implements AutoCloseable {

    private final CompactedTopicReader<AccessRequest> requests;
    private final CompactedTopicReader<Grant> grants;
    private final DatabusClientConfig bus;
    /** Error reports and disputes, served by their own routes. */
    final AccountabilityRoutes accountability;

    StateTables(DatabusClientConfig bus, Duration timeout) {
        this.bus = bus;
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-views");
        AvroSerde<AccessRequest> r = AvroSerde.specific(AccessRequest.class);
        r.configure(bus.serdeConfig(), false);
        AvroSerde<Grant> g = AvroSerde.specific(Grant.class);
        g.configure(bus.serdeConfig(), false);
        this.requests = new CompactedTopicReader<>(Topics.REQUESTS, consumer, r.deserializer(), AccessRequest::getRequestId, timeout);
        this.grants = new CompactedTopicReader<>(Topics.GRANTS, consumer, g.deserializer(), Grant::getGrantId, timeout);
        this.accountability = new AccountabilityRoutes(bus, timeout);
    }

    /** The bus principal's client config the tables are read with. */
    DatabusClientConfig bus() {
        return bus;
    }

    /** The requests {@code filter} selects, in filing order. */
    List<AccessRequest> requests(Predicate<AccessRequest> filter) {
        return requests.refresh().values().stream().filter(filter)
                .sorted(Comparator.comparing(AccessRequest::getFiledAt).thenComparing(AccessRequest::getRequestId)).toList();
    }

    /** The grants {@code filter} selects, in creation order. */
    List<Grant> grants(Predicate<Grant> filter) {
        return grants.refresh().values().stream().filter(filter)
                .sorted(Comparator.comparing(Grant::getCreatedAt).thenComparing(Grant::getGrantId)).toList();
    }

    @Override
    public void close() {
        requests.close();
        grants.close();
        accountability.close();
    }
}
