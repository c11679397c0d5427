package cn.tianfu.databus.server.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceClient;

/**
 * One {@link GovernanceClient} per department calling the HTTP API, connected with that department's own credentials
 * (the ones it authenticated with): its commands go to its own {@code cmd.<dept>} under its own Kafka principal, exactly
 * as the CLI sends them, so the broker's ACLs and governance's rules apply unchanged. A client is kept for the next
 * call and replaced when the department's password changes.
 */
final class DepartmentClients implements AutoCloseable {

    private record Entry(byte[] digest, GovernanceClient client) {
    }

    private final DatabusClientConfig bus;
    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final Map<String, Entry> clients = new HashMap<>();

    DepartmentClients(DatabusClientConfig bus, Duration connectTimeout, Duration replyTimeout) {
        this.bus = bus;
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
    }

    /** How long a command waits for governance's reply. */
    Duration replyTimeout() {
        return replyTimeout;
    }

    /**
     * The governance client acting as the caller of {@code credentials}.
     *
     * @throws cn.tianfu.databus.governance.client.GovernanceException when the caller has no command and reply topics
     *                                                                 (not a department) or the bus cannot be reached
     */
    synchronized GovernanceClient of(Authenticator.Basic credentials) {
        byte[] digest = digest(credentials.password());
        Entry entry = clients.get(credentials.username());
        if (entry != null && Arrays.equals(entry.digest(), digest)) {
            return entry.client();
        }
        if (entry != null) {
            entry.client().close();
            clients.remove(credentials.username());
        }
        GovernanceClient client = GovernanceClient.builder(configFor(credentials))
                .connectTimeout(connectTimeout).replyTimeout(replyTimeout).build();
        clients.put(credentials.username(), new Entry(digest, client));
        return client;
    }

    /** The bus's connection settings (brokers, registry, TLS) with the department's identity and credentials. */
    DatabusClientConfig configFor(Authenticator.Basic credentials) {
        Map<String, Object> props = new HashMap<>(bus.originals());
        props.put(DatabusClientConfig.DEPARTMENT_ID_CONFIG, credentials.username());
        props.put(DatabusClientConfig.SASL_USERNAME_CONFIG, credentials.username());
        props.put(DatabusClientConfig.SASL_PASSWORD_CONFIG, credentials.password());
        props.remove(cn.tianfu.databus.serde.AvroSerdeConfig.BASIC_AUTH_USER_INFO_CONFIG); // the registry too, as the department
        return DatabusClientConfig.fromMap(props);
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(e -> e.client().close());
        clients.clear();
    }
}
