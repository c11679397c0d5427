package cn.tianfu.databus.cli.bus;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import cn.tianfu.databus.server.ServerConfig;
import picocli.CommandLine.Option;

/** Options shared by the commands that start a bus ({@code up}, {@code demo}). */
public final class BusOptions {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Directory for the bus's data; kept across restarts (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", paramLabel = "N", defaultValue = "9092", description = "Kafka listener port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", paramLabel = "N", defaultValue = "8081", description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8080", description = "HTTP API port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--listen", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address the Kafka listener, the registry and the HTTP API bind to; 0.0.0.0 for every interface"
                    + " (default: ${DEFAULT-VALUE}). A non-loopback address turns TLS on.")
    String listen;

    @Option(names = "--advertise", paramLabel = "HOST",
            description = "Host name or address departments reach the bus by (client files, server certificate); default: the listen address.")
    String advertise;

    @Option(names = "--tls", negatable = true,
            description = "TLS for departments: Kafka SASL_SSL, HTTPS registry and HTTP API (default: on unless --listen is"
                    + " a loopback address; --no-tls is refused on any other address).")
    Boolean tls;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM server certificate (and chain) instead of the bus's own CA-issued one.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (unencrypted PKCS#8) of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "PEM certificates departments are to trust (with --tls-cert).")
    Path tlsCa;

    public ServerConfig toConfig() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ServerConfig.DATA_DIR_CONFIG, dataDir.toString());
        p.put(ServerConfig.KAFKA_PORT_CONFIG, kafkaPort);
        p.put(ServerConfig.REGISTRY_PORT_CONFIG, registryPort);
        p.put(ServerConfig.HTTP_PORT_CONFIG, httpPort);
        p.put(ServerConfig.HOST_CONFIG, listen);
        if (advertise != null) {
            p.put(ServerConfig.ADVERTISED_HOST_CONFIG, advertise);
        }
        p.put(ServerConfig.TLS_CONFIG, tls == null ? "auto" : tls ? "on" : "off");
        if (tlsCert != null || tlsKey != null || tlsCa != null) {
            p.put(ServerConfig.TLS_CERT_FILE_CONFIG, tlsCert == null ? "" : tlsCert.toString());
            p.put(ServerConfig.TLS_KEY_FILE_CONFIG, tlsKey == null ? "" : tlsKey.toString());
            p.put(ServerConfig.TLS_CA_FILE_CONFIG, tlsCa == null ? "" : tlsCa.toString());
        }
        return new ServerConfig(p);
    }
}
