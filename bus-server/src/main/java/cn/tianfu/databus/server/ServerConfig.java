package cn.tianfu.databus.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of one embedded bus: where its data lives and which ports it listens on. */
public final class ServerConfig extends AbstractConfig {

    public static final String DATA_DIR_CONFIG = "data.dir";
    private static final String DATA_DIR_DOC = "Directory for the broker's logs, the bus's keys and its log files; kept across restarts.";
    public static final String HOST_CONFIG = "listen.host";
    private static final String HOST_DOC = "Address every listener departments use binds to (Kafka, registry, HTTP API);"
            + " 0.0.0.0 for every interface. A non-loopback address needs TLS.";
    public static final String ADVERTISED_HOST_CONFIG = "advertised.host";
    private static final String ADVERTISED_HOST_DOC = "Host name or address departments reach the bus by: written into their client"
            + " files and the server certificate. Empty: listen.host (127.0.0.1 when that is 0.0.0.0).";
    public static final String TLS_CONFIG = "tls";
    private static final String TLS_DOC = "TLS for the department listeners (Kafka SASL_SSL, HTTPS registry and HTTP API): on, off,"
            + " or auto (on whenever listen.host is not a loopback address). off is refused on a non-loopback address.";
    public static final String TLS_CERT_FILE_CONFIG = "tls.cert.file";
    private static final String TLS_CERT_FILE_DOC = "PEM server certificate (and chain) to use instead of the bus's own"
            + " (<data.dir>/tls/, created on first start); needs tls.key.file and tls.ca.file.";
    public static final String TLS_KEY_FILE_CONFIG = "tls.key.file";
    private static final String TLS_KEY_FILE_DOC = "PEM private key (unencrypted PKCS#8) of tls.cert.file.";
    public static final String TLS_CA_FILE_CONFIG = "tls.ca.file";
    private static final String TLS_CA_FILE_DOC = "PEM certificates the departments are to trust (written into their client files).";
    public static final String KAFKA_PORT_CONFIG = "kafka.port";
    private static final String KAFKA_PORT_DOC = "Port of the Kafka client listener; 0 picks a free port.";
    public static final String REGISTRY_PORT_CONFIG = "registry.port";
    private static final String REGISTRY_PORT_DOC = "Port of the schema registry (Confluent-compatible REST API); 0 picks a free port.";
    public static final String HTTP_PORT_CONFIG = "http.port";
    private static final String HTTP_PORT_DOC = "Port of the bus's HTTP API (health, console); 0 picks a free port.";
    public static final String PARTITIONS_CONFIG = "partitions";
    private static final String PARTITIONS_DOC = "Partitions of the bus's partitioned topics.";

    public static final String KAFKA_BOOTSTRAP_SERVERS_CONFIG = "kafka.bootstrap.servers";
    public static final String TRANSPARENCY_IDP_JWKS_FILE_CONFIG = "transparency.idp.jwks.file";
    public static final String CONSOLE_IDLE_TIMEOUT_MS_CONFIG = "console.session.idle.timeout.ms";
    private static final String CONSOLE_IDLE_TIMEOUT_MS_DOC = "How long a web console session lasts without a request before the"
            + " person must sign in again (milliseconds).";
    private static final String TRANSPARENCY_IDP_JWKS_FILE_DOC = "JWK set file (JSON) of the city's identity provider's"
            + " public keys (ES256 P-256 or Ed25519); when set, the HTTP API answers GET "
            + "/api/v1/transparency/my-exchanges to a person with a token signed by one of them. Empty: the route is off.";
    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC = "host:port of an existing Kafka cluster to run the bus on"
            + " instead of starting the embedded broker (kafka.port is then unused); the bus's principal must exist there,"
            + " its credentials in <data.dir>/clients/bus.properties. Empty: start the embedded broker.";

    public static final String KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_CONFIG = "kafka.department.bootstrap.servers";
    private static final String KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_DOC = "On an existing cluster: host:port of the brokers'"
            + " SASL_SSL listener departments reach from their own machines, written into their client files. Empty: "
            + KAFKA_BOOTSTRAP_SERVERS_CONFIG + ".";
    public static final String KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG = "kafka.certificate.bootstrap.servers";
    private static final String KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_DOC = "On an existing cluster: host:port of the brokers'"
            + " SSL listener that requires a client certificate of the bus's CA (ssl.client.auth=required, subject"
            + " CN=<dept>,OU=departments mapped to User:<dept>), written into the client files 'dept add --cert' hands"
            + " over. Empty: none; the embedded broker's is kafka.port + 1.";

