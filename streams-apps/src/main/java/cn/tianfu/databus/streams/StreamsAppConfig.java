package cn.tianfu.databus.streams;

import cn.tianfu.databus.kafka.ClientTuning;
import cn.tianfu.databus.kafka.SaslLogin;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.contract.RecordLimits;

/**
 * The keys every streams app of the bus shares, in one vocabulary: brokers ({@value #BOOTSTRAP_SERVERS_CONFIG}, a
 * list), registry ({@value #SCHEMA_REGISTRY_URL_CONFIG}, a list), credentials (the department client config's keys:
 * {@value #SECURITY_PROTOCOL_CONFIG}, {@value #SASL_MECHANISM_CONFIG}, {@value #SASL_USERNAME_CONFIG},
 * {@value #SASL_PASSWORD_CONFIG}; the registry is called with the same user unless {@value #REGISTRY_USER_INFO_CONFIG}
 * says otherwise), state and data directories, application id, and the {@value #STREAMS_PREFIX} keys handed to Kafka
 * Streams and its clients without the prefix (e.g. {@code streams.num.stream.threads=2}). Each app's config adds its
 * own keys to {@link #baseDef}; every Kafka client an app creates is configured from {@link #adminProperties()},
 * {@link #producerProperties()} or {@link #consumerProperties(String)}, never by hand.
 */
