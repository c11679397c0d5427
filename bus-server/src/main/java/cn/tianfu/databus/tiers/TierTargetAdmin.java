package cn.tianfu.databus.tiers;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreatePartitionsResult;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.contract.Topics;

/**
 * MirrorMaker 2's administrator of the city cluster in the district tiers ({@code forwarding.admin.class} of the
 * source connector): the city's source topics are the city bus's, created by its governance with the bus's partition
 * count and configs when the link registers the resource. MirrorMaker would add partitions to match the district's
 * delivery topic (the district's router may give it more), which breaks the city's stream apps (their changelogs are
 * sized by the source topics); so partitions are never added, and a source topic is never created here (its records
 * wait until the city catalog has the resource). Every other call, MirrorMaker's own internal topics among them,
 * passes through. The copies are spread over the city's partitions by key ({@link SchemaIdRewrite} clears the
 * partition), as a department's publisher spreads them.
 */
public final class TierTargetAdmin extends ForwardingAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TierTargetAdmin.class);

    public TierTargetAdmin(Map<String, Object> configs) {
        super(configs);
    }

    @Override
    public CreatePartitionsResult createPartitions(Map<String, NewPartitions> newPartitions, CreatePartitionsOptions options) {
        if (!newPartitions.isEmpty()) {
            LOG.info("tier link: partitions of {} are the city bus's; not changed", newPartitions.keySet());
        }
        return super.createPartitions(Map.of(), options);
    }

    @Override
    public CreateTopicsResult createTopics(Collection<NewTopic> newTopics, CreateTopicsOptions options) {
        List<NewTopic> allowed = newTopics.stream().filter(t -> Topics.parseSource(t.name()).isEmpty()).toList();
        if (allowed.size() < newTopics.size()) {
            LOG.info("tier link: not creating {}: the city's governance creates a source topic when the resource is registered",
                    newTopics.stream().map(NewTopic::name).filter(n -> Topics.parseSource(n).isPresent()).toList());
        }
        return super.createTopics(allowed, options);
    }
}