    public static final String KAFKA_SECURITY_PROTOCOL_CONFIG = "kafka.security.protocol";
    private static final String KAFKA_SECURITY_PROTOCOL_DOC = "How the bus's own Kafka clients (registry, streams apps,"
            + " administration) connect to the existing cluster of " + KAFKA_BOOTSTRAP_SERVERS_CONFIG + ": SASL_PLAINTEXT"
            + " (a listener on a private network) or SASL_SSL (a cluster whose listeners all speak TLS). Empty: as"
            + " <data.dir>/clients/bus.properties says ('databus init' writes the administrator's protocol there).";
    public static final String KAFKA_SSL_TRUSTSTORE_FILE_CONFIG = "kafka.ssl.truststore.file";
    private static final String KAFKA_SSL_TRUSTSTORE_FILE_DOC = "PEM file of the CA certificates the cluster's listener"
            + " certificates chain to, for the bus's own clients with " + "kafka.security.protocol=SASL_SSL (carried into"
            + " <data.dir>/clients/bus.properties). Empty: the TLS settings of that file, else the JVM's default trust.";

    public static final String SERVICE_RATE_LIMIT_CONFIG = "service.rate.limit.per.minute";
    private static final String SERVICE_RATE_LIMIT_DOC = "Answers per minute the service exchange (query, verify) gives"
            + " under one grant when its approval set no --rate-limit; kept per node, in memory.";
    public static final String SERVICE_DAILY_LIMIT_CONFIG = "service.daily.limit";
    private static final String SERVICE_DAILY_LIMIT_DOC = "Answers per calendar day (Asia/Shanghai) the service exchange"
            + " gives under one grant when its approval set no --daily-limit; kept per node, in memory.";

