package cn.tianfu.databus.cli.bus;

import cn.tianfu.databus.cli.DatabusCli;
import picocli.CommandLine.ExitCode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.HttpApi;
import cn.tianfu.databus.streams.StreamsAppConfig;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * {@code databus run governance --config FILE} on the shared bus, as an operator runs one app as its own process: the
 * app answers a department's command, and stops cleanly when its thread is interrupted (as Ctrl-C closes it).
 */
class RunCommandIT {

    private static SharedBus bus;
    private static Path dataDir;
    private static HttpApi http;

    @BeforeAll
    static void setUp() throws IOException {
        bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-run-it-");
        http = HttpApi.start("127.0.0.1", 0, () -> new BusRuntime.Health(true, Map.of()), bus.authenticator(), bus.busConfig());
        new BusEndpoints(bus.bootstrapServers(), bus.registryUrl(), http.url()).write(dataDir);
        bus.writeBusClientConfig(dataDir, Optional.of(http.url()));
    }

    @AfterAll
    static void tearDown() {
        if (http != null) {
            http.close();
        }
        SharedBus.deleteRecursively(dataDir);
    }

    @Test
    void governance_runs_as_its_own_process_answers_and_stops_cleanly() throws Exception {
        String suffix = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String dept = "run" + suffix;
        StringWriter added = new StringWriter();
        StringWriter addErr = new StringWriter();
        int addExit = DatabusCli.run(new String[] {"dept", "add", dept, "--name", "运行测试", "--data-dir", dataDir.toString(),
                "--out", dataDir.resolve("clients").resolve(dept + ".properties").toString()},
                new PrintWriter(added), new PrintWriter(addErr));
        assertThat(addExit).as(addErr.toString()).isEqualTo(ExitCode.OK);

        Properties config = new Properties();
        bus.streamsAppConfig(Map.of(
                StreamsAppConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                StreamsAppConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                StreamsAppConfig.STATE_DIR_CONFIG, dataDir.resolve("governance").toString(),
                StreamsAppConfig.APPLICATION_ID_CONFIG, "run-it-" + suffix)).forEach((k, v) -> config.setProperty(k, v.toString()));
        Path file = dataDir.resolve("governance.properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            config.store(w, null);
        }

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread app = new Thread(() -> exit.set(DatabusCli.run(new String[] {"run", "governance", "--config", file.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true))), "run-governance");
        app.start();
        try {
            // the command waits on cmd.<dept> until governance has started; only governance answers it
            StringWriter answer = new StringWriter();
            StringWriter refusal = new StringWriter();
            int withdrawn = DatabusCli.run(new String[] {"withdraw", "R-10101-000001-0000000001", "--timeout", "120s",
                    "--data-dir", dataDir.toString(), "--as", dept}, new PrintWriter(answer), new PrintWriter(refusal));
            assertThat(withdrawn).as(answer + " / " + refusal).isEqualTo(ExitCode.SOFTWARE);
            assertThat(answer + " " + refusal).contains("NOT_FOUND: there is no request 'R-10101-000001-0000000001'");
        } finally {
            app.interrupt();
            app.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(app.isAlive()).isFalse();
        assertThat(exit.get()).as(err.toString()).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("Running governance").contains("governance stopped");
    }

    @Test
    void an_unknown_app_is_a_usage_error() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(new String[] {"run", "nosuch", "--config", dataDir.resolve("x.properties").toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertThat(exit).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("unknown app 'nosuch'").contains("governance, router, deadlines, quality").doesNotContain("ledger");
    }
}
