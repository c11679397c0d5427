package cn.tianfu.databus.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.cdc.CdcMapping.DatabaseKind;
import cn.tianfu.databus.cdc.CdcMapping.FieldType;
import cn.tianfu.databus.cdc.CdcMapping.UnmappedColumns;
import cn.tianfu.databus.config.FileProblemsException.Problem;

class CdcMappingTest {

    @TempDir
    Path dir;

    @Test
    void readsTheExampleMappingsWithTheirDefaults() throws Exception {
        Path secret = dir.resolve("pw");
        Files.writeString(secret, "s3cret\n");
        String yaml = Files.readString(Path.of("../examples/cdc/psb-population-postgres.yaml"))
                .replace("${env:PSB_CDC_PASSWORD}", "${file:" + secret + "}");
        CdcMapping m = CdcMapping.parse(yaml, "psb.yaml");
        assertThat(m.department()).isEqualTo("psb");
        assertThat(m.database().kind()).isEqualTo(DatabaseKind.POSTGRES);
        assertThat(m.database().password().reveal()).isEqualTo("s3cret");
        assertThat(m.database().password().toString()).doesNotContain("s3cret");
        assertThat(m.database().slot()).isEqualTo("databus_" + m.runner().replace('-', '_'));
        assertThat(m.timeZone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
        CdcMapping.TableMapping t = m.tables().get(0);
        assertThat(t.resource()).isEqualTo("10101-000001");
        assertThat(t.keyColumns()).containsExactly("id_number");
        assertThat(t.unmappedColumns()).isEqualTo(UnmappedColumns.FAIL);
        assertThat(t.columns().get("birth_date").type()).isEqualTo(Optional.of(FieldType.DATE));

        CdcMapping amr = CdcMapping.parse(Files.readString(Path.of("../examples/cdc/amr-legal-entity-mariadb.yaml"))
                .replace("${env:AMR_CDC_PASSWORD}", "pw"), "amr.yaml");
        assertThat(amr.database().kind()).isEqualTo(DatabaseKind.MARIADB);
        assertThat(amr.database().port()).isEqualTo(3306);
    }

    @Test
    void listsEveryProblemWithItsLineAndNeverThePassword() {
        String yaml = """
                department: PSB
                runner: x
                database:
                  kind: oracle
                  host: db
                  port: 99999
                  database: hukou
                  user: cdc
                  password: hunter2-literal
                  colour: blue
                tables:
                  - table: resident
                    resource: 10101-000001
                    columns:
                      id_number: idNumber
                      birth_date: {field: birthDate, type: datetime}
                      full_name: idNumber
                    exclude: [id_number]
                  - table: public.resident
                    resource: "bad code"
                    key: [id]
                    unmappedColumns: sometimes
                """;
        assertThatThrownBy(() -> CdcMapping.parse(yaml, "m.yaml")).isInstanceOfSatisfying(CdcMappingException.class, e -> {
            assertThat(e.problems()).extracting(Problem::line, Problem::path).contains(
                    org.assertj.core.groups.Tuple.tuple(1, "department"),
                    org.assertj.core.groups.Tuple.tuple(2, "runner"),
                    org.assertj.core.groups.Tuple.tuple(4, "database.kind"),
                    org.assertj.core.groups.Tuple.tuple(6, "database.port"),
                    org.assertj.core.groups.Tuple.tuple(10, "database.colour"),
                    org.assertj.core.groups.Tuple.tuple(12, "tables[0].table"),
                    org.assertj.core.groups.Tuple.tuple(12, "tables[0].key"),
                    org.assertj.core.groups.Tuple.tuple(18, "tables[0].exclude[0]"),
                    org.assertj.core.groups.Tuple.tuple(16, "tables[0].columns.birth_date.type"),
                    org.assertj.core.groups.Tuple.tuple(17, "tables[0].columns.full_name"),
                    org.assertj.core.groups.Tuple.tuple(20, "tables[1].resource"),
                    org.assertj.core.groups.Tuple.tuple(22, "tables[1].unmappedColumns"));
            assertThat(e.problems()).extracting(Problem::line).isSorted();
            assertThat(e.getMessage()).contains("m.yaml:4: database.kind: kind 'oracle' is not supported")
                    .doesNotContain("hunter2");
        });
    }

    @Test
    void aMissingPasswordReferenceIsNamedNotShown() {
        String yaml = """
                department: psb
                runner: hukou
                database: {kind: postgres, host: db, database: hukou, user: cdc, password: "${env:NO_SUCH_VARIABLE_FOR_CDC}"}
                tables: [{table: public.resident, resource: 10101-000001, key: [id_number]}]
                """;
        assertThatThrownBy(() -> CdcMapping.parse(yaml, "m.yaml")).isInstanceOf(CdcMappingException.class)
                .hasMessageContaining("environment variable NO_SUCH_VARIABLE_FOR_CDC (the password) is not set");
    }
}
