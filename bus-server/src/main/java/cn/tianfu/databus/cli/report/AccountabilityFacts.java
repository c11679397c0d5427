package cn.tianfu.databus.cli.report;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;

import cn.tianfu.databus.accountability.DisputeFact;
import cn.tianfu.databus.accountability.MonthlyReport;
import cn.tianfu.databus.accountability.ReportFact;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * Where the monthly report gets its records from: the one place that reads them, each topic to its end
 * ({@code bus.requests}, {@code bus.violations}, {@code bus.error-reports}, {@code bus.disputes}), as the bus principal.
 */
public final class AccountabilityFacts {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AccountabilityFacts() {
    }

    /**
     * The authority's report of {@code month} as of {@code now}, from the bus's requests, violations, error reports and
     * disputes (read as the bus principal), deadlines counted on the bundled calendar.
     */
    public static MonthlyReport monthly(DatabusClientConfig bus, YearMonth month, Instant now) {
        List<AccessRequest> requests = read(bus, Topics.REQUESTS, AccessRequest.class, AccessRequest::getRequestId);
        List<Violation> violations = read(bus, Topics.VIOLATIONS, Violation.class, Violation::getId);
        return MonthlyReport.compute(month, now, requests, violations, reports(bus), disputes(bus),
                WorkingDayCalendar.bundled().withProvisionalYears());
    }

    /** The error reports on the bus, read as the bus principal. */
    static List<ReportFact> reports(DatabusClientConfig bus) {
        return read(bus, Topics.ERROR_REPORTS, ErrorReport.class, ErrorReport::getId).stream()
                .filter(r -> r.getDueAt() != null)
                .map(r -> new ReportFact(r.getProvider(), r.getConsumer(), r.getReportedAt(), r.getDueAt(),
                        r.getAnsweredAt()))
                .toList();
    }

    /** The disputes on the bus, read as the bus principal. */
    static List<DisputeFact> disputes(DatabusClientConfig bus) {
        return read(bus, Topics.DISPUTES, Dispute.class, Dispute::getId).stream()
                .map(d -> new DisputeFact(d.getOpenedBy(), d.getOtherParty(), d.getOpenedAt(), d.getStatus().name()))
                .toList();
    }

    /** The latest value of every key of a compacted topic of the bus. */
    static <V extends SpecificRecord> List<V> read(DatabusClientConfig bus, String topic, Class<V> type,
                                                           java.util.function.Function<V, String> key) {
        try (AvroSerde<V> serde = AvroSerde.specific(type)) {
            serde.configure(bus.serdeConfig(), false);
            Deserializer<V> values = serde.deserializer();
            Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-report");
            try (CompactedTopicReader<V> reader = new CompactedTopicReader<>(topic, p, values, key, TIMEOUT)) {
                return List.copyOf(reader.refresh().values());
            }
        }
    }

}
