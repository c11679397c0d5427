package cn.tianfu.databus.cli.dept;

import cn.tianfu.databus.contract.Principals;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.HandoverOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus dept add}: adds a department with its topics, credentials, ACLs, and hands its client config over once. */
@Command(name = "add", mixinStandardHelpOptions = true,
        header = "Add a department: creates cmd.<id> and reply.<id>, its SCRAM credential (a generated password), ACLs and"
                + " quota, records it on bus.departments and hands its client config over once: to --out FILE (mode 600),"
                + " or on standard output. The bus keeps only a verifier of the password.")
public final class DeptAddCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "Department id: 2-32 lower-case letters, digits and '-', starting with a letter (e.g. psb).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", required = true, description = "The department's name, e.g. 市公安局.")
    String name;

    @Option(names = "--code", paramLabel = "CREDIT-CODE", description = "Unified social credit code or organisation code.")
    String code;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    HandoverOptions handover;

    @Option(names = "--json", description = "Print JSON (for scripts); without --out it holds the client config too.")
    boolean json;

    @Override
    public Integer call() {
        Principals.checkDepartmentId(id);
        BusEndpoints endpoints = BusEndpoints.read(admin.dataDir());
        Departments.NewPrincipal<Department> added;
        try (Departments departments = admin.departments()) {
            added = departments.add(id, name, Optional.ofNullable(code));
        }
        Department department = added.record();
        Output output = Output.of(spec, json);
        if (json) {
            Path file = handover.out().isEmpty() ? null : handover.handOver(output.out(), endpoints, id, added).orElseThrow();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("department", DeptListCommand.plain(department));
            result.put("principal", Principals.principal(id));
            result.put("commandTopic", Topics.commands(id));
            result.put("replyTopic", Topics.replies(id));
            result.put("acls", AccessPolicy.department(id).stream().map(AccessPolicy::describe).toList());
            result.put("clientConfig", file == null ? null : file.toString());
            if (file == null) {
                result.put("clientConfigText", ClientFiles.text(endpoints, id, added));
            }
            output.json(result);
        } else {
            // the summary goes to stderr when stdout carries the client config
            java.io.PrintWriter summary = handover.out().isEmpty() ? output.err() : output.out();
            Optional<Path> file = handover.handOver(output.out(), endpoints, id, added);
            summary.printf("Added department %s (%s): principal %s, topics %s and %s, %d ACLs; %s%n", id, department.getName(),
                    Principals.principal(id), Topics.commands(id), Topics.replies(id), AccessPolicy.department(id).size(),
                    file.map(f -> "client config " + f + " (holds its password; mode 600): hand it to the department,"
                            + " then delete it here").orElse("its client config (with its password) is printed above;"
                            + " the bus keeps no copy"));
            summary.flush();
        }
        return ExitCode.OK;
    }
}
