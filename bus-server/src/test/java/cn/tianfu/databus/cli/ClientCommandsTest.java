package cn.tianfu.databus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.ExitCode;

/** Option parsing and exit codes of the client commands; none of these reach a bus. */
class ClientCommandsTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DatabusCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"catalog list", "catalog show 10101-000001", "catalog retire 10101-000001 --reason x",
            "request 10101-000001 --purpose p", "requests", "grants", "decide r1 --approve", "withdraw r1", "revoke g1 --reason x"})
    void every_client_command_needs_to_know_who_it_acts_as(String line) {
        Run r = run(line.split(" "));
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--config FILE").contains("--data-dir DIR --as DEPT");
        assertThat(r.err().lines().count()).isEqualTo(2); // the problem and where to find help
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void config_and_as_together_are_a_usage_error() {
        Run r = run("grants", "--config", "x.properties", "--data-dir", dir.toString(), "--as", "psb");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("not both").contains("Try 'databus grants --help'");
    }

    @Test
    void a_missing_config_file_fails_with_one_line() {
        Run r = run("requests", "--config", dir.resolve("nope.properties").toString());
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).startsWith("databus requests: ").contains("nope.properties");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void a_data_dir_without_a_running_bus_says_how_to_start_one() {
        Run r = run("catalog", "list", "--data-dir", dir.toString(), "--as", "psb");
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).startsWith("databus catalog list: no running bus found in " + dir).contains("databus up --data-dir");
    }

    @Test
    void an_invalid_department_id_is_reported() throws IOException {
        writeBusProperties();
        Run r = run("grants", "--data-dir", dir.toString(), "--as", "PSB");
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).contains("department.id 'PSB' is invalid");
    }

    @Test
    void decide_needs_exactly_one_of_approve_and_reject() {
        assertThat(run("decide", "r1", "--as", "psb").exit()).isEqualTo(ExitCode.USAGE);
        Run both = run("decide", "r1", "--approve", "--reject", "--reason", "x", "--as", "psb");
        assertThat(both.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("exactly one of --approve and --reject");
    }

    @Test
    void reject_needs_a_reason_and_narrowing_options_belong_to_approve() {
        Run noReason = run("decide", "r1", "--reject", "--as", "psb");
        assertThat(noReason.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(noReason.err()).contains("--reject needs --reason");
        Run narrowedReject = run("decide", "r1", "--reject", "--reason", "不符合条件", "--fields", "a,b", "--as", "psb");
        assertThat(narrowedReject.exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void decide_rejects_a_malformed_date() {
        Run r = run("decide", "r1", "--approve", "--until", "31.12.2026", "--as", "psb");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("'31.12.2026' is not a date");
    }

    @Test
    void request_needs_a_purpose_and_a_known_method() {
        Run noPurpose = run("request", "10101-000001", "--as", "amr");
        assertThat(noPurpose.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(noPurpose.err()).contains("--purpose");
        Run badMethod = run("request", "10101-000001", "--purpose", "核验", "--method", "EMAIL", "--as", "amr");
        assertThat(badMethod.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(badMethod.err()).contains("EMAIL").contains("PUSH, SERVICE, BOTH");
    }

    @Test
    void requests_and_grants_take_mine_or_incoming_not_both() {
        assertThat(run("requests", "--mine", "--incoming", "--as", "psb").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("grants", "--mine", "--incoming", "--as", "psb").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void retire_and_revoke_need_a_reason() {
        assertThat(run("catalog", "retire", "10101-000001", "--as", "psb").err()).contains("--reason");
        assertThat(run("revoke", "g1", "--as", "psb").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void narrow_needs_a_reason_and_something_to_narrow() {
        assertThat(run("narrow", "g1", "--fields", "idNumber", "--as", "psb").exit()).isEqualTo(ExitCode.USAGE);
        Run nothing = run("narrow", "g1", "--reason", "x", "--as", "psb");
        assertThat(nothing.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(nothing.err()).contains("narrow needs --fields, --filter or --clear");
    }

    @Test
    void timeout_must_be_a_positive_duration() {
        Run r = run("grants", "--as", "psb", "--timeout", "soon");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("'soon' is not a duration");
        assertThat(run("grants", "--as", "psb", "--timeout", "0s").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void register_lists_every_problem_of_the_file_with_its_line_before_connecting() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                code: 10101-000001
                classification: "10101"
                name: 人口基础信息
                category: SOMETIMES
                provider: psb
                providerCode: 11510100MB0F31224T
                summary: 测试
                format: Avro
                sharing:
                  class: CONDITIONAL
                  method: BOTH
                updateFrequency: DAILY
                publishDate: 2026-03-01
                items:
                  - name: idNumber
                    displayName: 公民身份号码
                    type: STRING
                    sensitivity: PERSONAL
                    key: true
                """, StandardCharsets.UTF_8);
        // no connection options at all: the file is checked first
        Run r = run("catalog", "register", file.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).contains(file + ":4: category").contains(file + ":10: sharing.conditions").contains("mask");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void register_of_a_missing_file_fails() {
        Run r = run("catalog", "register", dir.resolve("none.yaml").toString(), "--as", "psb");
        assertThat(r.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(r.err()).contains("cannot read the file");
    }

    @Test
    void dept_add_needs_a_name_and_a_valid_id() throws IOException {
        assertThat(run("dept", "add", "psb").exit()).isEqualTo(ExitCode.USAGE);
        writeBusProperties();
        Run badId = run("dept", "add", "P.S.B", "--name", "市公安局", "--data-dir", dir.toString());
        assertThat(badId.exit()).isEqualTo(ExitCode.SOFTWARE);
        assertThat(badId.err()).startsWith("databus dept add: department id 'P.S.B' is invalid");
    }

    @Test
    void group_commands_without_a_subcommand_are_usage_errors() {
        assertThat(run("catalog").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("dept").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void help_lists_the_client_commands() {
        Run r = run("--help");
        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("catalog", "request", "requests", "decide", "withdraw", "revoke", "narrow", "grants", "dept");
        assertThat(run("catalog", "register", "--help").out()).contains("--config").contains("--as").contains("--json");
    }

    private void writeBusProperties() throws IOException {
        Files.writeString(dir.resolve("bus.properties"), "bootstrap.servers=127.0.0.1:1\nschema.registry.url=http://127.0.0.1:1\n");
    }
}