    public static final String TIER_DISTRICTS_CONFIG = "tier.districts";
    private static final String TIER_DISTRICTS_DOC = "On a city bus: the department ids that are district buses linked"
            + " to it ('databus tier link', docs/tiers.md), given to its router as router.tier.districts. Only on their"
            + " source topics is a record's databus.exchange-id header logged as the district's exchange id; on another"
            + " department's topic it is ignored, counted and logged.";
    public static final String QUALITY_CHECK_INTERVAL_MS_CONFIG = "quality.check.interval.ms";
    private static final String QUALITY_CHECK_INTERVAL_MS_DOC = "How often (wall-clock, milliseconds) the quality app the bus"
            + " runs evaluates every resource; passed to the app as its own quality.check.interval.ms (docs/quality.md).";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(DATA_DIR_CONFIG, Type.STRING, "data", new ConfigDef.NonEmptyString(), Importance.HIGH, DATA_DIR_DOC)
            .define(HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HOST_DOC)
            .define(ADVERTISED_HOST_CONFIG, Type.STRING, "", Importance.MEDIUM, ADVERTISED_HOST_DOC)
            .define(TLS_CONFIG, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "on", "off"), Importance.HIGH, TLS_DOC)
            .define(TLS_CERT_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, TLS_CERT_FILE_DOC)
            .define(TLS_KEY_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, TLS_KEY_FILE_DOC)
            .define(TLS_CA_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, TLS_CA_FILE_DOC)
            .define(KAFKA_PORT_CONFIG, Type.INT, 9092, Range.between(0, 65535), Importance.HIGH, KAFKA_PORT_DOC)
            .define(REGISTRY_PORT_CONFIG, Type.INT, 8081, Range.between(0, 65535), Importance.HIGH, REGISTRY_PORT_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH, HTTP_PORT_DOC)
            .define(PARTITIONS_CONFIG, Type.INT, 2, Range.between(1, 1000), Importance.LOW, PARTITIONS_DOC)
            .define(KAFKA_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_BOOTSTRAP_SERVERS_DOC)
            .define(KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_DOC)
            .define(KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_DOC)
            .define(KAFKA_SECURITY_PROTOCOL_CONFIG, Type.STRING, "", ConfigDef.ValidString.in("", "SASL_PLAINTEXT", "SASL_SSL"),
                    Importance.MEDIUM, KAFKA_SECURITY_PROTOCOL_DOC)
            .define(KAFKA_SSL_TRUSTSTORE_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, KAFKA_SSL_TRUSTSTORE_FILE_DOC)
            .define(SERVICE_RATE_LIMIT_CONFIG, Type.LONG, 60L, Range.atLeast(1), Importance.LOW, SERVICE_RATE_LIMIT_DOC)
            .define(SERVICE_DAILY_LIMIT_CONFIG, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW, SERVICE_DAILY_LIMIT_DOC)

            .define(TRANSPARENCY_IDP_JWKS_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM, TRANSPARENCY_IDP_JWKS_FILE_DOC)
            .define(CONSOLE_IDLE_TIMEOUT_MS_CONFIG, Type.LONG, 30 * 60 * 1000L, Range.atLeast(1000), Importance.LOW, CONSOLE_IDLE_TIMEOUT_MS_DOC)
            .define(TIER_DISTRICTS_CONFIG, Type.LIST, java.util.List.of(), Importance.MEDIUM, TIER_DISTRICTS_DOC)
            .define(QUALITY_CHECK_INTERVAL_MS_CONFIG, Type.LONG, 60_000L, Range.between(100L, 86_400_000L), Importance.LOW,
                    QUALITY_CHECK_INTERVAL_MS_DOC);

    public ServerConfig(Map<String, ?> props) {
        super(CONFIG, props, false);
        List<String> problems = new ArrayList<>();
        int kafka = getInt(KAFKA_PORT_CONFIG);
        int registry = getInt(REGISTRY_PORT_CONFIG);
        int http = getInt(HTTP_PORT_CONFIG);
        if (kafka != 0 && externalBootstrapServers().isEmpty() && (kafka == registry || kafka == http)) {
            problems.add(KAFKA_PORT_CONFIG + " " + kafka + " is also given to another listener");
        }
        if (registry != 0 && registry == http) {
            problems.add(REGISTRY_PORT_CONFIG + " and " + HTTP_PORT_CONFIG + " are both " + registry);
        }
        if ("off".equals(getString(TLS_CONFIG)) && !cn.tianfu.databus.tls.Certificates.isLoopback(host())) {
            problems.add(TLS_CONFIG + "=off is refused on " + HOST_CONFIG + " " + host() + ": passwords would cross the network"
                    + " in clear; plain listeners only on a loopback address");
        }
        long files = java.util.stream.Stream.of(TLS_CERT_FILE_CONFIG, TLS_KEY_FILE_CONFIG, TLS_CA_FILE_CONFIG)
                .filter(k -> !getString(k).isBlank()).count();
        if (files != 0 && files != 3) {
            problems.add(TLS_CERT_FILE_CONFIG + ", " + TLS_KEY_FILE_CONFIG + " and " + TLS_CA_FILE_CONFIG + " go together");
        }
        boolean external = externalBootstrapServers().isPresent();
        String protocol = getString(KAFKA_SECURITY_PROTOCOL_CONFIG);
        for (String key : List.of(KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_CONFIG, KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG)) {
            if (!external && !getString(key).isBlank()) {
                problems.add(key + " applies to an existing cluster only (" + KAFKA_BOOTSTRAP_SERVERS_CONFIG + ")");
            }
        }
        if (kafka != 0 && !external && tlsEnabled() && (kafka + 1 == registry || kafka + 1 == http)) {
            problems.add(KAFKA_PORT_CONFIG + " + 1 (" + (kafka + 1) + ", the certificate listener with TLS) is also given to another"
                    + " listener");
        }
        if (!external && !protocol.isEmpty()) {
            problems.add(KAFKA_SECURITY_PROTOCOL_CONFIG + " applies to an existing cluster only (" + KAFKA_BOOTSTRAP_SERVERS_CONFIG + ")");
        }
        if (!getString(KAFKA_SSL_TRUSTSTORE_FILE_CONFIG).isBlank() && !"SASL_SSL".equals(protocol)) {
            problems.add(KAFKA_SSL_TRUSTSTORE_FILE_CONFIG + " needs " + KAFKA_SECURITY_PROTOCOL_CONFIG + "=SASL_SSL");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid bus configuration: " + String.join("; ", problems));
        }
    }

    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public Path dataDir() {
        return Path.of(getString(DATA_DIR_CONFIG)).toAbsolutePath().normalize();
    }

    public String host() {
        return getString(HOST_CONFIG);
    }

    /** The name departments reach the bus by: {@value #ADVERTISED_HOST_CONFIG}, else the listen host (loopback for 0.0.0.0). */
    public String advertisedHost() {
        String a = getString(ADVERTISED_HOST_CONFIG);
        if (a != null && !a.isBlank()) {
            return a.trim();
        }
        return "0.0.0.0".equals(host()) || "::".equals(host()) ? "127.0.0.1" : host();
    }

    /** Whether the department listeners speak TLS: {@value #TLS_CONFIG} on, or auto on a non-loopback address. */
    public boolean tlsEnabled() {
        return switch (getString(TLS_CONFIG)) {
            case "on" -> true;
            case "off" -> false;
            default -> !cn.tianfu.databus.tls.Certificates.isLoopback(host());
        };
    }

    /** The PEM files {@value #TLS_CERT_FILE_CONFIG}, {@value #TLS_KEY_FILE_CONFIG}, {@value #TLS_CA_FILE_CONFIG}, if given. */
    public java.util.Optional<java.util.List<Path>> tlsFiles() {
        if (getString(TLS_CERT_FILE_CONFIG).isBlank()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(java.util.List.of(Path.of(getString(TLS_CERT_FILE_CONFIG)), Path.of(getString(TLS_KEY_FILE_CONFIG)),
                Path.of(getString(TLS_CA_FILE_CONFIG))));
    }

    public int kafkaPort() {
        return getInt(KAFKA_PORT_CONFIG);
    }

    public int registryPort() {
        return getInt(REGISTRY_PORT_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    /** The service exchange's limits of a grant that sets none: answers per minute and per day. */
    public cn.tianfu.databus.service.RateLimiter.Limits serviceLimits() {
        return new cn.tianfu.databus.service.RateLimiter.Limits(getLong(SERVICE_RATE_LIMIT_CONFIG),
                getLong(SERVICE_DAILY_LIMIT_CONFIG));
    }

    /** How long a console session lasts idle ({@value #CONSOLE_IDLE_TIMEOUT_MS_CONFIG}). */
    public java.time.Duration consoleIdleTimeout() {
        return java.time.Duration.ofMillis(getLong(CONSOLE_IDLE_TIMEOUT_MS_CONFIG));
    }

    /** The department ids that are district buses ({@value #TIER_DISTRICTS_CONFIG}). */
    public java.util.List<String> tierDistricts() {
        return getList(TIER_DISTRICTS_CONFIG);
    }

    /** How often the quality app evaluates every resource ({@value #QUALITY_CHECK_INTERVAL_MS_CONFIG}). */
    public java.time.Duration qualityCheckInterval() {
        return java.time.Duration.ofMillis(getLong(QUALITY_CHECK_INTERVAL_MS_CONFIG));
    }

    public int partitions() {
        return getInt(PARTITIONS_CONFIG);
    }

    /** On an existing cluster: the SASL_SSL listener departments reach, when set. */
    public java.util.Optional<String> departmentBootstrapServers() {
        String s = getString(KAFKA_DEPARTMENT_BOOTSTRAP_SERVERS_CONFIG);
        return s == null || s.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(s.trim());
    }

    /** On an existing cluster: the SSL listener departments reach with a client certificate, when set. */
    public java.util.Optional<String> certificateBootstrapServers() {
        String s = getString(KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG);
        return s == null || s.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(s.trim());
    }

    /** The identity provider's JWK set file, when the transparency route is on. */
    public java.util.Optional<Path> transparencyJwksFile() {
        String f = getString(TRANSPARENCY_IDP_JWKS_FILE_CONFIG);
        return f == null || f.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(f));
    }

    /** The security protocol of the bus's own clients on the existing cluster, when this config sets one. */
    public java.util.Optional<String> kafkaSecurityProtocol() {
        String protocol = getString(KAFKA_SECURITY_PROTOCOL_CONFIG);
        return protocol.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(protocol);
    }

    /** {@value #KAFKA_SSL_TRUSTSTORE_FILE_CONFIG}, if given. */
    public java.util.Optional<Path> kafkaTruststoreFile() {
        String f = getString(KAFKA_SSL_TRUSTSTORE_FILE_CONFIG);
        return f == null || f.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(f.trim()));
    }

    /** The existing cluster to run on ({@value #KAFKA_BOOTSTRAP_SERVERS_CONFIG}); empty: the embedded broker. */
    public java.util.Optional<String> externalBootstrapServers() {
        String servers = getString(KAFKA_BOOTSTRAP_SERVERS_CONFIG);
        return servers == null || servers.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(servers.trim());
    }
}
