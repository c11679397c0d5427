package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.internal.ClientProperties;
import cn.tianfu.databus.kafka.TopicReader;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * Every version of a catalog entry, from {@code bus.catalog.history} (governance writes each version there in the same
 * transaction as {@code bus.catalog}; the topic is never compacted).
 *
 * <pre>{@code
 * List<CatalogEntry> versions = CatalogHistory.of(config, "10101-000001", Duration.ofSeconds(10));
 * }</pre>
 */
public final class CatalogHistory {

    private CatalogHistory() {
    }

    /**
     * The versions of resource {@code code}, oldest first (empty when it was never catalogued).
     *
     * @throws GovernanceException when the bus cannot be reached or the topic read in time
     */
    public static List<CatalogEntry> of(DatabusClientConfig config, String code, Duration timeout) {
        AvroSerde<CatalogEntry> serde = AvroSerde.specific(CatalogEntry.class);
        serde.configure(config.serdeConfig(), false);
        List<CatalogEntry> out = new ArrayList<>();
        try (KafkaConsumer<String, CatalogEntry> consumer = new KafkaConsumer<>(
                ClientProperties.assignedConsumer(config, timeout), new StringDeserializer(), serde.deserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.CATALOG_HISTORY, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new GovernanceException("topic " + Topics.CATALOG_HISTORY + " does not exist: is the bus started"
                        + " ('databus up')?", true);
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            TopicReader.readToEnd(consumer, parts, timeout, r -> {
                if (code.equals(r.key()) && r.value() != null) {
                    out.add(r.value());
                }
            });
        } catch (TopicReader.NotCaughtUpException | org.apache.kafka.common.errors.TimeoutException e) {
            throw new GovernanceException("cannot read " + Topics.CATALOG_HISTORY + " within " + timeout.toMillis()
                    + " ms: is the bus running?", e, true);
        }
        out.sort(Comparator.comparingInt(CatalogEntry::getCatalogVersion));
        return out;
    }
}
