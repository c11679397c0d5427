package cn.tianfu.databus.cli.bus;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus serve}: one bus node on an existing Kafka cluster ({@code kafka.bootstrap.servers} in its config,
 * prepared by {@code databus init}): the schema registry, the streams apps and the HTTP API, no embedded broker.
 * Several nodes on the same cluster share the streams apps' tasks (Kafka Streams balances them).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Run a bus node on an existing Kafka cluster (registry, streams apps, HTTP API), until Ctrl-C.")
public final class ServeCommand extends ClockedCommand {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The node's config: kafka.bootstrap.servers, data.dir, listen.host, advertised.host, ports, tls ...")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return serve(load(config), clock(), spec);
    }

    /**
     * Runs a bus node with {@code server} until the JVM is asked to stop (Ctrl-C), as {@code serve} does; also the
     * last step of {@code dr promote --serve}.
     */
    public static int serve(ServerConfig server, java.time.InstantSource clock, CommandSpec spec) throws InterruptedException {
        LogSetup.toDataDir(server.dataDir());
        BusRuntime runtime = BusRuntime.start(server, clock, started -> UpCommand.printReady(spec, started));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            spec.commandLine().getOut().println("Stopping the bus node ...");
            spec.commandLine().getOut().flush();
            runtime.close();
            stopped.countDown();
        }, "databus-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }

    /** The node's {@link ServerConfig} from {@code file}; it must name the cluster. */
    public static ServerConfig load(Path file) {
        Properties p = InitCommand.read(file);
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).trim()));
        ServerConfig config = new ServerConfig(map);
        if (config.externalBootstrapServers().isEmpty()) {
            throw new DatabusException(file + " has no " + ServerConfig.KAFKA_BOOTSTRAP_SERVERS_CONFIG
                    + ": 'serve' runs on an existing cluster ('databus up' starts its own broker)");
        }
        return config;
    }
}
