package cn.tianfu.databus.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.topic.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus dept add}: adds a department with its topics, credentials, ACLs and client config file. */
@Command(name = "add", mixinStandardHelpOptions = true,
        header = "Add a department: creates cmd.<id> and reply.<id>, its SCRAM credential (a generated password) and ACLs,"
                + " records it on bus.departments and writes <data-dir>/clients/<id>.properties (mode 600) for --config.")
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

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    @Override
    public Integer call() {
        AccessPolicy.checkDepartmentId(id);
        BusEndpoints endpoints = BusEndpoints.read(admin.dataDir);
        Departments.NewPrincipal<Department> added;
        try (Departments departments = admin.departments()) {
            added = departments.add(id, name, Optional.ofNullable(code));
        }
        Path file = ClientFiles.write(admin.dataDir, endpoints, id, added);
        Department department = added.record();
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("department", DeptListCommand.plain(department));
            result.put("principal", AccessPolicy.principal(id));
            result.put("commandTopic", Topics.commands(id));
            result.put("replyTopic", Topics.replies(id));
            result.put("acls", AccessPolicy.department(id).stream().map(AccessPolicy::describe).toList());
            result.put("clientConfig", file.toString());
            output.json(result);
        } else {
            output.out.printf("Added department %s (%s): principal %s, topics %s and %s, %d ACLs; client config %s"
                    + " (holds its password; mode 600)%n", id, department.getName(), AccessPolicy.principal(id),
                    Topics.commands(id), Topics.replies(id), AccessPolicy.department(id).size(), file);
            output.out.flush();
        }
        return DatabusCli.OK;
    }
}
