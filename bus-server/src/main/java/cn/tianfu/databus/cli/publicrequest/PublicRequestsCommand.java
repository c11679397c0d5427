package cn.tianfu.databus.cli.publicrequest;

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
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicRequestStatus;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code databus public-requests}: the public's requests to open data (Art. 34) from {@code bus.public-requests}, read
 * as the bus principal (with the requesters' names and contacts, which the public status page never shows), oldest due
 * first; {@code answer} is the provider's answer; {@code review-opinion} and {@code review} are the authority's review
 * (复核) of an answer the requester disputes.
 */
@Command(name = "public-requests", mixinStandardHelpOptions = true,
        header = "List the public's requests to open data (Art. 34): provider, what, due time (10 days), status.",
        subcommands = {AnswerPublicRequestCommand.class, ReviewOpinionCommand.class, ReviewCommand.class})
public final class PublicRequestsCommand extends ListCommand<Map<String, Object>> {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    BusAdminOptions admin;

    @Mixin
    JsonOption json;

    @Option(names = "--dept", paramLabel = "D", description = "Only the requests to this department.")
    String department;

    @Option(names = "--status", paramLabel = "S", description = "Only requests in this status: ${COMPLETION-CANDIDATES}.")
    PublicRequestStatus status;

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
        Instant now = clock().instant();
        try (AvroSerde<PublicRequest> serde = AvroSerde.specific(PublicRequest.class)) {
            serde.configure(bus.serdeConfig(), false);
            try (CompactedTopicReader<PublicRequest> reader = new CompactedTopicReader<>(Topics.PUBLIC_REQUESTS,
                    consumerProps(bus), serde.deserializer(), PublicRequest::getId, TIMEOUT)) {
                return reader.refresh().values().stream()
                        .filter(r -> department == null || department.equals(r.getProvider()))
                        .filter(r -> status == null || status == r.getStatus())
                        .sorted(Comparator.comparing(PublicRequest::getDueAt).thenComparing(PublicRequest::getId))
                        .map(r -> toMap(r, now))
                        .toList();
            }
        }
    }

    @Override
    protected Table table() {
        return new Table("ID", "PROVIDER", "RESOURCE", "TITLE", "REQUESTER", "CONTACT", "FILED", "DUE", "STATUS");
    }

    @Override
    protected void addRows(Table table, Map<String, Object> r) {
        table.row(r.get("id"), r.get("provider"), r.get("resource") == null ? "-" : r.get("resource"), r.get("title"),
                r.get("requesterName"), r.get("requesterContact"), Times.format(Instant.parse((String) r.get("filedAt"))),
                Times.format(Instant.parse((String) r.get("dueAt"))), r.get("summary"));
    }

    private static Map<String, Object> consumerProps(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-public-requests");
        return p;
    }

    public static Map<String, Object> toMap(PublicRequest r, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.getId());
        m.put("provider", r.getProvider());
        m.put("resource", r.getResourceCode());
        m.put("title", r.getTitle());
        m.put("description", r.getDescription());
        m.put("requesterName", r.getRequesterName());
        m.put("requesterOrganization", r.getRequesterOrganization());
        m.put("requesterContact", r.getRequesterContact());
        m.put("filedAt", r.getFiledAt().toString());
        m.put("dueAt", r.getDueAt().toString());
        m.put("status", r.getStatus().name());
        m.put("summary", PublicRequestRules.statusLine(r, now));
        m.put("answeredAt", r.getAnsweredAt() == null ? null : r.getAnsweredAt().toString());
        m.put("answer", r.getAnswer());
        m.put("openedResource", r.getOpenedResourceCode());
        m.put("openBy", r.getOpenBy() == null ? null : r.getOpenBy().toString());
        m.put("answeredLate", r.getAnsweredLate());
        cn.tianfu.databus.schemas.PublicReview review = r.getReview();
        m.put("review", PublicReviewRules.statusLine(review));
        m.put("reviewReason", review == null ? null : review.getReason());
        m.put("reviewOpinion", review == null ? null : review.getOpinion());
        m.put("reviewDueAt", review == null || review.getDueAt() == null ? null : review.getDueAt().toString());
        return m;
    }
}
