package cn.tianfu.databus.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.security.SecretFiles;

/**
 * The Kafka cluster a {@link BusRuntime} runs on, one optional part of it: the embedded broker it starts (and stops),
 * or an existing cluster ({@value ServerConfig#KAFKA_BOOTSTRAP_SERVERS_CONFIG}) where the bus's principal already
 * exists, its credentials in {@code <data-dir>/clients/bus.properties}.
 */
interface BusKafka extends AutoCloseable {

    /** Where the bus's own services connect (with TLS on the embedded broker: its loopback listener). */
    String bootstrapServers();

    /** Where departments connect. */
    default String externalBootstrapServers() {
        return bootstrapServers();
    }

    /** Where departments connect with a client certificate (an SSL listener requiring one), if the cluster has one. */
    default Optional<String> certificateBootstrapServers() {
        return Optional.empty();
    }

    /** The bus's own principal, which every service of the runtime authenticates as. */
    BusCredentials credentials();

    /** Kafka client properties of the bus's principal. */
    default Map<String, Object> clientProperties() {
        return credentials().clientProperties(bootstrapServers());
    }

    /** A fatal error of the cluster seen from this process (only the embedded broker can report one). */
    Optional<String> fatalError();

    @Override
    void close();

    /** The cluster {@code config} says: the existing one it names, else an embedded broker, started now. */
    static BusKafka of(ServerConfig config) {
        return of(config, null);
    }

    /** As {@link #of(ServerConfig)}; an embedded broker started with {@code tls} has a SASL_SSL listener for departments. */
    static BusKafka of(ServerConfig config, cn.tianfu.databus.tls.ServerTls tls) {
        return config.externalBootstrapServers().isPresent()
                ? departments(external(config.externalBootstrapServers().get(), config.dataDir(), config.kafkaSecurityProtocol(),
                        config.kafkaTruststoreFile()), config.departmentBootstrapServers(), config.certificateBootstrapServers())
                : embedded(config, tls);
    }

    /** {@code cluster}, departments reaching it at the listeners given (where set) instead of the bus's own. */
    private static BusKafka departments(BusKafka cluster, Optional<String> saslSsl, Optional<String> certificate) {
        return new BusKafka() {
            @Override
            public String bootstrapServers() {
                return cluster.bootstrapServers();
            }

            @Override
            public String externalBootstrapServers() {
                return saslSsl.orElseGet(cluster::externalBootstrapServers);
            }

            @Override
            public Optional<String> certificateBootstrapServers() {
                return certificate;
            }

            @Override
            public BusCredentials credentials() {
                return cluster.credentials();
            }

            @Override
            public Optional<String> fatalError() {
                return cluster.fatalError();
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }

    /** Starts the in-JVM broker of {@code config} (secured, its data under the data directory). */
    static BusKafka embedded(ServerConfig config) {
        return embedded(config, null);
    }

    /** As {@link #embedded(ServerConfig)}, with a SASL_SSL listener for departments when {@code tls} is given. */
    static BusKafka embedded(ServerConfig config, cn.tianfu.databus.tls.ServerTls tls) {
        EmbeddedBroker broker = EmbeddedBroker.start(new BrokerConfig(Map.of(
                BrokerConfig.DATA_DIR_CONFIG, config.dataDir().toString(),
                BrokerConfig.HOST_CONFIG, config.host(),
                BrokerConfig.ADVERTISED_HOST_CONFIG, config.advertisedHost(),
                BrokerConfig.PORT_CONFIG, config.kafkaPort(),
                BrokerConfig.PARTITIONS_CONFIG, config.partitions())), tls);
        BusCredentials credentials = broker.credentials().orElseThrow();
        return new BusKafka() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            public String externalBootstrapServers() {
                return broker.externalBootstrapServers();
            }

            @Override
            public Optional<String> certificateBootstrapServers() {
                return broker.certificateBootstrapServers();
            }

            @Override
            public BusCredentials credentials() {
                return credentials;
            }

            @Override
            public Optional<String> fatalError() {
                return EmbeddedBroker.fatalError();
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    /**
     * An existing cluster at {@code bootstrapServers}; the bus's principal is read from
     * {@code <dataDir>/clients/bus.properties} ({@code sasl.username}, {@code sasl.password}).
     *
     * @throws DatabusException when that file is missing or has no credentials
     */
    static BusKafka external(String bootstrapServers, Path dataDir) {
        return external(bootstrapServers, dataDir, Optional.empty(), Optional.empty());
    }

    /**
     * As {@link #external(String, Path)}; the bus's clients speak {@code protocol} (else as the file says) and trust the
     * PEM certificates of {@code truststore} (else the file's TLS settings).
     */
    static BusKafka external(String bootstrapServers, Path dataDir, Optional<String> protocol, Optional<Path> truststore) {
        Path file = BusCredentials.file(dataDir);
        if (!Files.exists(file)) {
            throw new DatabusException("running on the cluster at " + bootstrapServers + " needs the bus principal's"
                    + " credentials in " + file + " (sasl.username, sasl.password)");
        }
        var p = SecretFiles.read(file);
        String user = p.getProperty("sasl.username", "").trim();
        String password = p.getProperty("sasl.password", "").trim();
        if (user.isEmpty() || password.isEmpty()) {
            throw new DatabusException(file + " has no sasl.username and sasl.password for the bus principal");
        }
        Map<String, String> ssl = new java.util.HashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("ssl.")).forEach(k -> ssl.put(k, p.getProperty(k)));
        if (truststore.isPresent()) {
            ssl.keySet().removeIf(k -> k.startsWith("ssl.truststore."));
            try {
                ssl.put("ssl.truststore.type", "PEM");
                ssl.put("ssl.truststore.certificates", Files.readString(truststore.get()).strip());
            } catch (java.io.IOException e) {
                throw new DatabusException("cannot read the cluster's CA certificates " + truststore.get() + ": " + e.getMessage(), e);
            }
        }
        String transport = protocol.orElse(p.getProperty("security.protocol", BusCredentials.PROTOCOL).trim());
        BusCredentials credentials;
        try {
            credentials = new BusCredentials(user, password, transport, "SASL_SSL".equals(transport) ? ssl : Map.of());
        } catch (IllegalArgumentException e) {
            throw new DatabusException(file + ": " + e.getMessage(), e);
        }
        return new BusKafka() {
            @Override
            public String bootstrapServers() {
                return bootstrapServers;
            }

            @Override
            public BusCredentials credentials() {
                return credentials;
            }

            @Override
            public Optional<String> fatalError() {
                return Optional.empty();
            }

            @Override
            public void close() {
                // not ours to stop
            }
        };
    }
}
