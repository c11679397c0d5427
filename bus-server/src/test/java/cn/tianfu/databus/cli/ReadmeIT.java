package cn.tianfu.databus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's commands, as written: every line of its {@code ```bash} blocks runs, in README order, as its own process
 * of the built distribution ({@code ./databus ...}, the real launcher) in a working directory laid out like the
 * project's root (the launcher and {@code examples/}), and must end with exit code 0 and print its key line. The bus
 * is started the README's way ({@code ./databus up}) and the commands after it run against it.
 *
 * <p>Three lines get more than the README says, and why: {@code ./databus demo} runs with {@code --exit} (documented, for
 * scripts) so it ends; {@code ./databus demo} and {@code ./databus up} pick free ports with the documented
 * {@code --kafka-port 0 --registry-port 0 --http-port 0}, so the test does not clash with a bus on the default ports;
 * {@code mvn -B verify} is not run: it is the build this test is part of. Every process gets
 * {@code DATABUS_NO_BUILD=1}, so the launcher runs the distribution this build made instead of checking the sources.
 */
class ReadmeIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String FREE_PORTS = " --kafka-port 0 --registry-port 0 --http-port 0";
    private static final Pattern READY = Pattern.compile("databus ready in [0-9.]+ s: kafka \\S+  registry \\S+  http \\S+  data ");

    /** The line each README command must print, by the start of the command; a new command needs its line here. */
    private static final Map<String, Pattern> KEY_LINES = new LinkedHashMap<>();

    static {
        KEY_LINES.put("./databus demo", Pattern.compile("^Demo complete"));
        KEY_LINES.put("mvn -B verify", null);
        KEY_LINES.put("./databus up", READY);
        KEY_LINES.put("./databus dept add psb ", Pattern.compile("^Added department psb \\(成都市公安局\\): principal User:psb"));
        KEY_LINES.put("./databus dept add hrss ", Pattern.compile("^Added department hrss \\(成都市人力资源和社会保障局\\)"));
        KEY_LINES.put("./databus catalog register examples/resources/psb-population.yaml ",
                Pattern.compile("^ACCEPTED: registered resource 10101-000001 \\(人口基础信息\\)"));
        KEY_LINES.put("./databus request 10101-000001 ", Pattern.compile("^The provider must decide by \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d"));
        KEY_LINES.put("./databus decide 10101-000001.R1 --approve ",
                Pattern.compile("^ACCEPTED: approved request 10101-000001.R1 of hrss: grant 10101-000001.G1 is active"));
        KEY_LINES.put("./databus grants --mine ",
                Pattern.compile("^10101-000001.G1 +10101-000001 +hrss +psb +ACTIVE .*idNumber,name,divisionCode +divisionCode == \"510104\""));
        KEY_LINES.put("./databus calendar list ", Pattern.compile("2026 +.*OFFICIAL"));
        KEY_LINES.put("./databus calendar due --from 2026-12-20 --days 10 ",
                Pattern.compile("^due 2027-01-04, provisional calendar for 2027$"));
        KEY_LINES.put("./databus audit verify ", Pattern.compile("^OK: exchange log intact"));
        KEY_LINES.put("./databus deadletters ", Pattern.compile("^\\d+ dead letter\\(s\\)"));
    }

    @TempDir
    Path work;

    @Test
    void everyCommandOfTheReadmeRunsAsWrittenInReadmeOrder() throws Exception {
        List<String> commands = commands(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8));
        assertThat(commands).as("the README's commands").contains("./databus demo", "./databus up");
        commands.forEach(ReadmeIT::keyLine); // before minutes of running: every command has its key line

        Path demoDir = projectLayout(work.resolve("demo"));
        Path busDir = projectLayout(work.resolve("bus"));
        Process bus = null;
        try {
            int n = 0;
            for (String command : commands) {
                n++;
                Pattern key = keyLine(command);
                if (command.equals("mvn -B verify")) {
                    continue; // the build this test runs in
                }
                if (command.equals("./databus demo")) {
                    Run run = run(demoDir, command + " --exit" + FREE_PORTS, n, Duration.ofMinutes(6));
                    run.assertOk(command, key);
                    assertThat(run.output()).as(run.describe(command)).anyMatch(l -> l.contains("OK: exchange log intact"));
                } else if (command.equals("./databus up")) {
                    Path output = busDir.resolve("out-" + n + ".txt");
                    bus = process(busDir, "exec " + command + FREE_PORTS, output).start(); // the bus is the process
                    Process started = bus;
                    await().atMost(Duration.ofMinutes(4)).until(() -> !started.isAlive()
                            || Files.readAllLines(output).stream().anyMatch(l -> READY.matcher(l).find()));
                    assertThat(bus.isAlive()).as("%s is running; output:%n%s", command, Files.readString(output)).isTrue();
                } else {
                    assertThat(bus).as("the README starts the bus before '%s'", command).isNotNull();
                    run(busDir, command, n, Duration.ofMinutes(2)).assertOk(command, key);
                }
            }
        } finally {
            if (bus != null) {
                bus.destroy(); // Ctrl-C's shutdown path
                if (!bus.waitFor(60, TimeUnit.SECONDS)) {
                    bus.descendants().forEach(ProcessHandle::destroyForcibly);
                    bus.destroyForcibly();
                }
            }
        }
    }

    /** The lines of the README's {@code ```bash} blocks, without comments, in order. */
    static List<String> commands(String readme) {
        List<String> out = new ArrayList<>();
        Matcher blocks = Pattern.compile("(?ms)^```bash\\n(.*?)^```").matcher(readme);
        while (blocks.find()) {
            for (String line : blocks.group(1).split("\\n")) {
                String command = line.replaceFirst("\\s+#\\s.*$", "").strip();
                if (!command.isEmpty() && !command.startsWith("#")) {
                    out.add(command);
                }
            }
        }
        return out;
    }

    private static Pattern keyLine(String command) {
        for (Map.Entry<String, Pattern> e : KEY_LINES.entrySet()) {
            if (command.equals(e.getKey().strip()) || command.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        throw new AssertionError("the README documents '" + command + "', which this test does not know: add the key line"
                + " of its output to ReadmeIT.KEY_LINES");
    }

    /** A working directory like the project's root: {@code ./databus} (the real launcher) and {@code examples/}. */
    private static Path projectLayout(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path launcher = dir.resolve("databus");
        Files.writeString(launcher, "#!/usr/bin/env bash\nexec '" + ROOT.resolve("databus") + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(dir.resolve("examples"), ROOT.resolve("examples"));
        return dir;
    }

    /** {@code commandLine} run by bash from a UTF-8 script file (its Chinese arguments never pass through this JVM's argv). */
    private static ProcessBuilder process(Path dir, String commandLine, Path output) throws IOException {
        Path script = Files.createTempFile(dir, "command-", ".sh");
        Files.writeString(script, commandLine + "\n", StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("DATABUS_NO_BUILD", "1");
        if (System.getenv("LANG") == null && System.getenv("LC_ALL") == null) {
            pb.environment().put("LC_ALL", "C.UTF-8"); // a terminal that shows the departments' Chinese names
        }
        return pb;
    }

    private static Run run(Path dir, String commandLine, int n, Duration timeout) throws Exception {
        Path output = dir.resolve("out-" + n + ".txt");
        Process p = process(dir, commandLine, output).start();
        boolean ended = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Run(ended ? p.exitValue() : -1, Files.readAllLines(output));
    }

    private record Run(int exit, List<String> output) {

        String describe(String command) {
            return "'" + command + "' (exit " + exit + "):\n" + String.join("\n", output);
        }

        void assertOk(String command, Pattern key) {
            assertThat(exit).as(describe(command)).isZero();
            assertThat(output).as("key line %s of %s", key, describe(command)).anyMatch(l -> key.matcher(l).find());
        }
    }
}
