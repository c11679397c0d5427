package cn.tianfu.databus.client;

import cn.tianfu.databus.kafka.SaslLogin;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

import cn.tianfu.databus.client.ConfigProblems;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.contract.Topics;

/**
 * A department's connection to the bus, from one properties file: brokers, schema registry, the department's id and
 * its credentials. Every Kafka client and serde of the SDK is built from it.
 *
 * <pre>{@code
 * # psb.properties
 * bootstrap.servers=bus-1:9092,bus-2:9092
 * schema.registry.url=http://bus-1:8081
 * department.id=psb
 * security.protocol=SASL_SSL
 * sasl.username=psb
 * sasl.password=...
 *
 * DatabusClientConfig config = DatabusClientConfig.load(Path.of("psb.properties"));
 * Producer<String, GenericRecord> producer = new KafkaProducer<>(config.producerProperties(), ...);
 * }</pre>
 *
 * Keys of {@link AvroSerdeConfig} (e.g. {@code auto.register.schemas}) may be set in the same file; they reach the serde
 * through {@link #serdeConfig()}. Passwords are {@link Password}s everywhere, so they are never printed.
 */
public final class DatabusClientConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    private static final String BOOTSTRAP_SERVERS_DOC = "host:port of one or more brokers of the bus, comma-separated.";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG;
    private static final String SCHEMA_REGISTRY_URL_DOC = "URL(s) of the bus's schema registry, comma-separated.";

    public static final String DEPARTMENT_ID_CONFIG = "department.id";
    private static final String DEPARTMENT_ID_DOC = "The department's id on the bus (e.g. psb): 2-32 lower-case letters,"
            + " digits and '-', starting with a letter. Names its topics and consumer groups.";

    public static final String SECURITY_PROTOCOL_CONFIG = CommonClientConfigs.SECURITY_PROTOCOL_CONFIG;
    private static final String SECURITY_PROTOCOL_DOC = "PLAINTEXT, SASL_PLAINTEXT, SASL_SSL or SSL.";

    public static final String SASL_MECHANISM_CONFIG = SaslConfigs.SASL_MECHANISM;
    private static final String SASL_MECHANISM_DOC = "SCRAM-SHA-512 (the bus's default), SCRAM-SHA-256 or PLAIN.";

    public static final String SASL_USERNAME_CONFIG = "sasl.username";
    private static final String SASL_USERNAME_DOC = "The department's principal name; required with SASL.";

    public static final String SASL_PASSWORD_CONFIG = "sasl.password";
    private static final String SASL_PASSWORD_DOC = "The department's password; required with SASL. Never printed.";

    public static final String SSL_TRUSTSTORE_LOCATION_CONFIG = SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG;
    public static final String SSL_TRUSTSTORE_PASSWORD_CONFIG = SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG;
    public static final String SSL_TRUSTSTORE_TYPE_CONFIG = SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG;
    public static final String SSL_TRUSTSTORE_CERTIFICATES_CONFIG = SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG;
    private static final String SSL_TRUSTSTORE_CERTIFICATES_DOC = "The certificates to trust, PEM, inline (the bus's CA, as"
            + " 'databus dept add' writes it): Kafka's clients use them with ssl.truststore.type=PEM, and the SDK's HTTPS"
            + " calls to the schema registry and the HTTP API trust exactly them.";
    public static final String SSL_KEYSTORE_LOCATION_CONFIG = SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG;
    public static final String SSL_KEYSTORE_PASSWORD_CONFIG = SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG;
    public static final String SSL_KEYSTORE_TYPE_CONFIG = SslConfigs.SSL_KEYSTORE_TYPE_CONFIG;
    public static final String SSL_KEY_PASSWORD_CONFIG = SslConfigs.SSL_KEY_PASSWORD_CONFIG;
    public static final String SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG = SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG;

    public static final String HTTP_URL_CONFIG = "bus.http.url";
    private static final String HTTP_URL_DOC = "Base URL of the bus's HTTP API (e.g. http://127.0.0.1:8080): the requests and grants"
            + " views read from it, authenticated with the same credentials.";

    public static final String REQUEST_TIMEOUT_MS_CONFIG = CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG;
    private static final String REQUEST_TIMEOUT_MS_DOC = "How long a Kafka client waits for a broker's answer.";

    public static final List<String> SECURITY_PROTOCOLS = List.of("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL");
    public static final List<String> SASL_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    private static final ConfigDef.Validator DEPARTMENT = (name, value) -> {
        if (value != null && !Topics.DEPARTMENT_ID.matcher((String) value).matches()) {
            throw new ConfigException(name + " '" + value + "' is invalid: use 2-32 characters, lower-case letters, digits"
                    + " and '-', starting with a letter");
        }
    };

    private static ConfigDef.Validator oneOf(List<String> allowed) {
        return (name, value) -> {
            if (value != null && !allowed.contains(value)) {
                throw new ConfigException(name + " '" + value + "' is invalid: use one of " + String.join(", ", allowed));
            }
        };
    }

    private static final ConfigDef.Validator NOT_EMPTY_LIST = (name, value) -> {
        if (value instanceof List<?> l && (l.isEmpty() || l.stream().anyMatch(s -> s.toString().isBlank()))) {
            throw new ConfigException(name + " is required");
        }
    };

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, NOT_EMPTY_LIST, Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(DEPARTMENT_ID_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, DEPARTMENT, Importance.HIGH, DEPARTMENT_ID_DOC)
            .define(SECURITY_PROTOCOL_CONFIG, Type.STRING, "PLAINTEXT", oneOf(SECURITY_PROTOCOLS), Importance.HIGH, SECURITY_PROTOCOL_DOC)
            .define(SASL_MECHANISM_CONFIG, Type.STRING, "SCRAM-SHA-512", oneOf(SASL_MECHANISMS), Importance.MEDIUM, SASL_MECHANISM_DOC)
            .define(SASL_USERNAME_CONFIG, Type.STRING, null, Importance.MEDIUM, SASL_USERNAME_DOC)
            .define(SASL_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SASL_PASSWORD_DOC)
            .define(SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM, SslConfigs.SSL_TRUSTSTORE_LOCATION_DOC)
            .define(SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SslConfigs.SSL_TRUSTSTORE_PASSWORD_DOC)
            .define(SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, "PKCS12", Importance.LOW, SslConfigs.SSL_TRUSTSTORE_TYPE_DOC)
            .define(SSL_TRUSTSTORE_CERTIFICATES_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SSL_TRUSTSTORE_CERTIFICATES_DOC)
            .define(SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM, SslConfigs.SSL_KEYSTORE_LOCATION_DOC)
            .define(SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SslConfigs.SSL_KEYSTORE_PASSWORD_DOC)
            .define(SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, "PKCS12", Importance.LOW, SslConfigs.SSL_KEYSTORE_TYPE_DOC)
            .define(SSL_KEY_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SslConfigs.SSL_KEY_PASSWORD_DOC)
            .define(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, Type.STRING, "https", Importance.LOW,
                    SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_DOC)
            .define(HTTP_URL_CONFIG, Type.STRING, null, Importance.MEDIUM, HTTP_URL_DOC)
            .define(REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM, REQUEST_TIMEOUT_MS_DOC);

    private final Map<String, Object> serdeConfig;

    private DatabusClientConfig(Map<String, ?> props, Map<String, Object> serdeConfig) {
        super(CONFIG, props, false);
        this.serdeConfig = serdeConfig;
    }

    /**
     * Reads a properties file (UTF-8).
     *
     * @throws DatabusConfigException when the file cannot be read or lists every problem of its content
     */
    public static DatabusClientConfig load(Path propertiesFile) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new DatabusConfigException("client", List.of("cannot read " + propertiesFile.toAbsolutePath() + ": " + e));
        }
        Map<String, Object> map = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k).trim()));
        return fromMap(map);
    }

    /**
     * Validates {@code props}, reporting every problem at once.
     *
     * @throws DatabusConfigException e.g. "3 problems in client config: bootstrap.servers is required; ..."
     */
    public static DatabusClientConfig fromMap(Map<String, ?> props) {
        ConfigProblems problems = ConfigProblems.check(CONFIG, props);
        Object protocol = problems.parsed(SECURITY_PROTOCOL_CONFIG);
        if (protocol instanceof String p && p.startsWith("SASL_")) {
            if (!(problems.parsed(SASL_USERNAME_CONFIG) instanceof String u) || u.isBlank()) {
                problems.add(SASL_USERNAME_CONFIG + " is required with " + SECURITY_PROTOCOL_CONFIG + "=" + p);
            }
            if (problems.parsed(SASL_PASSWORD_CONFIG) == null) {
                problems.add(SASL_PASSWORD_CONFIG + " is required with " + SECURITY_PROTOCOL_CONFIG + "=" + p);
            }
        }
        if (problems.parsed(SSL_KEYSTORE_LOCATION_CONFIG) != null && problems.parsed(SSL_KEYSTORE_PASSWORD_CONFIG) == null) {
            problems.add(SSL_KEYSTORE_PASSWORD_CONFIG + " is required with " + SSL_KEYSTORE_LOCATION_CONFIG);
        }
        if (problems.parsed(SSL_TRUSTSTORE_LOCATION_CONFIG) instanceof String t && !Files.isReadable(Path.of(t))) {
            problems.add(SSL_TRUSTSTORE_LOCATION_CONFIG + " '" + t + "' is not a readable file");
        }
        // the serde keys in the same map: their problems belong in the same report
        Map<String, Object> serde = new LinkedHashMap<>();
        for (String key : AvroSerdeConfig.configDef().names()) {
            if (props.containsKey(key)) {
                serde.put(key, props.get(key));
            }
        }
        try {
            AvroSerdeConfig.fromMap(serde);
        } catch (DatabusConfigException e) {
            e.problems().stream().filter(p -> !p.startsWith(SCHEMA_REGISTRY_URL_CONFIG + " is required")).forEach(problems::add);
        }
        problems.throwIfAny("client");
        return new DatabusClientConfig(props, Map.copyOf(serde));
    }

    /** The declared keys, with types, defaults and docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public String departmentId() {
        return getString(DEPARTMENT_ID_CONFIG);
    }

    /**
     * Properties every Kafka client (producer, consumer, admin) needs: brokers, security (SASL JAAS config built from
     * username and password), TLS, request timeout. Secrets are {@link Password}s.
     */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, departmentId());
        p.put(REQUEST_TIMEOUT_MS_CONFIG, getInt(REQUEST_TIMEOUT_MS_CONFIG));
        String protocol = getString(SECURITY_PROTOCOL_CONFIG);
        SaslLogin.put(p, protocol, getString(SASL_MECHANISM_CONFIG), getString(SASL_USERNAME_CONFIG), getPassword(SASL_PASSWORD_CONFIG));
        if (protocol.endsWith("SSL")) {
            putIfSet(p, SSL_TRUSTSTORE_LOCATION_CONFIG, getString(SSL_TRUSTSTORE_LOCATION_CONFIG));
            putIfSet(p, SSL_TRUSTSTORE_PASSWORD_CONFIG, getPassword(SSL_TRUSTSTORE_PASSWORD_CONFIG));
            putIfSet(p, SSL_KEYSTORE_LOCATION_CONFIG, getString(SSL_KEYSTORE_LOCATION_CONFIG));
            putIfSet(p, SSL_KEYSTORE_PASSWORD_CONFIG, getPassword(SSL_KEYSTORE_PASSWORD_CONFIG));
            putIfSet(p, SSL_KEY_PASSWORD_CONFIG, getPassword(SSL_KEY_PASSWORD_CONFIG));
            if (getString(SSL_TRUSTSTORE_LOCATION_CONFIG) != null) {
                p.put(SSL_TRUSTSTORE_TYPE_CONFIG, getString(SSL_TRUSTSTORE_TYPE_CONFIG));
            } else if (getPassword(SSL_TRUSTSTORE_CERTIFICATES_CONFIG) != null) {
                p.put(SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
                p.put(SSL_TRUSTSTORE_CERTIFICATES_CONFIG, getPassword(SSL_TRUSTSTORE_CERTIFICATES_CONFIG));
            }
            if (getString(SSL_KEYSTORE_LOCATION_CONFIG) != null) {
                p.put(SSL_KEYSTORE_TYPE_CONFIG, getString(SSL_KEYSTORE_TYPE_CONFIG));
            }
            p.put(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, getString(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG));
        }
        return p;
    }

    /** {@link #kafkaProperties()} plus what a bus producer needs: idempotence and acknowledgement by all replicas. */
    public Map<String, Object> producerProperties() {
        Map<String, Object> p = kafkaProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }

    /**
     * {@link #kafkaProperties()} plus a consumer group under the department's prefix ({@code <dept>.<group>}, the only
     * groups its ACLs allow) reading committed records only (the bus writes transactionally).
     */
    public Map<String, Object> consumerProperties(String group) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("consumer group name is required, e.g. 'deliveries'");
        }
        Map<String, Object> p = kafkaProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, Topics.groupPrefix(departmentId()) + group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** {@link #kafkaProperties()}, for an admin client. */
    public Map<String, Object> adminProperties() {
        return kafkaProperties();
    }

    /**
     * The configuration of {@link cn.tianfu.databus.serde.AvroSerde}: the registry URL, and the
     * {@link AvroSerdeConfig} keys set in this configuration. With SASL and no {@code basic.auth.user.info} of its own,
     * the registry is called with the same username and password (HTTP basic), as the bus's registry expects.
     */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> p = new HashMap<>(serdeConfig);
        p.put(SCHEMA_REGISTRY_URL_CONFIG, String.join(",", getList(SCHEMA_REGISTRY_URL_CONFIG)));
        basicAuthUserInfo().ifPresent(info -> p.putIfAbsent(AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG, info));
        trustedCertificates().ifPresent(pem -> p.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_SSL_TRUSTSTORE_CERTIFICATES_CONFIG, pem));
        return p;
    }

    /** The PEM certificates this config trusts ({@value #SSL_TRUSTSTORE_CERTIFICATES_CONFIG}), if set. */
    public java.util.Optional<String> trustedCertificates() {
        Password pem = getPassword(SSL_TRUSTSTORE_CERTIFICATES_CONFIG);
        return pem == null || pem.value().isBlank() ? java.util.Optional.empty() : java.util.Optional.of(pem.value());
    }

    /**
     * The TLS context of the SDK's HTTPS calls (registry, HTTP API): trusting exactly
     * {@value #SSL_TRUSTSTORE_CERTIFICATES_CONFIG} when set, else the JVM's default trust.
     */
    public javax.net.ssl.SSLContext httpSslContext() {
        return trustedCertificates().map(pem -> PemTrust.sslContext(pem, SSL_TRUSTSTORE_CERTIFICATES_CONFIG)).orElseGet(() -> {
            try {
                return javax.net.ssl.SSLContext.getDefault();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@code username:password} for HTTP basic authentication (registry, HTTP API), when the config has SASL credentials. */
    public java.util.Optional<String> basicAuthUserInfo() {
        String user = getString(SASL_USERNAME_CONFIG);
        Password password = getPassword(SASL_PASSWORD_CONFIG);
        if (user == null || user.isBlank() || password == null || !getString(SECURITY_PROTOCOL_CONFIG).startsWith("SASL_")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(user + ":" + password.value());
    }

    /** The principal this config authenticates as: the SASL username, else the department id. */
    public String principal() {
        String user = getString(SASL_USERNAME_CONFIG);
        return user == null || user.isBlank() ? departmentId() : user;
    }

    /** The bus's HTTP API, if configured ({@value #HTTP_URL_CONFIG}). */
    public java.util.Optional<String> httpUrl() {
        return java.util.Optional.ofNullable(getString(HTTP_URL_CONFIG)).filter(u -> !u.isBlank());
    }

    /**
     * The properties of a client config file for a principal of an embedded bus: SASL_PLAINTEXT with SCRAM-SHA-512,
     * the given endpoints and credentials. Write it with {@link cn.tianfu.databus.security.SecretFiles#write}.
     *
     * @param httpUrl may be null
     */
    public static Properties fileProperties(String bootstrapServers, String registryUrl, String httpUrl, String departmentId,
            String username, String password) {
        return fileProperties(bootstrapServers, registryUrl, httpUrl, departmentId, username, password, null);
    }

    /**
     * As {@link #fileProperties(String, String, String, String, String, String)}; with {@code caPem} (the bus's CA)
     * the file says {@code SASL_SSL} and carries the CA inline ({@code ssl.truststore.type=PEM},
     * {@code ssl.truststore.certificates}), which the Kafka clients and the HTTPS calls of the SDK trust.
     */
    public static Properties fileProperties(String bootstrapServers, String registryUrl, String httpUrl, String departmentId,
            String username, String password, String caPem) {
        Properties p = plainFileProperties(bootstrapServers, registryUrl, httpUrl, departmentId, username, password);
        if (caPem != null) {
            p.setProperty(SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            p.setProperty(SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            p.setProperty(SSL_TRUSTSTORE_CERTIFICATES_CONFIG, caPem.strip());
        }
        return p;
    }

    /**
     * The properties of a client config file for a department that authenticates by client certificate: {@code SSL} to
     * {@code certificateBootstrapServers} (the broker's certificate listener), its key and certificate in the PKCS#12
     * store at {@code keystoreLocation}, the bus's CA inline as the truststore; no SASL username or password. The broker
     * maps the certificate's subject {@code CN=<dept>,OU=departments} to {@code User:<dept>}.
     *
     * @param httpUrl may be null
     */
    public static Properties certificateFileProperties(String certificateBootstrapServers, String registryUrl, String httpUrl,
            String departmentId, String caPem, String keystoreLocation, String keystorePassword) {
        Properties p = new Properties();
        p.setProperty(BOOTSTRAP_SERVERS_CONFIG, certificateBootstrapServers);
        p.setProperty(SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
        if (httpUrl != null) {
            p.setProperty(HTTP_URL_CONFIG, httpUrl);
        }
        p.setProperty(DEPARTMENT_ID_CONFIG, departmentId);
        p.setProperty(SECURITY_PROTOCOL_CONFIG, "SSL");
        p.setProperty(SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        p.setProperty(SSL_KEYSTORE_LOCATION_CONFIG, keystoreLocation);
        p.setProperty(SSL_KEYSTORE_PASSWORD_CONFIG, keystorePassword);
        p.setProperty(SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.setProperty(SSL_TRUSTSTORE_CERTIFICATES_CONFIG, caPem.strip());
        return p;
    }

    private static Properties plainFileProperties(String bootstrapServers, String registryUrl, String httpUrl, String departmentId,
            String username, String password) {
        Properties p = new Properties();
        p.setProperty(BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(SCHEMA_REGISTRY_URL_CONFIG, registryUrl);
        if (httpUrl != null) {
            p.setProperty(HTTP_URL_CONFIG, httpUrl);
        }
        p.setProperty(DEPARTMENT_ID_CONFIG, departmentId);
        p.setProperty(SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        p.setProperty(SASL_MECHANISM_CONFIG, "SCRAM-SHA-512");
        p.setProperty(SASL_USERNAME_CONFIG, username);
        p.setProperty(SASL_PASSWORD_CONFIG, password);
        return p;
    }

    /** The keys and values of this configuration, passwords hidden. */
    @Override
    public String toString() {
        return "DatabusClientConfig" + values();
    }

    private static void putIfSet(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value);
        }
    }
}
