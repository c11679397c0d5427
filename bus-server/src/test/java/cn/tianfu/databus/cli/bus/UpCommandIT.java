package cn.tianfu.databus.cli.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.server.BusEndpoints;
import picocli.CommandLine.ExitCode;

/** Runs {@code databus up} as a user would: a separate JVM, readiness line, /health, Ctrl-C (SIGTERM). */
class UpCommandIT {

    private static final Pattern READY = Pattern.compile(
            "databus ready in [0-9.]+ s: kafka (\\S+)  registry (\\S+)  http (\\S+)  data (\\S+)");

    @TempDir
    Path dataDir;

    @Test
    void upReportsReadinessServesHealthAndStopsCleanlyOnSigterm() throws Exception {
        Path output = dataDir.resolve("up.out");
        // a data directory others can read is closed at start, with a warning
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process bus = new ProcessBuilder(javaCommand("up", "--data-dir", dataDir.toString(),
                "--kafka-port", "0", "--registry-port", "0", "--http-port", "0"))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        List<String> out = new CopyOnWriteArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                out.clear();
                out.addAll(Files.readAllLines(output));
                return out.stream().anyMatch(l -> READY.matcher(l).find()) || !bus.isAlive();
            });
            String ready = out.stream().filter(l -> READY.matcher(l).find()).findFirst()
                    .orElseThrow(() -> new AssertionError("no readiness line; output: " + out));
            Matcher m = READY.matcher(ready);
            assertThat(m.find()).isTrue();
            String httpUrl = m.group(3);

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(httpUrl + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"broker\"").contains("\"registry\"")
                    .contains("\"sharing-router\":{\"state\":\"RUNNING\"").contains("\"governance\":{\"state\":\"RUNNING\"")
                    .contains("\"deadlines\":{\"state\":\"RUNNING\"").doesNotContain("\"ledger\"");

            // the endpoints are recorded for client commands, and the registry answers Confluent's API
            BusEndpoints endpoints = BusEndpoints.read(dataDir);
            assertThat(endpoints.bootstrapServers()).isEqualTo(m.group(1));
            assertThat(endpoints.registryUrl()).isEqualTo(m.group(2));
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoints.registryUrl() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).startsWith("{\"error_code\":401,\"message\":\"Unauthorized");
            // the bus's own client config, written at start with mode 600, is complete and authenticates
            Path busFile = dataDir.resolve("clients/bus.properties");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(busFile))).isEqualTo("rw-------");
            DatabusClientConfig busConfig = DatabusClientConfig.load(busFile);
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    busConfig.basicAuthUserInfo().orElseThrow().getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoints.registryUrl() + "/subjects")).header("Authorization", basic).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).contains("bus.departments-value");
            // the data directory and the broker's are the owner's only (docs/security.md)
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("kafka")))).isEqualTo("rwx------");
            assertThat(out).anyMatch(l -> l.contains("WARN") && l.contains("was readable by other users"));
            // the authority is a department with its own client config
            assertThat(DatabusClientConfig.load(dataDir.resolve("clients/authority.properties")).principal()).isEqualTo("authority");

            // Kafka's own logging goes to the data dir, not the console
            assertThat(dataDir.resolve("logs/databus.log")).exists();
            assertThat(Files.readString(dataDir.resolve("logs/databus.log"))).contains("KafkaRaftServer");
            assertThat(out).noneMatch(l -> l.contains("KafkaRaftServer") || l.contains(" INFO "));
        } finally {
            bus.destroy(); // SIGTERM, as Ctrl-C's shutdown path
            assertThat(bus.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        out.clear();
        out.addAll(Files.readAllLines(output));
        assertThat(out).as("output of databus up").anyMatch(l -> l.contains("Stopping the bus"));
    }

    @Test
    void atTheFirstHealthyAnswerTheReadyLineIsOutAndAClientCanConnectWithTheFilesTheBusWrote() throws Exception {
        int httpPort;
        try (var socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            httpPort = socket.getLocalPort();
        }
        Path output = dataDir.resolve("up.out");
        Process bus = new ProcessBuilder(javaCommand("up", "--data-dir", dataDir.toString(),
                "--kafka-port", "0", "--registry-port", "0", "--http-port", Integer.toString(httpPort)))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        // a second thread polls /health as a script would, and acts at its first 200
        var firstHealthy = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            await().atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> !bus.isAlive() || healthy(http, health));
            if (!bus.isAlive()) {
                return null;
            }
            try {
                List<String> seen = Files.readAllLines(output);
                boolean endpoints = Files.exists(dataDir.resolve(BusEndpoints.FILE_NAME));
                int exit = new picocli.CommandLine(new DatabusCli()).execute("dept", "add", "psb", "--name", "成都市公安局",
                        "--data-dir", dataDir.toString(), "--out", dataDir.resolve("psb-handover.properties").toString());
                return new FirstHealthy(seen.stream().anyMatch(l -> READY.matcher(l).find()), endpoints, exit);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            FirstHealthy at = firstHealthy.get(3, TimeUnit.MINUTES);
            assertThat(at).as("the bus became healthy before it ended; output: %s", Files.readAllLines(output)).isNotNull();
            assertThat(at.readyLinePrinted()).as("ready line printed at the first 200").isTrue();
            assertThat(at.endpointsWritten()).as("bus.properties written at the first 200").isTrue();
            assertThat(at.deptAddExit()).as("'dept add' at the first 200").isEqualTo(ExitCode.OK);
            assertThat(dataDir.resolve("psb-handover.properties")).content().contains("bootstrap.servers", "sasl.password");
        } finally {
            bus.destroy();
            assertThat(bus.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static boolean healthy(HttpClient http, HttpRequest health) throws InterruptedException {
        try {
            return http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false; // not listening yet
        }
    }

    private record FirstHealthy(boolean readyLinePrinted, boolean endpointsWritten, int deptAddExit) {
    }

    @Test
    void aSecondUpOnAUsedPortFailsWithOneClearLine() throws Exception {
        try (var socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Process bus = new ProcessBuilder(javaCommand("up", "--data-dir", dataDir.toString(),
                    "--kafka-port", Integer.toString(socket.getLocalPort()), "--registry-port", "0", "--http-port", "0"))
                    .redirectErrorStream(true).start();
            List<String> out = new CopyOnWriteArrayList<>();
            Thread reader = pump(bus, out);
            assertThat(bus.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
            assertThat(bus.exitValue()).isEqualTo(ExitCode.SOFTWARE);
            assertThat(out).anyMatch(l -> l.startsWith("databus up: port " + socket.getLocalPort()) && l.contains("already in use"));
            assertThat(out).noneMatch(l -> l.trim().startsWith("at "));
        }
    }

    static List<String> javaCommand(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                DatabusCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Thread pump(Process p, List<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.add(line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "process-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

}
