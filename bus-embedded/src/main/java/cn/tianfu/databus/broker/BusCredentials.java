package cn.tianfu.databus.broker;

import cn.tianfu.databus.kafka.SaslLogin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.security.SecretFiles;

/**
 * The credentials of the bus's own principal, {@code User:bus}: a super user that runs the registry, the streams apps
 * and the administration. Generated on the first start of a data directory and kept in
 * {@code <data-dir>/clients/bus.properties} (mode 600), a complete client config that
 * {@link cn.tianfu.databus.client.DatabusClientConfig#load} reads once the runtime has added the registry's address.
 */
public record BusCredentials(String username, String password, String protocol, Map<String, String> ssl) {

    /** Over {@value #PROTOCOL}, no TLS settings: the embedded broker's loopback listener. */
    public BusCredentials(String username, String password) {
        this(username, password, PROTOCOL, Map.of());
    }

    /**
     * @param protocol the security protocol of the bus's own Kafka clients: {@value #PROTOCOL}, or {@code SASL_SSL} on a
     *                 cluster whose listeners all speak TLS
     * @param ssl      Kafka's client TLS settings ({@code ssl.truststore.type}, {@code ssl.truststore.certificates}, ...)
     */
    public BusCredentials {
        if (!PROTOCOL.equals(protocol) && !"SASL_SSL".equals(protocol)) {
            throw new IllegalArgumentException("the bus's Kafka clients speak " + PROTOCOL + " or SASL_SSL, not " + protocol);
        }
        ssl = Map.copyOf(ssl);
    }

    /** The bus's principal name ({@code User:bus}). */
    public static final String USERNAME = "bus";
    /** The SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The security protocol of the embedded broker's client listener, and the default of the bus's own clients. */
    public static final String PROTOCOL = "SASL_PLAINTEXT";
    /** Directory of client configs under the data directory. */
    public static final String CLIENTS_DIR = "clients";
    public static final String FILE_NAME = "bus.properties";

    @Override
    public String toString() {
        return "BusCredentials[" + username + "]";
    }

    /** {@code <dataDir>/clients/bus.properties}. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(CLIENTS_DIR).resolve(FILE_NAME);
    }

    /** The credentials kept in {@code dataDir}, generated (and written) when there are none yet. */
    static BusCredentials loadOrCreate(Path dataDir) {
        Path file = file(dataDir);
        if (Files.exists(file)) {
            String password = SecretFiles.read(file).getProperty("sasl.password");
            if (password != null && !password.isBlank()) {
                return new BusCredentials(USERNAME, password.trim());
            }
        }
        BusCredentials created = new BusCredentials(USERNAME, Passwords.generate());
        created.write(dataDir, null);
        return created;
    }

    /**
     * (Re)writes {@code <dataDir>/clients/bus.properties}: the Kafka connection, plus {@code extra} (registry URL, HTTP
     * URL, department id) when given, keeping what the file already had otherwise.
     */
    public Path write(Path dataDir, String bootstrapServers, Map<String, String> extra) {
        Path file = file(dataDir);
        Properties p = Files.exists(file) ? SecretFiles.read(file) : new Properties();
        if (bootstrapServers != null) {
            p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        p.setProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        // the TLS settings are these credentials' only: none left over from an earlier transport
        p.stringPropertyNames().stream().filter(k -> k.startsWith("ssl.")).forEach(p::remove);
        ssl.forEach(p::setProperty);
        p.setProperty(SaslConfigs.SASL_MECHANISM, MECHANISM);
        p.setProperty("sasl.username", username);
        p.setProperty("sasl.password", password);
        extra.forEach(p::setProperty);
        return SecretFiles.write(file, p, "The bus's own principal (User:" + username + ", a super user). Keep it secret.");
    }

    private void write(Path dataDir, String bootstrapServers) {
        write(dataDir, bootstrapServers, Map.of());
    }

    /** Kafka client properties authenticating as the bus on {@code bootstrapServers}. */
    public Map<String, Object> clientProperties(String bootstrapServers) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(securityProperties());
        return p;
    }

    /** Only the security properties (protocol, mechanism, JAAS config, TLS settings), for clients configured elsewhere. */
    public Map<String, Object> securityProperties() {
        Map<String, Object> p = new HashMap<>(ssl);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        p.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
        // a plain string: Kafka parses it into a Password (hidden in logs); some configs stringify their values
        p.put(SaslConfigs.SASL_JAAS_CONFIG, scramJaas(username, password));
        return p;
    }

    static String scramJaas(String username, String password) {
        return SaslLogin.jaas(MECHANISM, username, password).value();
    }
}
