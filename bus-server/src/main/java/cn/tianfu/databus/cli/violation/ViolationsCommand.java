package cn.tianfu.databus.cli.violation;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.governance.client.ViolationsView;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus violations}: the authority's list of violations (Art. 46) from {@code bus.violations}, read as the bus
 * principal, the latest state of each, oldest due first; {@code --json} prints them as one JSON array. With a
 * department's {@code --config FILE}, only that department's, through the bus's HTTP API.
 */
@Command(name = "violations", mixinStandardHelpOptions = true,
        header = "List the violations of the regulation (Art. 46) the bus has found: department, clause, duty, status.")
public final class ViolationsCommand extends ListCommand<Map<String, Object>> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A department's client config: list only that department's violations (read through the bus's"
                    + " HTTP API) instead of every department's as the bus principal of --data-dir.")
    java.nio.file.Path config;

    @Option(names = "--dept", paramLabel = "D", description = "Only the violations of this department.")
    String department;

    @Option(names = "--status", paramLabel = "S",
            description = "Only this status: OPEN, RECTIFICATION_ORDERED, RECTIFIED, ESCALATED.")
    String status;

    @Override
    protected Output output() {
        return json.output();
    }

    @Override
    protected List<Map<String, Object>> items() {
        if (status != null && Arrays.stream(ViolationStatus.values()).noneMatch(s -> s.name().equals(status))) {
            throw new IllegalArgumentException("--status '" + status + "' is not a violation status; use one of "
                    + Arrays.stream(ViolationStatus.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
        if (department != null) {
            Topics.checkDepartment(department);
        }
        if (config != null) {
            try (ViolationsView view = ViolationsView.open(DatabusClientConfig.load(config), ClientOptions.CONNECT_TIMEOUT)) {
                return view.all().stream()
                        .filter(v -> department == null || department.equals(v.getDepartment()))
                        .filter(v -> status == null || status.equals(v.getStatus().name()))
                        .map(ViolationsCommand::toMap)
                        .toList();
            }
        }
        DatabusClientConfig bus = ClientFiles.bus(admin.dataDir());
        try (AvroSerde<Violation> serde = AvroSerde.specific(Violation.class)) {
            serde.configure(bus.serdeConfig(), false);
            try (CompactedTopicReader<Violation> reader = new CompactedTopicReader<>(Topics.VIOLATIONS,
                    consumerProps(bus), serde.deserializer(), Violation::getId, TIMEOUT)) {
                return reader.refresh().values().stream()
                        .filter(v -> department == null || department.equals(v.getDepartment()))
                        .filter(v -> status == null || status.equals(v.getStatus().name()))
                        .sorted(Comparator.comparing(Violation::getDueAt).thenComparing(Violation::getId))
                        .map(ViolationsCommand::toMap)
                        .toList();
            }
        }
    }

    @Override
    protected Table table() {
        return new Table("ID", "DEPT", "CLAUSE", "DUTY", "SUBJECT", "DUE", "DETECTED", "STATUS", "RECTIFY BY");
    }

    @Override
    protected void addRows(Table table, Map<String, Object> v) {
        table.row(v.get("id"), v.get("department"), v.get("clause"), v.get("duty"), v.get("subjectId"),
                Times.format(Instant.parse((String) v.get("dueAt"))), Times.format(Instant.parse((String) v.get("detectedAt"))),
                v.get("status"), v.get("rectifyBy") == null ? "-" : Times.format(Instant.parse((String) v.get("rectifyBy")))
                        + (v.get("rectificationOverdueAt") == null ? "" : " (OVERDUE)"));
    }

    /** The clause as the regulation writes it, e.g. {@code 46(五)}. */
    static String clause(Violation v) {
        String[] items = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"};
        int n = Integer.parseInt(v.getClause().name().substring("ART46_".length()));
        return "46(" + items[n - 1] + ")";
    }

    private static Map<String, Object> consumerProps(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-violations");
        return p;
    }

    static Map<String, Object> toMap(Violation v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.getId());
        m.put("clause", clause(v));
        m.put("department", v.getDepartment());
        m.put("duty", v.getDuty().name());
        m.put("subjectId", v.getSubjectId());
        m.put("resourceCode", v.getResourceCode());
        m.put("counterparty", v.getCounterparty());
        m.put("dueAt", v.getDueAt().toString());
        m.put("dueCalendar", v.getDueCalendar());
        m.put("detectedAt", v.getDetectedAt().toString());
        m.put("description", v.getDescription());
        m.put("evidence", v.getEvidence());
        m.put("status", v.getStatus().name());
        m.put("rectifyBy", v.getRectifyBy() == null ? null : v.getRectifyBy().toString());
        m.put("rectificationOverdueAt", v.getRectificationOverdueAt() == null ? null : v.getRectificationOverdueAt().toString());
        m.put("history", v.getHistory().stream().map(ViolationsCommand::event).toList());
        return m;
    }

    private static Map<String, Object> event(ViolationEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", e.getAt().toString());
        m.put("status", e.getStatus().name());
        m.put("by", e.getBy());
        m.put("note", e.getNote());
        return m;
    }
}
