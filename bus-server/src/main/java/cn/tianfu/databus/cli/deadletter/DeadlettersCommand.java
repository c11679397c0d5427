package cn.tianfu.databus.cli.deadletter;

import cn.tianfu.databus.kafka.TopicReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.serde.AvroWireFormatException;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus deadletters}: lists what the bus rejected, newest last: {@code bus.deadletter} (written by the bus
 * alone) and the dead letters of the departments' CDC runners ({@code src.<dept>._cdc.<runner>.deadletters}), whose
 * component is shown as {@code <dept>/<component>}: the department is the topic's, which only it can write, not what the
 * record says.
 */
@Command(name = "deadletters", mixinStandardHelpOptions = true,
        header = "List the dead letters of the bus: what was rejected, by which component, why, and where it came from.")
public final class DeadlettersCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus (its bus.properties names the endpoints; default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--reason", paramLabel = "R", description = "Only this reason code, e.g. MALFORMED_BYTES, NOT_THE_PROVIDER.")
    String reason;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N, the most recent (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1, got " + limit);
        }
        if (reason != null && java.util.Arrays.stream(DeadLetterReason.values()).noneMatch(r -> r.name().equals(reason))) {
            throw new IllegalArgumentException("--reason '" + reason + "' is not a reason code; use one of "
                    + java.util.Arrays.stream(DeadLetterReason.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
        DatabusClientConfig bus = ClientFiles.bus(dataDir);
        Deque<DeadLetter> kept = new ArrayDeque<>();
        int unreadable = 0;
        try (SchemaRegistryClient registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient();
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bus),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            AvroDeserializer<DeadLetter> reader = AvroDeserializer.specific(registry, DeadLetter.class);
            List<TopicPartition> partitions = new java.util.ArrayList<>(consumer.partitionsFor(Topics.DEADLETTER, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            if (partitions.isEmpty()) {
                throw new DatabusException("topic " + Topics.DEADLETTER + " does not exist: is the bus running?");
            }
            consumer.listTopics(Duration.ofSeconds(30)).forEach((topic, infos) -> {
                if (Topics.CDC_DEADLETTERS_PATTERN.matcher(topic).matches()) {
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
            });
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            int[] skipped = {0};
            try {
                TopicReader.readToEnd(consumer, partitions, Duration.ofSeconds(30), r -> {
                    if (r.value() == null) {
                        return;
                    }
                    DeadLetter dl;
                    try {
                        dl = reader.deserialize(r.topic(), r.value());
                    } catch (AvroWireFormatException e) {
                        skipped[0]++;
                        return;
                    }
                    var cdc = Topics.CDC_DEADLETTERS_PATTERN.matcher(r.topic());
                    if (cdc.matches()) {
                        dl.setComponent(cdc.group(1) + "/" + dl.getComponent());
                    }
                    if (reason == null || reason.equals(dl.getReason())) {
                        kept.addLast(dl);
                        if (kept.size() > limit) {
                            kept.removeFirst();
                        }
                    }
                });
            } catch (TopicReader.NotCaughtUpException e) {
                throw new DatabusException("cannot read the dead letters to their end within 30 s: is the bus running?");
            }
            unreadable = skipped[0];
        }
        List<DeadLetter> sorted = kept.stream().sorted(java.util.Comparator.comparing(DeadLetter::getTime)).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            for (DeadLetter dl : sorted) {
                out.println(mapper.writeValueAsString(toMap(dl)));
            }
        } else {
            out.printf("%-24s  %-16s  %-18s  %-40s  %s%n", "TIME", "COMPONENT", "REASON", "SOURCE", "MESSAGE");
            for (DeadLetter dl : sorted) {
                out.printf("%-24s  %-16s  %-18s  %-40s  %s%n", dl.getTime(), dl.getComponent(), dl.getReason(),
                        position(dl), dl.getMessage());
            }
            out.println(sorted.size() + " dead letter(s)" + (reason == null ? "" : " with reason " + reason)
                    + (unreadable > 0 ? "; " + unreadable + " record(s) of " + Topics.DEADLETTER + " could not be read" : ""));
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The bus's own principal: only the authority reads the dead letters. */
    private static Map<String, Object> consumerProps(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-cli-deadletters");
        return p;
    }

    private static String position(DeadLetter dl) {
        if (dl.getSourceTopic() == null) {
            return "-";
        }
        return dl.getSourceTopic() + (dl.getSourcePartition() == null ? "" : "/" + dl.getSourcePartition())
                + (dl.getSourceOffset() == null ? "" : "@" + dl.getSourceOffset());
    }

    private static Map<String, Object> toMap(DeadLetter dl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", dl.getId());
        m.put("time", dl.getTime() == null ? null : dl.getTime().toString());
        m.put("component", dl.getComponent());
        m.put("reason", dl.getReason());
        m.put("message", dl.getMessage());
        m.put("sourceTopic", dl.getSourceTopic());
        m.put("sourcePartition", dl.getSourcePartition());
        m.put("sourceOffset", dl.getSourceOffset());
        m.put("originalValueBytes", dl.getOriginalValueSize() != null ? dl.getOriginalValueSize()
                : dl.getOriginalValue() == null ? null : dl.getOriginalValue().remaining());
        m.put("truncated", dl.getTruncated());
        return m;
    }
}
