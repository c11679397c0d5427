package cn.tianfu.databus.deadlines.app;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerde;

/**
 * The deadlines topology on a {@link TopologyTestDriver}, for the app's unit tests: a mock schema registry behind the
 * Avro serdes, the bundled calendar with its provisional years, a check every {@link #CHECK}, and the clock the duties
 * are checked against pinned at {@link #now}, which starts with the driver's wall clock at the test's start instant.
 * The test opens the topics it uses in a callback that runs again on every new driver, so that they stay the current
 * driver's after {@link #restart} replaces it with one on another, empty state directory (as after losing state and
 * changelog). Created in {@code @BeforeEach}, closed in {@code @AfterEach}.
 */
final class DeadlinesTestBed implements AutoCloseable {

    /** How often (wall-clock) the topology checks the open duties; {@link #at} advances the driver by as much. */
    private static final Duration CHECK = Duration.ofSeconds(1);

    /** The time the duties are checked against: set, it moves without running the check; {@link #at} runs it. */
    final AtomicReference<Instant> now;

    private final MockSchemaRegistryClient registry = new MockSchemaRegistryClient();
    private final Path stateDir;
    private final Instant start;
    private final Function<SchemaRegistryClient, Map<String, Object>> config;
    private final Consumer<DeadlinesTestBed> openTopics;
    private TopologyTestDriver driver;

    /** The topology on the state directory {@code a} under {@code stateDir}, with the basic Streams config only. */
    DeadlinesTestBed(Path stateDir, Instant start, Consumer<DeadlinesTestBed> openTopics) {
        this(stateDir, start, registry -> Map.of(), openTopics);
    }

    /**
     * The topology on the state directory {@code a} under {@code stateDir}, each driver's Streams config with what
     * {@code config} makes of the registry added.
     */
    DeadlinesTestBed(Path stateDir, Instant start, Function<SchemaRegistryClient, Map<String, Object>> config,
                     Consumer<DeadlinesTestBed> openTopics) {
        this.now = new AtomicReference<>(start);
        this.stateDir = stateDir;
        this.start = start;
        this.config = config;
        this.openTopics = openTopics;
        open("a");
    }

    /** Moves the pinned clock to {@code t} and lets the wall-clock punctuation run. */
    void at(Instant t) {
        now.set(t);
        driver.advanceWallClockTime(CHECK);
    }

    /** Closes the driver and starts a new one on the empty state directory {@code dir} under the test's. */
    void restart(String dir) {
        driver.close();
        open(dir);
    }

    /** The topic {@code topic} of the current driver, string keys and {@code type} values written to it. */
    <T extends SpecificRecord> TestInputTopic<String, T> input(String topic, Class<T> type) {
        return driver.createInputTopic(topic, new StringSerializer(), AvroSerde.specific(registry, type).serializer());
    }

    /** The topic {@code topic} of the current driver, string keys and {@code type} values read from it. */
    <T extends SpecificRecord> TestOutputTopic<String, T> output(String topic, Class<T> type) {
        return driver.createOutputTopic(topic, new StringDeserializer(),
                AvroSerde.specific(registry, type).deserializer());
    }

    @Override
    public void close() {
        driver.close();
    }

    private void open(String dir) {
        DeadlinesContext ctx = new DeadlinesContext(registry, WorkingDayCalendar.bundled().withProvisionalYears(),
                now::get, CHECK);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "deadlines-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        props.putAll(config.apply(registry));
        driver = new TopologyTestDriver(DeadlinesApp.buildTopology(ctx), props, start);
        openTopics.accept(this);
    }
}
