package cn.tianfu.databus.cli.tier;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.tiers.TierConfig;
import cn.tianfu.databus.tiers.TierLink;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus tier link}: the district-to-city link, in the foreground until Ctrl-C. */
@Command(name = "link", mixinStandardHelpOptions = true,
        header = "Link a district bus to the city bus until Ctrl-C: register its resources shared upward on the city"
                + " catalog, copy their records there with MirrorMaker 2, copy the city's grants on them back.")
public final class TierLinkCommand implements Callable<Integer> {

    @Option(names = "--district", required = true, paramLabel = "FILE",
            description = "The district bus principal's client file (<district data-dir>/clients/bus.properties).")
    Path district;

    @Option(names = "--city", required = true, paramLabel = "FILE",
            description = "The city bus principal's client file (<city data-dir>/clients/bus.properties).")
    Path city;

    @Option(names = "--name", required = true, paramLabel = "DISTRICT",
            description = "The district's department id on the city bus, e.g. jinjiang.")
    String name;

    @Option(names = "--config", paramLabel = "FILE", description = "TierConfig keys (tier.city.department, tier.sync.interval.seconds, mm2.* ...).")
    Path config;

    @Option(names = "--progress-seconds", paramLabel = "N", defaultValue = "30",
            description = "How often the link's state is printed (default: ${DEFAULT-VALUE}).")
    int progressSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        TierLink link = TierLink.start(DatabusClientConfig.load(district), DatabusClientConfig.load(city), name,
                new TierConfig(properties(config)));
        out.println("Linking district " + name + " to the city bus: " + link.lastRound().describe());
        out.println("Ctrl-C stops.");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping the tier link ...");
            out.flush();
            link.close();
            stopped.countDown();
        }, "databus-tier-shutdown"));
        while (!stopped.await(progressSeconds, TimeUnit.SECONDS)) {
            out.println(java.time.LocalTime.now().withNano(0) + " " + link.lastRound().describe() + "; "
                    + String.join("; ", link.states()));
            out.flush();
        }
        return ExitCode.OK;
    }

    private static Map<String, Object> properties(Path file) {
        Map<String, Object> m = new HashMap<>();
        if (file == null) {
            return m;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }
}
