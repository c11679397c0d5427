package cn.tianfu.databus.streams;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.RecordLimits;

/**
 * The keys every exactly-once streams app of the bus that keeps local state and keys under the data directory shares
 * (the sharing router, the ledger): brokers, registry and its credentials, state and data directories, application
 * id, and the {@value #STREAMS_PREFIX} keys handed to Kafka Streams without the prefix (e.g.
 * {@code streams.num.stream.threads=2} or {@code streams.security.protocol=SASL_PLAINTEXT}). Each app's config adds
 * its own keys to {@link #baseDef}.
 */
public abstract class StreamsAppConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "host:port of one or more brokers of the bus, comma-separated.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "URL(s) of the bus's schema registry, comma-separated.";

    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String REGISTRY_USER_INFO_DOC = "HTTP basic credentials for the schema registry as user:password"
            + " (on a secured bus, the bus's own principal: it registers schemas); empty for none.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String DATA_DIR_CONFIG = "data.dir";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: names the consumer group, the"
            + " transactional ids and the internal topics.";

    /** Prefix of the keys passed through to Kafka Streams. */
    public static final String STREAMS_PREFIX = "streams.";

    /** Key of the {@link DeadLetterWriter} the {@link DeadLetterHandler} writes with (an object, not a string). */
    public static final String DEAD_LETTER_WRITER_CONFIG = "databus.dead.letter.writer";

    protected StreamsAppConfig(ConfigDef definition, Map<String, ?> props) {
        super(definition, props, false);
    }

    /**
     * The shared keys, for an app whose application id defaults to {@code applicationIdDefault}; the docs of the
     * state and data directories say what the app keeps there.
     */
    protected static ConfigDef baseDef(String applicationIdDefault, String stateDirDoc, String dataDirDoc) {
        return new ConfigDef()
                .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REGISTRY_USER_INFO_DOC)
                .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
                .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
                .define(STATE_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, stateDirDoc)
                .define(DATA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, dataDirDoc)
                .define(APPLICATION_ID_CONFIG, Type.STRING, applicationIdDefault, new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, APPLICATION_ID_DOC);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS_CONFIG);
    }

    public String schemaRegistryUrl() {
        return getString(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR_CONFIG));
    }

    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG));
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    /** The {@value #STREAMS_PREFIX} keys, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return new HashMap<>(originalsWithPrefix(STREAMS_PREFIX, true));
    }

    /** {@code user:password} for the schema registry, if set. */
    public Optional<String> registryUserInfo() {
        String info = getPassword(REGISTRY_USER_INFO_CONFIG).value();
        return info == null || info.isBlank() ? Optional.empty() : Optional.of(info);
    }

    /**
     * Kafka Streams properties: the application id, brokers and state directory, exactly-once v2, byte-array default
     * serdes; then {@code appDefaults} (the app's own choices); then the {@value #STREAMS_PREFIX} keys, which win.
     */
    public Properties streamsProperties(Map<String, ?> appDefaults) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.putAll(appDefaults);
        p.putAll(streamsOverrides());
        return p;
    }

    /**
     * How every streams app of the bus handles failures, in one place (each app adds these to its properties;
     * {@code streams.} keys still win): {@link DeadLetterHandler} as processing and production exception handler,
     * writing {@code component}'s dead letters with {@code registry}; producers whose {@code max.request.size} and
     * internal topics whose {@code max.message.bytes} are {@link RecordLimits#MAX_REQUEST_BYTES}, so whatever the app
     * writes from an accepted record ({@link RecordLimits#MAX_RECORD_BYTES} at most, checked by
     * {@link GuardedProcessor}) fits.
     */
    public static Map<String, Object> failureHandling(String component, SchemaRegistryClient registry) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
        p.put(DEAD_LETTER_WRITER_CONFIG, new DeadLetterWriter(component, new AvroSerializer<DeadLetter>(registry)));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), RecordLimits.MAX_REQUEST_BYTES);
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(RecordLimits.MAX_REQUEST_BYTES));
        return p;
    }
}