public abstract class StreamsAppConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    private static final String BOOTSTRAP_SERVERS_DOC = "host:port of one or more brokers of the bus, comma-separated.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "URL(s) of the bus's schema registry, comma-separated.";

    public static final String SECURITY_PROTOCOL_CONFIG = CommonClientConfigs.SECURITY_PROTOCOL_CONFIG;
    private static final String SECURITY_PROTOCOL_DOC = "How the app's Kafka clients connect: PLAINTEXT, or"
            + " SASL_PLAINTEXT with sasl.username and sasl.password (the bus's own principal on a secured bus)."
            + " TLS settings go under streams. (e.g. streams.ssl.truststore.location).";

    public static final String SASL_MECHANISM_CONFIG = SaslConfigs.SASL_MECHANISM;
    private static final String SASL_MECHANISM_DOC = "SASL mechanism with a SASL_ protocol: SCRAM-SHA-512, SCRAM-SHA-256"
            + " or PLAIN.";

    public static final String SASL_USERNAME_CONFIG = "sasl.username";
    private static final String SASL_USERNAME_DOC = "The principal the app authenticates as (required with a SASL_"
            + " protocol); also its registry user unless basic.auth.user.info is set.";

    public static final String SASL_PASSWORD_CONFIG = "sasl.password";
    private static final String SASL_PASSWORD_DOC = "The principal's password (required with a SASL_ protocol).";

    public static final String REGISTRY_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String REGISTRY_USER_INFO_DOC = "HTTP basic credentials for the schema registry as user:password"
            + " when they differ from sasl.username/sasl.password; empty for those (or none without SASL).";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String DATA_DIR_CONFIG = "data.dir";
    private static final String DATA_DIR_UNUSED_DOC = "The bus's data directory; this app keeps nothing there (accepted so"
            + " that every app reads the same settings).";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: names the consumer group, the"
            + " transactional ids and the internal topics. Every instance of the app shares it.";

    /** Prefix of the keys passed through to Kafka Streams. */
    public static final String STREAMS_PREFIX = "streams.";

    /** Key of the {@link DeadLetterWriter} the {@link DeadLetterHandler} writes with (an object, not a string). */
    public static final String DEAD_LETTER_WRITER_CONFIG = "databus.dead.letter.writer";

    public static final List<String> SECURITY_PROTOCOLS = List.of("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL");
    public static final List<String> SASL_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    private static final ConfigDef.Validator NOT_EMPTY_LIST = (name, value) -> {
        if (value instanceof List<?> l && (l.isEmpty() || l.stream().anyMatch(s -> s.toString().isBlank()))) {
            throw new ConfigException(name + " is required");
        }
    };

    protected StreamsAppConfig(ConfigDef definition, Map<String, ?> props) {
        super(definition, props, false);
    }

    /**
     * The shared keys, for an app whose application id defaults to {@code applicationIdDefault} and which keeps keys
     * under the data directory (required); the docs of the state and data directories say what the app keeps there.
     */
    protected static ConfigDef baseDef(String applicationIdDefault, String stateDirDoc, String dataDirDoc) {
        return baseDef(applicationIdDefault, stateDirDoc, ConfigDef.NO_DEFAULT_VALUE, dataDirDoc);
    }

    /** The shared keys, for an app that keeps nothing under the data directory ({@value #DATA_DIR_CONFIG} optional). */
    protected static ConfigDef baseDef(String applicationIdDefault, String stateDirDoc) {
        return baseDef(applicationIdDefault, stateDirDoc, null, DATA_DIR_UNUSED_DOC);
    }

    private static ConfigDef baseDef(String applicationIdDefault, String stateDirDoc, Object dataDirDefault,
            String dataDirDoc) {
        return new ConfigDef()
                .define(REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REGISTRY_USER_INFO_DOC)
                .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST,
                        Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
                .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST,
                        Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
                .define(SECURITY_PROTOCOL_CONFIG, Type.STRING, "PLAINTEXT", ConfigDef.ValidString.in(
                        SECURITY_PROTOCOLS.toArray(String[]::new)), Importance.HIGH, SECURITY_PROTOCOL_DOC)
                .define(SASL_MECHANISM_CONFIG, Type.STRING, "SCRAM-SHA-512", ConfigDef.ValidString.in(
                        SASL_MECHANISMS.toArray(String[]::new)), Importance.MEDIUM, SASL_MECHANISM_DOC)
                .define(SASL_USERNAME_CONFIG, Type.STRING, null, Importance.MEDIUM, SASL_USERNAME_DOC)
                .define(SASL_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SASL_PASSWORD_DOC)
                .define(STATE_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, stateDirDoc)
                .define(DATA_DIR_CONFIG, Type.STRING, dataDirDefault, new ConfigDef.NonEmptyString(),
                        Importance.HIGH, dataDirDoc)
                .define(APPLICATION_ID_CONFIG, Type.STRING, applicationIdDefault, new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM, APPLICATION_ID_DOC);
    }

    /**
     * The rules that span the shared keys, added to {@code problems} (each app's {@code fromMap} calls this before
     * {@link ConfigProblems#throwIfAny}): a SASL protocol needs a username and a password.
     */
    protected static void checkShared(ConfigProblems problems) {
        Object protocol = problems.parsed(SECURITY_PROTOCOL_CONFIG);
        if (protocol instanceof String p && p.startsWith("SASL_")) {
            if (!(problems.parsed(SASL_USERNAME_CONFIG) instanceof String u) || u.isBlank()) {
                problems.add(SASL_USERNAME_CONFIG + " is required with " + SECURITY_PROTOCOL_CONFIG + "=" + p);
            }
            if (problems.parsed(SASL_PASSWORD_CONFIG) == null) {
                problems.add(SASL_PASSWORD_CONFIG + " is required with " + SECURITY_PROTOCOL_CONFIG + "=" + p);
            }
        }
    }

    public List<String> bootstrapServers() {
        return getList(BOOTSTRAP_SERVERS_CONFIG);
    }

    public List<String> schemaRegistryUrls() {
        return getList(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR_CONFIG));
    }

    /** The data directory; only apps whose config requires {@value #DATA_DIR_CONFIG} may call this. */
    public Path dataDir() {
        String dir = getString(DATA_DIR_CONFIG);
        if (dir == null) {
            throw new IllegalStateException(DATA_DIR_CONFIG + " is not set");
        }
        return Path.of(dir);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    /** The {@value #STREAMS_PREFIX} keys, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return new HashMap<>(originalsWithPrefix(STREAMS_PREFIX, true));
    }

    /**
     * {@code user:password} for the schema registry: {@value #REGISTRY_USER_INFO_CONFIG} if set, else the SASL
     * username and password, else none.
     */
    public Optional<String> registryUserInfo() {
        String info = getPassword(REGISTRY_USER_INFO_CONFIG).value();
        if (info != null && !info.isBlank()) {
            return Optional.of(info);
        }
        String user = getString(SASL_USERNAME_CONFIG);
        Password password = getPassword(SASL_PASSWORD_CONFIG);
        if (user == null || user.isBlank() || password == null || !getString(SECURITY_PROTOCOL_CONFIG).startsWith("SASL_")) {
            return Optional.empty();
        }
        return Optional.of(user + ":" + password.value());
    }

    /** A registry client for this app: the configured URLs and credentials. The app closes it (its wrapper does). */
    public SchemaRegistryClient registryClient() {
        return HttpSchemaRegistryClient.builder(schemaRegistryUrls()).basicAuth(registryUserInfo()).build();
    }

    /**
     * What every Kafka client of the app needs: brokers and credentials (the JAAS config built from the SASL username
     * and password), then the {@value #STREAMS_PREFIX} keys that are common client settings (e.g.
     * {@code streams.ssl.truststore.location}), which win.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(BOOTSTRAP_SERVERS_CONFIG, String.join(",", bootstrapServers()));
        String protocol = getString(SECURITY_PROTOCOL_CONFIG);
        SaslLogin.put(p, protocol, getString(SASL_MECHANISM_CONFIG), getString(SASL_USERNAME_CONFIG), getPassword(SASL_PASSWORD_CONFIG));
        streamsOverrides().forEach((k, v) -> {
            if (CLIENT_KEYS.contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    /** {@link #clientProperties()} plus the {@value #STREAMS_PREFIX} keys an admin client knows, for the app's admin. */
    public Map<String, Object> adminProperties() {
        return withOverrides(clientProperties(), AdminClientConfig.configNames());
    }

    /**
     * {@link #clientProperties()} plus the {@value #STREAMS_PREFIX} keys a producer knows, idempotent and acknowledged
     * by all replicas, for a producer the app creates besides Kafka Streams' own.
     */
    public Map<String, Object> producerProperties() {
        Map<String, Object> p = withOverrides(clientProperties(), ProducerConfig.configNames());
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }

    /**
     * {@link #clientProperties()} plus the {@value #STREAMS_PREFIX} keys a consumer knows, in {@code group}, reading
     * committed records only (the bus writes transactionally).
     */
    public Map<String, Object> consumerProperties(String group) {
        Map<String, Object> p = withOverrides(clientProperties(), ConsumerConfig.configNames());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private Map<String, Object> withOverrides(Map<String, Object> base, Set<String> known) {
        streamsOverrides().forEach((k, v) -> {
            if (known.contains(k)) {
                base.put(k, v);
            }
        });
        return base;
    }

    private static final Set<String> CLIENT_KEYS = clientKeys();

    private static Set<String> clientKeys() {
        Set<String> keys = new HashSet<>(AdminClientConfig.configNames());
        keys.retainAll(ProducerConfig.configNames());
        keys.retainAll(ConsumerConfig.configNames());
        return Set.copyOf(keys);
    }

    /**
     * Kafka Streams properties: {@link #clientProperties()}, the application id and state directory, exactly-once v2, byte-array default
     * serdes, the bus's client settings ({@link #clientTuning()}); then {@code appDefaults} (the app's own choices); then the
     * {@value #STREAMS_PREFIX} keys, which win.
     */
    public Properties streamsProperties(Map<String, ?> appDefaults) {
        Properties p = new Properties();
        p.putAll(clientProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        p.putAll(clientTuning());
        p.putAll(appDefaults);
        p.putAll(streamsOverrides());
        return p;
    }

    /**
     * The client settings of every streams app ({@link ClientTuning}): its producer settings under {@code producer.},
     * its consumer settings under {@code consumer.} (the main, restore and global consumers). Kafka Streams' own
     * choices stay: producers linger 100 ms, and under exactly-once the commit interval is 100 ms.
     */
    public static Map<String, Object> clientTuning() {
        Map<String, Object> p = new HashMap<>();
        ClientTuning.producer().forEach((k, v) -> p.put(StreamsConfig.producerPrefix(k), v));
        ClientTuning.consumer().forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), v));
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
