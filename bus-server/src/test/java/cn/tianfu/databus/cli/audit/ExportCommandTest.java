package cn.tianfu.databus.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.admin.AuditArchive;
import cn.tianfu.databus.cli.DatabusCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ExitCode;

class ExportCommandTest {

    private static AuditArchive.Range range(String... args) {
        ExportCommand command = new ExportCommand();
        new CommandLine(command).parseArgs(args);
        return command.range();
    }

    @Test
    void withoutBoundsTheWholeLogIsExported() {
        assertThat(range("--to", "log.zip")).isEqualTo(AuditArchive.Range.ALL);
        assertThat(range("--to", "log.zip").whole()).isTrue();
    }

    @Test
    void datesAreWholeDaysInShanghaiTime() {
        AuditArchive.Range r = range("--to", "log.zip", "--from", "2025-01-01", "--until", "2025-03-31");
        assertThat(r.from()).isEqualTo(Instant.parse("2024-12-31T16:00:00Z"));
        assertThat(r.until()).isEqualTo(Instant.parse("2025-03-31T15:59:59.999Z"));
    }

    @Test
    void anotherZoneShiftsTheDays() {
        AuditArchive.Range r = range("--to", "log.zip", "--from", "2025-01-01", "--zone", "UTC");
        assertThat(r.from()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(r.until()).isNull();
    }

    @Test
    void instantsAreTakenAsGiven() {
        AuditArchive.Range r = range("--to", "log.zip", "--from", "2025-01-01T08:30:00Z",
                "--until", "2025-01-02T08:30:00.250Z");
        assertThat(r.from()).isEqualTo(Instant.parse("2025-01-01T08:30:00Z"));
        assertThat(r.until()).isEqualTo(Instant.parse("2025-01-02T08:30:00.250Z"));
    }

    @Test
    void aBoundThatIsNeitherIsRejectedWithTheFormats() {
        assertThatThrownBy(() -> range("--to", "log.zip", "--from", "01/02/2025"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'01/02/2025'").hasMessageContaining("yyyy-MM-dd");
    }

    @Test
    void anEndBeforeTheStartIsRejected() {
        assertThatThrownBy(() -> range("--to", "log.zip", "--from", "2025-02-01", "--until", "2025-01-31"))
                .isInstanceOf(DatabusException.class).hasMessageContaining("before it starts");
    }

    @Test
    void theCommandLineReportsABadBoundWithoutAStackTrace() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DatabusCli.run(new String[] {"audit", "export", "--to", "log.zip", "--until", "soon",
                "--public-key", "missing.pem"}, new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCode.SOFTWARE);
        assertThat(err.toString()).contains("'soon' is neither a date").doesNotContain("at cn.tianfu");
    }
}
