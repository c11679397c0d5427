package cn.tianfu.databus.cli.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.time.OffsetDateTime;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.cli.DatabusCli;
import cn.tianfu.databus.schemas.CalendarKind;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.testkit.SharedBus;
import picocli.CommandLine.ExitCode;

/**
 * {@code databus calendar load|list|show|due} against the shared bus, as the bus (its data directory), with the CLI's
 * clock pinned at 2026-12-20. The loaded year is an invented 2031 notice, so no other test's year changes.
 */
class CalendarCommandsIT {

    private static final InstantSource CLOCK = InstantSource.fixed(OffsetDateTime.parse("2026-12-20T10:00:00+08:00").toInstant());

    private static Path dataDir;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void busDataDir() throws IOException {
        SharedBus bus = SharedBus.get();
        dataDir = Files.createTempDirectory("databus-calendar-it-");
        bus.writeBusClientConfig(dataDir, Optional.empty());
    }

    @AfterAll
    static void cleanUp() {
        SharedBus.deleteRecursively(dataDir);
    }

    private static Run run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(all, new PrintWriter(out), new PrintWriter(err), CLOCK);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theBundledYearsSeedTheTopicOnceAndASeedNeverOverwrites() {
        try (Calendars calendars = Calendars.connect(SharedBus.get().busConfig(), java.time.Duration.ofSeconds(30))) {
            Instant first = CLOCK.instant();
            calendars.seed(WorkingDayCalendar.bundled(), first);
            HolidayCalendar seeded = calendars.find("CN", 2026).orElseThrow();

            List<Integer> again = calendars.seed(WorkingDayCalendar.bundled(), first.plusSeconds(3600));

            assertThat(again).isEmpty();
            assertThat(calendars.find("CN", 2026).orElseThrow().getLoadedAt()).isEqualTo(seeded.getLoadedAt());
            assertThat(seeded.getKind()).isEqualTo(CalendarKind.OFFICIAL);
            assertThat(seeded.getSource()).isEqualTo("calendar/cn-2026.cal");
            assertThat(seeded.getDaysOff()).hasSize(33);
            assertThat(seeded.getMakeUpDays()).hasSize(6);
        }
    }

    @Test
    void dueOverTheProvisional2027SaysSo() throws IOException {
        Run due = run("calendar", "due", "--from", "2026-12-20", "--days", "10");
        Run today = run("calendar", "due", "--days", "10", "--json");
        Run worked = run("calendar", "due", "--from", "2026-09-18", "--days", "10");

        assertThat(due.exit()).as(due.err()).isZero();
        assertThat(due.out().strip()).isEqualTo("due 2027-01-04, provisional calendar for 2027");
        JsonNode json = new ObjectMapper().readTree(today.out());
        assertThat(json.get("from").asText()).isEqualTo("2026-12-20");   // the pinned clock's date
        assertThat(json.get("due").asText()).isEqualTo("2027-01-04");
        assertThat(json.get("provisional").asBoolean()).isTrue();
        assertThat(json.get("provisionalYears").get(0).asInt()).isEqualTo(2027);
        assertThat(worked.out().strip()).isEqualTo("due 2026-10-09");
    }

    @Test
    void loadingAnOfficialYearReplacesTheProvisionalOneAndIsRecorded(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        // Fri 2030-12-20 + 9 working days: 12-23..27, 30, 31 (7), then 2031
        Run before = run("calendar", "due", "--from", "2030-12-20", "--days", "9");
        Path file = dir.resolve("cn-2031.cal");
        Files.writeString(file, """
                # invented for the test
                year 2031
                2031-01-01..2031-01-02  off   元旦
                2031-01-04              work  调休上班
                """);

        Run load = run("calendar", "load", file.toString(), "--notice", "test notice 2031");
        Run again = run("calendar", "load", file.toString());
        Run after = run("calendar", "due", "--from", "2030-12-20", "--days", "9");
        Run list = run("calendar", "list", "--json");
        Run show = run("calendar", "show", "2031");
        Run provisional = run("calendar", "show", "2032");

        // provisional 2031: only 01-01 off, so 01-02 (8), 01-03 (9)
        assertThat(before.out().strip()).isEqualTo("due 2031-01-03, provisional calendar for 2030 and 2031");
        assertThat(load.exit()).as(load.err()).isZero();
        assertThat(load.out()).contains("Loaded CN 2031 OFFICIAL from cn-2031.cal (test notice 2031)", "replaces the PROVISIONAL calendar");
        assertThat(again.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(again.err()).contains("already has an official calendar", "--replace");
        // official 2031: 01-01..02 off, 01-03 (8), Saturday 01-04 worked (9)
        assertThat(after.out().strip()).isEqualTo("due 2031-01-04, provisional calendar for 2030");
        JsonNode rows = new ObjectMapper().readTree(list.out());
        JsonNode y2031 = null;
        JsonNode y2027 = null;
        for (JsonNode r : rows) {
            if (r.get("year").asInt() == 2031) {
                y2031 = r;
            } else if (r.get("year").asInt() == 2027) {
                y2027 = r;
            }
        }
        assertThat(y2031).isNotNull();
        assertThat(y2031.get("kind").asText()).isEqualTo("OFFICIAL");
        assertThat(y2031.get("note").asText()).isEqualTo("replaces PROVISIONAL");
        assertThat(y2027).isNotNull();
        assertThat(y2027.get("kind").asText()).isEqualTo("PROVISIONAL");
        assertThat(show.out()).contains("CN 2031: OFFICIAL", "2031-01-04", "调休上班", "replaced");
        assertThat(provisional.out()).contains("CN 2032: PROVISIONAL", "春节");
    }
}
