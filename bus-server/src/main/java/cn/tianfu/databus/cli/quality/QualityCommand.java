package cn.tianfu.databus.cli.quality;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus quality}: the authority's quality evaluation of every resource (Art. 41) from {@code bus.quality}, read
 * as the bus principal, the latest scores of each, lowest overall first; {@code --json} prints them as one JSON array.
 */
@Command(name = "quality", mixinStandardHelpOptions = true,
        header = "Show the quality evaluation of the resources (Art. 41): completeness, validity, timeliness, availability, usage.")
public final class QualityCommand extends ListCommand<QualityScore> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;

    @Option(names = "--resource", paramLabel = "R", description = "Only this resource (its code).")
    String resource;

    @Option(names = "--dept", paramLabel = "D", description = "Only the resources this department provides.")
    String department;

    @Override
    protected Output output() {
        return json.output();
    }

    @Override
    protected List<QualityScore> items() {
        if (resource != null) {
            Topics.checkResource(resource);
        }
        if (department != null) {
            Topics.checkDepartment(department);
        }
        DatabusClientConfig bus = ClientFiles.bus(admin.dataDir());
        try (AvroSerde<QualityScore> serde = AvroSerde.specific(QualityScore.class)) {
            serde.configure(bus.serdeConfig(), false);
            try (CompactedTopicReader<QualityScore> reader = new CompactedTopicReader<>(Topics.QUALITY,
                    consumerProps(bus), serde.deserializer(), QualityScore::getResourceCode, TIMEOUT)) {
                return reader.refresh().values().stream()
                        .filter(s -> resource == null || resource.equals(s.getResourceCode()))
                        .filter(s -> department == null || department.equals(s.getProvider()))
                        .sorted(Comparator.comparing((QualityScore s) -> s.getOverall() == null ? 2.0 : s.getOverall())
                                .thenComparing(QualityScore::getResourceCode))
                        .toList();
            }
        }
    }

    @Override
    protected Table table() {
        return new Table("RESOURCE", "PROVIDER", "OVERALL", "COMPLETE", "VALID", "TIMELY", "AVAILABLE", "RECORDS",
                "INVALID", "GRANTS", "REQUESTS", "DOWNLOADS", "BELOW THRESHOLD", "VIOLATION");
    }

    @Override
    protected void addRows(Table table, QualityScore s) {
        long invalid = s.getIdNumbersInvalid() + s.getCreditCodesInvalid() + s.getDivisionCodesInvalid() + s.getDatesInvalid();
        table.row(s.getResourceCode(), s.getProvider(), score(s.getOverall()), score(s.getCompleteness()),
                score(s.getValidity()), score(s.getTimeliness()), score(s.getAvailability()), s.getRecords(), invalid,
                s.getGrantsActive(), s.getAccessRequests(), s.getDownloads() == null ? "-" : s.getDownloads(),
                s.getBreaches().isEmpty() ? "-" : String.join("; ", s.getBreaches()),
                s.getViolationId() == null ? "-" : s.getViolationId());
    }

    private static String score(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static Map<String, Object> consumerProps(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-quality");
        return p;
    }
}
