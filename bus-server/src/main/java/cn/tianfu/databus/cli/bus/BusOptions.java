package cn.tianfu.databus.cli.bus;

import java.nio.file.Path;
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

    public ServerConfig toConfig() {
        return new ServerConfig(Map.of(
                ServerConfig.DATA_DIR_CONFIG, dataDir.toString(),
                ServerConfig.KAFKA_PORT_CONFIG, kafkaPort,
                ServerConfig.REGISTRY_PORT_CONFIG, registryPort,
                ServerConfig.HTTP_PORT_CONFIG, httpPort));
    }
}
