package cn.tianfu.databus.cli.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cli.DatabusCli;
import picocli.CommandLine.ExitCode;

class CdcCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return DatabusCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void checkListsEveryProblemOfTheMappingFileAndFails() throws Exception {
        Path mapping = dir.resolve("bad.yaml");
        Files.writeString(mapping, """
                department: psb
                runner: hukou
                database: {kind: sybase, host: db, database: hukou, user: cdc, password: pw}
                tables:
                  - table: resident
                    resource: 10101-000001
                """);
        int code = run("cdc", "check", mapping.toString(), "--data-dir", dir.toString());
        assertThat(code).isEqualTo(ExitCode.SOFTWARE);
        assertThat(out.toString()).contains(mapping + ":3: database.kind: kind 'sybase' is not supported")
                .contains(mapping + ":5: tables[0].table:").contains(":5: tables[0].key:").contains("3 problem(s)")
                .doesNotContain("pw}");
    }

    @Test
    void runWithoutARunningBusSaysHowToStartOne() throws Exception {
        Path mapping = dir.resolve("ok.yaml");
        Files.writeString(mapping, """
                department: psb
                runner: hukou
                database: {kind: postgres, host: localhost, database: hukou, user: cdc, password: pw}
                tables: [{table: public.resident, resource: 10101-000001, key: [id_number]}]
                """);
        int code = run("cdc", "run", mapping.toString(), "--data-dir", dir.resolve("nowhere").toString(), "--as", "psb");
        assertThat(code).isEqualTo(ExitCode.SOFTWARE);
        assertThat(err.toString()).contains("no running bus found").contains("databus up --data-dir");
    }

    @Test
    void configAndDataDirAreAlternatives() {
        int code = run("cdc", "check", "m.yaml", "--config", "a.properties", "--data-dir", "d");
        assertThat(code).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("mutually exclusive");
    }
}
