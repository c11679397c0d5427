package cn.tianfu.databus.serde;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * Configuration of {@link AvroSerializer}, {@link AvroDeserializer} and {@link AvroSerde}. Keys follow Confluent's
 * serializers, so an existing producer or Streams config file works unchanged. Every problem is reported at once as
 * a {@link DatabusConfigException}.
 */
public final class AvroSerdeConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "Comma-separated URLs of the schema registry, tried in order,"
            + " e.g. http://localhost:8081. Required unless the serde is given a client.";

    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String BASIC_AUTH_USER_INFO_DOC = "HTTP basic credentials for the registry as user:password;"
            + " empty for none.";

    public static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
    private static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC = "How long to wait for a connection to the registry.";

    public static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    private static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC = "How long to wait for the registry's answer to one call.";

    public static final String SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_CONFIG = "schema.registry.ssl.truststore.certificates";
    private static final String SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_DOC = "PEM certificates an https:// registry is"
            + " trusted by (the bus's CA); empty: the JVM's default trust. A client config's ssl.truststore.certificates sets it.";

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    private static final String AUTO_REGISTER_SCHEMAS_DOC = "Whether the serializer registers a record's schema under"
            + " its subject when it is not there yet. When false the schema must already be registered.";

    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    private static final String USE_LATEST_VERSION_DOC = "Whether the serializer writes with the subject's latest"
            + " registered version (records must be of exactly that schema). Needs auto.register.schemas=false.";

    public static final String LATEST_CACHE_TTL_SEC_CONFIG = "latest.cache.ttl.sec";
    private static final String LATEST_CACHE_TTL_SEC_DOC = "With use.latest.version, how long the latest version is"
            + " remembered before it is asked again; -1 for the life of the serializer.";

    public static final String SPECIFIC_AVRO_READER_CONFIG = "specific.avro.reader";
    private static final String SPECIFIC_AVRO_READER_DOC = "Whether the deserializer returns generated SpecificRecord"
            + " classes (found by the writer schema's full name) instead of GenericRecord.";

    public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
    private static final String SUBJECT_NAME_STRATEGY_DOC = "How the subject is named: TopicNameStrategy"
            + " (<topic>-key / <topic>-value), RecordNameStrategy (the record's full name), TopicRecordNameStrategy"
            + " (<topic>-<full name>), or the class name of a SubjectNameStrategy.";

    private static final ConfigDef.Validator STRATEGY = (name, value) -> {
        try {
            SubjectNameStrategy.forName((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name + ": " + e.getMessage());
        }
    };

    private static final ConfigDef.Validator USER_INFO = (name, value) -> {
        String info = value == null ? "" : ((Password) value).value();
        if (!info.isEmpty() && info.indexOf(':') < 1) {
            throw new ConfigException(name + " must be user:password");
        }
    };

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, List.of(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, "", USER_INFO, Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
            .define(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1),
                    Importance.LOW, SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC)
            .define(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1),
                    Importance.LOW, SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC)
            .define(SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_CONFIG, Type.PASSWORD, "", Importance.MEDIUM,
                    SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_DOC)
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
            .define(LATEST_CACHE_TTL_SEC_CONFIG, Type.LONG, 60L, ConfigDef.Range.atLeast(-1), Importance.LOW,
                    LATEST_CACHE_TTL_SEC_DOC)
            .define(SPECIFIC_AVRO_READER_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, SPECIFIC_AVRO_READER_DOC)
            .define(KEY_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, "TopicNameStrategy", STRATEGY, Importance.LOW,
                    SUBJECT_NAME_STRATEGY_DOC)
            .define(VALUE_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, "TopicNameStrategy", STRATEGY, Importance.LOW,
                    SUBJECT_NAME_STRATEGY_DOC);

    private AvroSerdeConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
    }

    /**
     * Validates and parses {@code props}; keys it does not define are ignored (they belong to the Kafka client).
     *
     * @throws DatabusConfigException listing every problem
     */
    public static AvroSerdeConfig fromMap(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        if (Boolean.TRUE.equals(problems.parsed(USE_LATEST_VERSION_CONFIG))
                && Boolean.TRUE.equals(problems.parsed(AUTO_REGISTER_SCHEMAS_CONFIG))) {
            problems.add(USE_LATEST_VERSION_CONFIG + "=true needs " + AUTO_REGISTER_SCHEMAS_CONFIG + "=false");
        }
        if (problems.parsed(SCHEMA_REGISTRY_URL_CONFIG) instanceof List<?> urls) {
            for (Object url : urls) {
                try {
                    HttpSchemaRegistryClient.builder(url.toString());
                } catch (IllegalArgumentException e) {
                    problems.add(SCHEMA_REGISTRY_URL_CONFIG + ": " + e.getMessage());
                }
            }
        }
        problems.throwIfAny("avro serde");
        return new AvroSerdeConfig(props);
    }

    /** The declared keys, with types, defaults and docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public List<String> registryUrls() {
        return getList(SCHEMA_REGISTRY_URL_CONFIG);
    }

    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
    }

    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION_CONFIG);
    }

    /** How long a latest version is remembered; null for ever. */
    public Duration latestCacheTtl() {
        long sec = getLong(LATEST_CACHE_TTL_SEC_CONFIG);
        return sec < 0 ? null : Duration.ofSeconds(sec);
    }

    public boolean specificAvroReader() {
        return getBoolean(SPECIFIC_AVRO_READER_CONFIG);
    }

    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return SubjectNameStrategy.forName(getString(isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG));
    }

    /**
     * A client of the configured registry.
     *
     * @throws DatabusConfigException when {@code schema.registry.url} is not set
     */
    public SchemaRegistryClient registryClient() {
        if (registryUrls().isEmpty()) {
            throw new DatabusConfigException("avro serde", List.of(SCHEMA_REGISTRY_URL_CONFIG
                    + " is required (e.g. http://localhost:8081) when the serde is not given a registry client"));
        }
        HttpSchemaRegistryClient.Builder builder = HttpSchemaRegistryClient.builder(registryUrls())
                .connectTimeout(Duration.ofMillis(getLong(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG)))
                .requestTimeout(Duration.ofMillis(getLong(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG)));
        String userInfo = getPassword(BASIC_AUTH_USER_INFO_CONFIG).value();
        if (!userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            builder.basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
        }
        String trusted = getPassword(SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_CONFIG).value();
        if (!trusted.isBlank()) {
            builder.sslContext(cn.tianfu.databus.client.PemTrust.sslContext(trusted, SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_CONFIG));
        }
        return builder.build();
    }
}
