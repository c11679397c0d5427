package cn.tianfu.databus.cli.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;

/** {@code databus demo --exit} as a user runs it, in its own JVM: twice on the same data dir. */
class DemoCommandIT {

    @TempDir
    Path dataDir;

    @Test
    void theDemoShowsEachSharingClassAndEndsWithAnIntactLogAndRunsAgainOnTheSameData() throws Exception {
        Path examples = Path.of("..", "examples", "resources").toAbsolutePath().normalize();

        List<String> first = runDemo(examples, dataDir.resolve("first.out"));
        assertThat(first).as(String.join("\n", first))
                .anyMatch(l -> l.contains("法人基础信息 [UNCONDITIONAL]: ACCEPTED") && l.contains("granted at once"))
                .anyMatch(l -> l.contains("人口基础信息 [CONDITIONAL]: PENDING") && l.contains("(10 working days)"))
                .anyMatch(l -> l.contains("婚姻登记信息 [NOT_SHARED]: REFUSED") && l.contains("不予共享"))
                .anyMatch(l -> l.matches(".*a delivered resident: \\{\"idNumber\": \"510104\\*{8}[0-9X]{4}\", \"name\": \"[^\"*]{1,2}\\*+\".*"))
                .anyMatch(l -> l.contains("received RETRACT"))
                .anyMatch(l -> l.contains("received DELETE"))
                // the service exchange: a query with a proof, a verification (one claim true, one false)
                .anyMatch(l -> l.contains("proof VALID: exchange"))
                .anyMatch(l -> l.matches(".*verify gender = [12]: TRUE, divisionCode = 510105: FALSE \\(no value disclosed\\); proof VALID.*"))
                // narrowing: every held record again, without the name
                .anyMatch(l -> l.matches(".*narrow \\S+ to fields \\[idNumber, gender, divisionCode, updatedAt\\]: ACCEPTED.*"))
                .anyMatch(l -> l.matches(".*received [1-9]\\d* records again \\(NARROWED\\), 0 of them with a name.*"))
                // revocation: every held record withdrawn with the reason, and the service refuses
                .anyMatch(l -> l.matches(".*received [1-9]\\d* RETRACT tombstones \\(REVOKED\\) for the [1-9]\\d* records it held.*"))
                .anyMatch(l -> l.contains("a query under the revoked grant: refused 403"))
                .anyMatch(l -> l.contains("OK: exchange log intact"))
                .anyMatch(l -> l.contains("Demo complete"))
                .noneMatch(l -> l.contains("!!"));
        // the saved proof checks offline with the bus's published key
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int verified = DatabusCli.run(new String[] {"proof", "verify", dataDir.resolve("data").resolve("demo-query-proof.jws").toString(),
                "--data-dir", dataDir.resolve("data").toString()}, new PrintWriter(out), new PrintWriter(err));
        assertThat(verified).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("VALID");

        // a second run on the same data dir reuses what exists instead of failing on it
        List<String> second = runDemo(examples, dataDir.resolve("second.out"));
        assertThat(second).as(String.join("\n", second))
                .anyMatch(l -> l.contains("is already in the catalog"))
                // the revoked grant's request is filed again, approved, served and revoked again
                .anyMatch(l -> l.contains("人口基础信息 [CONDITIONAL]: PENDING"))
                .anyMatch(l -> l.contains("a query under the revoked grant: refused 403"))
                .anyMatch(l -> l.contains("OK: exchange log intact"))
                .anyMatch(l -> l.contains("Demo complete"));
    }

    private List<String> runDemo(Path examples, Path output) throws Exception {
        List<String> cmd = new ArrayList<>(UpCommandIT.javaCommand("demo", "--exit", "--data-dir", dataDir.resolve("data").toString(),
                "--kafka-port", "0", "--registry-port", "0", "--http-port", "0", "--residents", "120", "--examples", examples.toString()));
        Process demo = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = demo.waitFor(8, TimeUnit.MINUTES);
        if (!finished) {
            demo.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(output);
        assertThat(finished).as("demo finished; output:\n" + String.join("\n", lines)).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:\n" + String.join("\n", lines)).isZero();
        return lines;
    }
}
