package cn.tianfu.databus.cli.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus notices}: the authority's list of catalogue-update notices (Art. 14) from {@code bus.catalog-notices},
 * read as the bus principal, the latest state of each, oldest due first; {@code --json} prints them as one JSON array.
 */
@Command(name = "notices", mixinStandardHelpOptions = true,
        header = "List the notices to update a catalogue (Art. 14): department, reason, due time, OPEN or CLOSED.")
public final class NoticesCommand extends ListCommand<Map<String, Object>> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;

    @Option(names = "--dept", paramLabel = "D", description = "Only the notices to this department.")
    String department;

    @Override
    protected Output output() {
        return json.output();
    }

    @Override
    protected List<Map<String, Object>> items() {
        if (department != null) {
            Topics.checkDepartment(department);
        }
        DatabusClientConfig bus = ClientFiles.bus(admin.dataDir());
        try (AvroSerde<CatalogNotice> serde = AvroSerde.specific(CatalogNotice.class)) {
            serde.configure(bus.serdeConfig(), false);
            try (CompactedTopicReader<CatalogNotice> reader = new CompactedTopicReader<>(Topics.CATALOG_NOTICES,
                    consumerProps(bus), serde.deserializer(), CatalogNotice::getId, TIMEOUT)) {
                return reader.refresh().values().stream()
                        .filter(n -> department == null || department.equals(n.getDepartment()))
                        .sorted(Comparator.comparing(CatalogNotice::getDueAt).thenComparing(CatalogNotice::getId))
                        .map(NoticesCommand::toMap)
                        .toList();
            }
        }
    }

    @Override
    protected Table table() {
        return new Table("ID", "DEPT", "ISSUED", "DUE", "STATUS", "CLOSED", "REASON");
    }

    @Override
    protected void addRows(Table table, Map<String, Object> n) {
        table.row(n.get("id"), n.get("department"), Times.format(Instant.parse((String) n.get("issuedAt"))),
                Times.format(Instant.parse((String) n.get("dueAt"))), n.get("status"),
                n.get("closedAt") == null ? "-" : Times.format(Instant.parse((String) n.get("closedAt"))), n.get("reason"));
    }

    private static Map<String, Object> consumerProps(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-notices");
        return p;
    }

    static Map<String, Object> toMap(CatalogNotice n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.getId());
        m.put("department", n.getDepartment());
        m.put("reason", n.getReason());
        m.put("issuedAt", n.getIssuedAt().toString());
        m.put("dueAt", n.getDueAt().toString());
        m.put("dueCalendar", n.getDueCalendar());
        m.put("status", n.getStatus().name());
        m.put("closedAt", n.getClosedAt() == null ? null : n.getClosedAt().toString());
        m.put("closedBy", n.getClosedBy());
        return m;
    }
}
